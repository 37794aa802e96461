import { describeAgent as descriptorOf, type AgentDescriptor } from '../core/agent';
import type { SessionActivityContext } from './session-activity-context';

/** The activity that pins an agent's description when its session starts. */
export function agentDescriptionActivities(ctx: SessionActivityContext) {
  return {
    /** Pins the agent's name, model and tool tiers at session start. */
    async describeAgent(name: string, tenant?: string): Promise<AgentDescriptor> {
      const agent = ctx.agentOf(name);
      if (!agent.toolSources) return descriptorOf(agent);
      // Tools from sources (MCP servers): the list they offer now, pinned for the session's whole life.
      await Promise.all(agent.toolSources.map((source) => source.refresh()));
      const snapshot = { ...agent, tools: agent.tools };
      const toolSet = await ctx.pinned.record(snapshot.tools, await ctx.tenantOf(tenant));
      return { ...descriptorOf(snapshot), ...(toolSet ? { toolSet } : {}) };
    },
  };
}
