import { unmarked } from './support/marked-data';
import { testKey } from './support/approver-keys';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { SessionHandle } from '../client';
import type { PendingApproval } from '../core/approval';
import { expectReplays, testServer, uniqueName, sessionSuite } from './support/environment';
import { createTestAgent } from './support/fixture-agents';

const scope = { tenant: 'acme', subjects: ['cus_ada'] };
const suite = sessionSuite('approvals', (db) => [createTestAgent(db)]);

const refund = (orderId: string, amountCents: number) => ({ name: 'process_payment', input: { orderId, kind: 'refund', amountCents } });
/** Payments made by a session, from the payments table (the owner's view, every tenant). */
async function paymentsFor(sessionId: string) {
  const { rows } = await suite.env.db.transaction(async (tx) => {
    await tx.query(`SELECT set_config('keel.tenant', 'acme', true)`);
    return tx.query(`SELECT order_id AS "orderId", kind, amount_cents AS "amountCents" FROM payments WHERE idempotency_key LIKE $1 ORDER BY id`, [`${sessionId}:%`]);
  });
  return rows;
}

/** A model that proposes `calls` in one turn, then answers with what it was told. */
function proposes(tag: string, calls: Array<{ name: string; input: Record<string, unknown> }>) {
  suite.model.addScenario({
    name: tag,
    match: tag,
    turns: (ctx) =>
      ctx.turn === 0
        ? { text: 'The manual arrived damaged; refunding it.', toolCalls: calls }
        : { text: `results: ${ctx.toolResults.map((r) => (r.isError ? `error: ${unmarked(r.content)}` : 'ok')).join(' | ')}` },
  });
}

async function pendingApprovals(session: SessionHandle, count: number): Promise<PendingApproval[]> {
  for (let i = 0; i < 200; i++) {
    const status = await session.status();
    if (status.pendingApprovals.length >= count && status.state === 'awaiting_approval') return status.pendingApprovals;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no ${count} pending approvals: ${JSON.stringify(await session.status())}`);
}

test('a write_critical call waits without side effect, and one approval runs it exactly once', async () => {
  const tag = uniqueName('approve');
  proposes(tag, [refund('ord_1001', 4900)]);
  const session = await suite.env.client.startSession({ agent: 'support', input: tag, scope, approvers: ['alice', 'role:finance'] });
  const [pending] = await pendingApprovals(session, 1);
  expect(pending).toMatchObject({
    tool: 'process_payment',
    input: { orderId: 'ord_1001', kind: 'refund', amountCents: 4900 },
    reason: 'The manual arrived damaged; refunding it.',
  });
  expect(pending!.digest).toMatch(/^[0-9a-f]{64}$/);
  expect((await session.workflow.describe()).searchAttributes).toMatchObject({ KeelState: ['awaiting_approval'] });
  expect(await paymentsFor(session.sessionId)).toHaveLength(0);

  await session.approve(pending!.requestId, { key: testKey('mallory'), via: 'signal' }); // a trusted key, but not an approver
  await session.approve(pending!.requestId, { key: testKey('alice'), digest: 'f'.repeat(64), via: 'signal' }); // wrong input
  await session.approve(pending!.requestId, { key: testKey('bob'), note: 'ok', via: 'signal' }); // in role finance
  await session.approve(pending!.requestId, { key: testKey('alice'), digest: pending!.digest, via: 'signal' }); // repeated: changes nothing
  expect(await session.result()).toMatchObject({ outcome: 'completed', output: 'results: ok' });
  expect(await paymentsFor(session.sessionId)).toMatchObject([{ orderId: 'ord_1001', kind: 'refund', amountCents: 4900 }]);

  const { events } = await session.trace();
  const refused = events.filter((e) => e.type === 'signal_refused');
  expect(refused.map((e) => e.type === 'signal_refused' && e.approver)).toEqual(['mallory', 'alice', 'alice']);
  expect(refused[1]).toMatchObject({ reason: expect.stringContaining('does not match') });
  expect(refused[2]).toMatchObject({ reason: expect.stringContaining('already decided') });
  expect(events).toContainEqual(expect.objectContaining({ type: 'approval_decided', decision: 'approved', approver: 'bob' }));
  expect(events).toContainEqual(expect.objectContaining({ type: 'tool_call', tier: 'write_critical', ok: true }));
  await expectReplays(suite.env.temporal, session.sessionId);
});

test('a rejection never runs the call, and the model is told why', async () => {
  const tag = uniqueName('reject');
  proposes(tag, [refund('ord_1001', 4900)]);
  const session = await suite.env.client.startSession({ agent: 'support', input: tag, scope });
  const [pending] = await pendingApprovals(session, 1);
  await session.reject(pending!.requestId, 'outside the refund window', { key: testKey('alice') });
  const result = await session.result();
  expect(result.output).toContain('alice rejected it: outside the refund window');
  expect(await paymentsFor(session.sessionId)).toHaveLength(0);
  const seen = JSON.stringify(suite.model.requests.filter((r) => r.scenario === tag).at(-1)!.body.messages.at(-1));
  expect(seen).toContain('outside the refund window');
  await expectReplays(suite.env.temporal, session.sessionId);
});

test('an approval timeout counts as a rejection', async () => {
  const tag = uniqueName('timeout');
  proposes(tag, [refund('ord_1001', 4900)]);
  const session = await suite.env.client.startSession({ agent: 'support', input: tag, scope, approvalTimeoutMs: 1000 });
  const result = await session.result();
  expect(result.output).toContain('nobody approved it in time (timeout)');
  expect(await paymentsFor(session.sessionId)).toHaveLength(0);
  expect((await session.trace()).events).toContainEqual(expect.objectContaining({ type: 'approval_decided', decision: 'timeout' }));
});

test('parallel write_critical calls in one turn each wait for their own approval', async () => {
  const tag = uniqueName('parallel');
  proposes(tag, [refund('ord_1001', 4900), { name: 'get_order', input: { orderId: 'ord_1002' } }, refund('ord_1002', 12900)]);
  const session = await suite.env.client.startSession({ agent: 'support', input: tag, scope });
  const pending = await pendingApprovals(session, 2);
  expect(pending.map((p) => p.input.orderId)).toEqual(['ord_1001', 'ord_1002']);
  // Approving the second does not release the first.
  await session.approve(pending[1]!.requestId, { key: testKey('alice') }); // answered once the session took it
  expect(await paymentsFor(session.sessionId)).toHaveLength(0);
  expect((await session.status()).pendingApprovals.map((p) => p.requestId)).toEqual([pending[0]!.requestId]);
  await session.reject(pending[0]!.requestId, 'not this one', { key: testKey('alice') });
  const result = await session.result();
  expect(result.output).toMatch(/^results: error: .*not this one.* \| ok \| ok$/);
  expect(await paymentsFor(session.sessionId)).toMatchObject([{ orderId: 'ord_1002', amountCents: 12900 }]);
  await expectReplays(suite.env.temporal, session.sessionId);
});

test('an invalid write_critical input is never put to a human and goes back to the model', async () => {
  const tag = uniqueName('invalid-critical');
  proposes(tag, [{ name: 'process_payment', input: { orderId: 'ord_1001', kind: 'refund', amountCents: -5 } }]);
  const session = await suite.env.client.startSession({ agent: 'support', input: tag, scope });
  const result = await session.result();
  expect(result.output).toMatch(/results: error: invalid input for tool "process_payment": amountCents/);
  expect((await session.trace()).events.some((e) => e.type === 'approval_requested')).toBe(false);
});

test('an approval sent with the Temporal CLI works like one sent by KeelClient', async () => {
  const tag = uniqueName('cli-approve');
  proposes(tag, [refund('ord_1001', 100)]);
  const session = await suite.env.client.startSession({ agent: 'support', input: tag, scope, approvers: ['alice'] });
  const [pending] = await pendingApprovals(session, 1);
  const { address, cliPath } = testServer();
  const { statement } = await session.statement('approve', pending!.requestId, { key: testKey('alice') });
  await promisify(execFile)(cliPath, [
    'workflow', 'signal', '--address', address, '--workflow-id', session.sessionId, '--name', 'approve',
    '--input', JSON.stringify({ statement }),
  ]);
  expect(await session.result()).toMatchObject({ outcome: 'completed', output: 'results: ok' });
  expect(await paymentsFor(session.sessionId)).toHaveLength(1);
});

test('an approval pending when the session continues as new is decided in the next run and runs once', async () => {
  const tag = uniqueName('approval-across-runs');
  const reads = Array.from({ length: 40 }, (_, i) => ({ name: 'slow_step', input: { ms: 0, label: `read ${i}` } }));
  // One turn: 40 reads, then the refund; the session continues as new while the refund's approval is pending.
  proposes(tag, [...reads, refund('ord_1001', 4900)]);
  const session = await suite.env.client.startSession({ agent: 'support', input: tag, scope, maxHistoryEventsPerRun: 200, limits: { maxToolCalls: 100 } });
  const [pending] = await pendingApprovals(session, 1);
  expect((await session.status()).run).toBeGreaterThan(1);
  await session.approve(pending!.requestId, { key: testKey('alice') });
  const result = await session.result();
  expect(result.output).toBe(`results: ${[...reads.map(() => 'ok'), 'ok'].join(' | ')}`);
  expect(await paymentsFor(session.sessionId)).toHaveLength(1);
  const types = (await session.trace()).events.map((e) => e.type);
  const requested = types.indexOf('approval_requested');
  const decided = types.indexOf('approval_decided');
  expect(types.slice(requested, decided)).toContain('continued_as_new');
  await expectReplays(suite.env.temporal, session.sessionId);
});
