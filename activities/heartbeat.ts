import { Context } from '@temporalio/activity';

/** Longest time between two heartbeats of a running call. */
const MAX_HEARTBEAT_INTERVAL_MS = 2000;

/**
 * Runs `work` while heartbeating (every 2 s, or a fifth of the heartbeat timeout when it is
 * shorter), so an attempt lost with its worker is retried once the heartbeat timeout runs out, not
 * at its start-to-close timeout. Without a heartbeat timeout it only runs `work`.
 */
export async function whileHeartbeating<T>(work: () => Promise<T>): Promise<T> {
  const context = Context.current();
  const timeoutMs = context.info.heartbeatTimeoutMs;
  if (!timeoutMs) return work();
  context.heartbeat();
  const timer = setInterval(() => context.heartbeat(), Math.max(100, Math.min(MAX_HEARTBEAT_INTERVAL_MS, Math.floor(timeoutMs / 5))));
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
