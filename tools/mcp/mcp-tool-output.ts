import { McpToolError } from './mcp-errors';

/** Most characters of a failing tool's text the model gets. */
const MAX_ERROR_CHARS = 2000;

/** A content block of an MCP tool result, as far as Keel reads it. */
interface ContentBlock {
  type: string;
  text?: string;
  data?: string;
  mimeType?: string;
  uri?: string;
  name?: string;
  resource?: { uri?: string; mimeType?: string; text?: string; blob?: string };
}

/**
 * What the model gets of an MCP tool result: the `structuredContent` when the tool returns one (the
 * machine-readable form), else its text, else its content blocks with binary data (images, audio,
 * blobs) replaced by their type, MIME type and size. A result with `isError: true` throws
 * {@link McpToolError} with the server's text.
 */
export function toolOutputOf(result: { content?: unknown; structuredContent?: unknown; isError?: boolean; toolResult?: unknown }, tool: string): unknown {
  const blocks = Array.isArray(result.content) ? (result.content as ContentBlock[]) : [];
  if (result.isError) {
    const text = blocks.flatMap((b) => (b.type === 'text' && typeof b.text === 'string' ? [b.text] : [])).join('\n') || 'the tool reported an error without a message';
    throw new McpToolError(`tool "${tool}" failed: ${text.slice(0, MAX_ERROR_CHARS)}`);
  }
  if (result.structuredContent !== undefined && result.structuredContent !== null) return result.structuredContent;
  if (!Array.isArray(result.content) && result.toolResult !== undefined) return result.toolResult; // protocol 2024-10-07 servers
  if (blocks.every((b) => b.type === 'text')) return blocks.map((b) => b.text ?? '').join('\n');
  return blocks.map(describeBlock);
}

function describeBlock(block: ContentBlock): Record<string, unknown> {
  switch (block.type) {
    case 'text':
      return { type: 'text', text: block.text ?? '' };
    case 'image':
    case 'audio':
      return { type: block.type, mimeType: block.mimeType ?? 'application/octet-stream', bytes: base64Bytes(block.data), note: 'binary content is not passed to the model' };
    case 'resource_link':
      return { type: 'resource_link', uri: block.uri, ...(block.name ? { name: block.name } : {}), ...(block.mimeType ? { mimeType: block.mimeType } : {}) };
    case 'resource': {
      const r = block.resource ?? {};
      return typeof r.text === 'string'
        ? { type: 'resource', uri: r.uri, ...(r.mimeType ? { mimeType: r.mimeType } : {}), text: r.text }
        : { type: 'resource', uri: r.uri, mimeType: r.mimeType ?? 'application/octet-stream', bytes: base64Bytes(r.blob), note: 'binary content is not passed to the model' };
    }
    default:
      return { type: String(block.type), note: 'content of this type is not passed to the model' };
  }
}

/** Decoded size of base64 text. */
function base64Bytes(data: string | undefined): number {
  if (!data) return 0;
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  return Math.floor((data.length * 3) / 4) - padding;
}
