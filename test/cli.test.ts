import { runCli } from '../client/cli';
import { testServer, uniqueName, sessionSuite } from './support/environment';
import { createTestAgent } from './support/fixture-agents';
import { testKeyFile, type TestPerson } from './support/approver-keys';

const keyFile = (person: TestPerson) => testKeyFile(person, testServer().dir);

const suite = sessionSuite('cli', (db) => [createTestAgent(db)]);

async function keel(...args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const code = await runCli([...args, '--address', testServer().address, '--task-queue', suite.env.taskQueue], (l) => lines.push(l));
  return { code, out: lines.join('\n') };
}

test('keel start, result, status and trace drive a session', async () => {
  const tag = uniqueName('cli');
  suite.model.addScenario({
    name: tag,
    match: tag,
    turns: (ctx) => (ctx.turn < 3 ? { toolCalls: [{ name: 'get_order', input: { orderId: 'ord_1001' } }] } : { text: 'done' }),
  });
  const sessionId = uniqueName('cli-session');
  const started = await keel('start', '--agent', 'support', '--tenant', 'acme', '--subject', 'cus_ada', '--input', tag, '--session-id', sessionId, '--approver', 'ops');
  expect(started).toEqual({ code: 0, out: `started ${sessionId}` });

  const result = await keel('result', sessionId);
  expect(JSON.parse(result.out)).toMatchObject({ outcome: 'completed', output: 'done', usage: { toolCalls: 3 } });
  expect(JSON.parse((await keel('status', sessionId)).out)).toMatchObject({ state: 'completed', tenant: 'acme' });
  const trace = JSON.parse((await keel('trace', sessionId)).out) as { events: Array<{ type: string }> };
  expect(trace.events.filter((e) => e.type === 'tool_call')).toHaveLength(3);
});

test('keel escalation resume decides a tripped session', async () => {
  const tag = uniqueName('cli-escalation');
  suite.model.addScenario({
    name: tag,
    match: tag,
    turns: (ctx) => (ctx.turn < 2 ? { toolCalls: [{ name: 'get_order', input: { orderId: 'ord_1001' } }] } : { text: 'done' }),
  });
  const session = await suite.env.client.startSession({ agent: 'support', input: tag, scope: { tenant: 'acme', subjects: [] }, limits: { maxToolCalls: 1 } });
  for (let i = 0; i < 100 && (await session.status()).state !== 'escalated'; i++) await new Promise((r) => setTimeout(r, 100));
  const escalationId = (await session.status()).escalation!.requestId;
  expect(await keel('escalation', 'resume', session.sessionId, '--key', keyFile('ops'), '--tool-calls', '1')).toEqual({
    code: 0,
    out: `accepted: resume ${escalationId} by ops`,
  });
  expect(await session.result()).toMatchObject({ outcome: 'completed', usage: { toolCalls: 2 } });
});

test('bad command lines name what is wrong', async () => {
  await expect(keel('escalation', 'resume', 'some-session')).rejects.toThrow('--key KEY.json is required');
  await expect(keel('escalation', 'resume', 'some-session', '--key', '/nonexistent/key.json')).rejects.toThrow('no approver key at /nonexistent/key.json');
  await expect(keel('escalation', 'resume', 'some-session', '--key', keyFile('ops'), '--tool-calls', 'lots')).rejects.toThrow(
    '--tool-calls must be a whole number, got "lots"',
  );
  await expect(keel('start', '--agent', 'support')).rejects.toThrow('keel start needs --agent, --tenant and --input');
  await expect(keel('frobnicate')).rejects.toThrow('unknown command "frobnicate"');
});

test('keel approve and keel reject decide pending write_critical calls', async () => {
  const tag = uniqueName('cli-approve');
  suite.model.addScenario({
    name: tag,
    match: tag,
    turns: (ctx) =>
      ctx.turn === 0
        ? {
            toolCalls: [
              { name: 'process_payment', input: { orderId: 'ord_1001', kind: 'refund', amountCents: 100 } },
              { name: 'process_payment', input: { orderId: 'ord_1002', kind: 'refund', amountCents: 200 } },
            ],
          }
        : { text: ctx.toolResults.map((r) => (r.isError ? 'rejected' : 'paid')).join(',') },
  });
  const session = await suite.env.client.startSession({ agent: 'support', input: tag, scope: { tenant: 'acme', subjects: ['cus_ada'] } });
  let pending = (await session.status()).pendingApprovals;
  for (let i = 0; i < 100 && pending.length < 2; i++) {
    await new Promise((r) => setTimeout(r, 100));
    pending = (await session.status()).pendingApprovals;
  }
  // A refusal is answered at once and exits non-zero.
  expect(await keel('approve', session.sessionId, pending[0]!.requestId, '--key', keyFile('mallory'))).toEqual({
    code: 1,
    out: 'refused: "mallory" is not an approver of this session',
  });
  expect(await keel('approve', session.sessionId, pending[0]!.requestId, '--key', keyFile('alice'))).toEqual({
    code: 0,
    out: `accepted: approve ${pending[0]!.requestId} by alice`,
  });
  await expect(keel('reject', session.sessionId, pending[1]!.requestId, '--key', keyFile('alice'))).rejects.toThrow('keel reject needs --reason');
  expect((await keel('reject', session.sessionId, pending[1]!.requestId, '--key', keyFile('alice'), '--reason', 'too much')).code).toBe(0);
  expect(await session.result()).toMatchObject({ outcome: 'completed', output: 'paid,rejected', usage: { toolCalls: 2 } });
  const { events } = await session.trace();
  expect(events.filter((e) => e.type === 'approval_decided').map((e) => e.type === 'approval_decided' && e.decision)).toEqual(['approved', 'rejected']);
});
