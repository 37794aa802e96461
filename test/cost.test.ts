import { defineAgent } from '../core/agent';
import { sessionSuite, uniqueName } from './support/environment';
import { createTestAgent } from './support/fixture-agents';

/** A support agent with a realistic, long policy in its instructions (a few thousand tokens). */
const POLICY = Array.from({ length: 60 }, (_, i) => `Policy ${i + 1}: refunds for orders in state ${i % 3 ? 'delivered' : 'shipped'} follow rule ${i} of the handbook; always quote order ids and amounts exactly.`).join('\n');
const suite = sessionSuite('cost', (db) => {
  const base = createTestAgent(db);
  return [
    defineAgent({ name: 'support', instructions: `You are a support agent.\n${POLICY}`, tools: base.tools }),
    defineAgent({ name: 'routed', instructions: 'You are a support agent.', tools: base.tools, routing: { small: 'claude-haiku-5-5', frontier: 'claude-sonnet-5-5' } }),
  ];
});

test('prompt caching: later turns read the stable prefix from the cache, and the same session costs less', async () => {
  const tag = uniqueName('prompt-cache');
  suite.model.addScenario({
    name: tag,
    match: tag,
    turns: (ctx) =>
      ctx.turn < 4
        ? { toolCalls: [{ name: 'get_order', input: { orderId: ctx.turn % 2 ? 'ord_1001' : 'ord_1002' } }], usage: { output_tokens: 20 } }
        : { text: 'done', usage: { output_tokens: 10 } },
  });
  const run = async (promptCaching: boolean) => {
    const session = await suite.env.client.startSession({ agent: 'support', input: `${tag} ${promptCaching}`, scope: { tenant: 'acme', subjects: ['cus_ada'] }, promptCaching });
    return session.result();
  };
  const cached = await run(true);
  const plain = await run(false);
  expect(plain.usage).toMatchObject({ cacheReadTokens: 0, cacheWriteTokens: 0 });
  expect(cached.usage.cacheWriteTokens).toBeGreaterThan(0);
  expect(cached.usage.cacheReadTokens).toBeGreaterThan(cached.usage.inputTokens);
  // The same prompt, billed differently: every prompt token is counted once either way.
  const prompt = (u: typeof cached.usage) => u.inputTokens + u.cacheReadTokens + u.cacheWriteTokens;
  expect(Math.abs(prompt(cached.usage) - prompt(plain.usage))).toBeLessThanOrEqual(20);
  expect(cached.usage.costUsd).toBeLessThan(plain.usage.costUsd * 0.6);
  expect(cached.output).toBe(plain.output);
});

test('model routing: each step goes to the small or frontier model by its kind, a failing step moves up, and the trace says why', async () => {
  const tag = uniqueName('routing');
  // plan → read (follow-up) → failing read → after the failure → final answer on a read follow-up
  suite.model.addScenario({
    name: tag,
    match: tag,
    turns: (ctx) =>
      [
        { toolCalls: [{ name: 'get_order', input: { orderId: 'ord_1001' } }] },
        { toolCalls: [{ name: 'check_inventory', input: { sku: 'sku-1' } }] },
        { toolCalls: [{ name: 'get_order', input: { orderId: 'ord_1002' } }] },
        { text: 'Both orders are fine.' },
      ][ctx.turn] ?? { text: 'done' },
  });
  const start = (routing?: boolean) =>
    suite.env.client.startSession({ agent: 'routed', input: `${tag} ${routing}`, scope: { tenant: 'acme', subjects: ['cus_ada'] }, ...(routing === undefined ? {} : { routing }) });
  const routed = await start();
  const result = await routed.result();
  expect(result.outcome).toBe('completed');
  const calls = (await routed.trace()).events.filter((e) => e.type === 'model_call');
  expect(calls.map((e) => e.type === 'model_call' && [e['gen_ai.request.model'], e.routing?.tier])).toEqual([
    ['claude-sonnet-5-5', 'frontier'],
    ['claude-haiku-5-5', 'small'],
    ['claude-sonnet-5-5', 'frontier'],
    ['claude-haiku-5-5', 'small'],
  ]);
  expect(calls.map((e) => (e.type === 'model_call' ? e.routing?.reason : ''))).toEqual([
    'plans the task',
    'short follow-up on read results',
    'moved up: 1 failure in a row',
    'short follow-up on read results',
  ]);
  const models = suite.model.requests.filter((r) => JSON.stringify(r.body.messages[0]).includes(tag)).map((r) => r.body.model);
  expect(models).toEqual(['claude-sonnet-5-5', 'claude-haiku-5-5', 'claude-sonnet-5-5', 'claude-haiku-5-5']);

  // Routing off: the agent's model for every step, and the same answer.
  const pinned = await start(false);
  const pinnedResult = await pinned.result();
  expect(pinnedResult.output).toBe(result.output);
  const pinnedCalls = (await pinned.trace()).events.filter((e) => e.type === 'model_call');
  expect(new Set(pinnedCalls.map((e) => e.type === 'model_call' && e['gen_ai.request.model']))).toEqual(new Set(['claude-sonnet-5-5']));
  expect(pinnedResult.usage.costUsd).toBeGreaterThan(result.usage.costUsd);
});
