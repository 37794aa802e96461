import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';

/**
 * A call's own failures (a model that answers 429 or 5xx, a tool's transient error) have a budget
 * of attempts, while attempts lost with a worker are retried beyond it: the session's retry policy
 * allows `budget + LOST_CALL_ATTEMPTS` attempts, and on the attempt that reaches `budget` a failure
 * of the call's own is made non-retryable here. Without a budget (a session recorded before it) the
 * failure is returned as it is.
 */
export function spendAttempt(failure: unknown, budget: number | undefined): unknown {
  if (budget === undefined || !(failure instanceof ApplicationFailure) || failure.nonRetryable) return failure;
  if (Context.current().info.attempt < budget) return failure;
  return ApplicationFailure.create({ type: failure.type ?? undefined, message: failure.message, details: failure.details ?? undefined, nonRetryable: true });
}
