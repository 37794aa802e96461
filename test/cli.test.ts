import { runCli } from '../client/cli';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestEnvironment, testServer, uniqueName, sessionSuite } from './support/environment';
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
  await expect(keel('start', '--agent', 'support')).rejects.toThrow('keel start needs --input, --tenant (or --request FILE.json with them)');
  await expect(keel('frobnicate')).rejects.toThrow('unknown command "frobnicate"; "keel help" lists them');
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

describe('a CLI for people', () => {
  test('every command has its own help; keel --help and keel help COMMAND exit 0', async () => {
    for (const command of ['start', 'status', 'trace', 'approve', 'reject', 'escalation', 'statement', 'keys', 'replay', 'eval', 'review', 'guard']) {
      const viaHelp = await keel('help', command);
      const viaFlag = await keel(command, '--help');
      expect(viaHelp.code).toBe(0);
      expect(viaHelp.out).toMatch(new RegExp(`^keel ${command}`));
      expect(viaFlag).toEqual(viaHelp);
    }
    expect((await keel('--help')).code).toBe(0);
    await expect(keel('help', 'frobnicate')).rejects.toThrow('unknown command "frobnicate"');
  });

  test('flags name what is wrong: a negative count, an unknown option, a typo in a request file', async () => {
    await expect(keel('escalation', 'resume', 'x', '--key', keyFile('ops'), '--tool-calls', '-5')).rejects.toThrow('--tool-calls: a value that starts with "-" needs "="');
    await expect(keel('escalation', 'resume', 'x', '--key', keyFile('ops'), '--tool-calls=-5')).rejects.toThrow('--tool-calls must be a whole number, got "-5"');
    await expect(keel('start', '--limits', '5')).rejects.toThrow('unknown option --limits');
    await expect(keel('start', '--agent', 'support', '--tenant', 'acme', '--input', 'x', '--max-tool-calls', 'many')).rejects.toThrow('--max-tool-calls must be a positive whole number, got "many"');
    const file = join(testServer().dir, `request-${process.pid}.json`);
    writeFileSync(file, JSON.stringify({ agent: 'support', input: 'x', scope: { tenant: 'acme' }, limits: { maxToolcalls: 5 } }));
    await expect(keel('start', '--request', file)).rejects.toThrow('limits: Unrecognized key: "maxToolcalls"');
  });

  test('a server that does not answer is named', async () => {
    const lines: string[] = [];
    await expect(runCli(['status', 'some-session', '--address', '127.0.0.1:1'], (l) => lines.push(l))).rejects.toThrow(
      /Temporal did not answer at 127\.0\.0\.1:1 \(namespace default\).*TEMPORAL_ADDRESS/,
    );
  });

  test('keel start --request with limit flags, and --wait shows the pending approval with the command that decides it', async () => {
    const tag = uniqueName('cli-wait');
    suite.model.addScenario({
      name: tag,
      match: tag,
      turns: (ctx) => (ctx.turn === 0 ? { toolCalls: [{ name: 'process_payment', input: { orderId: 'ord_1001', kind: 'refund', amountCents: 100 } }] } : { text: 'done' }),
    });
    const file = join(testServer().dir, `request-${tag}.json`);
    writeFileSync(file, JSON.stringify({ agent: 'support', input: tag, scope: { tenant: 'acme', subjects: ['cus_ada'] }, approvers: ['alice'] }));
    const sessionId = uniqueName('cli-wait-session');
    const lines: string[] = [];
    let decideLine: (line: string) => void = () => undefined;
    const printed = new Promise<string>((resolve) => (decideLine = resolve));
    const waiting = runCli(['start', '--request', file, '--max-tool-calls', '7', '--session-id', sessionId, '--wait', '--address', testServer().address, '--task-queue', suite.env.taskQueue], (l) => {
      lines.push(l);
      if (l.startsWith('  decide: keel approve')) decideLine(l);
    });
    const session = suite.env.client.getSession(sessionId);
    // The line itself is the event (or the command's end, when it never prints it).
    const pending = await Promise.race([printed, waiting.then((code) => `keel start exited ${code} without a decide line:\n${lines.join('\n')}`)]);
    expect(pending).toBe(`  decide: keel approve ${sessionId} apr-1-process_payment --key KEY.json   |   keel reject … --reason TEXT`);
    expect((await session.status()).limits.maxToolCalls).toBe(7);
    expect(await keel('approve', sessionId, 'apr-1-process_payment', '--key', keyFile('alice'))).toMatchObject({ code: 0 });
    expect(await waiting).toBe(0);
    expect(lines).toEqual(expect.arrayContaining([`started ${sessionId}`, 'state: awaiting_approval', expect.stringMatching(/^approval needed: process_payment /)]));
    expect(JSON.parse(lines.slice(lines.findIndex((l) => l.startsWith('{'))).join('\n'))).toMatchObject({ outcome: 'completed', output: 'done' });
  });

  test('keel trace of a finished session works with no worker running', async () => {
    const env = await createTestEnvironment('cli-no-worker');
    const tag = uniqueName('cli-no-worker');
    suite.model.addScenario({ name: tag, match: tag, turns: [{ toolCalls: [{ name: 'get_order', input: { orderId: 'ord_1001' } }] }, { text: 'shipped' }] });
    await env.startWorker({ agents: [createTestAgent(env.db)], modelURL: suite.model.url });
    const session = await env.client.startSession({ agent: 'support', input: tag, scope: { tenant: 'acme', subjects: ['cus_ada'] } });
    await session.result();
    await env.close(); // no worker polls this task queue any more
    const lines: string[] = [];
    const code = await runCli(['trace', session.sessionId, '--address', testServer().address, '--task-queue', env.taskQueue], (l) => lines.push(l));
    expect(code).toBe(0);
    const record = JSON.parse(lines.join('\n')) as { events: Array<{ type: string }>; outcome: string };
    expect(record.outcome).toBe('completed');
    expect(record.events.map((e) => e.type)).toEqual(expect.arrayContaining(['model_call', 'tool_call', 'session_ended']));
  });
});
