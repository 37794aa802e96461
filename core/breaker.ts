import type { ExtraBudget, LimitName, Limits } from './limits';

/**
 * Circuit-breaker state of a session. It is plain data held in workflow state (and carried
 * across continue-as-new), so a trip is recorded in the workflow's history and replays exactly.
 *
 * What `maxElapsedMs` counts is agent time ({@link BreakerState.activeMs}, see `core/active-time.ts`):
 * the running time of the session's own work, its model calls, tool calls and guardrail checks,
 * as each activity measures it on its worker and returns it in its result (the workflow adds it,
 * so replay adds the same). The workflow's own decisions take no workflow time. Not counted:
 * time a task waits for a worker (schedule-to-start, a worker outage), retry backoff, attempts lost
 * with a worker or failed by the model provider, Keel's bookkeeping activities (agent description,
 * approver keys, trace archive) and waiting for a human (approvals, escalations). Sessions recorded
 * before agent time (no `activeMs`) keep counting workflow time since the start minus human waits.
 */
export interface BreakerState {
  limits: Limits;
  toolCalls: number;
  tokens: number;
  /** Workflow time at which the session started, in ms since the epoch. */
  startedAtMs: number;
  /** Time spent paused for a human (escalation, approval), not counted as active time. */
  pausedMs: number;
  /** Agent time so far; absent in sessions recorded before it was measured (they count workflow time). */
  activeMs?: number;
  /** Signature of the last tool error and how many times in a row it occurred. */
  lastError: { signature: string; count: number } | null;
}

/** Why the breaker tripped. */
export interface BreakerTrip {
  limit: LimitName;
  /** The limit's value and what was used, for humans. */
  detail: string;
}

/** A tool error as the breaker sees it: identical errors share tool, kind and message. */
export interface ToolErrorSignature {
  tool: string;
  kind: string;
  message: string;
}

/** A fresh breaker at workflow time `nowMs`. */
export function createBreaker(limits: Limits, nowMs: number): BreakerState {
  return { limits, toolCalls: 0, tokens: 0, startedAtMs: nowMs, pausedMs: 0, lastError: null };
}

/** Active time of the session at `nowMs`: its agent time, or (recorded before it) workflow time minus human waits. */
export function activeElapsedMs(state: BreakerState, nowMs: number): number {
  if (state.activeMs !== undefined) return state.activeMs;
  return Math.max(0, nowMs - state.startedAtMs - state.pausedMs);
}

/**
 * Checks every limit before the next step. A tool step also needs room for one more tool call.
 * Returns the first limit that is reached, or null.
 */
export function checkBreaker(state: BreakerState, next: 'model' | 'tool', nowMs: number): BreakerTrip | null {
  const { limits } = state;
  if (state.lastError && state.lastError.count >= limits.maxConsecutiveIdenticalErrors) {
    return {
      limit: 'maxConsecutiveIdenticalErrors',
      detail: `${state.lastError.count} consecutive identical errors (limit ${limits.maxConsecutiveIdenticalErrors}): ${state.lastError.signature}`,
    };
  }
  const elapsed = activeElapsedMs(state, nowMs);
  if (elapsed >= limits.maxElapsedMs) {
    return { limit: 'maxElapsedMs', detail: `${elapsed} ms active (limit ${limits.maxElapsedMs} ms)` };
  }
  if (state.tokens >= limits.maxTokens) {
    return { limit: 'maxTokens', detail: `${state.tokens} tokens used (limit ${limits.maxTokens})` };
  }
  if (next === 'tool' && state.toolCalls >= limits.maxToolCalls) {
    return { limit: 'maxToolCalls', detail: `${state.toolCalls} tool calls made (limit ${limits.maxToolCalls})` };
  }
  return null;
}

/** Records the tokens of one model call. */
export function recordTokens(state: BreakerState, tokens: number): void {
  state.tokens += tokens;
}

/** Records one tool call and its outcome; a success clears the run of identical errors. */
export function recordToolCall(state: BreakerState, error: ToolErrorSignature | null): void {
  state.toolCalls += 1;
  if (!error) {
    state.lastError = null;
    return;
  }
  const signature = `${error.tool}: ${error.kind}: ${error.message}`;
  state.lastError =
    state.lastError?.signature === signature
      ? { signature, count: state.lastError.count + 1 }
      : { signature, count: 1 };
}

/** Records time spent waiting for a human. */
export function recordPause(state: BreakerState, pausedMs: number): void {
  state.pausedMs += Math.max(0, pausedMs);
}

/**
 * Resumes after a trip: raises the limits by the extra budget and clears the error run. A limit
 * that tripped is raised at least to what is used now, so the session can take the next step
 * when the human granted budget for it.
 */
export function grantExtraBudget(state: BreakerState, extra: ExtraBudget, nowMs: number): void {
  const limits = { ...state.limits };
  if (extra.toolCalls) limits.maxToolCalls = Math.max(limits.maxToolCalls, state.toolCalls) + extra.toolCalls;
  if (extra.tokens) limits.maxTokens = Math.max(limits.maxTokens, state.tokens) + extra.tokens;
  if (extra.elapsedMs) {
    limits.maxElapsedMs = Math.max(limits.maxElapsedMs, activeElapsedMs(state, nowMs)) + extra.elapsedMs;
  }
  state.limits = limits;
  state.lastError = null;
}
