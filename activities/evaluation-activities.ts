import type Anthropic from '@anthropic-ai/sdk';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import {
  DEFAULT_RUBRIC,
  describeSessionForJudge,
  judgeSystemPrompt,
  parseVerdict,
  sampleSessions,
  scoreVerdict,
  verdictRepairMessage,
  type JudgedSession,
  type JudgeOptions,
  type Rubric,
  type SampleReason,
  type SampledSession,
  type SampleStratum,
  type SamplingOptions,
  type Verdict,
} from '../core/evaluation';
import type { DriftOptions } from '../core/drift-detector';
import { FailureType } from '../core/errors';
import type { KeelMetrics } from '../metrics/keel-metrics';
import type { ContentStore, EvaluationStore, TraceStore } from '../store';
import { AGENT_MONITOR_WORKFLOW, monitorWorkflowId, sessionScoreSignal, type MonitorScoreOptions } from '../workflows/api';
import type { ModelClient } from './model';
import { loadTranscript } from './transcript';

/** What the evaluation activities need. Without `traces` and `evaluations` (no database) they fail with `EvaluationUnavailableError`. */
export interface EvaluationActivityDeps {
  traces?: TraceStore;
  evaluations?: EvaluationStore;
  /** The content store, to read the user's input from a session's transcript. */
  store: ContentStore;
  /** The judge model's endpoint. */
  model: ModelClient;
  metrics?: KeelMetrics;
  /** Send scores to the agents' behaviour monitors (started with these options if not running). @default off */
  monitor?: { options?: Partial<DriftOptions>; scoreOptions?: MonitorScoreOptions };
}

/** The judge's answer was not a valid verdict after every repair turn. */
export class InvalidVerdictError extends Error {
  override readonly name = FailureType.InvalidVerdict;
}

/** A verdict and the model that gave it. */
export interface JudgeResult {
  verdict: Verdict;
  judgeModel: string;
  /** Model calls it took (1 + repair turns). */
  calls: number;
}

/**
 * Asks the judge model for a verdict on one session: the rubric in the system prompt, the session
 * as text, and up to `maxRepairTurns` repair messages when the answer is not a valid verdict (then
 * {@link InvalidVerdictError}). Model errors are typed failures (see `toModelFailure`).
 */
export async function judgeWithModel(model: ModelClient, rubric: Rubric, judge: JudgeOptions, session: JudgedSession, signal?: AbortSignal): Promise<JudgeResult> {
  const system = judgeSystemPrompt(rubric);
  const messages: Anthropic.MessageParam[] = [{ role: 'user', content: describeSessionForJudge(session) }];
  for (let call = 1; ; call++) {
    const reply = await model.send({ model: judge.model, maxOutputTokens: judge.maxOutputTokens, system, tools: [], messages, promptCaching: false }, signal);
    const parsed = parseVerdict(reply.text, rubric);
    if (parsed.ok) return { verdict: parsed.verdict, judgeModel: reply.model, calls: call };
    if (call > judge.maxRepairTurns) {
      throw new InvalidVerdictError(`the judge's answer is not a valid verdict after ${judge.maxRepairTurns} repair turns: ${parsed.issues}`);
    }
    messages.push({ role: 'assistant', content: reply.text || '(empty)' }, { role: 'user', content: verdictRepairMessage(parsed.issues) });
  }
}

/** The user's message that started a session, from its transcript (read as the session's tenant); undefined when it cannot be read. */
export async function sessionInput(store: ContentStore, transcriptRef: unknown, tenant: string): Promise<string | undefined> {
  if (typeof transcriptRef !== 'string') return undefined;
  try {
    const messages = await loadTranscript(store, transcriptRef, tenant);
    const first = messages.find((m) => m.role === 'user');
    const text = first?.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('\n');
    return text || undefined;
  } catch {
    return undefined;
  }
}

/** What the sampling activity returns: the sessions to judge (not scored before) and the strata. */
export interface EvaluationSample {
  candidates: number;
  strata: SampleStratum[];
  /** Sampled sessions that the rubric had scored before (skipped). */
  alreadyScored: number;
  /** Sampled sessions dropped by `maxSessions`. */
  capped: number;
  sessions: SampledSession[];
}

/** The activities of the online evaluation, bound to a worker's stores and judge endpoint. */
export function createEvaluationActivities(deps: EvaluationActivityDeps) {
  const { store, model, metrics, monitor } = deps;
  const stores = () => {
    if (!deps.traces || !deps.evaluations) {
      throw ApplicationFailure.create({
        type: FailureType.EvaluationUnavailable,
        message: 'this worker has no database: it keeps no session traces or scores to evaluate (give createKeelWorker a database)',
        nonRetryable: true,
      });
    }
    return { traces: deps.traces, evaluations: deps.evaluations };
  };

  return {
    /**
     * Samples finished sessions of the window (core/evaluation/sampling): attention sessions first,
     * then each stratum's share; sessions the rubric scored before are skipped, then the cap applies.
     */
    async sampleSessionsForEvaluation(input: { sinceMs: number; untilMs: number; rubricId: string; sampling: SamplingOptions }): Promise<EvaluationSample> {
      const { evaluations } = stores();
      const candidates = await evaluations.candidates({
        sinceMs: input.sinceMs,
        untilMs: input.untilMs,
        rubricId: input.rubricId,
        ...(input.sampling.agents ? { agents: input.sampling.agents } : {}),
        limit: input.sampling.maxCandidates,
      });
      const scored = new Set(candidates.filter((c) => c.scored).map((c) => c.sessionId));
      const drawn = sampleSessions(candidates, { ...input.sampling, maxSessions: Number.MAX_SAFE_INTEGER });
      const fresh = drawn.sessions.filter((s) => !scored.has(s.sessionId));
      const sessions = fresh.slice(0, input.sampling.maxSessions);
      return { candidates: candidates.length, strata: drawn.strata, alreadyScored: drawn.sessions.length - fresh.length, capped: fresh.length - sessions.length, sessions };
    },

    /** Has the judge model score one session's archived trace against the rubric (default: `DEFAULT_RUBRIC`). */
    async judgeSession(input: { sessionId: string; rubric?: Rubric; judge: JudgeOptions }): Promise<JudgeResult> {
      const { traces } = stores();
      const record = await traces.get(input.sessionId);
      if (!record) {
        throw ApplicationFailure.create({ type: FailureType.TraceNotFound, message: `the trace store has no trace of session ${input.sessionId}`, nonRetryable: true });
      }
      const sessionText = await sessionInput(store, record.result.transcriptRef, record.tenant);
      try {
        return await judgeWithModel(model, input.rubric ?? DEFAULT_RUBRIC, input.judge, { record, ...(sessionText ? { input: sessionText } : {}) }, Context.current().cancellationSignal);
      } catch (error) {
        if (error instanceof InvalidVerdictError) throw ApplicationFailure.create({ type: FailureType.InvalidVerdict, message: error.message, nonRetryable: true });
        throw error;
      }
    },

    /**
     * Records a verdict: stores the score (once per session and rubric), queues a low score for
     * human review (once), counts it in the metrics and sends it to the agent's monitor.
     */
    async recordEvaluation(input: {
      sessionId: string;
      agent: string;
      outcome: string;
      sampleReason: SampleReason;
      rubric?: Rubric;
      judgeModel: string;
      verdict: Verdict;
      feedMonitor: boolean;
    }): Promise<{ overall: number; dimensions: Record<string, number>; queued: boolean }> {
      const { evaluations } = stores();
      const rubric = input.rubric ?? DEFAULT_RUBRIC;
      const { info, client } = Context.current();
      let scored = scoreVerdict(rubric, input.verdict);
      const inserted = await evaluations.saveScore({
        sessionId: input.sessionId,
        rubricId: rubric.id,
        agent: input.agent,
        outcome: input.outcome,
        judgeModel: input.judgeModel,
        overall: scored.overall,
        dimensions: scored.dimensions,
        verdict: input.verdict,
        sampleReason: input.sampleReason,
        evaluationId: info.workflowExecution?.workflowId ?? 'unknown',
      });
      if (inserted) {
        metrics?.recordScores(input.agent, scored.overall, scored.dimensions);
      } else {
        const earlier = (await evaluations.scores(input.sessionId)).find((s) => s.rubricId === rubric.id);
        if (earlier) scored = scoreVerdict(rubric, earlier.verdict);
      }
      if (scored.reviewReasons.length > 0) {
        const queued = await evaluations.enqueueReview({ sessionId: input.sessionId, rubricId: rubric.id, agent: input.agent, overall: scored.overall, reasons: scored.reviewReasons });
        if (queued) metrics?.reviewsQueued.inc({ agent: input.agent });
      }
      if (input.feedMonitor && monitor) {
        await client.workflow.signalWithStart(AGENT_MONITOR_WORKFLOW, {
          workflowId: monitorWorkflowId(input.agent, info.taskQueue),
          taskQueue: info.taskQueue,
          args: [{ agent: input.agent, ...(monitor.options ? { options: monitor.options } : {}), ...(monitor.scoreOptions ? { scoreOptions: monitor.scoreOptions } : {}) }],
          signal: sessionScoreSignal,
          signalArgs: [
            {
              sessionId: input.sessionId,
              rubricId: rubric.id,
              overall: scored.overall,
              dimensions: scored.dimensions,
              ...(monitor.scoreOptions ? { detector: monitor.scoreOptions } : {}),
            },
          ],
          staticSummary: `behaviour monitor of agent ${input.agent}`,
        });
      }
      return { overall: scored.overall, dimensions: scored.dimensions, queued: scored.reviewReasons.length > 0 };
    },
  };
}

/** The evaluation activities' type, as the workflow imports it (type only). */
export type EvaluationActivities = ReturnType<typeof createEvaluationActivities>;
