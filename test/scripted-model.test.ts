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

    const lagging = new ScriptedModelServer({ defaultLatencyMs: 120, scenarios: [{ name: 'any', match: '', turns: [{ text: 'ok' }, { text: 'fast', latencyMs: 0 }] }] });
    await lagging.start();
    try {
      const t0 = Date.now();
      const reply = await ask(clientFor(lagging), [{ role: 'user', content: 'hi' }]);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(115);
      const t1 = Date.now();
      await ask(clientFor(lagging), [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: reply.content },
        { role: 'user', content: 'again' },
      ]);
      expect(Date.now() - t1).toBeLessThan(100);
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
