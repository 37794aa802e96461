import { expectReplays, uniqueName, sessionSuite } from './support/environment';
import { createTestAgent, triageAgent } from './support/fixture-agents';

const scope = { tenant: 'acme', subjects: [] };
const suite = sessionSuite('contracts', (db) => [createTestAgent(db), triageAgent]);

test('a final answer that fails the schema gets a repair turn, and the valid one reaches the caller typed', async () => {
  const tag = uniqueName('repair');
  suite.model.addScenario({
    name: tag,
    match: tag,
    turns: [{ text: 'It is about billing, fairly urgent.' }, { text: '```json\n{"category":"billing","priority":2}\n```' }],
  });
  const session = await suite.env.client.startSession({ agent: 'triage', input: tag, scope });
  const result = await session.result();
  expect(result).toMatchObject({ outcome: 'completed', data: { category: 'billing', priority: 2 }, usage: { modelCalls: 2 } });
  const requests = suite.model.requests.filter((r) => r.scenario === tag);
  const system = requests[0]!.body.system;
  const systemText = typeof system === 'string' ? system : (system ?? []).map((block) => block.text).join('\n');
  expect(systemText).toContain('"priority":{"type":"integer","minimum":1,"maximum":5}');
  expect(JSON.stringify(requests[1]!.body.messages.at(-1))).toContain('does not satisfy the required schema');
  await expectReplays(suite.env.temporal, session.sessionId);
});

test('an answer that stays invalid ends the session invalid_output after the bounded repairs, with nothing invalid returned', async () => {
  const tag = uniqueName('invalid-output');
  suite.model.addScenario({ name: tag, match: tag, turns: (ctx) => ({ text: `{"category":"urgent","priority":${ctx.turn + 7}}` }) });
  const session = await suite.env.client.startSession({ agent: 'triage', input: tag, scope });
  const result = await session.result();
  expect(result).toMatchObject({ outcome: 'invalid_output', output: null, usage: { modelCalls: 3 }, error: { type: 'InvalidOutputError' } });
  expect(result.data).toBeUndefined();
  expect(result.error?.message).toMatch(/category.*priority/);
  const { events } = await session.trace();
  expect(events.filter((e) => e.type === 'output_rejected')).toHaveLength(3);
  await expectReplays(suite.env.temporal, session.sessionId);
});

test('a tool output that fails its schema reaches the model as an error, not as data', async () => {
  const tag = uniqueName('tool-output');
  suite.model.addScenario({
    name: tag,
    match: tag,
    turns: [{ toolCalls: [{ name: 'ticket_status', input: { ticket: 'T-1' } }] }, { text: '{"category":"other","priority":5}' }],
  });
  const session = await suite.env.client.startSession({ agent: 'triage', input: tag, scope });
  expect(await session.result()).toMatchObject({ outcome: 'completed', data: { category: 'other', priority: 5 } });
  const seen = JSON.stringify(suite.model.requests.filter((r) => r.scenario === tag).at(-1)!.body.messages.at(-1));
  expect(seen).toContain('returned output that fails its schema');
  expect(seen).not.toContain('exploded');
});
