/**
 * The Anthropic Messages API wire format, as far as the scripted model server reads and writes it.
 *
 * Request types name the fields the server looks at and let every other field pass through, so a
 * request built for the real API (with `temperature`, `thinking`, `tool_choice`, ...) is accepted.
 */

/** A content block of a request message or of a `system` prompt. Fields not named here pass through. */
export interface ContentBlockParam {
  /** `text`, `tool_use`, `tool_result`, `image`, `document`, ... */
  type: string;
  /** The text of a `text` block. */
  text?: string;
  /** The id of a `tool_use` block. */
  id?: string;
  /** The tool name of a `tool_use` block. */
  name?: string;
  /** The input of a `tool_use` block. */
  input?: unknown;
  /** The `tool_use` block a `tool_result` block answers. */
  tool_use_id?: string;
  /** The content of a `tool_result` block: a string or a list of blocks. */
  content?: string | ContentBlockParam[];
  /** Whether a `tool_result` block reports a failure. */
  is_error?: boolean;
  /** A prompt cache breakpoint at this block. */
  cache_control?: CacheControl | null;
  [field: string]: unknown;
}

/** A prompt cache breakpoint: the prefix up to and including the block carrying it may be cached. */
export interface CacheControl {
  type: 'ephemeral';
  /** @default '5m' */
  ttl?: '5m' | '1h';
}

/** One message of the conversation sent to the model. */
export interface MessageParam {
  role: 'user' | 'assistant';
  content: string | ContentBlockParam[];
}

/** A tool offered to the model. Fields not named here pass through. */
export interface ToolDefinition {
  name: string;
  description?: string;
  input_schema?: Record<string, unknown>;
  /** A prompt cache breakpoint at this tool definition. */
  cache_control?: CacheControl | null;
  [field: string]: unknown;
}

/** The JSON body of `POST /v1/messages`. Fields not named here pass through. */
export interface MessagesRequest {
  model: string;
  max_tokens: number;
  messages: MessageParam[];
  system?: string | ContentBlockParam[];
  tools?: ToolDefinition[];
  tool_choice?: Record<string, unknown>;
  metadata?: { user_id?: string | null; [field: string]: unknown };
  stop_sequences?: string[];
  temperature?: number;
  stream?: boolean;
  /** Automatic caching: a breakpoint on the last block of the prompt. */
  cache_control?: CacheControl | null;
  [field: string]: unknown;
}

/** Why the model stopped. */
export type StopReason = 'end_turn' | 'tool_use' | 'max_tokens' | 'stop_sequence';

/** A content block of the model's reply. */
export type ResponseContentBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

/** Token usage reported with a reply. The prompt's tokens are `input_tokens + cache_creation_input_tokens + cache_read_input_tokens`. */
export interface ResponseUsage {
  /** Prompt tokens after the last cache breakpoint read or written. */
  input_tokens: number;
  output_tokens: number;
  /** Prompt tokens written to the cache. */
  cache_creation_input_tokens: number;
  /** Prompt tokens read from the cache. */
  cache_read_input_tokens: number;
  /** The tokens written to the cache, by TTL. */
  cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
}

/** The JSON body of a successful `POST /v1/messages` answer. */
export interface MessageResponse {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: ResponseContentBlock[];
  stop_reason: StopReason;
  stop_sequence: null;
  usage: ResponseUsage;
}

/** The JSON body of an error answer. */
export interface ErrorResponse {
  type: 'error';
  error: { type: string; message: string };
  request_id: string;
}
