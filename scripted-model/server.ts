import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiErrorAnswer, errorTypeForStatus } from './api-error';
import { assistantTurns, fingerprint, firstUserText, lastToolResults, toolUseIds } from './conversation';
import { AttemptCounter } from './attempts';
import { ServerAlreadyStartedError, ServerNotStartedError } from './errors';
import { newRequestId } from './ids';
import type { MessageResponse, MessagesRequest, ResponseUsage } from './messages-api';
import { defaultMinCacheableTokens, layoutPrompt, PromptCache, type PromptLayout } from './prompt-cache';
import { renderReply } from './reply';
import { parseMessagesRequest, readBody } from './request-body';
import { isScriptedError, type Scenario, scenarioMatches, scriptedStep, type TurnContext } from './scenario';
import { stepIssues, validateScenario } from './scenario-schema';

/** Options of {@link ScriptedModelServer}. */
export interface ScriptedModelServerOptions {
  /** Scenarios to answer with, first match wins. More can be added with `addScenario`. @default [] */
  scenarios?: Scenario[];
  /** Interface to listen on. @default '127.0.0.1' */
  host?: string;
  /** Port to listen on; 0 picks a free port. @default 0 */
  port?: number;
  /** Delay before each scripted answer whose step has no `latencyMs`. @default 0 */
  defaultLatencyMs?: number;
  /** Largest request body accepted; larger ones get 413 `request_too_large`, as from the real API. @default 33554432 (32 MiB) */
  maxRequestBytes?: number;
  /** The clock of the prompt cache, in milliseconds; inject one to expire cache entries in tests. @default Date.now */
  now?: () => number;
  /** Most prompt cache entries kept (all models together); the least recently used go first. @default 4096 */
  maxCacheEntries?: number;
  /**
   * How many blocks before each cache breakpoint are checked for an earlier cached prefix, as the
   * API does ("about 20"). `Infinity` checks every earlier block. @default 20
   */
  cacheLookbackBlocks?: number;
  /**
   * The shortest prefix, in estimated tokens, cached for a model; shorter ones are neither read
   * nor written. @default 2048 for models whose name contains `haiku`, else 1024
   */
  minCacheableTokens?: (model: string) => number;
}

/** The defaults of {@link ScriptedModelServerOptions}, in one place. */
const DEFAULTS = {
  host: '127.0.0.1',
  port: 0,
  defaultLatencyMs: 0,
  maxRequestBytes: 32 * 1024 * 1024,
  now: Date.now,
  maxCacheEntries: 4096,
  cacheLookbackBlocks: 20,
  minCacheableTokens: defaultMinCacheableTokens,
} as const;

/** Longest part of the first user message quoted when no scenario matches. */
const QUOTE_LENGTH = 120;

/** One request answered by the server, in order of arrival. */
export interface RecordedRequest {
  /** The scenario that answered, or undefined when none matched. */
  scenario?: string;
  /** Number of assistant messages in the request. */
  turn: number;
  /** Attempt number of this exact request for its scenario (see {@link TurnContext.attempt}). */
  attempt: number;
  /** HTTP status of the answer. */
  status: number;
  /** The parsed request body. */
  body: MessagesRequest;
  /** The usage reported, for a successful answer: with the prompt cache's reads and writes. */
  usage?: ResponseUsage;
  /** How long the server waited before answering: the step's `latencyMs`, else the default latency. */
  latencyMs: number;
}

/** The decision for one valid request: the answer and how long to wait before sending it. */
type Answer = { status: number; body: MessageResponse } | { status: number; error: ApiErrorAnswer };

/**
 * An HTTP server that speaks the Anthropic Messages API (`POST /v1/messages`, non-streaming) and
 * answers from scenario scripts. Point the real SDK at it with `baseURL: server.url`.
 *
 * @example
 * ```ts
 * const server = new ScriptedModelServer({ scenarios: [{ name: 'hello', match: 'hello', turns: [{ text: 'Hi!' }] }] });
 * await server.start();
 * const client = new Anthropic({ apiKey: 'test', baseURL: server.url, maxRetries: 0 });
 * await client.messages.create({ model: 'claude-test', max_tokens: 100, messages: [{ role: 'user', content: 'hello' }] });
 * await server.stop();
 * ```
 */
export class ScriptedModelServer {
  private readonly scenarios: Scenario[] = [];
  private readonly attempts = new AttemptCounter();
  private readonly log: RecordedRequest[] = [];
  private readonly options: Required<Omit<ScriptedModelServerOptions, 'scenarios'>>;
  private readonly promptCache: PromptCache;
  private server: Server | undefined;
  private address: string | undefined;
  private shutdown = new AbortController();

  constructor(options: ScriptedModelServerOptions = {}) {
    this.options = {
      host: options.host ?? DEFAULTS.host,
      port: options.port ?? DEFAULTS.port,
      defaultLatencyMs: options.defaultLatencyMs ?? DEFAULTS.defaultLatencyMs,
      maxRequestBytes: options.maxRequestBytes ?? DEFAULTS.maxRequestBytes,
      now: options.now ?? DEFAULTS.now,
      maxCacheEntries: options.maxCacheEntries ?? DEFAULTS.maxCacheEntries,
      cacheLookbackBlocks: options.cacheLookbackBlocks ?? DEFAULTS.cacheLookbackBlocks,
      minCacheableTokens: options.minCacheableTokens ?? DEFAULTS.minCacheableTokens,
    };
    this.promptCache = new PromptCache({
      now: this.options.now,
      maxEntries: this.options.maxCacheEntries,
      lookbackBlocks: this.options.cacheLookbackBlocks,
      minCacheableTokens: this.options.minCacheableTokens,
    });
    for (const scenario of options.scenarios ?? []) this.addScenario(scenario);
  }

  /** Starts listening. @throws {@link ServerAlreadyStartedError} if it is already started */
  async start(): Promise<void> {
    if (this.server !== undefined) throw new ServerAlreadyStartedError(this.url);
    const server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        this.send(res, new ApiErrorAnswer(500, `Scripted model server failure: ${describe(error)}`));
      });
    });
    this.shutdown = new AbortController();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    const host = this.options.host.includes(':') ? `[${this.options.host}]` : this.options.host;
    this.server = server;
    this.address = `http://${host}:${port}`;
  }

  /** The base URL to give the SDK, e.g. `http://127.0.0.1:53211`. @throws {@link ServerNotStartedError} when not started */
  get url(): string {
    if (this.address === undefined) throw new ServerNotStartedError();
    return this.address;
  }

  /**
   * Adds a scenario, matched after those added before it (first match wins).
   * @throws {@link ScenarioValidationError} naming the bad field
   */
  addScenario(scenario: Scenario): void {
    validateScenario(scenario, `scenarios[${this.scenarios.length}]`);
    this.scenarios.push(scenario);
  }

  /**
   * Every valid request answered so far (or being answered), in order of arrival. Requests that
   * are not valid Messages API requests (bad JSON, missing fields, wrong path) are not recorded.
   */
  get requests(): ReadonlyArray<RecordedRequest> {
    return this.log;
  }

  /** Stops listening and closes every connection, keep-alive ones included; answers still waiting are dropped. */
  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    this.address = undefined;
    this.shutdown.abort();
    await new Promise<void>((resolve, reject) => {
      server.close((error) => (error === undefined ? resolve() : reject(error)));
      server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/v1/messages') {
      this.send(res, new ApiErrorAnswer(404, `Not found: ${req.method ?? 'GET'} ${path ?? '/'} (the scripted model serves POST /v1/messages)`));
      return;
    }
    if (req.method !== 'POST') {
      this.send(res, new ApiErrorAnswer(405, `Method ${req.method ?? ''} not allowed: use POST /v1/messages`), { allow: 'POST' });
      return;
    }
    let request: MessagesRequest;
    let layout: PromptLayout;
    try {
      request = parseMessagesRequest(await readBody(req, this.options.maxRequestBytes));
      layout = layoutPrompt(request);
    } catch (error) {
      if (error instanceof ApiErrorAnswer) {
        this.send(res, error);
        return;
      }
      throw error;
    }
    const { answer, latencyMs } = this.answer(request, layout);
    if (latencyMs > 0) {
      try {
        await sleep(latencyMs, undefined, { signal: this.shutdown.signal });
      } catch {
        return; // stopped while waiting
      }
    }
    this.send(res, 'error' in answer ? answer.error : answer.body);
  }

  /** Decides the answer to a valid request, records it, and says how long to wait. */
  private answer(request: MessagesRequest, layout: PromptLayout): { answer: Answer; latencyMs: number } {
    const messagesKey = fingerprint(request.messages);
    const base = {
      request,
      turn: assistantTurns(request.messages),
      toolResults: lastToolResults(request.messages),
      firstUserText: firstUserText(request.messages),
    };
    const record = (scenario: string | undefined, attempt: number, answer: Answer, latencyMs = 0): Answer => {
      this.log.push({
        ...(scenario === undefined ? {} : { scenario }),
        turn: base.turn,
        attempt,
        status: answer.status,
        body: request,
        ...('body' in answer ? { usage: answer.body.usage } : {}),
        latencyMs,
      });
      return answer;
    };
    const fail = (error: ApiErrorAnswer): Answer => ({ status: error.status, error });

    let index = -1;
    let ctx: TurnContext | undefined;
    for (const [i, scenario] of this.scenarios.entries()) {
      const candidate = { ...base, attempt: this.attempts.peek(`${i}:${messagesKey}`) };
      let matches: boolean;
      try {
        matches = scenarioMatches(scenario, candidate);
      } catch (error) {
        const attempt = this.attempts.take(`${i}:${messagesKey}`);
        return { answer: record(scenario.name, attempt, fail(new ApiErrorAnswer(500, `Scenario "${scenario.name}": its match function threw: ${describe(error)}`))), latencyMs: 0 };
      }
      if (matches) {
        index = i;
        ctx = candidate;
        break;
      }
    }
    const scenario = this.scenarios[index];
    if (scenario === undefined || ctx === undefined) {
      const attempt = this.attempts.take(`-:${messagesKey}`);
      const quoted = base.firstUserText.length > QUOTE_LENGTH ? `${base.firstUserText.slice(0, QUOTE_LENGTH)}…` : base.firstUserText;
      const message = `No scenario of the scripted model matches the first user message ${JSON.stringify(quoted)} (${this.scenarios.length} scenario(s) loaded)`;
      return { answer: record(undefined, attempt, fail(new ApiErrorAnswer(400, message))), latencyMs: 0 };
    }
    this.attempts.take(`${index}:${messagesKey}`);
    const where = `Scenario "${scenario.name}", turn ${ctx.turn}, attempt ${ctx.attempt}`;
    const done = (answer: Answer, latencyMs = 0) => ({ answer: record(scenario.name, ctx.attempt, answer, latencyMs), latencyMs });

    let step;
    try {
      step = scriptedStep(scenario, ctx);
    } catch (error) {
      return done(fail(new ApiErrorAnswer(500, `${where}: its turns function threw: ${describe(error)}`)));
    }
    if (typeof scenario.turns === 'function') {
      const issues = stepIssues(step);
      if (issues.length > 0) {
        const first = issues[0];
        return done(fail(new ApiErrorAnswer(500, `${where}: the turns function returned an invalid step: ${first?.field}: ${first?.message}`)));
      }
    }
    if (step === undefined) {
      const scripted = Array.isArray(scenario.turns) ? scenario.turns.length : 0;
      return done(fail(new ApiErrorAnswer(400, `Scenario "${scenario.name}" has no scripted turn ${ctx.turn} (it scripts ${scripted} turn(s): turns 0 to ${scripted - 1})`)));
    }
    const latencyMs = step.latencyMs ?? this.options.defaultLatencyMs;
    if (isScriptedError(step)) {
      const { status, type = errorTypeForStatus(status), message, retryAfterSeconds } = step.error;
      const error = new ApiErrorAnswer(status, message ?? `${where}: scripted ${type} (status ${status})`, {
        type,
        ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
      });
      return done(fail(error), latencyMs);
    }
    // Only a successful answer reads and writes the prompt cache, as on the API.
    const body = renderReply(step, {
      model: request.model,
      turn: ctx.turn,
      conversationKey: fingerprint(request.messages[0]).slice(0, 8),
      usedToolUseIds: toolUseIds(request.messages),
      prompt: this.promptCache.use(layout, request.model),
    });
    return done({ status: 200, body }, latencyMs);
  }

  /** Writes an answer with the Messages API's headers, unless the connection is already gone. */
  private send(res: ServerResponse, answer: MessageResponse | ApiErrorAnswer, headers: Record<string, string> = {}): void {
    if (res.headersSent || res.destroyed) return;
    const requestId = newRequestId();
    const isError = answer instanceof ApiErrorAnswer;
    const payload = JSON.stringify(isError ? answer.body(requestId) : answer);
    if (isError && answer.retryAfterSeconds !== undefined) headers['retry-after'] = String(answer.retryAfterSeconds);
    res.writeHead(isError ? answer.status : 200, {
      ...headers,
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
      'request-id': requestId,
    });
    res.end(payload);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
