import type { IncomingMessage } from 'node:http';
import { ApiErrorAnswer } from './api-error';
import type { MessagesRequest } from './messages-api';

/**
 * Reading and checking the body of `POST /v1/messages`. Problems become 400 or 413 answers whose
 * message names the field, the way the Messages API words them (`messages.0.role: ...`).
 */

/**
 * Reads a request body into one buffer. A body over `maxBytes` is drained (so that the client
 * receives the answer) and answered with 413 `request_too_large`.
 */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= maxBytes) chunks.push(chunk);
  }
  if (size > maxBytes) {
    throw new ApiErrorAnswer(413, `Request exceeds the maximum size of ${maxBytes} bytes (it has ${size} bytes)`);
  }
  return chunks.length === 1 && chunks[0] !== undefined ? chunks[0] : Buffer.concat(chunks, size);
}

/** Parses and checks a Messages API request body. */
export function parseMessagesRequest(body: Buffer): MessagesRequest {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw invalid(`The request body is not valid JSON: ${(error as Error).message}`);
  }
  if (!isRecord(value)) throw invalid('The request body must be a JSON object');

  if (value.model === undefined) throw invalid('model: Field required');
  if (typeof value.model !== 'string' || value.model === '') throw invalid('model: Input should be a non-empty string');
  if (value.max_tokens === undefined) throw invalid('max_tokens: Field required');
  if (typeof value.max_tokens !== 'number' || !Number.isInteger(value.max_tokens)) {
    throw invalid('max_tokens: Input should be a valid integer');
  }
  if (value.max_tokens < 1) throw invalid('max_tokens: Input should be greater than or equal to 1');
  if (value.stream === true) {
    throw invalid('stream: streaming is not supported by the scripted model server; call messages.create without stream: true');
  }
  checkMessages(value.messages);
  if (value.system !== undefined && typeof value.system !== 'string') checkBlocks(value.system, 'system');
  if (value.tools !== undefined) {
    if (!Array.isArray(value.tools)) throw invalid('tools: Input should be a valid list');
    value.tools.forEach((tool, i) => {
      if (!isRecord(tool)) throw invalid(`tools.${i}: Input should be a valid dictionary`);
      if (typeof tool.name !== 'string') throw invalid(`tools.${i}.name: Field required`);
    });
  }
  return value as MessagesRequest;
}

function checkMessages(messages: unknown): void {
  if (messages === undefined) throw invalid('messages: Field required');
  if (!Array.isArray(messages)) throw invalid('messages: Input should be a valid list');
  if (messages.length === 0) throw invalid('messages: at least one message is required');
  messages.forEach((message, i) => {
    const at = `messages.${i}`;
    if (!isRecord(message)) throw invalid(`${at}: Input should be a valid dictionary`);
    if (message.role === undefined) throw invalid(`${at}.role: Field required`);
    if (message.role !== 'user' && message.role !== 'assistant') throw invalid(`${at}.role: Input should be 'user' or 'assistant'`);
    if (message.content === undefined) throw invalid(`${at}.content: Field required`);
    if (typeof message.content !== 'string') checkBlocks(message.content, `${at}.content`);
  });
}

function checkBlocks(blocks: unknown, at: string): void {
  if (!Array.isArray(blocks)) throw invalid(`${at}: Input should be a valid string or list`);
  blocks.forEach((block, i) => {
    if (!isRecord(block)) throw invalid(`${at}.${i}: Input should be a valid dictionary`);
    if (typeof block.type !== 'string') throw invalid(`${at}.${i}.type: Field required`);
    if (block.type === 'text' && typeof block.text !== 'string') throw invalid(`${at}.${i}.text: Field required`);
    if (block.type === 'tool_result' && typeof block.tool_use_id !== 'string') {
      throw invalid(`${at}.${i}.tool_use_id: Field required`);
    }
    if (block.type === 'tool_result' && block.content !== undefined && typeof block.content !== 'string') {
      checkBlocks(block.content, `${at}.${i}.content`);
    }
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(message: string): ApiErrorAnswer {
  return new ApiErrorAnswer(400, message);
}
