import Anthropic from '@anthropic-ai/sdk';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../core/errors';
import type { ModelCallResult, ToolCallRequest } from '../core/model-call';

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
}

/** The model's reply, reduced to what a session needs. */
export type ModelReply = Omit<ModelCallResult, 'transcriptRef'> & { content: Anthropic.ContentBlock[] };

/**
 * Calls the Messages API once. Retries belong to Temporal (the SDK's own are off), so every attempt
 * is in the history. Errors become typed failures: a 4xx other than 408, 409 and 429 is
 * {@link FailureType.ModelRequest} (not retryable); everything else is {@link FailureType.ModelUnavailable}.
 */
export class ModelClient {
  private readonly client: Anthropic;

  constructor(endpoint: ModelEndpoint = {}) {
    this.client = new Anthropic({
      apiKey: endpoint.apiKey ?? process.env.ANTHROPIC_API_KEY ?? 'keel-offline',
      baseURL: endpoint.baseURL ?? process.env.ANTHROPIC_BASE_URL ?? undefined,
      maxRetries: 0,
      timeout: endpoint.requestTimeoutMs ?? 600_000,
    });
  }

  async send(request: ModelRequest, signal?: AbortSignal): Promise<ModelReply> {
    const started = Date.now();
    let response: Anthropic.Message;
    try {
      response = await this.client.messages.create(
        {
          model: request.model,
          max_tokens: request.maxOutputTokens,
          system: request.system,
          messages: request.messages,
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
      model: response.model,
      text: texts.join('\n'),
      toolCalls,
      stopReason: response.stop_reason ?? 'unknown',
      inputTokens: response.usage.input_tokens,
      outputTokens: response.usage.output_tokens,
      latencyMs: Date.now() - started,
    };
  }
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
