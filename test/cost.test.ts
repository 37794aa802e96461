import { defineAgent } from '../core/agent';
import { sessionSuite, uniqueName } from './support/environment';
import { createTestAgent } from './support/fixture-agents';

/** A support agent with a realistic, long policy in its instructions (a few thousand tokens). */
const POLICY = Array.from({ length: 60 }, (_, i) => `Policy ${i + 1}: refunds for orders in state ${i % 3 ? 'delivered' : 'shipped'} follow rule ${i} of the handbook; always quote order ids and amounts exactly.`).join('\n');
const suite = sessionSuite('cost', (db) => {
  const base = createTestAgent(db);
  return [defineAgent({ name: 'support', instructions: `You are a support agent.\n${POLICY}`, tools: base.tools })];
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
