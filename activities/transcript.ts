import { markAsData } from '../core/guardrails/injection';
import type Anthropic from '@anthropic-ai/sdk';
import type { ToolResultEntry, TranscriptAppend } from '../core/model-call';
import type { ContentStore } from '../store';

/** A content block as the transcript stores it: tool outputs by reference. */
export type StoredBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> }
  | { type: 'tool_result'; tool_use_id: string; is_error: boolean; ref?: string; bytes?: number; text?: string };

/** One message of a stored transcript. */
export interface StoredMessage {
  role: 'user' | 'assistant';
  content: StoredBlock[];
}

/**
 * One link of a transcript chain: the messages of one turn and the reference of the turn before.
 * A transcript is the reference of its last node, so a turn adds one small node, never a copy.
 */
interface TranscriptNode {
  v: 1;
  parent: string | null;
  messages: StoredMessage[];
}

/** How much of a long transcript the model sees. */
export interface ContextWindow {
  /** Characters of tool output the model sees in total; older outputs are elided first. @default 400000 */
  maxToolOutputChars: number;
  /** Characters of one tool output; longer ones are cut with a notice. @default 50000 */
  maxCharsPerToolOutput: number;
}

/** Default context window (about 100k tokens of tool output). */
export const DEFAULT_CONTEXT_WINDOW: ContextWindow = { maxToolOutputChars: 400_000, maxCharsPerToolOutput: 50_000 };

/** The transcript's messages, oldest first, read as the session's tenant. */
export async function loadTranscript(store: ContentStore, ref: string | null, tenant: string): Promise<StoredMessage[]> {
  const nodes: TranscriptNode[] = [];
  for (let at = ref; at; ) {
    const node = JSON.parse(await store.get(at, tenant)) as TranscriptNode;
    nodes.push(node);
    at = node.parent;
  }
  return nodes.reverse().flatMap((n) => n.messages);
}

/** Appends messages to a transcript (stored as the session's tenant) and returns the new transcript's reference. */
export function appendTranscript(store: ContentStore, parent: string | null, messages: StoredMessage[], tenant: string): Promise<string> {
  const node: TranscriptNode = { v: 1, parent, messages };
  return store.put(JSON.stringify(node), tenant);
}

/** The user message that a {@link TranscriptAppend} adds. */
export function userMessageOf(append: TranscriptAppend): StoredMessage {
  if (append.kind === 'user_text') return { role: 'user', content: [{ type: 'text', text: append.text }] };
  return { role: 'user', content: append.results.map(toolResultBlock) };
}

function toolResultBlock(entry: ToolResultEntry): StoredBlock {
  const base = { type: 'tool_result' as const, tool_use_id: entry.toolUseId, is_error: entry.isError };
  return 'ref' in entry.content ? { ...base, ref: entry.content.ref, bytes: entry.content.bytes } : { ...base, text: entry.content.text };
}

/**
 * The transcript as Anthropic messages, tool outputs resolved from the store within the context
 * window: the newest outputs are kept whole (up to the per-output cap), older ones are replaced by a
 * notice that names their size. With `markAsData`, every tool output reaches the model wrapped as
 * data (see `markAsData` in core/guardrails/injection), never as instructions.
 */
export async function toModelMessages(
  store: ContentStore,
  tenant: string,
  messages: StoredMessage[],
  window: ContextWindow = DEFAULT_CONTEXT_WINDOW,
  options: { markAsData?: boolean } = {},
): Promise<Anthropic.MessageParam[]> {
  let budget = window.maxToolOutputChars;
  const out: Anthropic.MessageParam[] = new Array(messages.length);
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i]!;
    const content: Anthropic.ContentBlockParam[] = [];
    for (const block of message.content) {
      if (block.type !== 'tool_result') {
        content.push(block);
        continue;
      }
      let text = block.text ?? '';
      if (block.ref) {
        const size = block.bytes ?? 0;
        if (budget <= 0) {
          text = `[output of this earlier tool call (${size} bytes) elided to fit the context window]`;
        } else {
          text = await store.get(block.ref, tenant);
          const cap = Math.min(window.maxCharsPerToolOutput, budget);
          if (text.length > cap) text = `${text.slice(0, cap)}\n[output cut: ${text.length - cap} more characters not shown]`;
          budget -= Math.min(text.length, cap);
        }
      }
      if (options.markAsData) text = markAsData(text, `tool_result ${block.tool_use_id}`);
      content.push({ type: 'tool_result', tool_use_id: block.tool_use_id, is_error: block.is_error, content: text });
    }
    out[i] = { role: message.role, content };
  }
  return out;
}
