import Anthropic, {
  APIError,
  BadRequestError,
  ContentTooLargeError,
  InternalServerError,
  OverloadedError,
  RateLimitError,
} from '@anthropic-ai/sdk';
import {
  loadScenarios,
  ScenarioValidationError,
  ScriptedModelServer,
  ServerNotStartedError,
  type TurnContext,
} from '../scripted-model';

const MODEL = 'claude-scripted-test';

/** A client of the real SDK pointed at the scripted server. */
function clientFor(server: ScriptedModelServer, maxRetries = 0): Anthropic {
  return new Anthropic({ apiKey: 'test-key', baseURL: server.url, maxRetries });
}

/** The error a promise rejects with (fails the test if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

function ask(client: Anthropic, messages: Anthropic.MessageParam[], extra: Partial<Anthropic.MessageCreateParamsNonStreaming> = {}) {
  return client.messages.create({ model: MODEL, max_tokens: 256, messages, ...extra });
}

describe('scripted model server', () => {
  const server = new ScriptedModelServer();
  let client: Anthropic;

  beforeAll(async () => {
    await server.start();
    client = clientFor(server);
  });
  afterAll(() => server.stop());

  it('plays a two-turn tool-use conversation through the real SDK', async () => {
    const seen: TurnContext[] = [];
    server.addScenario({
      name: 'weather',
      match: 'weather in Paris',
      turns: [{ text: 'Let me check.', toolCalls: [{ name: 'get_weather', input: { city: 'Paris' } }, { name: 'get_time', input: {}, id: 'toolu_fixed' }] }],
    });
    // A turns function sees each request's turn and tool results.
    server.addScenario({
      name: 'weather-answer',
      match: (ctx) => ctx.firstUserText.includes('forecast for Lyon'),
      turns: (ctx) => {
        seen.push(ctx);
        if (ctx.turn === 0) return { text: 'Checking.', toolCalls: [{ name: 'get_weather', input: { city: 'Lyon' } }] };
        return { text: `The weather: ${ctx.toolResults.map((r) => `${r.toolUseId}=${r.content}`).join(', ')}` };
      },
    });

    const first = await ask(client, [{ role: 'user', content: 'What is the weather in Paris?' }]);
    expect(first.model).toBe(MODEL);
    expect(first.role).toBe('assistant');
    expect(first.stop_reason).toBe('tool_use');
    expect(first.stop_sequence).toBeNull();
    expect(first.id).toMatch(/^msg_[0-9A-Za-z]{24}$/);
    expect(first.content).toHaveLength(3);
    expect(first.content[0]).toEqual({ type: 'text', text: 'Let me check.' });
    const [, call, fixed] = first.content;
    expect(call).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { city: 'Paris' } });
    expect(fixed).toMatchObject({ type: 'tool_use', id: 'toolu_fixed', name: 'get_time', input: {} });
    if (call?.type !== 'tool_use') throw new Error('expected a tool_use block');
    expect(call.id).toMatch(/^toolu_[A-Za-z0-9_-]+_0_0$/);

    // Same conversation again: same deterministic id.
    const again = await ask(client, [{ role: 'user', content: 'What is the weather in Paris?' }]);
    expect((again.content[1] as Anthropic.ToolUseBlock).id).toBe(call.id);

    // Past the last scripted turn: a 400 naming the scenario and the turn.
    const past = await rejection(
      ask(client, [
        { role: 'user', content: 'What is the weather in Paris?' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: '18°C' }] },
      ]),
    );
    expect(past).toBeInstanceOf(BadRequestError);
    expect((past as APIError).apiMessage).toBe('Scenario "weather" has no scripted turn 1 (it scripts 1 turn(s): turns 0 to 0)');

    // The function scenario sees the turn and the tool results of the last user message.
    const t0 = await ask(client, [{ role: 'user', content: 'Give me the forecast for Lyon' }]);
    const lyonCall = t0.content[1] as Anthropic.ToolUseBlock;
    const t1 = await ask(client, [
      { role: 'user', content: 'Give me the forecast for Lyon' },
      { role: 'assistant', content: t0.content },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: lyonCall.id, content: [{ type: 'text', text: 'rain' }], is_error: false }] },
    ]);
    expect(t1.stop_reason).toBe('end_turn');
    expect(t1.content).toEqual([{ type: 'text', text: `The weather: ${lyonCall.id}=rain` }]);
    expect(seen.map((ctx) => ctx.turn)).toEqual([0, 1]);
    expect(seen[1]?.toolResults).toEqual([{ toolUseId: lyonCall.id, content: 'rain', isError: false }]);
    expect(seen[1]?.firstUserText).toBe('Give me the forecast for Lyon');

    const log = server.requests.filter((r) => r.scenario === 'weather' || r.scenario === 'weather-answer');
    expect(log.map((r) => [r.scenario, r.turn, r.attempt, r.status])).toEqual([
      ['weather', 0, 0, 200],
      ['weather', 0, 1, 200],
      ['weather', 1, 0, 400],
      ['weather-answer', 0, 0, 200],
      ['weather-answer', 1, 0, 200],
    ]);
    expect(log[0]?.body.messages[0]?.content).toBe('What is the weather in Paris?');
  });

  it('reports scripted usage, or a deterministic estimate, and a request id', async () => {
    server.addScenario({
      name: 'usage',
      match: 'usage-check',
      turns: [[{ text: 'abcdefgh', usage: { input_tokens: 1234, output_tokens: 56 } }, { text: 'abcdefghi' }]],
    });
    const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'usage-check please' }]; // 18 characters
    const { data, response, request_id } = await ask(client, messages).withResponse();
    expect(data.usage).toMatchObject({ input_tokens: 1234, output_tokens: 56, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(request_id).toMatch(/^req_[0-9A-Za-z]{24}$/);

    // attempt 1 of the same request: estimated usage. Input: system (10) + user text (18) = 28 -> 7.
    const estimated = await ask(client, messages, { system: 'be brief!!' });
    expect(estimated.usage.input_tokens).toBe(7);
    expect(estimated.usage.output_tokens).toBe(3); // 'abcdefghi' = 9 characters -> ceil(9/4)
    expect(estimated.usage.cache_read_input_tokens).toBe(0);
  });

  it('answers by attempt: an error, then success on the retried request, per conversation', async () => {
    server.addScenario({
      name: 'flaky',
      match: 'flaky-',
      turns: [[{ error: { status: 500 } }, { text: 'second time lucky' }]],
    });
    const first = await rejection(ask(client, [{ role: 'user', content: 'flaky-A' }]));
    expect(first).toBeInstanceOf(InternalServerError);
    expect((first as APIError).status).toBe(500);
    expect((first as APIError).type).toBe('api_error');
    expect((first as APIError).apiMessage).toBe('Scenario "flaky", turn 0, attempt 0: scripted api_error (status 500)');

    // Another conversation has its own attempts.
    await expect(ask(client, [{ role: 'user', content: 'flaky-B' }])).rejects.toBeInstanceOf(InternalServerError);

    const retried = await ask(client, [{ role: 'user', content: 'flaky-A' }]);
    expect(retried.content).toEqual([{ type: 'text', text: 'second time lucky' }]);
    expect(server.requests.filter((r) => r.scenario === 'flaky').map((r) => [r.body.messages[0]?.content, r.attempt, r.status])).toEqual([
      ['flaky-A', 0, 500],
      ['flaky-B', 0, 500],
      ['flaky-A', 1, 200],
    ]);
  });

  it("lets the SDK's own retry recover from a 529 by itself", async () => {
    server.addScenario({
      name: 'overloaded',
      match: 'overload-me',
      turns: [[{ error: { status: 529, retryAfterSeconds: 0.02 } }, { text: 'back again' }]],
    });
    const message = await ask(clientFor(server, 2), [{ role: 'user', content: 'overload-me' }]);
    expect(message.content).toEqual([{ type: 'text', text: 'back again' }]);
    expect(server.requests.filter((r) => r.scenario === 'overloaded').map((r) => [r.attempt, r.status])).toEqual([
      [0, 529],
      [1, 200],
    ]);

    // Without retries the SDK surfaces the 529 as an OverloadedError with the API's error type.
    server.addScenario({ name: 'always-overloaded', match: 'always-busy', turns: [{ error: { status: 529 } }] });
    const error = await rejection(ask(client, [{ role: 'user', content: 'always-busy' }]));
    expect(error).toBeInstanceOf(OverloadedError);
    expect((error as APIError).status).toBe(529);
    expect((error as APIError).type).toBe('overloaded_error');
  });

  it('surfaces a scripted 400 as the SDK BadRequestError', async () => {
    server.addScenario({
      name: 'bad-request',
      match: 'please reject',
      turns: [{ error: { status: 400, message: 'prompt is too long: 300000 tokens > 200000 maximum' } }],
    });
    const error = await rejection(ask(client, [{ role: 'user', content: 'please reject this' }]));
    expect(error).toBeInstanceOf(BadRequestError);
    const apiError = error as BadRequestError;
    expect(apiError.status).toBe(400);
    expect(apiError.type).toBe('invalid_request_error');
    expect(apiError.apiMessage).toBe('prompt is too long: 300000 tokens > 200000 maximum');
    expect(apiError.requestID).toMatch(/^req_/);
  });

  it('sends retry-after with a 429', async () => {
    server.addScenario({ name: 'rate-limited', match: 'slow down', turns: [{ error: { status: 429, retryAfterSeconds: 7 } }] });
    const error = await rejection(ask(client, [{ role: 'user', content: 'slow down' }]));
    expect(error).toBeInstanceOf(RateLimitError);
    const apiError = error as RateLimitError;
    expect(apiError.status).toBe(429);
    expect(apiError.type).toBe('rate_limit_error');
    expect(apiError.headers?.get('retry-after')).toBe('7');
  });

  it('waits the scripted latency, and the default latency otherwise', async () => {
    server.addScenario({ name: 'slow', match: 'take your time', turns: [{ text: 'done', latencyMs: 150 }] });
    const started = Date.now();
    await ask(client, [{ role: 'user', content: 'take your time' }]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(145);
    expect(server.requests.at(-1)).toMatchObject({ scenario: 'slow', latencyMs: 150 });

    const lagging = new ScriptedModelServer({ defaultLatencyMs: 120, scenarios: [{ name: 'any', match: '', turns: [{ text: 'ok' }, { text: 'fast', latencyMs: 0 }] }] });
    await lagging.start();
    try {
      const t0 = Date.now();
      const reply = await ask(clientFor(lagging), [{ role: 'user', content: 'hi' }]);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(115);
      await ask(clientFor(lagging), [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: reply.content },
        { role: 'user', content: 'again' },
      ]);
      // A lower bound on real time holds on any machine; an upper one would not, so the fast answer is read from the server's record.
      expect(lagging.requests.map((r) => r.latencyMs)).toEqual([120, 0]);
    } finally {
      await lagging.stop();
    }
  });

  it('answers an unmatched request with a 400 naming the first user text, truncated', async () => {
    const text = `nobody scripted this ${'x'.repeat(300)}`;
    const error = await rejection(ask(client, [{ role: 'user', content: [{ type: 'text', text }] }]));
    expect(error).toBeInstanceOf(BadRequestError);
    const message = (error as APIError).apiMessage ?? '';
    expect(message).toContain('No scenario of the scripted model matches the first user message "nobody scripted this xxx');
    expect(message).toContain('…');
    expect(message.length).toBeLessThan(250);
    const logged = server.requests.at(-1);
    expect(logged?.scenario).toBeUndefined();
    expect(logged?.status).toBe(400);
  });

  it('keeps concurrent conversations apart', async () => {
    server.addScenario({
      name: 'crowd',
      match: 'crowd member',
      turns: [[{ error: { status: 529 } }, { text: 'served' }], { text: 'second turn' }],
    });
    const ids = Array.from({ length: 40 }, (_, i) => i);
    const firstTry = await Promise.allSettled(ids.map((i) => ask(client, [{ role: 'user', content: `crowd member ${i}` }])));
    expect(firstTry.every((r) => r.status === 'rejected')).toBe(true);
    const secondTry = await Promise.all(ids.map((i) => ask(client, [{ role: 'user', content: `crowd member ${i}` }])));
    expect(secondTry.every((m) => m.content[0]?.type === 'text' && m.content[0].text === 'served')).toBe(true);
    const turnTwo = await Promise.all(
      ids.map((i) =>
        ask(client, [
          { role: 'user', content: `crowd member ${i}` },
          { role: 'assistant', content: 'served' },
          { role: 'user', content: 'and then?' },
        ]),
      ),
    );
    expect(turnTwo.map((m) => (m.content[0] as Anthropic.TextBlock).text)).toEqual(ids.map(() => 'second turn'));
    expect(server.requests.filter((r) => r.scenario === 'crowd')).toHaveLength(120);
  });

  it('accepts large requests, and answers 413 over the size limit', async () => {
    server.addScenario({ name: 'big', match: 'big tool output', turns: [{ text: 'ok' }, { text: 'read it all' }] });
    const big = 'y'.repeat(12 * 1024 * 1024);
    const reply = await ask(client, [
      { role: 'user', content: 'big tool output' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_big', name: 'dump', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_big', content: big }] },
    ]);
    expect(reply.content).toEqual([{ type: 'text', text: 'read it all' }]);
    // 15 + 'dump' 4 + '{}' 2 + big
    expect(reply.usage.input_tokens).toBe(Math.ceil((15 + 4 + 2 + big.length) / 4));

    const small = new ScriptedModelServer({ maxRequestBytes: 1000, scenarios: [{ name: 'any', match: '', turns: [{ text: 'ok' }] }] });
    await small.start();
    try {
      const error = await rejection(ask(clientFor(small), [{ role: 'user', content: 'z'.repeat(5000) }]));
      expect(error).toBeInstanceOf(ContentTooLargeError);
      expect((error as APIError).status).toBe(413);
      expect((error as APIError).type).toBe('request_too_large');
    } finally {
      await small.stop();
    }
  });

  it('speaks the API error format for bad paths and bad requests', async () => {
    const post = (body: string, path = '/v1/messages') =>
      fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

    const notFound = await post('{}', '/v1/complete');
    expect(notFound.status).toBe(404);
    expect(await notFound.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
    expect(notFound.headers.get('request-id')).toMatch(/^req_/);

    const cases: Array<[string, string]> = [
      ['{"model":', 'not valid JSON'],
      [JSON.stringify({ max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }), 'model: Field required'],
      [JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'x' }] }), 'max_tokens: Field required'],
      [JSON.stringify({ model: MODEL, max_tokens: 5 }), 'messages: Field required'],
      [JSON.stringify({ model: MODEL, max_tokens: 5, messages: [{ role: 'system', content: 'x' }] }), 'messages.0.role'],
      [JSON.stringify({ model: MODEL, max_tokens: 5, stream: true, messages: [{ role: 'user', content: 'x' }] }), 'streaming is not supported'],
    ];
    for (const [body, expected] of cases) {
      const response = await post(body);
      expect(response.status).toBe(400);
      const json = (await response.json()) as { type: string; error: { type: string; message: string } };
      expect(json.type).toBe('error');
      expect(json.error.type).toBe('invalid_request_error');
      expect(json.error.message).toContain(expected);
    }

    // The SDK refuses stream:true itself only for streaming calls; the server's answer reaches it as a 400.
    const streamed = await rejection(ask(client, [{ role: 'user', content: 'x' }], { stream: true } as never));
    expect(streamed).toBeInstanceOf(BadRequestError);
  });

  it('loads JSON scenarios, and names the bad field of an invalid one', async () => {
    const scenarios = loadScenarios(
      JSON.stringify({
        scenarios: [
          {
            name: 'json-refund',
            match: 'refund order 42',
            turns: [{ toolCalls: [{ name: 'refund', input: { order: 42 } }] }, [{ error: { status: 529 } }, { text: 'Refunded.' }]],
          },
        ],
      }),
    );
    expect(scenarios).toHaveLength(1);
    const fromJson = new ScriptedModelServer({ scenarios });
    await fromJson.start();
    try {
      const jsonClient = clientFor(fromJson);
      const first = await ask(jsonClient, [{ role: 'user', content: 'please refund order 42' }]);
      expect(first.stop_reason).toBe('tool_use');
      const call = first.content[0] as Anthropic.ToolUseBlock;
      expect(call.input).toEqual({ order: 42 });
      const history: Anthropic.MessageParam[] = [
        { role: 'user', content: 'please refund order 42' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: 'ok' }] },
      ];
      await expect(ask(jsonClient, history)).rejects.toMatchObject({ status: 529 });
      expect((await ask(jsonClient, history)).content).toEqual([{ type: 'text', text: 'Refunded.' }]);
    } finally {
      await fromJson.stop();
    }

    const invalid = (json: unknown): ScenarioValidationError => {
      try {
        loadScenarios(typeof json === 'string' ? json : JSON.stringify(json));
      } catch (error) {
        if (error instanceof ScenarioValidationError) return error;
        throw error;
      }
      throw new Error('expected a ScenarioValidationError');
    };
    const badName = invalid({ scenarios: [{ name: 'a', match: 'x', turns: [{ text: 'ok' }, { toolCalls: [{ name: 7, input: {} }] }] }] });
    expect(badName.field).toBe('scenarios[0].turns[1].toolCalls[0].name');
    expect(badName.message).toContain('scenarios[0].turns[1].toolCalls[0].name');

    expect(invalid([{ name: 'a', match: 'x', turns: [[{ text: 'ok' }, { txet: 'typo' }]] }]).field).toBe('[0].turns[0][1]');
    expect(invalid([{ name: 'a', match: 'x', turns: [{ error: { status: 200 } }] }]).field).toBe('[0].turns[0].error.status');
    expect(invalid([{ name: 'a', match: 'x', turns: [{ text: 'x', error: { status: 500 } }] }]).field).toBe('[0].turns[0].text');
    expect(invalid({ scenarios: [{ name: 'a', turns: [{ text: 'x' }] }] }).field).toBe('scenarios[0].match');
    expect(invalid({ scenarios: [{ name: 'a', match: 'x', turns: [] }, { name: 'a', match: 'y', turns: [{}] }] }).field).toBe('scenarios[0].turns');
    expect(invalid('{ not json').field).toBe('(root)');
  });

  it('checks scenarios given in code, and guards its own state', async () => {
    expect(() => server.addScenario({ name: 'typo', match: 'x', turns: [{ stopReason: 'done' as never }] })).toThrow(
      /scenarios\[\d+\]\.turns\[0\]\.stopReason/,
    );
    server.addScenario({ name: 'sloppy-function', match: 'sloppy', turns: () => ({ text: 42 }) as never });
    const error = await rejection(ask(client, [{ role: 'user', content: 'sloppy' }]));
    expect(error).toBeInstanceOf(InternalServerError);
    expect((error as APIError).apiMessage).toMatch(/^Scenario "sloppy-function", turn 0, attempt 0: the turns function returned an invalid step: text: /);

    const idle = new ScriptedModelServer();
    expect(() => idle.url).toThrow(ServerNotStartedError);
    await idle.start();
    expect(idle.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await idle.stop();
    expect(() => idle.url).toThrow(ServerNotStartedError);
  });
});

describe('scripted model prompt caching', () => {
  const SONNET = 'claude-sonnet-scripted';
  const MINUTE = 60_000;
  /** `chars` characters of text made of `seed`; with `chars` a multiple of 4 it is exactly chars / 4 tokens. */
  const filler = (seed: string, chars: number): string => seed.repeat(Math.ceil(chars / seed.length)).slice(0, chars);
  const tokens = (chars: number): number => Math.ceil(chars / 4);
  const LONG_SYSTEM = filler('You are a careful support agent. ', 8000); // 2000 tokens

  let clock = 0;
  let server: ScriptedModelServer;
  let client: Anthropic;

  beforeEach(async () => {
    clock = 1_700_000_000_000;
    server = new ScriptedModelServer({
      now: () => clock,
      scenarios: [
        { name: 'tool-turn', match: 'look up customer', turns: [{ text: 'Looking.', toolCalls: [{ name: 'lookup', input: { id: 42 } }] }, { text: 'Found Ada.' }] },
        { name: 'scripted-usage', match: 'scripted usage', turns: [{ text: 'ok', usage: { input_tokens: 77, output_tokens: 5 } }] },
        { name: 'any', match: '', turns: () => ({ text: 'ok' }) },
      ],
    });
    await server.start();
    client = clientFor(server);
  });
  afterEach(() => server.stop());

  /** A request whose system prompt is one block carrying a breakpoint. */
  function withCachedSystem(question: string, options: { system?: string; model?: string; ttl?: '5m' | '1h' } = {}) {
    const cache_control: Anthropic.CacheControlEphemeral = options.ttl === undefined ? { type: 'ephemeral' } : { type: 'ephemeral', ttl: options.ttl };
    return client.messages.create({
      model: options.model ?? SONNET,
      max_tokens: 64,
      system: [{ type: 'text', text: options.system ?? LONG_SYSTEM, cache_control }],
      messages: [{ role: 'user', content: question }],
    });
  }

  const usageOf = (message: Anthropic.Message) => {
    const { input_tokens, cache_creation_input_tokens, cache_read_input_tokens, cache_creation } = message.usage;
    return { input_tokens, cache_creation_input_tokens, cache_read_input_tokens, cache_creation };
  };
  const split = (input: number, written: number, read: number, written1h = 0) => ({
    input_tokens: input,
    cache_creation_input_tokens: written,
    cache_read_input_tokens: read,
    cache_creation: { ephemeral_5m_input_tokens: written - written1h, ephemeral_1h_input_tokens: written1h },
  });

  it('writes a long system prompt on the first request and reads it on the next, per model and exact prefix', async () => {
    // 8000 + 16 characters: 2004 tokens, of which the system prompt's 2000 are written.
    const first = await withCachedSystem('first question??');
    expect(usageOf(first)).toEqual(split(4, 2000, 0));
    expect(server.requests.at(-1)?.usage).toEqual(first.usage);

    const second = await withCachedSystem('another question');
    expect(usageOf(second)).toEqual(split(4, 0, 2000));

    // One character changed in the prefix: a miss, written anew.
    const changed = await withCachedSystem('first question??', { system: `${LONG_SYSTEM.slice(0, -1)}!` });
    expect(usageOf(changed)).toEqual(split(4, 2000, 0));

    // Same prefix, another model: its own cache.
    const otherModel = await withCachedSystem('first question??', { model: 'claude-opus-scripted' });
    expect(usageOf(otherModel)).toEqual(split(4, 2000, 0));

    // Without a breakpoint nothing is read or written; the total is the same estimate as always.
    const plain = await ask(client, [{ role: 'user', content: 'first question??' }], { model: SONNET, system: LONG_SYSTEM });
    expect(usageOf(plain)).toEqual(split(2004, 0, 0));
  });

  it('does not cache a prefix shorter than the model minimum: 1024 tokens, 2048 for Haiku', async () => {
    const short = filler('Be brief. ', 4000); // 1000 tokens
    for (let i = 0; i < 2; i++) expect(usageOf(await withCachedSystem('question', { system: short }))).toEqual(split(1002, 0, 0));

    const medium = filler('Be thorough. ', 6000); // 1500 tokens: enough for Sonnet, not for Haiku
    for (const expected of [split(2, 1500, 0), split(2, 0, 1500)]) {
      expect(usageOf(await withCachedSystem('question', { system: medium }))).toEqual(expected);
    }
    for (let i = 0; i < 2; i++) {
      expect(usageOf(await withCachedSystem('question', { system: medium, model: 'claude-haiku-scripted' }))).toEqual(split(1502, 0, 0));
    }
  });

  it('expires an entry 5 minutes after its last use, or 1 hour with ttl 1h', async () => {
    expect(usageOf(await withCachedSystem('q1'))).toEqual(split(1, 2000, 0));
    clock += 4 * MINUTE + 59_000;
    expect(usageOf(await withCachedSystem('q2'))).toEqual(split(1, 0, 2000)); // a hit refreshes the TTL
    clock += 4 * MINUTE + 59_000;
    expect(usageOf(await withCachedSystem('q3'))).toEqual(split(1, 0, 2000));
    clock += 5 * MINUTE + 1;
    expect(usageOf(await withCachedSystem('q4'))).toEqual(split(1, 2000, 0)); // expired: written again

    const hourly = filler('Answer in French. ', 8000);
    expect(usageOf(await withCachedSystem('q1', { system: hourly, ttl: '1h' }))).toEqual(split(1, 2000, 0, 2000));
    clock += 59 * MINUTE;
    expect(usageOf(await withCachedSystem('q2', { system: hourly, ttl: '1h' }))).toEqual(split(1, 0, 2000));
    clock += 60 * MINUTE + 1;
    expect(usageOf(await withCachedSystem('q3', { system: hourly, ttl: '1h' }))).toEqual(split(1, 2000, 0, 2000));
  });

  it('refuses more than 4 breakpoints, a malformed one, and a 1h breakpoint after a 5m one, with a 400', async () => {
    const marked = (n: number, ttl?: '5m' | '1h'): Anthropic.TextBlockParam[] =>
      Array.from({ length: n }, (_, i) => ({ type: 'text', text: `part ${i}`, cache_control: ttl === undefined ? { type: 'ephemeral' } : { type: 'ephemeral', ttl } }));
    const logged = server.requests.length;

    const five = await rejection(client.messages.create({ model: SONNET, max_tokens: 10, system: marked(2), messages: [{ role: 'user', content: marked(3) }] }));
    expect(five).toBeInstanceOf(BadRequestError);
    expect((five as APIError).type).toBe('invalid_request_error');
    expect((five as APIError).apiMessage).toBe('A maximum of 4 blocks with cache_control may be provided. Found 5.');

    const badTtl = await rejection(
      client.messages.create({ model: SONNET, max_tokens: 10, messages: [{ role: 'user', content: [{ type: 'text', text: 'x', cache_control: { type: 'ephemeral', ttl: '2h' } as never }] }] }),
    );
    expect((badTtl as APIError).apiMessage).toBe("messages.0.content.0.cache_control.ttl: Input should be '5m' or '1h'");

    const order = await rejection(
      client.messages.create({ model: SONNET, max_tokens: 10, system: marked(1, '5m'), messages: [{ role: 'user', content: marked(1, '1h') }] }),
    );
    expect((order as APIError).apiMessage).toMatch(/^a ttl='1h' cache_control block must not come after a ttl='5m' cache_control block/);

    // Four are fine, 1h before 5m is fine; refused requests are not recorded.
    expect(server.requests).toHaveLength(logged);
    await client.messages.create({ model: SONNET, max_tokens: 10, system: marked(2, '1h'), messages: [{ role: 'user', content: marked(2, '5m') }] });
    expect(server.requests).toHaveLength(logged + 1);
  });

  it('caches tools, system and a growing conversation: each turn reads what the last one wrote and writes the new part', async () => {
    const tool = { name: 'lookup', description: filler('Looks a customer up by id. ', 4400), input_schema: { type: 'object' as const, properties: { id: { type: 'number' } } } };
    const tools: Anthropic.Tool[] = [{ ...tool, cache_control: { type: 'ephemeral' } }];
    const system: Anthropic.TextBlockParam[] = [{ type: 'text', text: LONG_SYSTEM, cache_control: { type: 'ephemeral' } }];
    const question = 'Please look up customer 42';
    const toolsChars = JSON.stringify(tool).length + 2; // the tool list as JSON, without the marker
    const systemChars = toolsChars + LONG_SYSTEM.length;

    // Turn 1: breakpoints on the tools, the system prompt and the question; all of it is written.
    const turn1Chars = systemChars + question.length;
    const t1 = await client.messages.create({
      model: SONNET,
      max_tokens: 100,
      tools,
      system,
      messages: [{ role: 'user', content: [{ type: 'text', text: question, cache_control: { type: 'ephemeral' } }] }],
    });
    expect(usageOf(t1)).toEqual(split(0, tokens(turn1Chars), 0));
    const call = t1.content[1] as Anthropic.ToolUseBlock;

    // Turn 2: the breakpoint moves to the tool result. The prefix up to the question (its marker gone,
    // its content the same) is read; the assistant turn and the tool result are written.
    const result = 'customer 42: Ada Lovelace, ada@example.com, 3 open orders';
    const history: Anthropic.MessageParam[] = [
      { role: 'user', content: [{ type: 'text', text: question }] },
      { role: 'assistant', content: t1.content },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: result, cache_control: { type: 'ephemeral' } }] },
    ];
    const turn2Chars = turn1Chars + 'Looking.'.length + 'lookup'.length + JSON.stringify({ id: 42 }).length + result.length;
    const t2 = await client.messages.create({ model: SONNET, max_tokens: 100, tools, system, messages: history });
    expect(t2.content).toEqual([{ type: 'text', text: 'Found Ada.' }]);
    expect(usageOf(t2)).toEqual(split(0, tokens(turn2Chars) - tokens(turn1Chars), tokens(turn1Chars)));

    // The same turn again reads it all.
    expect(usageOf(await client.messages.create({ model: SONNET, max_tokens: 100, tools, system, messages: history }))).toEqual(split(0, 0, tokens(turn2Chars)));

    // Another tool_choice invalidates the cached messages, not the tools and system prompt.
    const forced = await client.messages.create({ model: SONNET, max_tokens: 100, tools, system, messages: history, tool_choice: { type: 'any' } });
    expect(usageOf(forced)).toEqual(split(0, tokens(turn2Chars) - tokens(systemChars), tokens(systemChars)));

    // Automatic caching: a top-level cache_control marks the last block.
    const plainHistory: Anthropic.MessageParam[] = [{ role: 'user', content: `${question} (automatic)` }];
    const auto1 = await client.messages.create({ model: SONNET, max_tokens: 100, tools, system, messages: plainHistory, cache_control: { type: 'ephemeral' } });
    const autoChars = systemChars + question.length + ' (automatic)'.length;
    expect(usageOf(auto1)).toEqual(split(0, tokens(autoChars) - tokens(systemChars), tokens(systemChars)));
    const auto2 = await client.messages.create({ model: SONNET, max_tokens: 100, tools, system, messages: plainHistory, cache_control: { type: 'ephemeral' } });
    expect(usageOf(auto2)).toEqual(split(0, 0, tokens(autoChars)));
  });

  it('looks back 20 blocks before a breakpoint for an earlier cached prefix', async () => {
    const system: Anthropic.TextBlockParam[] = [{ type: 'text', text: LONG_SYSTEM, cache_control: { type: 'ephemeral' } }];
    const opening: Anthropic.TextBlockParam = { type: 'text', text: 'first message, 32 characters....' };
    const marked = (block: Anthropic.TextBlockParam): Anthropic.TextBlockParam => ({ ...block, cache_control: { type: 'ephemeral' } });
    const notes = (n: number): Anthropic.TextBlockParam[] => Array.from({ length: n }, (_, i) => ({ type: 'text', text: `note ${String(i).padStart(3, '0')}` })); // 8 characters each
    const send = (target: Anthropic, content: Anthropic.TextBlockParam[]) =>
      target.messages.create({ model: SONNET, max_tokens: 10, system, messages: [{ role: 'user', content }] });

    await send(client, [marked(opening)]); // writes the prefix ending at the opening block (2008 tokens)
    // 20 blocks later: found by looking back from the new breakpoint.
    expect(usageOf(await send(client, [opening, ...notes(19), marked({ type: 'text', text: 'last....' })]))).toEqual(split(0, 40, 2008));
    // 25 blocks later: out of reach; only the system prompt is read.
    expect(usageOf(await send(client, [opening, ...notes(24), marked({ type: 'text', text: 'end.....' })]))).toEqual(split(0, 58, 2000));

    // cacheLookbackBlocks: Infinity finds it at any distance.
    const unbounded = new ScriptedModelServer({ cacheLookbackBlocks: Infinity, scenarios: [{ name: 'any', match: '', turns: () => ({ text: 'ok' }) }] });
    await unbounded.start();
    try {
      await send(clientFor(unbounded), [marked(opening)]);
      expect(usageOf(await send(clientFor(unbounded), [opening, ...notes(24), marked({ type: 'text', text: 'end.....' })]))).toEqual(split(0, 50, 2008));
    } finally {
      await unbounded.stop();
    }
  });

  it('reports a scripted input_tokens as given, while the cache is still written; keeps a bounded number of entries', async () => {
    const scripted = await withCachedSystem('scripted usage, please');
    expect(scripted.usage).toMatchObject({ ...split(77, 0, 0), output_tokens: 5 });
    expect(usageOf(await withCachedSystem('an estimated one'))).toEqual(split(4, 0, 2000));

    const small = new ScriptedModelServer({ maxCacheEntries: 2, scenarios: [{ name: 'any', match: '', turns: () => ({ text: 'ok' }) }] });
    await small.start();
    try {
      const smallClient = clientFor(small);
      const send = (system: string) =>
        smallClient.messages.create({ model: SONNET, max_tokens: 10, system: [{ type: 'text', text: system, cache_control: { type: 'ephemeral' } }], messages: [{ role: 'user', content: 'q' }] });
      const prompts = ['A', 'B', 'C'].map((seed) => filler(`${seed} system prompt `, 8000));
      for (const prompt of prompts) expect((await send(prompt)).usage.cache_creation_input_tokens).toBe(2000);
      expect((await send(prompts[2]!)).usage.cache_read_input_tokens).toBe(2000);
      expect((await send(prompts[0]!)).usage.cache_read_input_tokens).toBe(0); // evicted, least recently used
    } finally {
      await small.stop();
    }
  });
});
