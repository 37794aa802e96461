import { NativeConnection, type Worker } from '@temporalio/worker';
import { z } from 'zod';
import { metricAlertSink } from '../alerts';
import { runCli } from '../client/cli';
import { InvalidEvaluationRequestError } from '../client';
import { defineAgent } from '../core/agent';
import { JUDGE_REQUEST_HEADER, SamplingOptionsSchema, sampleSessions, type EvaluationReport } from '../core/evaluation';
import { defineTool } from '../core/tool';
import { KeelMetrics } from '../metrics';
import { ScriptedModelServer, type TurnContext } from '../scripted-model';
import { EvaluationStore, FileAuditLog } from '../store';
import { createKeelWorker } from '../workers/keel-worker';
import { monitorWorkflowId, sessionScoreSignal } from '../workflows/api';
import { createTestEnvironment, expectReplays, testServer, uniqueName, type TestEnvironment } from './support/environment';
import { TEST_DATABASE_URL } from './support/test-database';

let env: TestEnvironment;
let model: ScriptedModelServer;
let native: NativeConnection;
let worker: Worker;
let running: Promise<void>;
const metrics = new KeelMetrics();
const agentName = uniqueName('evaluated');

const getOrder = defineTool({
  name: 'get_order',
  description: 'Look up an order.',
  tier: 'read',
  input: z.object({ orderId: z.string() }),
  async run({ orderId }) {
    return { orderId, status: 'shipped' };
  },
});

/** The scripted judge: a tripped breaker is inefficient (and its first answer needs a repair), a wrong answer inaccurate. */
function judge(ctx: TurnContext) {
  const text = ctx.firstUserText;
  const verdict = (accuracy: number, efficiency: number, safety: number, reason: string) => ({
    text: JSON.stringify({ scores: { accuracy: { score: accuracy, reason }, efficiency: { score: efficiency, reason }, safety: { score: safety, reason } }, summary: reason }),
  });
  if (text.includes('CIRCUIT BREAKER TRIPPED')) {
    return ctx.turn === 0 ? { text: 'This session looped; I would score it low.' } : verdict(3, 1, 5, 'looped on get_order until the breaker tripped');
  }
  if (text.includes('WRONG')) return verdict(1, 4, 5, 'the answer contradicts the tool result');
  return verdict(5, 5, 5, 'answer supported by get_order');
}

beforeAll(async () => {
  model = new ScriptedModelServer();
  model.addScenario({ name: 'judge', match: JUDGE_REQUEST_HEADER, turns: judge });
  await model.start();
  env = await createTestEnvironment('evaluation');
  native = await NativeConnection.connect({ address: testServer().address });
  worker = await createKeelWorker({
    connection: native,
    taskQueue: env.taskQueue,
    agents: [defineAgent({ name: agentName, instructions: 'Answer order questions.', tools: [getOrder] })],
    store: env.store,
    database: env.db,
    audit: new FileAuditLog(env.auditPath),
    metrics,
    alertSinks: [metricAlertSink(metrics)],
    model: { baseURL: model.url, apiKey: 'test' },
    evaluation: { scoreOptions: { warmup: 10 } },
    workflowBundle: { codePath: testServer().bundlePath },
    shutdownGraceTimeMs: 1000,
  });
  running = worker.run();
});
afterAll(async () => {
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await running;
  await native?.close();
  await env?.close();
  await model?.stop();
});

async function keel(...args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const code = await runCli([...args, '--address', testServer().address, '--task-queue', env.taskQueue, '--database', TEST_DATABASE_URL], (l) => lines.push(l));
  return { code, out: lines.join('\n') };
}

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const value = await read().catch(() => undefined);
    if (value !== undefined && done(value)) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Runs a session of the evaluated agent whose model answers `answer` after a lookup (or loops, for a breaker). */
async function session(kind: 'good' | 'wrong' | 'breaker'): Promise<string> {
  const tag = uniqueName(`eval-${kind}`);
  model.addScenario({
    name: tag,
    match: tag,
    turns: (ctx) =>
      kind === 'breaker' || ctx.turn === 0
        ? { toolCalls: [{ name: 'get_order', input: { orderId: `ord_${ctx.turn}` } }] }
        : { text: kind === 'good' ? 'Order ord_0 has shipped.' : 'WRONG: it was never sent.' },
  });
  const handle = await env.client.startSession({
    agent: agentName,
    input: `${tag}: where is my order?`,
    scope: { tenant: 'acme', subjects: [] },
    ...(kind === 'breaker' ? { limits: { maxToolCalls: 2 }, escalation: { timeoutMs: 300 } } : {}),
  });
  const result = await handle.result();
  expect(result.outcome).toBe(kind === 'breaker' ? 'breaker_tripped' : 'completed');
  return handle.sessionId;
}

test('the evaluation schedule samples as configured, scores with the scripted judge, queues low scores, and keel review resolve records the decision', async () => {
  const kinds = ['good', 'good', 'good', 'good', 'good', 'good', 'wrong', 'breaker'] as const;
  const ids = await Promise.all(kinds.map((kind) => session(kind)));
  const breakerId = ids[7]!;

  // What the deterministic stratified sampler must pick at rate 0.5: round(0.5 × 7) of the completed, the tripped one always.
  const expected = sampleSessions(
    ids.map((sessionId, i) => ({ sessionId, agent: agentName, outcome: kinds[i] === 'breaker' ? 'breaker_tripped' : 'completed', eventTypes: kinds[i] === 'breaker' ? ['breaker_tripped'] : [] })),
    SamplingOptionsSchema.parse({ rate: 0.5 }),
  );
  expect(expected.sessions).toHaveLength(5);

  const scheduleId = uniqueName('keel-evaluation-test');
  const scheduled = await keel('eval', 'schedule', '--agent', agentName, '--rate', '0.5', '--every', '1h', '--schedule-id', scheduleId, '--trigger');
  expect(scheduled.code).toBe(0);
  const [created, triggered] = scheduled.out.split('\n');
  expect(created).toBe(`schedule ${scheduleId} created: every 3600000 ms on task queue ${env.taskQueue}`);
  const workflowId = /^triggered evaluation (\S+)$/.exec(triggered ?? '')?.[1];
  expect(workflowId).toBeDefined();
  const report: EvaluationReport = await env.client.evaluationResult(workflowId!);

  expect(report).toMatchObject({ rubricId: 'keel-default-v1', candidates: 8, alreadyScored: 0, capped: 0, failed: [] });
  expect(report.strata).toEqual([
    { agent: agentName, outcome: 'breaker_tripped', candidates: 1, sampled: 1, attention: 1 },
    { agent: agentName, outcome: 'completed', candidates: 7, sampled: 4, attention: 0 },
  ]);
  expect(report.judged.map((j) => j.sessionId)).toEqual(expected.sessions.map((s) => s.sessionId));
  const tripped = report.judged.find((j) => j.sessionId === breakerId)!;
  expect(tripped).toMatchObject({ reason: 'breaker', outcome: 'breaker_tripped', overall: 0.5, dimensions: { accuracy: 0.5, efficiency: 0, safety: 1 }, queued: true });
  const wrongSampled = report.judged.some((j) => j.sessionId === ids[6]);
  expect(report.queuedForReview).toBe(wrongSampled ? 2 : 1);
  for (const j of report.judged.filter((j) => j.sessionId !== breakerId && j.sessionId !== ids[6])) expect(j).toMatchObject({ overall: 1, queued: false });
  // The tripped session's first verdict was not valid JSON: the judge was asked once to repair it.
  expect(model.requests.filter((r) => r.scenario === 'judge' && r.turn === 1)).toHaveLength(1);

  // Scores in PostgreSQL, with the judge's reasons.
  const store = new EvaluationStore(env.db);
  const [score] = await store.scores(breakerId);
  expect(score).toMatchObject({ agent: agentName, rubricId: 'keel-default-v1', overall: 0.5, sampleReason: 'breaker', evaluationId: workflowId });
  expect(score!.verdict.scores.efficiency).toEqual({ score: 1, reason: 'looped on get_order until the breaker tripped' });

  // Metrics: every dimension of every judged session, the queue.
  const observed = (await metrics.evalScore.get()).values.filter((v) => v.labels.agent === agentName && v.labels.dimension === 'overall' && v.metricName === 'keel_eval_score_count');
  expect(observed[0]?.value).toBe(5);
  expect(await metrics.scrape()).toContain(`keel_review_queue_open{agent="${agentName}"} ${report.queuedForReview}`);

  // The monitor received every score.
  const status = await waitFor(() => env.client.monitorStatus(agentName), (s) => s.scoresObserved === 5, 'the scores at the monitor');
  expect(status.sessionsObserved).toBe(8);

  // The review queue.
  const list = await keel('review', 'list', '--agent', agentName);
  expect(list.out.split('\n')).toHaveLength(report.queuedForReview);
  expect(list.out).toContain(`${breakerId} ${agentName} score 0.50 (efficiency 1 < 3) open`);
  const shown = await keel('review', 'show', breakerId);
  expect(shown.out).toContain('efficiency 1: looped on get_order until the breaker tripped');
  expect(shown.out).toContain('session: breaker_tripped');
  expect(await keel('review', 'resolve', breakerId, '--decision', 'confirmed', '--reviewer', 'alice', '--note', 'loops on lookups')).toEqual({
    code: 0,
    out: `resolved ${breakerId}: confirmed by alice`,
  });
  expect((await store.reviews(breakerId))[0]).toMatchObject({ status: 'resolved', decision: 'confirmed', reviewer: 'alice', note: 'loops on lookups' });
  await expect(keel('review', 'resolve', breakerId, '--decision', 'overruled', '--reviewer', 'bob')).rejects.toThrow('already resolved (confirmed by alice)');
  await expect(keel('review', 'resolve', breakerId, '--decision', 'maybe', '--reviewer', 'bob')).rejects.toThrow('--decision must be confirmed or overruled');
  expect((await keel('review', 'list', '--agent', agentName)).out.split('\n')).toHaveLength(report.queuedForReview - 1 || 1);
  expect(await metrics.scrape()).toContain(`keel_review_queue_open{agent="${agentName}"} ${report.queuedForReview - 1}`);

  // Again: the schedule is updated, not duplicated, and a second run scores nothing twice.
  expect(await env.client.scheduleEvaluation({ scheduleId, everyMs: 3_600_000, request: { sampling: { agents: [agentName], rate: 0.5 } } })).toEqual({ scheduleId, created: false });
  const again = await keel('eval', 'schedule', '--agent', agentName, '--rate', '0.5', '--every', '1h', '--schedule-id', scheduleId, '--trigger', '--wait');
  const lines = again.out.split('\n');
  expect(lines[0]).toBe(`schedule ${scheduleId} updated: every 3600000 ms on task queue ${env.taskQueue}`);
  expect(lines[2]).toBe('evaluated 0 of 8 sessions (5 already scored, 0 over the cap, 0 failed); 0 queued for review');
  expect(lines[3]).toBe(`  ${agentName}/breaker_tripped: 1 of 1 (1 needing attention)`);
  expect((await env.temporal.schedule.getHandle(scheduleId).describe()).info.recentActions).toHaveLength(2);
  const { rows } = await env.db.query<{ n: string }>('SELECT count(*) AS n FROM keel_session_scores WHERE agent = $1', [agentName]);
  expect(Number(rows[0]!.n)).toBe(5);

  // The evaluation workflow and the monitor (with its score signals) replay.
  expect(await expectReplays(env.temporal, workflowId!)).toBe(1);
  await expectReplays(env.temporal, monitorWorkflowId(agentName, env.taskQueue));
  await env.temporal.schedule.getHandle(scheduleId).delete();
}, 300_000);

test('a drop in judge scores raises a score alert at the monitor, like a rise in cost', async () => {
  const agent = uniqueName('quality-agent');
  const send = (i: number, overall: number) =>
    env.temporal.workflow.signalWithStart('agentMonitor', {
      taskQueue: env.taskQueue,
      workflowId: monitorWorkflowId(agent, env.taskQueue),
      args: [{ agent }],
      signal: sessionScoreSignal,
      signalArgs: [{ sessionId: `scored-${i}`, rubricId: 'keel-default-v1', overall, dimensions: {}, detector: { warmup: 20 } }],
    });
  const scores = [...Array.from({ length: 30 }, (_, i) => [1, 0.92, 0.83, 1, 0.92][i % 5]!), ...Array.from({ length: 10 }, (_, i) => [0.42, 0.5, 0.33][i % 3]!)];
  for (const [i, score] of scores.entries()) await send(i, score);
  await send(3, 0.1); // a repeated delivery of session 3 is ignored
  const status = await waitFor(() => env.client.monitorStatus(agent), (s) => s.scoresObserved === scores.length && s.alerts.length > 0, 'the score alert');
  expect(status.sessionsObserved).toBe(0);
  expect(status.alerts).toHaveLength(1);
  expect(status.alerts[0]).toMatchObject({ metric: 'score', direction: 'down' });
  expect(status.alerts[0]!.session).toBeGreaterThan(30);
  expect(status.alerts[0]!.session).toBeLessThanOrEqual(37);
  await waitFor(async () => (await metrics.driftAlerts.get()).values.find((v) => v.labels.agent === agent && v.labels.metric === 'score')?.value, (v) => v === 1, 'the alert metric');
  const lines: string[] = [];
  await runCli(['alerts', '--agent', agent, '--address', testServer().address, '--task-queue', env.taskQueue], (l) => lines.push(l));
  expect(lines.join('\n')).toContain('score down');
});

test('an invalid evaluation request is refused by the client and fails the workflow at once', async () => {
  await expect(env.client.startEvaluation({ sampling: { rate: 2 } })).rejects.toThrow(InvalidEvaluationRequestError);
  await expect(env.client.scheduleEvaluation({ request: { concurrency: 0 } })).rejects.toThrow('concurrency');
  const handle = await env.temporal.workflow.start('sessionEvaluation', { taskQueue: env.taskQueue, workflowId: uniqueName('bad-evaluation'), args: [{ sampling: { rate: -1 } }] });
  await expect(handle.result()).rejects.toMatchObject({ cause: { type: 'InvalidEvaluationRequestError' } });
});
