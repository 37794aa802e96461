import type { SessionHandle } from '../client';
import { testKey } from './support/approver-keys';
import { readFileSync } from 'node:fs';
import { withScope, type AuditEntry } from '../store';
import { expectReplays, sessionSuite, uniqueName, createTestEnvironment, type TestEnvironment } from './support/environment';
import { createTestAgent } from './support/fixture-agents';
import { spawnWorkerProcess } from './support/worker-process-handle';

const acme = { tenant: 'acme', subjects: ['cus_ada'] };
const suite = sessionSuite('governance', (db) => [createTestAgent(db)]);

/** Rows of a table whose idempotency key belongs to the session (read as the owner, under the tenant). */
async function rowsOf(env: TestEnvironment, table: 'payments' | 'drafts' | 'emails', sessionId: string) {
  const { rows } = await env.db.transaction(async (tx) => {
    await tx.query(`SELECT set_config('keel.tenant', 'acme', true), set_config('keel.subjects', '', true)`);
    return tx.query(`SELECT * FROM ${table} WHERE idempotency_key LIKE $1`, [`${sessionId}:%`]);
  });
  return rows;
}

async function approveAll(session: SessionHandle, count: number): Promise<void> {
  const approved = new Set<string>();
  for (let i = 0; i < 300 && approved.size < count; i++) {
    for (const pending of (await session.status()).pendingApprovals) {
      if (approved.has(pending.requestId)) continue;
      approved.add(pending.requestId);
      await session.approve(pending.requestId, { key: testKey('alice') });
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  if (approved.size < count) throw new Error(`only ${approved.size} of ${count} approvals were requested`);
}

test("row-level security keeps another tenant's rows out even when the query has no WHERE clause", async () => {
  const { rows } = await withScope(suite.env.db, { tenant: 'acme', subjects: [] }, (tx) => tx.query<{ id: string }>('SELECT id FROM customers'));
  expect(rows.map((r) => r.id).sort()).toEqual(['cus_ada', 'cus_alan']);
  const subject = await withScope(suite.env.db, acme, (tx) => tx.query<{ id: string }>('SELECT id FROM orders'));
  expect(subject.rows.map((r) => r.id).sort()).toEqual(['ord_1001', 'ord_1002']);
  await expect(
    withScope(suite.env.db, acme, (tx) =>
      tx.query(`INSERT INTO payments (tenant, order_id, kind, amount_cents, idempotency_key) VALUES ('globex', 'ord_2001', 'refund', 1, $1)`, [
        uniqueName('forged'),
      ]),
    ),
  ).rejects.toThrow(/row-level security/);
});

test("a model that asks for another tenant's customer gets nothing of theirs, and the attempt is traced and counted", async () => {
  const tag = uniqueName('cross-tenant');
  suite.model.addScenario({
    name: tag,
    match: tag,
    turns: [
      { toolCalls: [{ name: 'lookup_customer', input: { customer: 'grace@example.org' } }, { name: 'get_order', input: { orderId: 'ord_2001' } }] },
      { toolCalls: [{ name: 'list_orders', input: { customerId: 'cus_alan' } }] },
      { text: 'I cannot see that.' },
    ],
  });
  const session = await suite.env.client.startSession({ agent: 'support', input: tag, scope: acme });
  const result = await session.result();
  expect(result).toMatchObject({ outcome: 'completed', usage: { scopeViolations: 3 } });

  const reachedModel = JSON.stringify(suite.model.requests.filter((r) => r.scenario === tag).map((r) => r.body.messages));
  for (const foreign of ['Grace', 'COBOL', '99900', 'globex', 'Enigma', 'Alan']) expect(reachedModel).not.toContain(foreign);
  expect(reachedModel).toContain("in this session's scope");
  const { events } = await session.trace();
  const violations = events.filter((e) => e.type === 'scope_violation');
  expect(violations.map((e) => e.type === 'scope_violation' && e.tool)).toEqual(['lookup_customer', 'get_order', 'list_orders']);
  const outputs = events.filter((e) => e.type === 'tool_call').map((e) => (e.type === 'tool_call' ? e.outputPreview : ''));
  expect(outputs.join(' ')).not.toMatch(/Grace|COBOL/);
  await expectReplays(suite.env.temporal, session.sessionId);
});

test('the same intent twice in a session is applied once; in two sessions it is applied twice', async () => {
  const tag = uniqueName('same-intent');
  const refund = { name: 'process_payment', input: { orderId: 'ord_1002', kind: 'refund', amountCents: 500 } };
  const draft = { name: 'update_draft', input: { customerId: 'cus_ada', body: `draft ${tag}` } };
  suite.model.addScenario({
    name: tag,
    match: tag,
    turns: [{ toolCalls: [refund, draft] }, { toolCalls: [{ ...refund, input: { ...refund.input } }, draft] }, { text: 'done' }],
  });
  const sessions = await Promise.all([1, 2].map(() => suite.env.client.startSession({ agent: 'support', input: tag, scope: acme })));
  await Promise.all(sessions.map((s) => approveAll(s, 2)));
  for (const session of sessions) {
    expect(await session.result()).toMatchObject({ outcome: 'completed' });
    expect(await rowsOf(suite.env, 'payments', session.sessionId)).toHaveLength(1);
    const calls = (await session.trace()).events.filter((e) => e.type === 'tool_call');
    const payments = calls.filter((e) => e.type === 'tool_call' && e['gen_ai.tool.name'] === 'process_payment');
    expect(payments.map((e) => e.type === 'tool_call' && [e.ok, e.replayed ?? false])).toEqual([[true, false], [true, true]]);
    expect(payments[0]!.type === 'tool_call' && payments[1]!.type === 'tool_call' && payments[1]!.outputRef).toBe(
      payments[0]!.type === 'tool_call' && payments[0]!.outputRef,
    );
    const drafts = calls.filter((e) => e.type === 'tool_call' && e['gen_ai.tool.name'] === 'update_draft');
    expect(drafts.map((e) => e.type === 'tool_call' && (e.replayed ?? false))).toEqual([false, true]);
  }
  // Audited once per applied intent: who approved, what, input, result, session, time.
  const audit = readFileSync(suite.env.auditPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as AuditEntry);
  for (const session of sessions) {
    const mine = audit.filter((e) => e.sessionId === session.sessionId);
    expect(mine.map((e) => [e.tool, e.tier, e.approvedBy])).toEqual([
      ['process_payment', 'write_critical', 'alice'],
      ['update_draft', 'write_reversible', undefined],
    ]);
    expect(mine[0]).toMatchObject({ tenant: 'acme', input: { orderId: 'ord_1002', amountCents: 500 }, ok: true, resultRef: expect.stringMatching(/^sha256:/) });
    expect(Date.parse(mine[0]!.atIso)).not.toBeNaN();
  }
  // Two sessions, two refunds: the intent is per session.
  const keys = await Promise.all(sessions.map(async (s) => (await rowsOf(suite.env, 'payments', s.sessionId))[0]!.idempotency_key));
  expect(new Set(keys).size).toBe(2);
});

describe('a worker killed after a side effect was applied but before its activity completed', () => {
  let env: TestEnvironment;
  beforeAll(async () => {
    env = await createTestEnvironment('kill-effect');
  });
  afterAll(async () => env?.close());

  test.each([
    ['one payment', 'payments', { name: 'process_payment', input: { orderId: 'ord_1001', kind: 'refund', amountCents: 4900 } }],
    ['one e-mail', 'emails', { name: 'send_email', input: { to: 'ada@example.com', subject: 'Your refund', body: 'It is on its way.' } }],
    ['one record', 'drafts', { name: 'update_draft', input: { customerId: 'cus_ada', body: 'Draft after a crash' } }],
  ] as const)('the retry applies it once: %s', async (_what, table, call) => {
    const tag = uniqueName(`kill-after-${call.name}`);
    suite.model.addScenario({ name: tag, match: tag, turns: [{ text: 'Doing it.', toolCalls: [{ name: call.name, input: { ...call.input } }] }, { text: 'Done.' }] });
    const workerEnv = { KEEL_WORKER_TASK_QUEUE: env.taskQueue, KEEL_WORKER_MODEL_URL: suite.model.url, KEEL_STORE_DIR: env.storeDir };
    const stalling = await spawnWorkerProcess({ ...workerEnv, KEEL_WORKER_STALL_AFTER_EFFECT_MS: '60000' });
    const session = await env.client.startSession({ agent: 'support', input: tag, scope: acme, timeouts: { toolHeartbeatMs: 2000, toolMaxAttempts: 6 } });
    if (call.name !== 'update_draft') await approveAll(session, 1);
    for (let i = 0; i < 300 && (await rowsOf(env, table, session.sessionId)).length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await rowsOf(env, table, session.sessionId)).toHaveLength(1);
    await stalling.kill('SIGKILL');

    const healthy = await spawnWorkerProcess(workerEnv);
    try {
      expect(await session.result()).toMatchObject({ outcome: 'completed', output: 'Done.' });
      expect(await rowsOf(env, table, session.sessionId)).toHaveLength(1);
      const history = await session.workflow.fetchHistory();
      const attempts = (history.events ?? []).map((e) => e.activityTaskStartedEventAttributes?.attempt ?? 0);
      expect(Math.max(...attempts)).toBeGreaterThan(1); // the killed attempt was retried
      expect((await session.trace()).events.find((e) => e.type === 'tool_call')).toMatchObject({ ok: true, 'gen_ai.tool.name': call.name });
      await expectReplays(env.temporal, session.sessionId);
    } finally {
      await healthy.kill('SIGTERM');
    }
  }, 300_000);
});

test('tools that act on a subject are not offered to a session scoped to no subject', async () => {
  const tag = uniqueName('tool-scope');
  suite.model.addScenario({
    name: tag,
    match: tag,
    turns: [{ toolCalls: [{ name: 'update_draft', input: { customerId: 'cus_ada', body: 'hello' } }] }, { text: 'ok' }],
  });
  const session = await suite.env.client.startSession({ agent: 'support', input: tag, scope: { tenant: 'acme', subjects: [] } });
  await session.result();
  const [first, second] = suite.model.requests.filter((r) => r.scenario === tag);
  const offered = (first!.body.tools ?? []).map((t) => t.name);
  expect(offered).toEqual(expect.arrayContaining(['lookup_customer', 'process_payment', 'send_email']));
  expect(offered).not.toContain('update_draft');
  expect(offered).not.toContain('delete_record');
  expect(JSON.stringify(second!.body.messages.at(-1))).toContain('unknown tool \\"update_draft\\"');
  expect(await rowsOf(suite.env, 'drafts', session.sessionId)).toHaveLength(0);
});

test('a repeated read is served from the session cache, not pasted again, and a write clears the cache', async () => {
  const tag = uniqueName('tool-cache');
  const read = { name: 'get_order', input: { orderId: 'ord_1002' } };
  suite.model.addScenario({
    name: tag,
    match: tag,
    turns: [
      { toolCalls: [read, read] },
      { toolCalls: [{ name: 'update_draft', input: { customerId: 'cus_ada', body: `cache ${tag}` } }, read] },
      { text: 'done' },
    ],
  });
  const session = await suite.env.client.startSession({ agent: 'support', input: tag, scope: acme });
  expect(await session.result()).toMatchObject({ outcome: 'completed', usage: { toolCalls: 4 } });
  const calls = (await session.trace()).events.filter((e) => e.type === 'tool_call');
  expect(calls.map((e) => e.type === 'tool_call' && [e['gen_ai.tool.name'], e.cacheHit ?? false])).toEqual([
    ['get_order', false],
    ['get_order', true],
    ['update_draft', false],
    ['get_order', false],
  ]);
  const history = await session.workflow.fetchHistory();
  const tools = (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'runTool');
  expect(tools).toHaveLength(3);
  const second = JSON.stringify(suite.model.requests.filter((r) => r.scenario === tag)[1]!.body.messages.at(-1));
  expect(second.match(/Brass gear set/g)).toHaveLength(1);
  expect(second).toContain('Same result as tool call');
});
