import { proxyActivities } from '@temporalio/workflow';
import type { SessionActivities } from '../../activities/session-activities';
import type { ToolCallInput, ToolCallResult } from '../../core/tool-call';

const { runTool } = proxyActivities<SessionActivities>({ startToCloseTimeout: '30s', retry: { maximumAttempts: 1 } });

/** A workflow that calls Keel's tool activity directly, around the session's approval flow. */
export async function callToolDirectly(input: ToolCallInput): Promise<ToolCallResult> {
  return runTool(input);
}
