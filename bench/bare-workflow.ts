/**
 * The baselines of the benchmarks, with nothing of Keel around them: a bare Temporal workflow that
 * runs no-op activities one after another; a bare agent loop that makes the same model and tool
 * calls as a Keel session (the transcript in workflow state, each turn an activity); and a workflow
 * that waits for a signal. Bundled on its own (this file is the `workflowsPath`), so it imports only
 * `@temporalio/workflow` and types.
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

/** A message of the bare agent's transcript, in the Messages API's shape. */
export interface BareMessage {
  role: 'user' | 'assistant';
  content: string | Array<Record<string, unknown>>;
}

/** What the bare agent's model activity returns: the reply's content blocks. */
export interface BareReply {
  content: Array<{ type: string; id?: string; name?: string; input?: unknown; text?: string }>;
}

/** The activities of the bare agent loop; the benchmark's worker implements them. */
export interface BareAgentActivities {
  /** One Messages API call with the transcript so far. */
  bareModelCall(messages: BareMessage[]): Promise<BareReply>;
  /** Runs one tool call and returns its output as text. */
  bareToolCall(name: string, input: unknown): Promise<string>;
}

const { bareModelCall, bareToolCall } = proxyActivities<BareAgentActivities>({ startToCloseTimeout: '1 minute' });

/**
 * A bare agent: calls the model with the transcript, runs each tool call it asks for as an
 * activity, and repeats until the model answers without tool calls (at most `maxTurns` model
 * calls). Returns the model and tool calls made.
 */
export async function bareAgentWorkflow(input: string, maxTurns: number): Promise<{ modelCalls: number; toolCalls: number }> {
  const messages: BareMessage[] = [{ role: 'user', content: input }];
  let toolCalls = 0;
  for (let turn = 1; turn <= maxTurns; turn++) {
    const reply = await bareModelCall(messages);
    messages.push({ role: 'assistant', content: reply.content });
    const uses = reply.content.filter((block) => block.type === 'tool_use');
    if (uses.length === 0) return { modelCalls: turn, toolCalls };
    const results: Array<Record<string, unknown>> = [];
    for (const use of uses) {
      results.push({ type: 'tool_result', tool_use_id: use.id, content: await bareToolCall(use.name ?? '', use.input) });
      toolCalls++;
    }
    messages.push({ role: 'user', content: results });
  }
  return { modelCalls: maxTurns, toolCalls };
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
