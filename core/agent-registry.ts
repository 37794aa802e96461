import type { Agent } from './agent';
import { AgentDefinitionError } from './agent';
import type { AnyTool } from './tool';

/** The agents a worker serves, by name. */
export class AgentRegistry {
  private readonly agents = new Map<string, Agent>();

  /** Registers agents; throws {@link AgentDefinitionError} on a duplicate agent name. */
  constructor(agents: readonly Agent[]) {
    for (const agent of agents) {
      if (this.agents.has(agent.name)) throw new AgentDefinitionError(agent.name, 'registered twice on this worker');
      this.agents.set(agent.name, agent);
    }
  }

  /** The agent of that name, or undefined. */
  get(name: string): Agent | undefined {
    return this.agents.get(name);
  }

  /** Names of the registered agents. */
  names(): string[] {
    return [...this.agents.keys()];
  }

  /** A tool of an agent, or undefined. */
  tool(agent: string, tool: string): AnyTool | undefined {
    return this.agents.get(agent)?.tools.find((t) => t.name === tool);
  }
}
