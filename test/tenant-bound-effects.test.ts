import { runCli } from '../client/cli';
import { defineAgent } from '../core/agent';
import { intentKey } from '../core/intent';
import type { ToolResultView } from '../scripted-model';
import { createCrmTools } from '../tools';
import { expectReplays, sessionSuite, testServer, uniqueName } from './support/environment';
import { slowTool } from './support/fixture-agents';
import { unmarked } from './support/marked-data';

/** The CRM pack (reads and the write_reversible `update_draft`) and a filler read: no approvals involved. */
const suite = sessionSuite('tenant-bound-effects', (db) => [
  defineAgent({ name: 'crm-desk', instructions: 'You keep customer drafts.', tools: [...createCrmTools(db), slowTool] }),
]);

/** What the model was told by the tools of its last tool turn, per scenario (tag). */
const told = new Map<string, ToolResultView[]>();

/** A model that makes the calls of `turns` one turn after the other, then answers "done". */
function scripted(tag: string, turns: Array<Array<{ name: string; input: Record<string, unknown> }>>) {
  suite.model.addScenario({
    name: tag,
    match: tag,
    turns: (ctx) => {
      if (ctx.turn > 0) told.set(tag, ctx.toolResults.map((r) => ({ ...r, content: unmarked(r.content) })));
      return ctx.turn < turns.length ? { toolCalls: turns[ctx.turn]! } : { text: 'done' };
    },
  });
}

async function keel(...args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const code = await runCli([...args, '--address', testServer().address, '--task-queue', suite.env.taskQueue], (l) => lines.push(l));
  return { code, out: lines.join('\n') };
}

/**
 * A customer with the same id in each of `tenants` (written as the owner). The tests that add
 * customers use tenants of their own (`acme-…`, `globex-…`): suites share the database, and other
 * suites count the seeded tenants' customers.
 */
async function twinCustomer(tenants: string[]): Promise<string> {
  const id = uniqueName('cus_twin').replace(/-/g, '_');
  for (const tenant of tenants) {
    await suite.env.db.query(`INSERT INTO customers (tenant, id, name, email, plan) VALUES ($1, $2, $3, $4, 'free')`, [
      tenant,
      id,
      `Twin of ${tenant}`,
      `${id}@${tenant}.example`,
    ]);
  }
  return id;
}

/** The ledger's rows of a session id, oldest first (every tenant). */
async function ledgerRows(sessionId: string) {
  const { rows } = await suite.env.db.query<{ key: string; tenant: string | null; tool: string; status: string }>(
    `SELECT key, tenant, tool, status FROM keel_idempotency WHERE session_id = $1 ORDER BY created_at`,
    [sessionId],
  );
  return rows;
}

/** Drafts whose idempotency key belongs to the session id (the owner's view: every tenant). */
async function draftsOf(sessionId: string) {
  const { rows } = await suite.env.db.query<{ tenant: string; customer_id: string; body: string; idempotency_key: string }>(
    `SELECT tenant, customer_id, body, idempotency_key FROM drafts WHERE idempotency_key LIKE $1 ORDER BY tenant`,
    [`${sessionId}:%`],
  );
  return rows;
}

test("a session id reused by another tenant gets none of the first tenant's effects; reused by the same tenant, it is a new session", async () => {
  const tag = uniqueName('reused-id');
  const sessionId = uniqueName('shared-session');
  const [acme, globex] = [uniqueName('acme'), uniqueName('globex')];
  const customer = await twinCustomer([acme, globex]);
  const draft = { name: 'update_draft', input: { customerId: customer, body: `Your refund is on its way (${tag}).` } };
  scripted(tag, [[draft]]);

  // acme's session writes the draft.
  const first = await suite.env.client.startSession({ agent: 'crm-desk', input: tag, scope: { tenant: acme, subjects: [customer] } }, { sessionId });
  expect(await first.result()).toMatchObject({ outcome: 'completed', usage: { scopeViolations: 0 } });
  const acmeTold = told.get(tag)!;
  expect(acmeTold).toEqual([{ toolUseId: expect.any(String), isError: false, content: JSON.stringify({ saved: true, draft: { customerId: customer, body: draft.input.body } }) }]);
  const acmeKey = (await draftsOf(sessionId))[0]!.idempotency_key;
  expect(acmeKey).toMatch(new RegExp(`^${sessionId}:[0-9a-f]{32}:update_draft:[0-9a-f]{64}$`));

  // globex starts the same session id (keel start --session-id) with the same tool input: no replay of acme's result.
  told.delete(tag);
  const started = await keel('start', '--agent', 'crm-desk', '--tenant', globex, '--subject', customer, '--input', tag, '--session-id', sessionId, '--wait');
  expect(started.code).toBe(0);
  const globexResult = JSON.parse(started.out.slice(started.out.indexOf('\n{') + 1)) as { outcome: string; usage: { scopeViolations: number } };
  expect(told.get(tag)).toEqual([{ toolUseId: expect.any(String), isError: true, content: `this "update_draft" call is outside this session's scope` }]);
  expect(globexResult).toMatchObject({ outcome: 'completed', usage: { scopeViolations: 1 } });
  const globexTrace = await suite.env.client.getSession(sessionId).trace();
  expect(globexTrace.events.filter((e) => e.type === 'scope_violation').map((e) => e.type === 'scope_violation' && e.tool)).toEqual(['update_draft']);
  const globexCall = globexTrace.events.find((e) => e.type === 'tool_call');
  expect(globexCall).toMatchObject({ ok: false, error: { kind: 'ScopeViolationError' } });
  expect(globexCall).not.toHaveProperty('replayed');
  // Only acme's draft and acme's ledger row: nothing applied for globex, nothing of acme's handed over.
  expect(await draftsOf(sessionId)).toEqual([{ tenant: acme, customer_id: customer, body: draft.input.body, idempotency_key: acmeKey }]);
  expect(await ledgerRows(sessionId)).toEqual([{ key: acmeKey, tenant: acme, tool: 'update_draft', status: 'completed' }]);
  const { rows: globexDrafts } = await suite.env.db.query(`SELECT 1 FROM drafts WHERE tenant = $1 AND customer_id = $2`, [globex, customer]);
  expect(globexDrafts).toHaveLength(0);
  await expectReplays(suite.env.temporal, sessionId);

  // acme reuses the id later: a new session whose effect is its own (applied again, not replayed).
  told.delete(tag);
  const again = await suite.env.client.startSession({ agent: 'crm-desk', input: tag, scope: { tenant: acme, subjects: [customer] } }, { sessionId });
  expect(await again.result()).toMatchObject({ outcome: 'completed', usage: { scopeViolations: 0 } });
  expect(told.get(tag)).toEqual(acmeTold);
  const call = (await again.trace()).events.find((e) => e.type === 'tool_call');
  expect(call).toMatchObject({ ok: true, 'gen_ai.tool.name': 'update_draft' });
  expect(call).not.toHaveProperty('replayed');
  const rows = await ledgerRows(sessionId);
  expect(rows.map((r) => [r.tenant, r.status])).toEqual([[acme, 'completed'], [acme, 'completed']]);
  expect(rows[1]!.key).not.toBe(acmeKey);
  expect(await draftsOf(sessionId)).toEqual([{ tenant: acme, customer_id: customer, body: draft.input.body, idempotency_key: rows[1]!.key }]);
});

test("the model cannot tell another scope's id from a missing one: the same words, only the foreign one counted", async () => {
  const tag = uniqueName('foreign-or-missing');
  const missing = uniqueName('missing').replace(/-/g, '_');
  const body = `draft ${tag}`;
  // Each pair: the same tool on an id outside the session's scope, then on an id that does not exist.
  const pairs = [
    { name: 'lookup_customer', foreign: 'cus_grace', absent: `cus_${missing}`, input: (id: string) => ({ customer: id }), says: 'customer' },
    { name: 'list_orders', foreign: 'cus_grace', absent: `cus_${missing}`, input: (id: string) => ({ customerId: id }), says: 'customer' },
    { name: 'get_order', foreign: 'ord_2001', absent: `ord_${missing}`, input: (id: string) => ({ orderId: id }), says: 'order' },
    // Same tenant, another subject's customer (the session is scoped to cus_ada), through a write_reversible tool.
    { name: 'update_draft', foreign: 'cus_alan', absent: `cus_${missing}`, input: (id: string) => ({ customerId: id, body }), says: 'customer' },
  ];
  scripted(tag, [pairs.flatMap((p) => [{ name: p.name, input: p.input(p.foreign) }, { name: p.name, input: p.input(p.absent) }])]);
  const session = await suite.env.client.startSession({ agent: 'crm-desk', input: tag, scope: { tenant: 'acme', subjects: ['cus_ada'] } });
  expect(await session.result()).toMatchObject({ outcome: 'completed', usage: { scopeViolations: pairs.length } });

  const results = told.get(tag)!;
  expect(results).toHaveLength(pairs.length * 2);
  pairs.forEach((pair, i) => {
    const [foreign, absent] = [results[2 * i]!, results[2 * i + 1]!];
    expect([foreign.isError, absent.isError]).toEqual([true, true]);
    expect(foreign.content.replace(pair.foreign, '<id>')).toBe(absent.content.replace(pair.absent, '<id>'));
    expect(absent.content).toBe(`no ${pair.says} "${pair.absent}" in this session's scope`);
  });
  const { events } = await session.trace();
  expect(events.filter((e) => e.type === 'scope_violation').map((e) => e.type === 'scope_violation' && e.tool)).toEqual(pairs.map((p) => p.name));
  const kinds = events.flatMap((e) => (e.type === 'tool_call' ? [e.error?.kind] : []));
  expect(kinds).toEqual(pairs.flatMap(() => ['ScopeViolationError', 'tool_error']));
  await expectReplays(suite.env.temporal, session.sessionId);
});

test('the same call again in one session, across continue-as-new, is replayed from the ledger row of its tenant', async () => {
  const tag = uniqueName('same-call');
  const acme = uniqueName('acme');
  const customer = await twinCustomer([acme]);
  const draft = { name: 'update_draft', input: { customerId: customer, body: `Draft ${tag}` } };
  const reads = Array.from({ length: 60 }, (_, i) => ({ name: 'slow_step', input: { ms: 0, label: `read ${i}` } }));
  scripted(tag, [[draft, ...reads], [{ ...draft, input: { ...draft.input } }]]);
  const session = await suite.env.client.startSession({
    agent: 'crm-desk',
    input: tag,
    scope: { tenant: acme, subjects: [customer] },
    maxHistoryEventsPerRun: 200,
    limits: { maxToolCalls: 100 },
  });
  expect(await session.result()).toMatchObject({ outcome: 'completed', output: 'done' });
  const { events } = await session.trace();
  const types = events.map((e) => (e.type === 'tool_call' && e['gen_ai.tool.name'] === 'update_draft' ? 'update_draft' : e.type));
  expect(types.indexOf('continued_as_new')).toBeGreaterThan(types.indexOf('update_draft'));
  expect(types.lastIndexOf('update_draft')).toBeGreaterThan(types.indexOf('continued_as_new'));
  const drafts = events.filter((e) => e.type === 'tool_call' && e['gen_ai.tool.name'] === 'update_draft');
  expect(drafts.map((e) => e.type === 'tool_call' && [e.ok, e.replayed ?? false])).toEqual([[true, false], [true, true]]);
  const [firstKey, secondKey] = drafts.map((e) => (e.type === 'tool_call' ? e.idempotencyKey : undefined));
  expect(secondKey).toBe(firstKey);
  expect(await ledgerRows(session.sessionId)).toEqual([{ key: firstKey, tenant: acme, tool: 'update_draft', status: 'completed' }]);
  expect(await draftsOf(session.sessionId)).toHaveLength(1);
  await expectReplays(suite.env.temporal, session.sessionId);
});

test('keys are deterministic, bound to tenant and first run, start with the session id and stay bounded', () => {
  const input = { customerId: 'cus_ada', body: 'hi' };
  const acme = { tenant: 'acme', firstRunId: 'run-1' };
  const key = intentKey('s1', 'update_draft', input, acme);
  expect(key).toMatch(/^s1:[0-9a-f]{32}:update_draft:[0-9a-f]{64}$/);
  expect(intentKey('s1', 'update_draft', { body: 'hi', customerId: 'cus_ada' }, { ...acme })).toBe(key);
  expect(intentKey('s1', 'update_draft', input, { tenant: 'globex', firstRunId: 'run-1' })).not.toBe(key);
  expect(intentKey('s1', 'update_draft', input, { tenant: 'acme', firstRunId: 'run-2' })).not.toBe(key);
  // Tenant and run cannot be shifted into each other.
  expect(intentKey('s1', 'update_draft', input, { tenant: 'acme:run', firstRunId: '1' })).not.toBe(intentKey('s1', 'update_draft', input, { tenant: 'acme', firstRunId: 'run:1' }));
  // A session id of Temporal's maximum length (even in 4-byte characters): a bounded key that still tells ids apart.
  const long = '\u{1F600}'.repeat(999);
  const longKey = intentKey(`${long}a`, 'update_draft', input, acme);
  expect(longKey.startsWith('\u{1F600}'.repeat(64))).toBe(true);
  expect(Buffer.byteLength(longKey)).toBeLessThan(500);
  expect(intentKey(`${long}b`, 'update_draft', input, acme)).not.toBe(longKey);
});
