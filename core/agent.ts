import { z } from 'zod';
import { DEFAULT_GUARDRAIL_POLICY, GuardrailPolicySchema, type GuardrailPolicy, type GuardrailPolicyInput } from './guardrails/policy';
import { DEFAULT_INFORMATION_FLOW_POLICY, InformationFlowPolicySchema, type InformationFlowPolicy, type InformationFlowPolicyInput } from './information-flow';
import { RoutingPolicySchema, type RoutingPolicy, type RoutingPolicyInput } from './routing';
import type { AnyTool } from './tool';
import { isToolSource, type ToolSource } from './tool-source';

/** An agent: instructions, the tools it may call and its default model. Build one with {@link defineAgent}. */
export interface Agent {
  readonly name: string;
  readonly instructions: string;
  /** The agent's own tools, then what its tool sources offer now (see {@link toolSources}). */
  readonly tools: readonly AnyTool[];
  /** The tool sources (MCP servers) the agent takes tools from; each session pins what they offer when it starts. */
  readonly toolSources?: readonly ToolSource[];
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
  /** What happens to a write call whose sensitive arguments come from untrusted content. @default { untrustedSensitive: 'escalate' } */
  readonly informationFlow?: InformationFlowPolicy;
}

/** The model an agent uses when it names none. */
export const DEFAULT_MODEL = 'claude-sonnet-5-5';

/** Declares an agent. Throws {@link AgentDefinitionError} on a duplicate tool name. */
export function defineAgent(definition: {
  name: string;
  instructions: string;
  /** The agent's tools; a tool source (an MCP server) adds the tools it offers, pinned per session. */
  tools: readonly (AnyTool | ToolSource)[];
  model?: string;
  output?: z.ZodType;
  outputName?: string;
  maxRepairTurns?: number;
  routing?: RoutingPolicyInput;
  guardrails?: GuardrailPolicyInput;
  automaticApproval?: { reason: string };
  /** The information-flow policy for effects (see `core/information-flow.ts`). @default { untrustedSensitive: 'escalate' } */
  informationFlow?: InformationFlowPolicyInput;
}): Agent {
  if (definition.automaticApproval && !definition.automaticApproval.reason?.trim()) {
    throw new AgentDefinitionError(definition.name, 'automaticApproval needs a reason (it is recorded with every call it approves)');
  }
  const sources = definition.tools.filter(isToolSource);
  const ownTools = definition.tools.filter((t): t is AnyTool => !isToolSource(t));
  if (new Set(sources.map((s) => s.name)).size < sources.length) throw new AgentDefinitionError(definition.name, 'a tool source is registered twice');
  const seen = new Set<string>();
  for (const tool of [...ownTools, ...sources.flatMap((s) => s.current())]) {
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
  const informationFlow = InformationFlowPolicySchema.safeParse(definition.informationFlow ?? {});
  if (!informationFlow.success) {
    throw new AgentDefinitionError(definition.name, informationFlow.error.issues.map((i) => `informationFlow.${i.path.join('.')}: ${i.message}`).join('; '));
  }
  if (definition.outputName !== undefined && !definition.output) throw new AgentDefinitionError(definition.name, 'outputName needs an output schema');
  const outputName = definition.output ? (definition.outputName ?? `${definition.name}.output`) : undefined;
  const agent = { model: DEFAULT_MODEL, maxRepairTurns: 2, ...definition, ...(outputName ? { outputName } : {}), ...(routing ? { routing } : {}), guardrails: guardrails.data, informationFlow: informationFlow.data } as Agent;
  return sources.length ? withToolSources(agent, ownTools, sources) : agent;
}

/** The agent with `tools` read live: its own, then each source's current tools whose names are not taken. */
function withToolSources(agent: Agent, own: readonly AnyTool[], sources: readonly ToolSource[]): Agent {
  const tools = (): AnyTool[] => {
    const all = [...own];
    const taken = new Set(own.map((t) => t.name));
    for (const source of sources) for (const tool of source.current()) if (!taken.has(tool.name)) all.push(tool), taken.add(tool.name);
    return all;
  };
  return Object.defineProperties({ ...agent }, { tools: { get: tools, enumerable: true }, toolSources: { value: sources, enumerable: true } });
}

/** What the workflow needs to know of an agent, pinned at session start (plain data). */
export interface AgentDescriptor {
  name: string;
  model: string;
  /** `approvals`: set only for a tool that needs more than one approver (quorum). */
  tools: Array<{ name: string; tier: AnyTool['tier']; scope: AnyTool['scope']; cacheTtlMs?: number; approvals?: { required: number }; source?: string; tierSource?: string; digest?: string; sensitive?: string[] }>;
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
  /** The agent's information-flow policy (absent in sessions recorded before it existed). */
  informationFlow?: InformationFlowPolicy;
  /**
   * Content reference of the pinned definitions (`PinnedToolSet`) of the tools from sources (MCP
   * servers) when the session started; each such tool above carries its source, tier source and
   * digest. Every model call offers these definitions and every call checks the source still
   * offers the same tool. Set by the worker's `describeAgent` activity.
   */
  toolSet?: string;
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
    tools: agent.tools.map((t) => ({ name: t.name, tier: t.tier, scope: t.scope, ...(t.cache ? { cacheTtlMs: t.cache.ttlMs } : {}), ...(t.approvals && t.approvals.required > 1 ? { approvals: { required: t.approvals.required } } : {}), ...(t.origin ? { source: t.origin.source, tierSource: t.origin.tierSource, digest: t.origin.digest } : {}), ...(t.sensitive?.length && t.tier !== 'read' ? { sensitive: [...t.sensitive] } : {}) })),
    structuredOutput: agent.output ? { maxRepairTurns: agent.maxRepairTurns } : null,
    ...(agent.routing ? { routing: agent.routing } : {}),
    guardrails: agent.guardrails ?? DEFAULT_GUARDRAIL_POLICY,
    ...(agent.automaticApproval ? { automaticApproval: agent.automaticApproval } : {}),
    informationFlow: agent.informationFlow ?? DEFAULT_INFORMATION_FLOW_POLICY,
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
