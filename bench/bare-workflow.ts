/**
 * The baseline of the throughput benchmark: a bare Temporal workflow that runs a number of no-op
 * activities one after another, with nothing of Keel around them. Bundled on its own (this file is
 * the `workflowsPath`), so it imports only `@temporalio/workflow` and types.
 */
import { proxyActivities } from '@temporalio/workflow';

/** The activities the bare workflow calls; the benchmark's worker implements them. */
export interface BareActivities {
  /** Does nothing and returns nothing. */
  noop(): Promise<void>;
}

const { noop } = proxyActivities<BareActivities>({ startToCloseTimeout: '1 minute' });

/** Runs `activities` no-op activities sequentially and returns how many ran. */
export async function bareWorkflow(activities: number): Promise<number> {
  for (let i = 0; i < activities; i++) await noop();
  return activities;
}
