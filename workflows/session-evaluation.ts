import { ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { EvaluationActivities } from '../activities/evaluation-activities';
import { DEFAULT_RUBRIC, EvaluationRequestSchema, type EvaluationReport, type JudgedSessionResult } from '../core/evaluation';
import { FailureType } from '../core/errors';

const NOT_RETRYABLE = [FailureType.EvaluationUnavailable, FailureType.TraceNotFound, FailureType.InvalidVerdict, FailureType.ModelRequest];

/** Sampling and recording: database work. */
const store = proxyActivities<EvaluationActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10, nonRetryableErrorTypes: NOT_RETRYABLE },
});
/** The judge: one model call per attempt plus repair turns; an unavailable model is retried with backoff. */
const judge = proxyActivities<EvaluationActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 6, nonRetryableErrorTypes: NOT_RETRYABLE },
});

/**
 * The online evaluation, one run: samples the finished sessions that ended in the last
 * `lookbackMs` from the trace store (stratified by agent and outcome, attention sessions always),
 * has the judge model score each against the rubric (`concurrency` at a time), stores the scores,
 * queues low ones for human review, feeds them to the agents' monitors and returns a report.
 * A Temporal Schedule repeats it (`KeelClient.scheduleEvaluation`, `keel eval schedule`). A session
 * that cannot be judged is reported in `failed`; the run goes on.
 */
export async function sessionEvaluation(rawRequest: unknown): Promise<EvaluationReport> {
  const parsed = EvaluationRequestSchema.safeParse(rawRequest ?? {});
  if (!parsed.success) {
    throw ApplicationFailure.create({
      type: FailureType.InvalidEvaluationRequest,
      message: `invalid evaluation request: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(request)'}: ${i.message}`).join('; ')}`,
      nonRetryable: true,
    });
  }
  const request = parsed.data;
  const rubricId = (request.rubric ?? DEFAULT_RUBRIC).id;
  const rubric = request.rubric ? { rubric: request.rubric } : {};
  const untilMs = Date.now();
  const sinceMs = untilMs - request.lookbackMs;

  const sample = await store.sampleSessionsForEvaluation.executeWithOptions(
    { summary: `sample sessions (rate ${request.sampling.rate})` },
    [{ sinceMs, untilMs, rubricId, sampling: request.sampling }],
  );

  const judged: JudgedSessionResult[] = [];
  const failed: EvaluationReport['failed'] = [];
  let next = 0;
  const evaluateNext = async (): Promise<void> => {
    while (next < sample.sessions.length) {
      const session = sample.sessions[next++]!;
      try {
        const verdict = await judge.judgeSession.executeWithOptions({ summary: `judge session ${session.sessionId}` }, [
          { sessionId: session.sessionId, ...rubric, judge: request.judge },
        ]);
        const recorded = await store.recordEvaluation.executeWithOptions({ summary: `record score of ${session.sessionId}` }, [
          {
            sessionId: session.sessionId,
            agent: session.agent,
            outcome: session.outcome,
            sampleReason: session.reason,
            ...rubric,
            judgeModel: verdict.judgeModel,
            verdict: verdict.verdict,
            feedMonitor: request.feedMonitor,
          },
        ]);
        judged.push({ sessionId: session.sessionId, agent: session.agent, outcome: session.outcome, reason: session.reason, ...recorded });
      } catch (error) {
        const cause = error instanceof ActivityFailure ? error.cause : error;
        if (cause instanceof ApplicationFailure && cause.type === FailureType.EvaluationUnavailable) throw cause;
        const type = cause instanceof ApplicationFailure && cause.type ? cause.type : (cause as Error)?.name ?? 'Error';
        failed.push({ sessionId: session.sessionId, agent: session.agent, error: { type, message: (cause as Error)?.message ?? String(cause) } });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(request.concurrency, sample.sessions.length) }, evaluateNext));

  const order = new Map(sample.sessions.map((s, i) => [s.sessionId, i]));
  const byOrder = (a: { sessionId: string }, b: { sessionId: string }) => order.get(a.sessionId)! - order.get(b.sessionId)!;
  return {
    rubricId,
    window: { sinceMs, untilMs },
    candidates: sample.candidates,
    strata: sample.strata,
    alreadyScored: sample.alreadyScored,
    capped: sample.capped,
    judged: judged.sort(byOrder),
    failed: failed.sort(byOrder),
    queuedForReview: judged.filter((j) => j.queued).length,
  };
}
