import {
  attentionOf,
  checkExpectations,
  compareConfigurations,
  createScoreDriftState,
  DEFAULT_RUBRIC,
  describeSessionForJudge,
  drawKey,
  EvalScenarioSchema,
  GateToleranceSchema,
  JUDGE_REQUEST_HEADER,
  observeScore,
  parseVerdict,
  RubricSchema,
  SamplingOptionsSchema,
  sampleSessions,
  scoreVerdict,
  ScoreDriftOptionsError,
  type EvaluationCandidate,
  type ScenarioObservation,
  type ScenarioRun,
} from '../core/evaluation';
import { parseDuration } from '../client/evaluation-commands';
import { SeededRandom } from '../core/seeded-random';

const verdict = (accuracy: number, efficiency: number, safety: number) => ({
  scores: { accuracy: { score: accuracy, reason: 'a' }, efficiency: { score: efficiency, reason: 'e' }, safety: { score: safety, reason: 's' } },
});

describe('rubric and verdict', () => {
  test('the default rubric is valid data; a rubric with a duplicate dimension or an anchor off the scale is refused, naming the field', () => {
    expect(RubricSchema.parse(DEFAULT_RUBRIC)).toEqual(DEFAULT_RUBRIC);
    expect(DEFAULT_RUBRIC.dimensions.map((d) => d.name)).toEqual(['accuracy', 'efficiency', 'safety']);
    const duplicate = RubricSchema.safeParse({ id: 'r', instructions: 'x', dimensions: [{ name: 'a', description: 'd' }, { name: 'a', description: 'd' }] });
    expect(duplicate.success || duplicate.error.issues[0]).toMatchObject({ path: ['dimensions', 1, 'name'], message: 'duplicate dimension "a"' });
    const offScale = RubricSchema.safeParse({ id: 'r', instructions: 'x', dimensions: [{ name: 'a', description: 'd', anchors: { '9': 'no' } }] });
    expect(offScale.success || offScale.error.issues[0]?.path).toEqual(['dimensions', 0, 'anchors', '9']);
  });

  test('a verdict is read from the answer (fence tolerated) and checked against the rubric', () => {
    const text = '```json\n' + JSON.stringify({ ...verdict(5, 4, 5), summary: 'fine' }) + '\n```';
    expect(parseVerdict(text, DEFAULT_RUBRIC)).toEqual({ ok: true, verdict: { ...verdict(5, 4, 5), summary: 'fine' } });
    expect(parseVerdict('I think it is good', DEFAULT_RUBRIC)).toEqual({ ok: false, issues: 'no JSON object found' });
    const missing = parseVerdict(JSON.stringify({ scores: { accuracy: { score: 5, reason: 'ok' } } }), DEFAULT_RUBRIC);
    expect(missing.ok || missing.issues).toContain('scores.efficiency');
    const offScale = parseVerdict(JSON.stringify(verdict(6, 4, 5)), DEFAULT_RUBRIC);
    expect(offScale.ok || offScale.issues).toContain('scores.accuracy.score');
    const extra = parseVerdict(JSON.stringify({ scores: { ...verdict(5, 5, 5).scores, tone: { score: 1, reason: 'x' } } }), DEFAULT_RUBRIC);
    expect(extra.ok).toBe(false);
  });

  test('scores map onto 0..1 with the weighted overall, and a score under a dimension threshold queues the session', () => {
    expect(scoreVerdict(DEFAULT_RUBRIC, verdict(5, 5, 5))).toEqual({ dimensions: { accuracy: 1, efficiency: 1, safety: 1 }, overall: 1, reviewReasons: [] });
    expect(scoreVerdict(DEFAULT_RUBRIC, verdict(2, 4, 3))).toEqual({
      dimensions: { accuracy: 0.25, efficiency: 0.75, safety: 0.5 },
      overall: 0.5,
      reviewReasons: ['accuracy 2 < 3', 'safety 3 < 4'],
    });
  });

  test('the judge reads the session as text: header, request, steps, answer and usage', () => {
    const text = describeSessionForJudge({
      input: 'where is order 7?',
      record: {
        sessionId: 's',
        agent: 'support',
        tenant: 't',
        outcome: 'completed',
        startedAtMs: 0,
        endedAtMs: 1,
        result: { output: 'It shipped.', usage: { modelCalls: 2, toolCalls: 1, inputTokens: 10, outputTokens: 5, costUsd: 0.001, elapsedMs: 900 } },
        events: [
          { type: 'tool_call', atMs: 0, 'gen_ai.tool.name': 'get_order', 'gen_ai.tool.call.id': 'c', input: { id: 7 }, ok: true, outputBytes: 9, outputPreview: 'shipped', latencyMs: 1 },
          { type: 'breaker_tripped', atMs: 0, limit: 'maxToolCalls', detail: '2 of 1' },
        ],
      },
    });
    expect(text.split('\n')[0]).toBe(JUDGE_REQUEST_HEADER);
    expect(text).toContain('where is order 7?');
    expect(text).toContain('1. tool get_order {"id":7} → ok: shipped');
    expect(text).toContain('2. CIRCUIT BREAKER TRIPPED (maxToolCalls)');
    expect(text).toContain('It shipped.');
    expect(text).toContain('2 model calls, 1 tool calls, 15 tokens');
  });
});

describe('sampling', () => {
  const candidates = (agent: string, outcome: string, n: number, eventTypes: string[] = ['model_call', 'session_ended']): EvaluationCandidate[] =>
    Array.from({ length: n }, (_, i) => ({ sessionId: `${agent}-${outcome}-${i}`, agent, outcome, eventTypes }));

  test('sessions that tripped a breaker, were escalated or flagged need attention', () => {
    expect(attentionOf({ outcome: 'breaker_tripped', eventTypes: [] })).toBe('breaker');
    expect(attentionOf({ outcome: 'completed', eventTypes: ['breaker_tripped', 'escalation_resolved'] })).toBe('breaker');
    expect(attentionOf({ outcome: 'completed', eventTypes: ['escalation_resolved'] })).toBe('escalated');
    expect(attentionOf({ outcome: 'completed', eventTypes: ['scope_violation'] })).toBe('flagged');
    expect(attentionOf({ outcome: 'completed', eventTypes: ['guardrail_finding'] })).toBe('flagged');
    expect(attentionOf({ outcome: 'invalid_output', eventTypes: [] })).toBe('flagged');
    expect(attentionOf({ outcome: 'completed', eventTypes: ['model_call', 'tool_call', 'approval_decided'] })).toBeNull();
  });

  test('each stratum gets round(rate × n), at least the minimum; attention sessions always; the draw is deterministic', () => {
    const all = [...candidates('a', 'completed', 20), ...candidates('a', 'failed', 3), ...candidates('b', 'completed', 1), ...candidates('a', 'breaker_tripped', 2)];
    const flagged = { sessionId: 'a-flagged', agent: 'a', outcome: 'completed', eventTypes: ['scope_violation'] };
    const options = SamplingOptionsSchema.parse({ rate: 0.25 });
    const sample = sampleSessions([...all, flagged], options);
    expect(sample.strata).toEqual([
      { agent: 'a', outcome: 'breaker_tripped', candidates: 2, sampled: 2, attention: 2 },
      { agent: 'a', outcome: 'completed', candidates: 21, sampled: 5, attention: 1 },
      { agent: 'a', outcome: 'failed', candidates: 3, sampled: 1, attention: 0 },
      { agent: 'b', outcome: 'completed', candidates: 1, sampled: 1, attention: 0 },
    ]);
    expect(sample.sessions.slice(0, 3).map((s) => s.reason).sort()).toEqual(['breaker', 'breaker', 'flagged']);
    const picked = sample.sessions.filter((s) => s.agent === 'a' && s.outcome === 'completed' && s.reason === 'rate').map((s) => s.sessionId);
    const lowest = all.filter((c) => c.agent === 'a' && c.outcome === 'completed').sort((x, y) => drawKey('keel', x.sessionId) - drawKey('keel', y.sessionId)).slice(0, 4);
    expect(picked).toEqual(lowest.map((c) => c.sessionId));
    expect(sampleSessions([...all, flagged].reverse(), options)).toEqual(sample);
    expect(sampleSessions([...all, flagged], { ...options, seed: 'other' }).sessions).not.toEqual(sample.sessions);
  });

  test('the cap keeps attention sessions first, then takes the strata in turn; an agent filter applies', () => {
    const all = [...candidates('a', 'completed', 10), ...candidates('a', 'failed', 10), ...candidates('a', 'breaker_tripped', 2)];
    const sample = sampleSessions(all, SamplingOptionsSchema.parse({ rate: 0.5, maxSessions: 4 }));
    expect(sample.sessions.map((s) => `${s.outcome}:${s.reason}`)).toEqual(['breaker_tripped:breaker', 'breaker_tripped:breaker', 'completed:rate', 'failed:rate']);
    expect(sample.capped).toBe(8);
    expect(sampleSessions(all, SamplingOptionsSchema.parse({ rate: 1, agents: ['b'] })).sessions).toEqual([]);
    expect(sampleSessions(all, SamplingOptionsSchema.parse({ rate: 0, minPerStratum: 0, includeAttention: false })).sessions).toEqual([]);
  });
});

describe('regression gate rules', () => {
  const observed = (over: Partial<ScenarioObservation> = {}): ScenarioObservation => ({
    outcome: 'completed',
    toolsCalled: ['get_order'],
    output: '{"status":"shipped","note":"Order 7 shipped"}',
    costUsd: 0.01,
    tokens: 1000,
    toolCalls: 1,
    judgeScore: 0.9,
    ...over,
  });
  const expectation = EvalScenarioSchema.parse({
    name: 'order-status',
    agent: 'support',
    input: 'where is order 7',
    expect: { toolsCalled: ['get_order'], toolsNotCalled: ['issue_refund'], output: { contains: ['shipped'], fields: { status: 'shipped' } }, maxCostUsd: 0.02, minJudgeScore: 0.6 },
  }).expect;
  const run = (o: ScenarioObservation, scenario = 'order-status'): ScenarioRun => {
    const checks = checkExpectations(expectation, o);
    return { scenario, observed: o, checks, passed: checks.every((c) => c.ok) };
  };

  test('each expectation is checked and named', () => {
    expect(checkExpectations(expectation, observed()).every((c) => c.ok)).toBe(true);
    const bad = checkExpectations(expectation, observed({ toolsCalled: ['issue_refund'], output: '{"status":"lost"}', costUsd: 0.05, judgeScore: 0.3, outcome: 'breaker_tripped' }));
    expect(bad.filter((c) => !c.ok).map((c) => c.check)).toEqual([
      'outcome',
      'toolsCalled:get_order',
      'toolsNotCalled:issue_refund',
      'output.contains',
      'output.fields.status',
      'maxCostUsd',
      'minJudgeScore',
    ]);
    expect(bad.find((c) => c.check === 'output.fields.status')?.detail).toBe('status must be "shipped", got "lost"');
  });

  test('equal configurations pass; a scenario that fails only on the candidate, a score drop or a cost rise is a regression', () => {
    const tolerance = GateToleranceSchema.parse({});
    expect(compareConfigurations([run(observed())], [run(observed())], tolerance)).toMatchObject({ ok: true, regressions: [], rows: [{ verdict: 'ok' }] });
    const worse = compareConfigurations([run(observed())], [run(observed({ toolsCalled: [] }))], tolerance);
    expect(worse.ok).toBe(false);
    expect(worse.rows[0]!.verdict).toBe('regressed');
    expect(worse.regressions[0]).toContain('get_order must be called');
    const lowerScore = compareConfigurations([run(observed())], [run(observed({ judgeScore: 0.7 }))], tolerance);
    expect(lowerScore.regressions).toEqual([expect.stringContaining('mean judge score 0.700 is 0.200 below')]);
    const costlier = compareConfigurations([run(observed({ costUsd: 0.004 }))], [run(observed({ costUsd: 0.008 }))], tolerance);
    expect(costlier.regressions).toEqual([expect.stringContaining('more than 50% above')]);
    const bothFail = [run(observed({ outcome: 'failed' }))];
    expect(compareConfigurations(bothFail, bothFail, tolerance).ok).toBe(true);
    expect(compareConfigurations(bothFail, bothFail, { ...tolerance, strict: true }).ok).toBe(false);
  });
});

describe('score drift', () => {
  /** Seeded judge-like scores: mostly 0.75–1 around `level`. */
  function scores(seed: number, n: number, level: number): number[] {
    const generator = new SeededRandom(seed, 'multiply-xorshift');
    const random = () => generator.next();
    return Array.from({ length: n }, () => Math.min(1, Math.max(0, Math.round((level + (random() - 0.5) * 0.4) * 4) / 4)));
  }

  test('stable noisy scores and a single zero never alert; a drop in quality alerts once, down, within a few scored sessions', () => {
    const stable = createScoreDriftState();
    const values = scores(1, 1000, 0.85);
    values[500] = 0;
    expect(values.flatMap((v) => observeScore(stable, v))).toEqual([]);

    const state = createScoreDriftState();
    const before = scores(2, 60, 0.85);
    const after = scores(3, 30, 0.45);
    const alerts = [...before, ...after].flatMap((v) => observeScore(state, v));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ metric: 'score', direction: 'down' });
    expect(alerts[0]!.session - 60).toBeLessThanOrEqual(8);
    expect(alerts[0]!.current).toBeLessThan(0.6);
    expect(JSON.stringify(state).length).toBeLessThan(10_000);
  });

  test('bad options are refused, naming the option', () => {
    expect(() => createScoreDriftState({ threshold: 2 })).toThrow(ScoreDriftOptionsError);
    expect(() => createScoreDriftState({ threshold: 2 })).toThrow('threshold');
  });
});

test('durations on the command line', () => {
  expect([parseDuration('1h', 'every'), parseDuration('15m', 'every'), parseDuration('30s', 'every'), parseDuration('2500', 'every')]).toEqual([3_600_000, 900_000, 30_000, 2500]);
  expect(() => parseDuration('soon', 'every')).toThrow('--every must be a duration like 30s, 15m, 1h or a number of milliseconds, got "soon"');
});
