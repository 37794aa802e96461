/** A tool call the model asked for. */
export interface ToolCallRequest {
  id: string;
  name: string;
  input: Record<string, unknown>;
}

/** A tool's result as the transcript holds it: content goes by reference unless it is a short notice. */
export interface ToolResultEntry {
  toolUseId: string;
  isError: boolean;
  content: { ref: string; bytes: number } | { text: string };
}

/** What is added to the transcript before the model is called. */
export type TranscriptAppend = { kind: 'user_text'; text: string } | { kind: 'tool_results'; results: ToolResultEntry[] };

/** Input of the model activity: only references and the new turn, never the whole conversation. */
export interface ModelCallInput {
  sessionId: string;
  agent: string;
  /** The session's tenant, whose content (transcript, tool outputs) the call reads and writes; absent in calls scheduled before content was scoped. */
  tenant?: string;
  model: string;
  maxOutputTokens: number;
  /** The transcript so far, or null for the first turn. */
  transcriptRef: string | null;
  append: TranscriptAppend;
  /** Names of the tools this session is offered (the agent's tools filtered by the session's scope). */
  tools: string[];
  /** The session's pinned tools from sources (`AgentDescriptor.toolSet`): offered as pinned, not as the source offers them now. */
  toolSet?: string;
  /** Mark the stable prefix (tools, system prompt, earlier turns) for the provider's prompt cache. */
  promptCaching?: boolean;
  /**
   * Attempts the model's own failures (429, 5xx, network) may take: on the last one, a failure is
   * not retried. Attempts lost with a worker are retried beyond it (see `LOST_CALL_ATTEMPTS`).
   */
  maxAttempts?: number;
}

/** Output of the model activity. */
export interface ModelCallResult {
  /** The transcript including this turn's input and the model's reply. */
  transcriptRef: string;
  model: string;
  text: string;
  toolCalls: ToolCallRequest[];
  stopReason: string;
  /** Prompt tokens billed at the base rate (not read from or written to the prompt cache). */
  inputTokens: number;
  outputTokens: number;
  /** Prompt tokens read from the provider's prompt cache (absent in results recorded before caching). */
  cacheReadTokens?: number;
  /** Prompt tokens written to the prompt cache, by TTL. */
  cacheWrite5mTokens?: number;
  cacheWrite1hTokens?: number;
  latencyMs: number;
  /**
   * The activity's own running time on its worker (transcript, model request, reply stored), which
   * the session counts as agent time (absent in results recorded before it was measured).
   */
  activityMs?: number;
  /** For a final answer of an agent with an output schema: the validated value, or why it is invalid. */
  finalOutput?: { ok: true; value: unknown } | { ok: false; issues: string };
  /**
   * Set when the reply's tool calls are invalid model output (the same `tool_use` id twice, an id
   * that is empty or too long): none of them runs, the transcript keeps the reply's text only, and
   * the session gives the model a repair turn.
   */
  invalidToolCalls?: string;
}

/** Longest `tool_use` id accepted from a model. */
export const MAX_TOOL_USE_ID_CHARS = 256;

/** Why a turn's tool calls cannot be told apart (duplicate, empty or oversized ids), or null when they can. */
export function toolCallIdProblem(calls: readonly { id: string }[]): string | null {
  const seen = new Set<string>();
  for (const call of calls) {
    if (!call.id || call.id.length > MAX_TOOL_USE_ID_CHARS) return `a tool_use id must have 1 to ${MAX_TOOL_USE_ID_CHARS} characters`;
    if (seen.has(call.id)) return `tool_use id "${call.id}" is used by more than one tool call in the same reply`;
    seen.add(call.id);
  }
  return null;
}
