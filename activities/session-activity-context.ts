import type Anthropic from '@anthropic-ai/sdk';
import type { Tracer } from '@opentelemetry/api';
import { ApplicationFailure } from '@temporalio/common';
import type { Agent } from '../core/agent';
import type { AgentRegistry } from '../core/agent-registry';
import type { DriftOptions } from '../core/drift-detector';
import { FailureType } from '../core/errors';
import type { ToolCallRequest } from '../core/model-call';
import { toolModelInputSchema, type AnyTool } from '../core/tool';
import type { AlertSink } from '../alerts';
import type { KeelMetrics } from '../metrics/keel-metrics';
import { ContentNotFoundError, type ApproverKeySource, type AuditLog, type ContentStore, type IdempotencyLedger, type SharedToolCache, type TraceStore } from '../store';
import type { ModelClient } from './model';
import { createPinnedTools } from './pinned-tools';
import { createSessionTenants } from './session-tenant';
import { DEFAULT_CONTEXT_WINDOW, type ContextWindow } from './transcript';

/** What the session activities need. */
export interface SessionActivityDeps {
  agents: AgentRegistry;
  store: ContentStore;
  /** Where write_reversible and write_critical calls are recorded. */
  audit: AuditLog;
  /** The keys trusted to sign approvals: a write_critical call runs only with a statement that verifies under one. */
  approverKeys?: ApproverKeySource;
  /** Where finished sessions' traces are archived. Without it, `archiveSession` stores nothing. */
  traces?: TraceStore;
  /** Report finished sessions to their agent's behaviour monitor. @default off */
  monitor?: { options?: Partial<DriftOptions> };
  /** Where the monitors' drift alerts go. @default none */
  alertSinks?: readonly AlertSink[];
  /** Worker-side metrics (model calls, tokens, cost, tool calls, scope violations). */
  metrics?: KeelMetrics;
  /** Applies each side-effecting intent once. Without it, tools must deduplicate by their idempotency key themselves. */
  ledger?: IdempotencyLedger;
  /**
   * Where read tools declared `cache: { shared }` share results across sessions of a tenant, and
   * where writes invalidate them. Without it, results are cached within a session only.
   */
  sharedCache?: SharedToolCache;
  model: ModelClient;
  /** Each tool call becomes an `execute_tool <tool>` span with GenAI attributes (see `gen-ai-spans.ts`). @default no spans */
  tracer?: Tracer;
  /** @default {@link DEFAULT_CONTEXT_WINDOW} */
  contextWindow?: ContextWindow;
}

/** A call's input checked against its tool: the tool and the parsed input, or why not. */
export type ValidatedCall = { tool: AnyTool; input: Record<string, unknown>; error?: undefined } | { tool: AnyTool | undefined; input?: undefined; error: { kind: string; message: string } };

/** What every session activity shares: the worker's dependencies and the agents they serve. */
export interface SessionActivityContext {
  deps: SessionActivityDeps;
  /** The registered agent, or a non-retryable `UnknownAgentError`. */
  agentOf(name: string): Agent;
  /** The agent's tools as the model sees them (cached unless they come from a tool source). */
  toolsFor(name: string): Anthropic.Tool[];
  /** A proposed call's input against its tool's schema. */
  validate(agentName: string, call: ToolCallRequest): ValidatedCall;
  /** Tool sets pinned at session start (tools from sources). */
  pinned: ReturnType<typeof createPinnedTools>;
  /** The content tenant of a session's tenant (calls scheduled before content was scoped have none). */
  tenantOf: ReturnType<typeof createSessionTenants>;
  window: ContextWindow;
}

export function createSessionActivityContext(deps: SessionActivityDeps): SessionActivityContext {
  const { agents } = deps;
  const toolSchemas = new Map<string, Anthropic.Tool[]>();
  const agentOf = (name: string): Agent => {
    const agent = agents.get(name);
    if (!agent) {
      throw ApplicationFailure.create({
        type: FailureType.UnknownAgent,
        message: `unknown agent "${name}"; this worker serves: ${agents.names().join(', ') || '(none)'}`,
        nonRetryable: true,
      });
    }
    return agent;
  };
  return {
    deps,
    agentOf,
    toolsFor(name) {
      let tools = toolSchemas.get(name);
      if (!tools) {
        tools = agentOf(name).tools.map((tool) => ({
          name: tool.name,
          description: tool.description,
          input_schema: toolModelInputSchema(tool) as Anthropic.Tool.InputSchema,
        }));
        if (!agentOf(name).toolSources) toolSchemas.set(name, tools); // a tool source's list changes: never cached
      }
      return tools;
    },
    validate(agentName, call) {
      const tool = agents.tool(agentOf(agentName).name, call.name);
      if (!tool) return { tool, error: { kind: 'unknown_tool', message: `unknown tool "${call.name}" for agent "${agentName}"` } };
      const parsed = tool.input.safeParse(call.input);
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`).join('; ');
        return { tool, error: { kind: 'invalid_input', message: `invalid input for tool "${tool.name}": ${issues}` } };
      }
      return { tool, input: parsed.data as Record<string, unknown> };
    },
    pinned: createPinnedTools(deps.store),
    tenantOf: createSessionTenants(),
    window: deps.contextWindow ?? DEFAULT_CONTEXT_WINDOW,
  };
}

/** A stored output as the tool returned it: JSON parsed back, or the text itself. */
export function parseStoredOutput(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Content that is gone (or another tenant's) as a non-retryable failure; anything else as it is. */
export function contentFailure(error: unknown): unknown {
  if (error instanceof ContentNotFoundError) {
    return ApplicationFailure.create({ type: FailureType.ContentNotFound, message: error.message, nonRetryable: true });
  }
  // A store's errors that retrying cannot help (a bad reference or tenant, content over the store's
  // bound, altered content) carry `nonRetryable`; Temporal reads it only from an ApplicationFailure.
  if (error instanceof Error && (error as { nonRetryable?: unknown }).nonRetryable === true) {
    return ApplicationFailure.create({ type: error.name, message: error.message, nonRetryable: true });
  }
  return error;
}

/** Tokens a judge-model call spent, so the session counts them in its usage, cost and token limit. */
export interface JudgeUsage {
  model: string;
  inputTokens: number;
  outputTokens: number;
}

export function judgeUsageOf(reply: { model: string; inputTokens: number; outputTokens: number }): JudgeUsage {
  return { model: reply.model, inputTokens: reply.inputTokens, outputTokens: reply.outputTokens };
}
