import { z } from 'zod';
import { DEFAULT_GUARDRAIL_POLICY, GuardrailPolicySchema, type GuardrailPolicy, type GuardrailPolicyInput } from './guardrails/policy';
import { RoutingPolicySchema, type RoutingPolicy, type RoutingPolicyInput } from './routing';
import type { AnyTool } from './tool';

/** An agent: instructions, the tools it may call and its default model. Build one with {@link defineAgent}. */
export interface Agent {
  readonly name: string;
  readonly instructions: string;
  readonly tools: readonly AnyTool[];
  /** Model used unless the session request names another. */
  readonly model: string;
  /** Schema of the final answer: the model must answer with JSON that satisfies it. */
  readonly output?: z.ZodType;
  /**
   * Name of the output schema, which other agents' task messages ask for (`expectedOutput`).
   * @default `${name}.output` when the agent has an output schema
   */
  readonly outputName?: string;
  /** Repair turns a final answer that fails its schema gets before the session ends `invalid_output`. @default 2 */
  readonly maxRepairTurns: number;
  /** Picks each step's model (small or frontier); without it every step uses `model`. */
  readonly routing?: RoutingPolicy;
  /** What the content guardrails do, per category. @default {@link DEFAULT_GUARDRAIL_POLICY} */
  readonly guardrails: GuardrailPolicy;
  /**
   * Approve this agent's write_critical calls without a person (recorded as `policy:automatic`
   * with the reason). Without it, a session of the agent needs approvers. @default none (people decide)
   */
  readonly automaticApproval?: { reason: string };
}

/** The model an agent uses when it names none. */
export const DEFAULT_MODEL = 'claude-sonnet-5-5';

/** Declares an agent. Throws {@link AgentDefinitionError} on a duplicate tool name. */
export function defineAgent(definition: {
  name: string;
  instructions: string;
  tools: readonly AnyTool[];
  model?: string;
  output?: z.ZodType;
  outputName?: string;
  maxRepairTurns?: number;
  routing?: RoutingPolicyInput;
  guardrails?: GuardrailPolicyInput;
  automaticApproval?: { reason: string };
}): Agent {
  if (definition.automaticApproval && !definition.automaticApproval.reason?.trim()) {
    throw new AgentDefinitionError(definition.name, 'automaticApproval needs a reason (it is recorded with every call it approves)');
  }
  const seen = new Set<string>();
  for (const tool of definition.tools) {
    if (seen.has(tool.name)) throw new AgentDefinitionError(definition.name, `tool "${tool.name}" is registered twice`);
    seen.add(tool.name);
  }
  if (!definition.name?.trim()) throw new AgentDefinitionError(String(definition.name), 'a name is required');
  if (definition.output) {
    try {
      z.toJSONSchema(definition.output, { io: 'output' });
    } catch (error) {
      throw new AgentDefinitionError(definition.name, `its output schema cannot be expressed as JSON Schema: ${(error as Error).message}`);
    }
  }
  let routing: RoutingPolicy | undefined;
  if (definition.routing) {
    const parsed = RoutingPolicySchema.safeParse(definition.routing);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `routing.${i.path.join('.')}: ${i.message}`).join('; ');
      throw new AgentDefinitionError(definition.name, issues);
    }
    routing = parsed.data;
  }
  const guardrails = GuardrailPolicySchema.safeParse(definition.guardrails ?? {});
  if (!guardrails.success) {
    throw new AgentDefinitionError(definition.name, guardrails.error.issues.map((i) => `guardrails.${i.path.join('.')}: ${i.message}`).join('; '));
  }
  if (definition.outputName !== undefined && !definition.output) throw new AgentDefinitionError(definition.name, 'outputName needs an output schema');
  const outputName = definition.output ? (definition.outputName ?? `${definition.name}.output`) : undefined;
  return { model: DEFAULT_MODEL, maxRepairTurns: 2, ...definition, ...(outputName ? { outputName } : {}), ...(routing ? { routing } : {}), guardrails: guardrails.data } as Agent;
}

/** What the workflow needs to know of an agent, pinned at session start (plain data). */
export interface AgentDescriptor {
  name: string;
  model: string;
  tools: Array<{ name: string; tier: AnyTool['tier']; scope: AnyTool['scope']; cacheTtlMs?: number }>;
  /** Whether final answers are validated against an output schema, and how many repairs they get. */
  structuredOutput: { maxRepairTurns: number } | null;
  /** The agent's routing policy, when it has one. */
  routing?: RoutingPolicy;
  /** Name and JSON Schema of the output schema, when the agent has one (for typed messages between agents). */
  output?: { name: string; jsonSchema: Record<string, unknown> };
  /** The agent's guardrail policy (absent in sessions recorded before guardrails existed: none apply). */
  guardrails?: GuardrailPolicy;
  /** Set when the agent approves its write_critical calls by policy, without a person. */
  automaticApproval?: { reason: string };
}

/** The tools of an agent that a session with `scope` is offered. */
export function toolsInScope<T extends { scope: AnyTool['scope'] }>(tools: readonly T[], scope: { subjects: readonly string[] }): T[] {
  return tools.filter((tool) => tool.scope !== 'subject' || scope.subjects.length > 0);
}

/** The descriptor of an agent. */
export function describeAgent(agent: Agent): AgentDescriptor {
  return {
    name: agent.name,
    model: agent.model,
    tools: agent.tools.map((t) => ({ name: t.name, tier: t.tier, scope: t.scope, ...(t.cache ? { cacheTtlMs: t.cache.ttlMs } : {}) })),
    structuredOutput: agent.output ? { maxRepairTurns: agent.maxRepairTurns } : null,
    ...(agent.routing ? { routing: agent.routing } : {}),
    guardrails: agent.guardrails ?? DEFAULT_GUARDRAIL_POLICY,
    ...(agent.automaticApproval ? { automaticApproval: agent.automaticApproval } : {}),
    ...(agent.output ? { output: { name: agent.outputName ?? `${agent.name}.output`, jsonSchema: z.toJSONSchema(agent.output, { io: 'output' }) as Record<string, unknown> } } : {}),
  };
}

/** An agent definition that cannot be registered. */
export class AgentDefinitionError extends Error {
  override readonly name = 'AgentDefinitionError';
  constructor(
    readonly agent: string,
    reason: string,
  ) {
    super(`agent "${agent}": ${reason}`);
  }
}
