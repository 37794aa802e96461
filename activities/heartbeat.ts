import { Context } from '@temporalio/activity';

/** Longest time between two heartbeats of a running call. */
const MAX_HEARTBEAT_INTERVAL_MS = 2000;

/**
 * Runs `work` while heartbeating (every 2 s, or a fifth of the heartbeat timeout when it is
 * shorter), so an attempt lost with its worker is retried once the heartbeat timeout runs out, not
 * at its start-to-close timeout. Without a heartbeat timeout it only runs `work`.
 *
 * No heartbeat at the start: the server counts the heartbeat timeout from the attempt's start, and
 * each heartbeat is a call to the server, so work done within the interval (most model calls)
 * sends none.
 */
export async function whileHeartbeating<T>(work: () => Promise<T>): Promise<T> {
  const context = Context.current();
  const timeoutMs = context.info.heartbeatTimeoutMs;
  if (!timeoutMs) return work();
  const timer = setInterval(() => context.heartbeat(), heartbeatIntervalMs(timeoutMs));
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

/** How often a running attempt with this heartbeat timeout heartbeats: every 2 s, or a fifth of the timeout when shorter (at least 100 ms). */
function heartbeatIntervalMs(timeoutMs: number): number {
  return Math.max(100, Math.min(MAX_HEARTBEAT_INTERVAL_MS, Math.floor(timeoutMs / 5)));
}

/**
 * A heartbeat for work that reports progress often (between windows of a long scan): it reaches
 * the server only when the interval of {@link whileHeartbeating} has passed since the attempt's
 * start or the last one, so a short piece of work sends none.
 */
export function throttledHeartbeat(): () => void {
  const context = Context.current();
  const intervalMs = heartbeatIntervalMs(context.info.heartbeatTimeoutMs || MAX_HEARTBEAT_INTERVAL_MS * 5);
  let last = Date.now();
  return () => {
    const now = Date.now();
    if (now - last < intervalMs) return;
    last = now;
    context.heartbeat();
  };
}
