import { createHash, type Hash } from 'node:crypto';
import type { ContentBlockParam, MessageParam, MessagesRequest } from './messages-api';
import type { ToolResultView } from './scenario';

/**
 * What the scripted model reads from a request's conversation: its turn, the texts scenarios
 * match on, tool results, and fingerprints that identify identical requests.
 */

/** Number of assistant messages in the conversation: the turn the model is asked to take. */
export function assistantTurns(messages: ReadonlyArray<MessageParam>): number {
  let turns = 0;
  for (const message of messages) if (message.role === 'assistant') turns++;
  return turns;
}

/** Text of a content: a string as is, else its text blocks joined by newlines. */
export function contentText(content: string | ReadonlyArray<ContentBlockParam> | undefined): string {
  if (content === undefined) return '';
  if (typeof content === 'string') return content;
  const texts: string[] = [];
  for (const block of content) if (block.type === 'text' && typeof block.text === 'string') texts.push(block.text);
  return texts.join('\n');
}

/** Text of the first user message. */
export function firstUserText(messages: ReadonlyArray<MessageParam>): string {
  const first = messages.find((message) => message.role === 'user');
  return first === undefined ? '' : contentText(first.content);
}

/** The `tool_result` blocks of the last user message. */
export function lastToolResults(messages: ReadonlyArray<MessageParam>): ToolResultView[] {
  let last: MessageParam | undefined;
  for (let i = messages.length - 1; i >= 0 && last === undefined; i--) {
    if (messages[i]?.role === 'user') last = messages[i];
  }
  if (last === undefined || typeof last.content === 'string') return [];
  return last.content
    .filter((block) => block.type === 'tool_result')
    .map((block) => ({
      toolUseId: typeof block.tool_use_id === 'string' ? block.tool_use_id : '',
      content: contentText(block.content),
      isError: block.is_error === true,
    }));
}

/** The ids of every `tool_use` block already in the conversation. */
export function toolUseIds(messages: ReadonlyArray<MessageParam>): Set<string> {
  const ids = new Set<string>();
  for (const message of messages) {
    if (typeof message.content === 'string') continue;
    for (const block of message.content) if (block.type === 'tool_use' && typeof block.id === 'string') ids.add(block.id);
  }
  return ids;
}

/**
 * Number of characters of text the model would read in a request: the system prompt, text blocks,
 * tool calls (name and input as JSON), tool results' text, and the tool definitions as JSON.
 * Other blocks (images, documents, thinking) are not counted.
 */
export function requestTextLength(request: MessagesRequest): number {
  let length = 0;
  if (request.system !== undefined) length += contentText(request.system).length;
  for (const message of request.messages) {
    if (typeof message.content === 'string') {
      length += message.content.length;
      continue;
    }
    for (const block of message.content) {
      if (block.type === 'text' && typeof block.text === 'string') length += block.text.length;
      else if (block.type === 'tool_use') length += String(block.name ?? '').length + JSON.stringify(block.input ?? {}).length;
      else if (block.type === 'tool_result') length += contentText(block.content).length;
    }
  }
  if (request.tools !== undefined && request.tools.length > 0) length += JSON.stringify(request.tools).length;
  return length;
}

/**
 * A fingerprint of a JSON value that does not depend on key order: a base64url SHA-256 of a
 * canonical form, fed to the hash piece by piece (large strings are not copied).
 */
export function fingerprint(value: unknown): string {
  const hash = createHash('sha256');
  feed(hash, value);
  return hash.digest('base64url');
}

function feed(hash: Hash, value: unknown): void {
  if (typeof value === 'string') {
    hash.update(`s${value.length}:`);
    hash.update(value);
  } else if (typeof value === 'number' || typeof value === 'boolean') {
    hash.update(`${typeof value === 'number' ? 'n' : 'b'}${String(value)};`);
  } else if (value === null || value === undefined) {
    hash.update('z;');
  } else if (Array.isArray(value)) {
    hash.update(`a${value.length}[`);
    for (const item of value) feed(hash, item);
    hash.update(']');
  } else if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort();
    hash.update(`o${keys.length}{`);
    for (const key of keys) {
      feed(hash, key);
      feed(hash, record[key]);
    }
    hash.update('}');
  }
}
