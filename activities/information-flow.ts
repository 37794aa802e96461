import { INFORMATION_FLOW_LIMITS, sensitiveValues, traceProvenance, type ArgumentProvenance } from '../core/information-flow';
import type { TraceEvent } from '../core/trace';
import type { SessionActivityContext } from './session-activity-context';

/** Input of the information-flow check of one proposed write call. */
export interface ProvenanceCheckInput {
  agent: string;
  /** The session's tenant, whose content is read (absent in calls scheduled before content was scoped). */
  tenant?: string;
  tool: string;
  /** The call's validated input. */
  input: Record<string, unknown>;
  /** The user's request (bounded by the workflow). */
  userInput: string;
  /** The session's tool outputs so far, by reference, oldest first. */
  outputs: Array<{ tool: string; ref: string }>;
  /** Content references of earlier runs' traces (continue-as-new), whose tool outputs count too. */
  earlierTraces?: string[];
}

/** The information-flow check of proposed write calls. */
export function informationFlowActivities(ctx: SessionActivityContext) {
  const { agents, store } = ctx.deps;
  return {
    /**
     * The information-flow check of a proposed write call: where each of its sensitive argument
     * values is found (the user's request, the agent's instructions, a trusted tool's output, only
     * an untrusted tool's output), read from the content store by reference. Its result is recorded
     * in the history, so the workflow decides the same on every replay.
     */
    async traceArgumentProvenance(input: ProvenanceCheckInput): Promise<ArgumentProvenance & { activityMs: number }> {
      const started = Date.now();
      const agent = ctx.agentOf(input.agent);
      const tool = agents.tool(agent.name, input.tool);
      const values = sensitiveValues(input.input, tool?.sensitive ?? []);
      const tenant = await ctx.tenantOf(input.tenant);
      const earlier: Array<{ tool: string; ref: string }> = [];
      for (const segment of input.earlierTraces ?? []) {
        const events = JSON.parse(await store.get(segment, tenant).catch(() => '[]')) as TraceEvent[];
        for (const e of events) if (e.type === 'tool_call' && e.outputRef) earlier.push({ tool: e['gen_ai.tool.name'], ref: e.outputRef });
      }
      const outputs = await Promise.all(
        [...earlier, ...input.outputs].slice(-INFORMATION_FLOW_LIMITS.outputs).map(async ({ tool: name, ref }) => ({
          tool: name,
          trusted: agents.tool(agent.name, name)?.trust === 'trusted',
          text: (await store.get(ref, tenant).catch(() => '')).slice(0, INFORMATION_FLOW_LIMITS.sourceChars),
        })),
      );
      const traced = traceProvenance({ values, user: input.userInput, instructions: agent.instructions, outputs });
      return { ...traced, activityMs: Date.now() - started };
    },
  };
}
