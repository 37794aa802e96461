/**
 * The baseline of the throughput benchmark: a bare Temporal workflow that runs a number of no-op
 * activities one after another, with nothing of Keel around them. Bundled on its own (this file is
 * the `workflowsPath`), so it imports only `@temporalio/workflow` and types.
 */
import { condition, defineSignal, proxyActivities, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';

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

/** The activity the paused bare workflow runs once approved. */
export interface PausedBareActivities {
  /** Reports that the effect after the approval started; `id` is the workflow id. */
  effect(id: string): Promise<void>;
}

const { effect } = proxyActivities<PausedBareActivities>({ startToCloseTimeout: '1 minute' });

/** The signal that approves a paused bare workflow. */
export const bareApprove = defineSignal('approve');

/**
 * The baseline of the paused-sessions benchmark: marks itself waiting (the search attribute Keel's
 * sessions set too), waits for a signal, then runs one activity.
 */
export async function pausedBareWorkflow(): Promise<void> {
  let approved = false;
  setHandler(bareApprove, () => {
    approved = true;
  });
  upsertSearchAttributes({ KeelState: ['awaiting_approval'] });
  await condition(() => approved);
  await effect(workflowInfo().workflowId);
}
