import { activeElapsedMs, type BreakerState } from './breaker';

/**
 * Agent time: what the elapsed-time limit (`maxElapsedMs`) counts. Each model, tool and guardrail
 * activity measures its own running time on its worker and returns it in its result; the workflow
 * adds it to the breaker. Being part of an activity's recorded result, it replays exactly, and
 * nothing outside the session's own work gets in: not the time a task waits for a worker, not
 * retry backoff or attempts lost with a worker, not a human's decision time.
 */

/** Longest running time one activity result may add (a bogus measurement cannot wedge the limit). */
const MAX_ONE_ACTIVITY_MS = 24 * 3_600_000;

/**
 * Switches a breaker to agent time (a session that started before keeps the workflow time it has
 * used so far as its agent time). Idempotent.
 */
export function useAgentTime(state: BreakerState, nowMs: number): void {
  if (state.activeMs === undefined) state.activeMs = activeElapsedMs(state, nowMs);
}

/** Adds one activity's own running time, as it reported it (nothing for a breaker on workflow time). */
export function addAgentTime(state: BreakerState, activityMs: number | undefined): void {
  if (state.activeMs === undefined || activityMs === undefined || !Number.isFinite(activityMs)) return;
  state.activeMs += Math.min(MAX_ONE_ACTIVITY_MS, Math.max(0, Math.round(activityMs)));
}

/**
 * The session's active time for its usage: agent time, or (before agent time) workflow time minus
 * human waits, including the wait in progress since `pausedSinceMs`.
 */
export function usageElapsedMs(state: BreakerState, nowMs: number, pausedSinceMs?: number): number {
  if (state.activeMs !== undefined) return state.activeMs;
  return activeElapsedMs(state, nowMs) - (pausedSinceMs !== undefined ? nowMs - pausedSinceMs : 0);
}
