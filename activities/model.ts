import Anthropic from '@anthropic-ai/sdk';
import type { Tracer } from '@opentelemetry/api';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../core/errors';
import type { ModelCallResult, ToolCallRequest } from '../core/model-call';
import { inChatSpan, type GenAiSessionContext } from './gen-ai-spans';

/** How the worker reaches the model. */
export interface ModelEndpoint {
  /** API base URL. @default the SDK's (Anthropic's API), or `ANTHROPIC_BASE_URL` */
  baseURL?: string;
  /** API key. @default `ANTHROPIC_API_KEY` */
  apiKey?: string;
  /** Timeout of one HTTP request in ms (Temporal's activity timeout bounds it too). @default 600000 */
  requestTimeoutMs?: number;
}

/** One request to the Messages API, as the model activity builds it. */
export interface ModelRequest {
  model: string;
  maxOutputTokens: number;
  system: string;
  tools: Anthropic.Tool[];
  messages: Anthropic.MessageParam[];
  /**
   * Mark cache breakpoints for the provider's prompt cache: after the system prompt (which follows
   * the tools) and at the end of the conversation, so the next turn reads everything before it.
   */
  promptCaching?: boolean;
  /** The session the call belongs to, for its `chat` span's attributes (only when tracing). */
  session?: GenAiSessionContext;
}

/** Options of a {@link ModelClient} beyond its endpoint. */
export interface ModelClientOptions {
  /** Each call becomes a `chat <model>` span with GenAI attributes (see `gen-ai-spans.ts`). @default no spans */
  tracer?: Tracer;
}

/** The model's reply, reduced to what a session needs. */
export type ModelReply = Omit<ModelCallResult, 'transcriptRef'> & { content: Anthropic.ContentBlock[]; /** The API's id of the reply (`msg_…`). */ id?: string };

/**
 * Calls the Messages API once. Retries belong to Temporal (the SDK's own are off), so every attempt
 * is in the history. Errors become typed failures: a 4xx other than 408, 409 and 429 is
 * {@link FailureType.ModelRequest} (not retryable); everything else is {@link FailureType.ModelUnavailable}.
 */
export class ModelClient {
  private readonly client: Anthropic;
  private readonly tracer: Tracer | undefined;

  constructor(endpoint: ModelEndpoint = {}, options: ModelClientOptions = {}) {
    this.tracer = options.tracer;
    this.client = new Anthropic({
      apiKey: endpoint.apiKey ?? process.env.ANTHROPIC_API_KEY ?? 'keel-offline',
      baseURL: endpoint.baseURL ?? process.env.ANTHROPIC_BASE_URL ?? undefined,
      maxRetries: 0,
      timeout: endpoint.requestTimeoutMs ?? 600_000,
    });
  }

  async send(request: ModelRequest, signal?: AbortSignal): Promise<ModelReply> {
    if (!this.tracer) return this.sendUntraced(request, signal);
    return inChatSpan(this.tracer, { model: request.model, maxOutputTokens: request.maxOutputTokens, baseURL: this.client.baseURL, session: request.session }, () => this.sendUntraced(request, signal));
  }

  private async sendUntraced(request: ModelRequest, signal?: AbortSignal): Promise<ModelReply> {
    const started = Date.now();
    let response: Anthropic.Message;
    try {
      response = await this.client.messages.create(
        {
          model: request.model,
          max_tokens: request.maxOutputTokens,
          system: request.promptCaching ? [{ type: 'text', text: request.system, cache_control: { type: 'ephemeral' } }] : request.system,
          messages: request.promptCaching ? withTrailingBreakpoint(request.messages) : request.messages,
          ...(request.tools.length ? { tools: request.tools } : {}),
        },
        { signal },
      );
    } catch (error) {
      throw toModelFailure(error);
    }
    const toolCalls: ToolCallRequest[] = [];
    const texts: string[] = [];
    for (const block of response.content) {
      if (block.type === 'text') texts.push(block.text);
      if (block.type === 'tool_use') {
        toolCalls.push({ id: block.id, name: block.name, input: (block.input ?? {}) as Record<string, unknown> });
      }
    }
    return {
      content: response.content,
      id: response.id,
      model: response.model,
      text: texts.join('\n'),
      toolCalls,
      stopReason: response.stop_reason ?? 'unknown',
      inputTokens: response.usage.input_tokens,
      outputTokens: response.usage.output_tokens,
      ...cacheUsage(response.usage),
      latencyMs: Date.now() - started,
    };
  }
}

/** A copy of `messages` whose last content block carries a cache breakpoint. */
function withTrailingBreakpoint(messages: Anthropic.MessageParam[]): Anthropic.MessageParam[] {
  const last = messages.at(-1);
  if (!last || typeof last.content === 'string' || last.content.length === 0) return messages;
  const blocks = [...last.content];
  blocks[blocks.length - 1] = { ...blocks[blocks.length - 1]!, cache_control: { type: 'ephemeral' } } as Anthropic.ContentBlockParam;
  return [...messages.slice(0, -1), { ...last, content: blocks } as Anthropic.MessageParam];
}

/** Prompt-cache reads and writes (by TTL) of a response's usage; absent fields count as zero. */
function cacheUsage(usage: Anthropic.Usage): { cacheReadTokens: number; cacheWrite5mTokens: number; cacheWrite1hTokens: number } {
  const written = usage.cache_creation_input_tokens ?? 0;
  const byTtl = usage.cache_creation;
  const write1h = byTtl?.ephemeral_1h_input_tokens ?? 0;
  return {
    cacheReadTokens: usage.cache_read_input_tokens ?? 0,
    cacheWrite5mTokens: byTtl ? (byTtl.ephemeral_5m_input_tokens ?? 0) : written,
    cacheWrite1hTokens: write1h,
  };
}

/** Maps an error of the Anthropic SDK to a typed Temporal failure. */
export function toModelFailure(error: unknown): ApplicationFailure {
  if (error instanceof Anthropic.APIError && typeof error.status === 'number') {
    const status = error.status;
    const detail = `model API answered ${status}: ${error.message}`;
    if (status >= 400 && status < 500 && status !== 408 && status !== 409 && status !== 429) {
      return ApplicationFailure.create({ type: FailureType.ModelRequest, message: detail, nonRetryable: true, details: [{ status }] });
    }
    const retryAfter = Number(error.headers?.get?.('retry-after'));
    return ApplicationFailure.create({
      type: FailureType.ModelUnavailable,
      message: detail,
      details: [{ status }],
      ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { nextRetryDelay: retryAfter * 1000 } : {}),
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return ApplicationFailure.create({ type: FailureType.ModelUnavailable, message: `model API unreachable: ${message}` });
}
