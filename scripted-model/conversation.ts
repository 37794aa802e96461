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

/** The part of a request a prompt block comes from, in the order the model reads them. */
export type PromptSection = 'tools' | 'system' | 'messages';

/**
 * One block of a request's prompt, in the order the model reads it: each tool definition, each
 * block of the system prompt, each content block of each message (a string is one text block).
 */
export interface PromptBlock {
  section: PromptSection;
  /** Characters of text the token estimate counts for this block (see {@link promptBlocks}). */
  characters: number;
  /**
   * What the block contributes to the prompt, without its `cache_control` markers: the value whose
   * fingerprint identifies the block in a cache key. Moving a breakpoint does not change it.
   */
  content: unknown;
  /**
   * The `cache_control` values on this block, as sent (not yet checked), each with the field it
   * is in as the API names fields (`messages.2.content.0.cache_control`): the block's own, then
   * those of the blocks nested in a `tool_result`'s content. Empty when it has none (`null` counts as none).
   */
  cacheControls: Array<{ where: string; value: unknown }>;
}

/**
 * The blocks of a request's prompt in the order the model reads them: tools, then system, then
 * messages. Their characters are the text the model would read, for the token estimate: the tool
 * definitions as a JSON list (without `cache_control`), the system prompt's text blocks joined by
 * newlines, message text blocks, tool calls (name and input as JSON) and tool results' text. Other
 * blocks (images, documents, thinking) count no characters. Per block: a tool definition counts
 * its JSON plus the bracket or comma before it (the first one also the closing bracket); a system
 * text block after the first counts the newline that joins it to the one before.
 */
export function promptBlocks(request: MessagesRequest): PromptBlock[] {
  const blocks: PromptBlock[] = [];
  (request.tools ?? []).forEach((tool, i) => {
    const content = withoutCacheControl(tool);
    blocks.push({
      section: 'tools',
      characters: JSON.stringify(content).length + (i === 0 ? 2 : 1),
      content,
      cacheControls: controlsOf(tool, `tools.${i}`),
    });
  });
  if (typeof request.system === 'string') {
    blocks.push({ section: 'system', characters: request.system.length, content: { type: 'text', text: request.system }, cacheControls: [] });
  } else if (request.system !== undefined) {
    let texts = 0;
    request.system.forEach((block, i) => {
      const isText = block.type === 'text' && typeof block.text === 'string';
      const characters = isText ? (block.text as string).length + (texts > 0 ? 1 : 0) : 0;
      if (isText) texts++;
      blocks.push({ section: 'system', characters, content: withoutCacheControl(block), cacheControls: controlsOf(block, `system.${i}`) });
    });
  }
  request.messages.forEach((message, m) => {
    if (typeof message.content === 'string') {
      const content = { role: message.role, first: true, block: { type: 'text', text: message.content } };
      blocks.push({ section: 'messages', characters: message.content.length, content, cacheControls: [] });
      return;
    }
    message.content.forEach((block, b) => {
      const where = `messages.${m}.content.${b}`;
      const content = { role: message.role, first: b === 0, block: withoutCacheControl(block) };
      blocks.push({ section: 'messages', characters: blockTextLength(block), content, cacheControls: controlsOf(block, where) });
    });
  });
  return blocks;
}

/** Characters of text the token estimate counts for a message content block. */
function blockTextLength(block: ContentBlockParam): number {
  if (block.type === 'text' && typeof block.text === 'string') return block.text.length;
  if (block.type === 'tool_use') return String(block.name ?? '').length + JSON.stringify(block.input ?? {}).length;
  if (block.type === 'tool_result') return contentText(block.content).length;
  return 0;
}

/** A block (or tool) without its `cache_control`, nor those of the blocks nested in its `content`. */
function withoutCacheControl(block: Record<string, unknown>): Record<string, unknown> {
  const { cache_control: _marker, ...rest } = block;
  if (Array.isArray(rest.content)) {
    rest.content = rest.content.map((nested: unknown) => (isRecord(nested) ? withoutCacheControl(nested) : nested));
  }
  return rest;
}

/** The `cache_control` values of a block and of the blocks nested in its `content`, null ones left out. */
function controlsOf(block: Record<string, unknown>, where: string): Array<{ where: string; value: unknown }> {
  const found: Array<{ where: string; value: unknown }> = [];
  if (block.cache_control !== undefined && block.cache_control !== null) found.push({ where: `${where}.cache_control`, value: block.cache_control });
  if (Array.isArray(block.content)) {
    block.content.forEach((nested: unknown, i) => {
      if (isRecord(nested) && nested.cache_control !== undefined && nested.cache_control !== null) {
        found.push({ where: `${where}.content.${i}.cache_control`, value: nested.cache_control });
      }
    });
  }
  return found;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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
