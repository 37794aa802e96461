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
  [field: string]: unknown;
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
  [field: string]: unknown;
}

/** Why the model stopped. */
export type StopReason = 'end_turn' | 'tool_use' | 'max_tokens' | 'stop_sequence';

/** A content block of the model's reply. */
export type ResponseContentBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

/** Token usage reported with a reply. */
export interface ResponseUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
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
