import { SpanKind, SpanStatusCode, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import { ApplicationFailure } from '@temporalio/common';
import type { ToolCallInput, ToolCallResult } from '../core/tool-call';

/**
 * The spans of a model call (`chat <model>`) and of a tool call (`execute_tool <tool>`) with the
 * OpenTelemetry GenAI semantic conventions' attributes, children of the activity's span. Only names
 * and numbers go into attributes (bounded); prompts, tool inputs and outputs never do.
 */

/** Attribute names of the OpenTelemetry GenAI conventions (development status: copied, not imported). */
export const GEN_AI = {
  operation: 'gen_ai.operation.name',
  provider: 'gen_ai.provider.name',
  requestModel: 'gen_ai.request.model',
  requestMaxTokens: 'gen_ai.request.max_tokens',
  responseModel: 'gen_ai.response.model',
  responseId: 'gen_ai.response.id',
  finishReasons: 'gen_ai.response.finish_reasons',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
  cacheReadTokens: 'gen_ai.usage.cache_read.input_tokens',
  cacheCreationTokens: 'gen_ai.usage.cache_creation.input_tokens',
  toolName: 'gen_ai.tool.name',
  toolCallId: 'gen_ai.tool.call.id',
  toolType: 'gen_ai.tool.type',
  agentName: 'gen_ai.agent.name',
  conversationId: 'gen_ai.conversation.id',
  errorType: 'error.type',
  serverAddress: 'server.address',
  serverPort: 'server.port',
} as const;

/** Keel's own attributes beside the GenAI ones. */
export const KEEL_SPAN_ATTRIBUTES = {
  tenant: 'keel.tenant',
  agent: 'keel.agent',
  toolOutcome: 'keel.tool.outcome',
  toolCache: 'keel.tool.cache',
  toolReplayed: 'keel.tool.replayed',
} as const;

/** The longest string value a span attribute gets from Keel (ids and names; longer ones are cut). */
export const MAX_SPAN_ATTRIBUTE_CHARS = 256;

/** Which session a model or tool call belongs to, for its span. */
export interface GenAiSessionContext {
  agent: string;
  sessionId: string;
  tenant?: string | undefined;
}

/** The usage and identity of a model reply, as its span records them. */
export interface ChatSpanReply {
  id?: string | undefined;
  model: string;
  stopReason: string;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens?: number | undefined;
  cacheWrite5mTokens?: number | undefined;
  cacheWrite1hTokens?: number | undefined;
}

/** What the `chat` span of a model call starts with. */
export interface ChatSpanRequest {
  model: string;
  maxOutputTokens: number;
  /** The API's base URL (its host and port become `server.*`). */
  baseURL?: string | undefined;
  session?: GenAiSessionContext | undefined;
}

function bounded(value: string): string {
  return value.length > MAX_SPAN_ATTRIBUTE_CHARS ? value.slice(0, MAX_SPAN_ATTRIBUTE_CHARS) : value;
}

function sessionAttributes(session: GenAiSessionContext | undefined): Attributes {
  if (!session) return {};
  return {
    [GEN_AI.agentName]: bounded(session.agent),
    [GEN_AI.conversationId]: bounded(session.sessionId),
    [KEEL_SPAN_ATTRIBUTES.agent]: bounded(session.agent),
    ...(session.tenant ? { [KEEL_SPAN_ATTRIBUTES.tenant]: bounded(session.tenant) } : {}),
  };
}

function serverAttributes(baseURL: string | undefined): Attributes {
  if (!baseURL) return {};
  try {
    const url = new URL(baseURL);
    return { [GEN_AI.serverAddress]: url.hostname.replace(/^\[(.*)\]$/, '$1'), [GEN_AI.serverPort]: url.port ? Number(url.port) : url.protocol === 'http:' ? 80 : 443 };
  } catch {
    return {};
  }
}

/** The failure's type (an `ApplicationFailure`'s, or the error class's name), never its message. */
function errorTypeOf(error: unknown): string {
  if (error instanceof ApplicationFailure && error.type) return bounded(error.type);
  return error instanceof Error ? bounded(error.name) : 'Error';
}

function failed(span: Span, type: string): void {
  span.setAttribute(GEN_AI.errorType, type);
  span.setStatus({ code: SpanStatusCode.ERROR, message: type });
}

/**
 * Runs one model call in a `chat <model>` client span (without a tracer: just runs it). The reply's
 * id, model, finish reason and token usage are set when it comes; a failure sets `error.type`.
 * `gen_ai.usage.input_tokens` counts every prompt token, cached ones included, as the conventions
 * ask; the cache's share is in `gen_ai.usage.cache_read.input_tokens` and `…cache_creation…`.
 */
export async function inChatSpan<R extends ChatSpanReply>(tracer: Tracer | undefined, request: ChatSpanRequest, call: () => Promise<R>): Promise<R> {
  if (!tracer) return call();
  const attributes: Attributes = {
    [GEN_AI.operation]: 'chat',
    [GEN_AI.provider]: 'anthropic',
    [GEN_AI.requestModel]: bounded(request.model),
    [GEN_AI.requestMaxTokens]: request.maxOutputTokens,
    ...serverAttributes(request.baseURL),
    ...sessionAttributes(request.session),
  };
  return tracer.startActiveSpan(`chat ${bounded(request.model)}`, { kind: SpanKind.CLIENT, attributes }, async (span) => {
    try {
      const reply = await call();
      const cacheRead = reply.cacheReadTokens ?? 0;
      const cacheWrite = (reply.cacheWrite5mTokens ?? 0) + (reply.cacheWrite1hTokens ?? 0);
      span.setAttributes({
        ...(reply.id ? { [GEN_AI.responseId]: bounded(reply.id) } : {}),
        [GEN_AI.responseModel]: bounded(reply.model),
        [GEN_AI.finishReasons]: [bounded(reply.stopReason)],
        [GEN_AI.inputTokens]: reply.inputTokens + cacheRead + cacheWrite,
        [GEN_AI.outputTokens]: reply.outputTokens,
        [GEN_AI.cacheReadTokens]: cacheRead,
        [GEN_AI.cacheCreationTokens]: cacheWrite,
      });
      return reply;
    } catch (error) {
      failed(span, errorTypeOf(error));
      throw error;
    } finally {
      span.end();
    }
  });
}

/**
 * Runs one tool-call activity in an `execute_tool <tool>` span (without a tracer: just runs it).
 * A tool's error result (which the model gets) sets `error.type` to its kind; so does a failure of
 * the activity (its type).
 */
export async function inToolSpan(tracer: Tracer | undefined, input: ToolCallInput, run: () => Promise<ToolCallResult>): Promise<ToolCallResult> {
  if (!tracer) return run();
  const tool = bounded(input.call.name);
  const attributes: Attributes = {
    [GEN_AI.operation]: 'execute_tool',
    [GEN_AI.toolName]: tool,
    [GEN_AI.toolCallId]: bounded(input.call.id),
    [GEN_AI.toolType]: 'function',
    ...sessionAttributes({ agent: input.agent, sessionId: input.sessionId, tenant: input.scope.tenant }),
  };
  return tracer.startActiveSpan(`execute_tool ${tool}`, { kind: SpanKind.INTERNAL, attributes }, async (span) => {
    try {
      const result = await run();
      span.setAttribute(KEEL_SPAN_ATTRIBUTES.toolOutcome, result.ok ? 'ok' : 'error');
      if (result.cache) span.setAttribute(KEEL_SPAN_ATTRIBUTES.toolCache, result.cache);
      if (result.replayed) span.setAttribute(KEEL_SPAN_ATTRIBUTES.toolReplayed, true);
      if (!result.ok) failed(span, bounded(result.error?.kind ?? 'tool_error'));
      return result;
    } catch (error) {
      failed(span, errorTypeOf(error));
      throw error;
    } finally {
      span.end();
    }
  });
}
