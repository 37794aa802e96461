import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import type { SessionOutcome, SessionResult } from '../core/session';
import { sessionBookkeeping } from './session-activities-proxies';
import { keelMetrics, type Session } from './session-state';

/** Patch id: runs recorded before it ended without recording their end (trace archive, monitor). */
const RECORD_SESSION_END = 'record-session-end';

/** Ends the session with `outcome`: its state, trace, metric and result, and the record of its end in the trace store. */
export async function finish(s: Session, outcome: SessionOutcome, extra: Partial<SessionResult> = {}): Promise<SessionResult> {
  const { request, trace, sessionId } = s;
  s.setState(outcome);
  trace.push({ type: 'session_ended', atMs: Date.now(), outcome, ...(extra.error ? { error: extra.error } : {}) });
  const final = s.usageNow();
  const tokens = final.inputTokens + final.cacheReadTokens + final.cacheWriteTokens + final.outputTokens;
  keelMetrics.record({
    kind: 'session_ended',
    agent: request.agent,
    model: request.model ?? s.agent?.model ?? 'unknown',
    outcome,
    toolCalls: final.toolCalls,
    tokens,
    costUsd: final.costUsd,
    durationMs: final.elapsedMs,
  });
  const result: SessionResult = { sessionId, agent: request.agent, outcome, output: null, usage: final, transcriptRef: s.transcriptRef, ...(s.parent ? { parentSessionId: s.parent.workflowId } : {}), ...extra };
  if (s.patches.has(RECORD_SESSION_END)) {
    await sessionBookkeeping(s.patches).recordSessionEnd({
      record: {
        sessionId,
        agent: request.agent,
        tenant: request.scope.tenant,
        outcome,
        startedAtMs: s.breaker.startedAtMs,
        endedAtMs: Date.now(),
        result: result as unknown as Record<string, unknown>,
        events: trace,
        earlierTraces: s.earlierTraces,
      },
      summary: { outcome, toolCalls: final.toolCalls, tokens, costUsd: final.costUsd, latencyMs: final.elapsedMs, toolErrors: s.usage.toolErrors ?? 0 },
    });
  }
  return result;
}

/** Ends the session `failed` with the error's type and message (an activity's failure by its cause). */
export function failed(s: Session, error: unknown): Promise<SessionResult> {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  const type = cause instanceof ApplicationFailure && cause.type ? cause.type : (cause as Error)?.name ?? 'Error';
  return finish(s, 'failed', { error: { type, message: (cause as Error)?.message ?? String(cause) } });
}
