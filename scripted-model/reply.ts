import { newMessageId } from './ids';
import type { MessageResponse, ResponseContentBlock } from './messages-api';
import type { ScriptedReply } from './scenario';

/** What a reply is rendered against: the request's model and conversation. */
export interface ReplyContext {
  /** The model named by the request, echoed in the reply. */
  model: string;
  /** The turn being answered (number of assistant messages so far). */
  turn: number;
  /** A short key of the conversation, part of default tool use ids. */
  conversationKey: string;
  /** Tool use ids already in the conversation, which default ids avoid. */
  usedToolUseIds: ReadonlySet<string>;
  /** Characters of text in the request, for the `input_tokens` estimate. */
  requestTextLength: number;
}

/** The token count estimated for a number of characters of text: ceil(characters / 4). */
export function estimateTokens(characters: number): number {
  return Math.ceil(characters / 4);
}

/** Renders a scripted reply as the Messages API's success body. */
export function renderReply(reply: ScriptedReply, ctx: ReplyContext): MessageResponse {
  const content: ResponseContentBlock[] = [];
  let outputLength = 0;
  if (reply.text !== undefined && reply.text !== '') {
    content.push({ type: 'text', text: reply.text });
    outputLength += reply.text.length;
  }
  const taken = new Set(ctx.usedToolUseIds);
  const toolCalls = reply.toolCalls ?? [];
  for (const call of toolCalls) if (call.id !== undefined) taken.add(call.id);
  toolCalls.forEach((call, index) => {
    const id = call.id ?? uniqueId(`toolu_${ctx.conversationKey}_${ctx.turn}_${index}`, taken);
    taken.add(id);
    content.push({ type: 'tool_use', id, name: call.name, input: call.input });
    outputLength += call.name.length + JSON.stringify(call.input).length;
  });
  return {
    id: newMessageId(),
    type: 'message',
    role: 'assistant',
    model: ctx.model,
    content,
    stop_reason: reply.stopReason ?? (toolCalls.length > 0 ? 'tool_use' : 'end_turn'),
    stop_sequence: null,
    usage: {
      input_tokens: reply.usage?.input_tokens ?? estimateTokens(ctx.requestTextLength),
      output_tokens: reply.usage?.output_tokens ?? estimateTokens(outputLength),
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    },
  };
}

function uniqueId(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  let n = 2;
  while (taken.has(`${base}_${n}`)) n++;
  return `${base}_${n}`;
}
