import { z } from 'zod';
import { LimitsSchema, type Limits } from './limits';
import { EscalationSchema, ScopeSchema, type PendingEscalation, type SessionOutcome, type SessionState, type SessionStatus, type SessionUsage } from './session';
import { ApproversSchema, type PendingApproval } from './approval';
import { lazySchema } from './lazy-schema';

/**
 * Multi-agent orchestration contracts: the typed message one agent hands another, the three
 * patterns' requests (supervisor, pipeline, debate), their validation, and how a child's budget is
 * carved out of its parent's. Pure: the orchestration workflows and the client share it.
 */

/**
 * A delegated task: what one agent hands another. Never free text: a message that does not
 * validate is a failure of its sender, handled like any malformed output.
 */
export const TaskMessageSchema = lazySchema(() =>
  z
    .object({
      /** What to do, for the receiving agent. */
      task: z.string().min(1),
      /** What the receiver needs to know: facts, upstream results. */
      context: z.record(z.string(), z.unknown()).default({}),
      /** Rules the receiver must respect. */
      constraints: z.array(z.string().min(1)).default([]),
      /** Name of the output schema the sender expects back: the receiving agent's `outputName`. */
      expectedOutput: z.string().min(1),
    })
    .strict(),
);
/** A delegated task as a sender writes it. */
export type TaskMessageInput = z.input<typeof TaskMessageSchema>;
/** A validated delegated task. */
export type TaskMessage = z.output<typeof TaskMessageSchema>;

/** The input text a receiving agent's session gets for a message: the message as JSON, with a one-line preface. */
export function renderTaskMessage(message: TaskMessage): string {
  return `You received a delegated task as JSON. Answer with the output "${message.expectedOutput}".\n${JSON.stringify(message, null, 2)}`;
}

/** Output schema of a supervisor's coordinator agent: the plan, a list of subtasks for specialised agents. */
export const SupervisorPlanSchema = lazySchema(() =>
  z
    .object({
      subtasks: z
        .array(
          z
            .object({
              /** Unique within the plan. */
              id: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'letters, digits, _ or -, at most 64'),
              /** The specialised agent that takes it. */
              agent: z.string().min(1),
              message: TaskMessageSchema,
            })
            .strict(),
        )
        .min(1)
        .max(20),
    })
    .strict(),
);
/** A coordinator's plan. */
export type SupervisorPlan = z.output<typeof SupervisorPlanSchema>;

/** Output schema of a debate's judge agent: the consensus, with the points of agreement and dissent. */
export const ConsensusSchema = lazySchema(() =>
  z
    .object({
      consensus: z.string().min(1),
      agreements: z.array(z.string().min(1)),
      dissents: z.array(z.object({ point: z.string().min(1), agents: z.array(z.string()).default([]) }).strict()),
    })
    .strict(),
);
/** A debate's typed consensus. */
export type Consensus = z.output<typeof ConsensusSchema>;

/** Output names of the orchestration's own contracts, for the agents that produce them. */
export const ORCHESTRATION_OUTPUTS = { plan: 'SupervisorPlan', consensus: 'Consensus' } as const;

/** Where a pipeline node's context entry comes from: `$input`, a node's output, or a field of it (`node.field.sub`). */
const REFERENCE = /^(\$input|[a-zA-Z0-9_-]{1,64})(\.[a-zA-Z0-9_]+)*$/;

/** A pipeline: a DAG of agents given as data. */
export const PipelineSpecSchema = lazySchema(() =>
  z
    .object({
      nodes: z
        .array(
          z
            .object({
              id: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'letters, digits, _ or -, at most 64'),
              agent: z.string().min(1),
              task: z.string().min(1),
              /** Context entries built from upstream outputs: name → `$input` | `node` | `node.field.path`. */
              from: z.record(z.string(), z.string().regex(REFERENCE, 'must be $input, a node id or node.field.path')).default({}),
              constraints: z.array(z.string().min(1)).default([]),
              /** Limits of the node's session (each capped by what the pipeline has left). */
              limits: LimitsSchema.partial().optional(),
            })
            .strict(),
        )
        .min(1)
        .max(50),
      /** The node whose output is the pipeline's result. */
      output: z.string().min(1),
    })
    .strict(),
);
/** A pipeline as written. */
export type PipelineSpecInput = z.input<typeof PipelineSpecSchema>;
/** A parsed pipeline. */
export type PipelineSpec = z.output<typeof PipelineSpecSchema>;

/** What validation needs to know of an agent. */
export interface AgentContract {
  /** Name of its output schema, or null when it answers in free text. */
  outputName: string | null;
  /** JSON Schema of its output, when it has one. */
  outputJsonSchema?: Record<string, unknown>;
}

/** A pipeline that cannot run; `issues` name every problem found. */
export class PipelineValidationError extends Error {
  override readonly name = 'PipelineValidationError';
  constructor(readonly issues: string[]) {
    super(`invalid pipeline: ${issues.join('; ')}`);
  }
}

/**
 * Checks a pipeline before anything runs: unique ids, known agents, references to existing nodes,
 * no cycle, and every referenced field present in the upstream agent's output schema. Returns the
 * nodes' ids in an order where each comes after its dependencies; throws
 * {@link PipelineValidationError} with every issue otherwise.
 */
export function validatePipeline(spec: PipelineSpec, agents: Readonly<Record<string, AgentContract | undefined>>): string[] {
  const issues: string[] = [];
  const ids = new Map(spec.nodes.map((n) => [n.id, n]));
  if (ids.size !== spec.nodes.length) {
    const seen = new Set<string>();
    for (const n of spec.nodes) if (seen.has(n.id) || !seen.add(n.id)) issues.push(`node "${n.id}" is defined twice`);
  }
  if (!ids.has(spec.output)) issues.push(`output: no node "${spec.output}"`);
  for (const node of spec.nodes) {
    if (!agents[node.agent]) issues.push(`node "${node.id}": unknown agent "${node.agent}"`);
    for (const [name, ref] of Object.entries(node.from)) {
      const [source, ...path] = ref.split('.');
      if (source === '$input') {
        if (path.length) issues.push(`node "${node.id}" from.${name}: $input has no fields`);
        continue;
      }
      const upstream = ids.get(source!);
      if (!upstream) {
        issues.push(`node "${node.id}" from.${name}: no node "${source}"`);
        continue;
      }
      if (upstream.id === node.id) issues.push(`node "${node.id}" from.${name}: a node cannot read its own output`);
      const contract = agents[upstream.agent];
      if (!contract || path.length === 0) continue;
      if (!contract.outputJsonSchema) {
        issues.push(`node "${node.id}" from.${name}: "${upstream.id}" (agent ${upstream.agent}) answers in free text, it has no field "${path.join('.')}"`);
        continue;
      }
      const missing = missingField(contract.outputJsonSchema, path);
      if (missing) issues.push(`node "${node.id}" from.${name}: ${contract.outputName ?? upstream.agent} of "${upstream.id}" has no field "${missing}"`);
    }
  }
  const order = topologicalOrder(spec);
  if (!order.ok) issues.push(`the nodes ${order.cycle.join(' → ')} form a cycle`);
  if (issues.length) throw new PipelineValidationError(issues);
  return order.ok ? order.order : [];
}

/** Dependencies of a pipeline node: the nodes its context reads. */
export function nodeDependencies(node: PipelineSpec['nodes'][number]): string[] {
  return [...new Set(Object.values(node.from).map((ref) => ref.split('.')[0]!).filter((id) => id !== '$input'))];
}

function topologicalOrder(spec: PipelineSpec): { ok: true; order: string[] } | { ok: false; cycle: string[] } {
  const deps = new Map(spec.nodes.map((n) => [n.id, nodeDependencies(n).filter((d) => spec.nodes.some((m) => m.id === d))]));
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  let cycle: string[] | null = null;
  const visit = (id: string): void => {
    if (cycle || state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') {
      cycle = [...stack.slice(stack.indexOf(id)), id];
      return;
    }
    state.set(id, 'visiting');
    stack.push(id);
    for (const d of deps.get(id) ?? []) visit(d);
    stack.pop();
    state.set(id, 'done');
    order.push(id);
  };
  for (const n of spec.nodes) visit(n.id);
  return cycle ? { ok: false, cycle } : { ok: true, order };
}

/** The first segment of `path` that the JSON Schema does not declare, or null when all are there. */
function missingField(schema: Record<string, unknown>, path: readonly string[]): string | null {
  let current: Record<string, unknown> | undefined = schema;
  for (let i = 0; i < path.length; i++) {
    const properties = current?.properties as Record<string, Record<string, unknown>> | undefined;
    const next = properties?.[path[i]!];
    if (!next) return path.slice(0, i + 1).join('.');
    current = next;
  }
  return null;
}

/** The value a reference points at (`$input`, `node`, `node.field.path`); undefined when absent. */
export function resolveReference(ref: string, input: string, outputs: Readonly<Record<string, unknown>>): unknown {
  const [source, ...path] = ref.split('.');
  if (source === '$input') return input;
  let value: unknown = outputs[source!];
  for (const key of path) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  return value;
}

/** Settings every pattern shares: what the parent session may spend and who may approve. */
const OrchestrationBaseSchema = z.strictObject({
  /** The task, as the user gave it. */
  input: z.string().min(1),
  scope: ScopeSchema,
  /** The whole orchestration's budget: children's limits are carved out of what is left of it. */
  limits: LimitsSchema.default(LimitsSchema.parse({})),
  approvers: ApproversSchema.optional(),
  approvalTimeoutMs: z.number().int().positive().default(3_600_000),
  escalation: EscalationSchema.default(EscalationSchema.parse({})),
  /** How long the orchestration waits for a human after a child failed beyond repair. @default 3600000 */
  humanTimeoutMs: z.number().int().positive().default(3_600_000),
});

/** A supervisor: a coordinator agent plans subtasks, specialised agents run them, an assembler agent writes the result. */
export const SupervisorRequestSchema = lazySchema(() =>
  OrchestrationBaseSchema.extend({
    pattern: z.literal('supervisor'),
    /** Agent whose output is a {@link SupervisorPlan} (outputName `SupervisorPlan`). */
    coordinator: z.string().min(1),
    /** Agent that assembles the subtasks' outputs into the final, validated result. */
    assembler: z.string().min(1),
    /** Attempts of a subtask before the coordinator is asked to re-plan. @default 2 */
    maxChildAttempts: z.number().int().min(1).max(5).default(2),
    /** Re-plans after failed subtasks before a human is asked. @default 1 */
    maxReplans: z.number().int().min(0).max(5).default(1),
  }),
);

/** A pipeline: a DAG of agents, independent branches in parallel. */
export const PipelineRequestSchema = lazySchema(() =>
  OrchestrationBaseSchema.extend({
    pattern: z.literal('pipeline'),
    pipeline: PipelineSpecSchema,
  }),
);

/** A debate: several agents analyse the same input in parallel, a judge agent writes the consensus. */
export const DebateRequestSchema = lazySchema(() =>
  OrchestrationBaseSchema.extend({
    pattern: z.literal('debate'),
    debaters: z.array(z.string().min(1)).min(2).max(8),
    /** Agent whose output is a {@link Consensus} (outputName `Consensus`). */
    judge: z.string().min(1),
  }),
);

/** A request to run one of the orchestration patterns. */
export const OrchestrationRequestSchema = lazySchema(() => z.discriminatedUnion('pattern', [SupervisorRequestSchema, PipelineRequestSchema, DebateRequestSchema]));
/** An orchestration request as a caller writes it. */
export type OrchestrationRequestInput = z.input<typeof OrchestrationRequestSchema>;
/** A parsed orchestration request. */
export type OrchestrationRequest = z.output<typeof OrchestrationRequestSchema>;
/** The orchestration patterns. */
export type OrchestrationPattern = OrchestrationRequest['pattern'];

/** A child session as its parent sees it. */
export interface ChildSessionView {
  sessionId: string;
  agent: string;
  /** Its role in the pattern: `plan`, a subtask or node id, a debater, `judge`, `assemble`. */
  role: string;
  attempt: number;
  state: SessionState;
  limits: Limits;
  usage: SessionUsage;
  pendingApprovals: PendingApproval[];
  escalation: PendingEscalation | null;
  outcome?: SessionOutcome;
}

/** An update a child session sends its parent whenever its state changes. */
export interface ChildSessionUpdate {
  sessionId: string;
  state: SessionState;
  usage: SessionUsage;
  pendingApprovals: PendingApproval[];
  escalation: PendingEscalation | null;
}

/**
 * An orchestration's answer to the `status` query: a session status (so every tool that reads one
 * reads this) whose usage sums the children's, whose pending approvals are the children's (each
 * with its `sessionId`), plus the pattern and every child's view.
 */
export interface OrchestrationStatus extends SessionStatus {
  pattern: OrchestrationPattern;
  children: ChildSessionView[];
}

/** How an orchestration ended. */
export type OrchestrationOutcome = 'completed' | 'failed' | 'breaker_tripped' | 'invalid_message';

/** The typed result of an orchestration workflow. */
export interface OrchestrationResult {
  sessionId: string;
  pattern: OrchestrationPattern;
  outcome: OrchestrationOutcome;
  /** The validated final output: the assembler's, the pipeline output node's, or the judge's consensus. */
  output: unknown;
  /** Every child session, in the order they started. */
  children: Array<{ sessionId: string; agent: string; role: string; attempt: number; outcome: SessionOutcome | 'cancelled'; usage: SessionUsage }>;
  /** The sum of the children's usage. */
  usage: SessionUsage;
  error?: { type: string; message: string };
}

/** A zero usage. */
export function emptyUsage(): SessionUsage {
  return { modelCalls: 0, toolCalls: 0, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, elapsedMs: 0, costUsd: 0, scopeViolations: 0 };
}

/** The sum of usages (elapsed time is the longest, since children overlap). */
export function addUsage(total: SessionUsage, add: SessionUsage): SessionUsage {
  return {
    modelCalls: total.modelCalls + add.modelCalls,
    toolCalls: total.toolCalls + add.toolCalls,
    inputTokens: total.inputTokens + add.inputTokens,
    outputTokens: total.outputTokens + add.outputTokens,
    cacheReadTokens: total.cacheReadTokens + add.cacheReadTokens,
    cacheWriteTokens: total.cacheWriteTokens + add.cacheWriteTokens,
    elapsedMs: Math.max(total.elapsedMs, add.elapsedMs),
    costUsd: total.costUsd + add.costUsd,
    scopeViolations: total.scopeViolations + add.scopeViolations,
  };
}

/** Tokens a usage counts against a `maxTokens` limit (every prompt and output token). */
export function tokensOf(usage: SessionUsage): number {
  return usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens + usage.outputTokens;
}

/** What a budget has left for new children. */
export interface BudgetLeft {
  toolCalls: number;
  tokens: number;
  elapsedMs: number;
}

/**
 * A child's limits: what it asks for (or the parent's limits), capped by an equal share of what the
 * parent has left among the `share` children starting together. Null when a share has no tool call
 * or token left: the child cannot start.
 */
export function carveLimits(parent: Limits, left: BudgetLeft, share: number, requested: Partial<Limits> = {}): Limits | null {
  const each = (value: number) => Math.floor(value / Math.max(1, share));
  const toolCalls = Math.min(requested.maxToolCalls ?? parent.maxToolCalls, each(left.toolCalls));
  const tokens = Math.min(requested.maxTokens ?? parent.maxTokens, each(left.tokens));
  const elapsed = Math.min(requested.maxElapsedMs ?? parent.maxElapsedMs, left.elapsedMs);
  if (toolCalls < 1 || tokens < 1 || elapsed < 1) return null;
  return {
    maxToolCalls: toolCalls,
    maxTokens: tokens,
    maxElapsedMs: elapsed,
    maxConsecutiveIdenticalErrors: requested.maxConsecutiveIdenticalErrors ?? parent.maxConsecutiveIdenticalErrors,
  };
}
