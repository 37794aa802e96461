import { newMessageId } from './ids';
import type { MessageResponse, ResponseContentBlock, ResponseUsage } from './messages-api';
import type { PromptTokens } from './prompt-cache';
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
  /** The request's prompt tokens as estimated, and how the prompt cache divided them. */
  prompt: PromptTokens;
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
      ...promptUsage(ctx.prompt, reply.usage?.input_tokens),
      output_tokens: reply.usage?.output_tokens ?? estimateTokens(outputLength),
    },
  };
}

/**
 * The prompt's part of a reply's usage: how the prompt cache divided the estimated prompt tokens,
 * or, when the step scripts `input_tokens`, exactly that and no cache reads or writes (a scripted
 * count is reported as given).
 */
function promptUsage(prompt: PromptTokens, scriptedInputTokens: number | undefined): Omit<ResponseUsage, 'output_tokens'> {
  if (scriptedInputTokens !== undefined) {
    return {
      input_tokens: scriptedInputTokens,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
    };
  }
  return {
    input_tokens: prompt.uncached,
    cache_creation_input_tokens: prompt.cacheWrite5m + prompt.cacheWrite1h,
    cache_read_input_tokens: prompt.cacheRead,
    cache_creation: { ephemeral_5m_input_tokens: prompt.cacheWrite5m, ephemeral_1h_input_tokens: prompt.cacheWrite1h },
  };
}

function uniqueId(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  let n = 2;
  while (taken.has(`${base}_${n}`)) n++;
  return `${base}_${n}`;
}
