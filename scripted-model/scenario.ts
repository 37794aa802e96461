import type { MessagesRequest, StopReason } from './messages-api';

/** A scripted reply for one model turn. */
export interface ScriptedReply {
  /** A text content block (omitted when absent or empty). */
  text?: string;
  /**
   * `tool_use` content blocks, after the text. Without `id`, each call gets a deterministic id
   * unique to its conversation, turn and position: `toolu_<conversation>_<turn>_<index>`.
   */
  toolCalls?: Array<{ name: string; input: Record<string, unknown>; id?: string }>;
  /** @default `'tool_use'` when there are tool calls, else `'end_turn'` */
  stopReason?: StopReason;
  /**
   * Token counts to report. Each one left out is estimated as ceil(characters / 4): of the
   * request's text (system, message texts, tool calls and results, tool definitions as JSON) for
   * the prompt, divided by the simulated prompt cache into `input_tokens`,
   * `cache_read_input_tokens` and `cache_creation_input_tokens`; of the reply's text and tool calls
   * for `output_tokens`. A scripted `input_tokens` is reported as given, with no cache reads or
   * writes (the cache is still read and written, for the requests that follow).
   */
  usage?: { input_tokens?: number; output_tokens?: number };
  /** Milliseconds to wait before answering. @default the server's `defaultLatencyMs` */
  latencyMs?: number;
}

/** A scripted error answer for one model turn, with the Messages API's error body. */
export interface ScriptedError {
  error: {
    /** HTTP status, e.g. 529. */
    status: number;
    /** Error type. @default by status: 400 `invalid_request_error`, 429 `rate_limit_error`, 529 `overloaded_error`, ... */
    type?: string;
    /** Error message. @default one naming the scenario, turn and attempt */
    message?: string;
    /** Sent as the `retry-after` header (the SDK waits that long before its own retry). */
    retryAfterSeconds?: number;
  };
  /** Milliseconds to wait before answering. @default the server's `defaultLatencyMs` */
  latencyMs?: number;
}

/** What the scripted model does for one request: reply, or fail. */
export type ScriptedStep = ScriptedReply | ScriptedError;

/** A tool result the agent sent back, as a script sees it. */
export interface ToolResultView {
  toolUseId: string;
  /** The result's content flattened to text (text blocks joined by newlines). */
  content: string;
  isError: boolean;
}

/** What a script sees for one request. */
export interface TurnContext {
  /** The parsed JSON body of the request. */
  request: MessagesRequest;
  /** Number of assistant messages already in `request.messages` (0 for the first call). */
  turn: number;
  /**
   * 0 the first time this scenario sees these exact messages, 1 on the next identical request (a
   * retry), and so on. Identical conversations share the count: give concurrent conversations
   * distinct first messages to keep their attempts apart.
   */
  attempt: number;
  /** The `tool_result` blocks of the last user message. */
  toolResults: ToolResultView[];
  /** Text of the first user message (its text blocks joined by newlines). */
  firstUserText: string;
}

/** A scripted conversation: which requests it answers, and how, turn by turn. */
export interface Scenario {
  /** Names the scenario in the request log and in error messages. */
  name: string;
  /**
   * Which requests this scenario answers: a substring of the first user message's text (`''`
   * matches every request), or a predicate. The first matching scenario wins, in the order added.
   */
  match: string | ((ctx: TurnContext) => boolean);
  /**
   * Per turn, a step, or a list of steps by attempt (attempt i uses `steps[i]`, the last one
   * repeats); or a function of the context. A request past the last scripted turn is answered
   * with a 400 `invalid_request_error` naming the scenario and the turn.
   */
  turns: Array<ScriptedStep | ScriptedStep[]> | ((ctx: TurnContext) => ScriptedStep);
}

/** Whether a step is an error answer. */
export function isScriptedError(step: ScriptedStep): step is ScriptedError {
  return 'error' in step && step.error !== undefined;
}

/** Whether a scenario answers the request described by `ctx` (a predicate may throw). */
export function scenarioMatches(scenario: Scenario, ctx: TurnContext): boolean {
  return typeof scenario.match === 'string' ? ctx.firstUserText.includes(scenario.match) : scenario.match(ctx) === true;
}

/**
 * The scripted step of a scenario for this turn and attempt, or `undefined` when the turn is past
 * the script's end. A `turns` function is called (and may throw).
 */
export function scriptedStep(scenario: Scenario, ctx: TurnContext): ScriptedStep | undefined {
  if (typeof scenario.turns === 'function') return scenario.turns(ctx);
  const entry = scenario.turns[ctx.turn];
  if (entry === undefined || !Array.isArray(entry)) return entry;
  return entry[Math.min(ctx.attempt, entry.length - 1)];
}
