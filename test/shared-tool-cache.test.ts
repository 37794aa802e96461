import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { defineAgent, type Agent } from '../core/agent';
import { defineTool, resourceTags, ToolDefinitionError, type AnyTool, type ToolContext } from '../core/tool';
import type { TraceEvent } from '../core/trace';
import { KeelMetrics } from '../metrics';
import { ScriptedModelServer } from '../scripted-model';
import { SharedToolCache, withScope, type SqlDatabase } from '../store';
import { createCrmTools } from '../tools';
import { createTestEnvironment, expectReplays, uniqueName, type TestEnvironment } from './support/environment';

/** Two tenants of this run (fresh names: the test database outlives runs, and so would cached entries). */
const run = randomUUID().slice(0, 8);
const tenantA = `cache-a-${run}`;
const tenantB = `cache-b-${run}`;

/** Real executions of each tool in each tenant, counted by the wrapped tools. */
const executions = new Map<string, number>();
const executed = (tool: string, tenant: string) => executions.get(`${tool}@${tenant}`) ?? 0;

/**
 * The CRM pack, each tool counting its executions; `update_draft` fails for a body starting with
 * FAIL (after nothing was written), and `get_order_briefly` is `get_order` with a 10-minute TTL.
 */
function countingAgent(db: SqlDatabase): Agent {
  const count = (tool: AnyTool, fail?: (input: { body?: string }) => boolean): AnyTool => ({
    ...tool,
    run: async (input: { body?: string }, context: ToolContext) => {
      executions.set(`${tool.name}@${context.scope.tenant}`, executed(tool.name, context.scope.tenant) + 1);
      if (fail?.(input)) throw new Error('the CRM refused the draft');
      return tool.run(input, context);
    },
  });
  const crm = createCrmTools(db);
  const getOrder: AnyTool = crm.find((t) => t.name === 'get_order')!;
  const briefly = defineTool({
    name: 'get_order_briefly',
    description: 'Get one order, cached for 10 minutes.',
    tier: 'read',
    cache: { ttlMs: 600_000, shared: true, resources: ({ orderId }) => [`order:${orderId}`] },
    input: z.object({ orderId: z.string() }),
    run: (input, context) => getOrder.run(input, context),
  });
  const tools = [...crm, briefly].map((tool) => count(tool, tool.name === 'update_draft' ? (i) => i.body?.startsWith('FAIL') ?? false : undefined));
  return defineAgent({ name: 'support', instructions: 'You are a test support agent.', tools });
}

let env: TestEnvironment;
let model: ScriptedModelServer;
let metrics: KeelMetrics;

beforeAll(async () => {
  model = new ScriptedModelServer();
  await model.start();
  env = await createTestEnvironment('shared-cache');
  await seed(env.db);
  metrics = new KeelMetrics();
  await env.startWorker({ agents: [countingAgent(env.db)], modelURL: model.url, metrics, sharedToolCache: {} });
});
afterAll(async () => {
  await env?.close();
  await model?.stop();
});

/** The same ids in both tenants, with different data. */
async function seed(db: SqlDatabase): Promise<void> {
  for (const [tenant, name] of [
    [tenantA, 'Ada of A'],
    [tenantB, 'Bea of B'],
  ] as const) {
    await db.transaction(async (tx) => {
      await tx.query(`SELECT set_config('keel.tenant', $1, true), set_config('keel.subjects', '', true)`, [tenant]);
      await tx.query(`INSERT INTO customers (tenant, id, name, email, plan) VALUES ($1, 'cus_1', $2, $3, 'pro'), ($1, 'cus_2', 'Second', $4, 'free')`, [
        tenant,
        name,
        `one@${tenant}.example`,
        `two@${tenant}.example`,
      ]);
      await tx.query(
        `INSERT INTO orders (tenant, id, customer_id, item, amount_cents, status, placed_on) VALUES ($1, 'ord_1', 'cus_1', $2, 1000, 'shipped', '2026-11-01')`,
        [tenant, `${name}'s parcel`],
      );
    });
  }
}

type Call = { name: string; input: Record<string, unknown> };

/** Runs one session that makes `turns` of tool calls, then answers with every tool result it saw. */
async function session(tenant: string, turns: Call[][], options: { subjects?: string[]; toolResultCache?: boolean } = {}) {
  const tag = uniqueName('shared');
  model.addScenario({
    name: tag,
    match: tag,
    turns: (ctx) => {
      if (ctx.turn < turns.length) return { toolCalls: turns[ctx.turn]! };
      const results = ctx.request.messages.flatMap((m) => (typeof m.content === 'string' ? [] : m.content)).filter((b) => b.type === 'tool_result');
      return { text: `seen: ${results.map((b) => (typeof b.content === 'string' ? b.content : JSON.stringify(b.content))).join(' | ')}` };
    },
  });
  const handle = await env.client.startSession({
    agent: 'support',
    input: tag,
    scope: { tenant, subjects: options.subjects ?? ['cus_1'] },
    ...(options.toolResultCache === false ? { toolResultCache: false } : {}),
  });
  const result = await handle.result();
  const calls = (await handle.trace()).events.filter((e): e is Extract<TraceEvent, { type: 'tool_call' }> => e.type === 'tool_call');
  return { handle, result, calls, id: handle.sessionId };
}

const lookup = (customer: string): Call => ({ name: 'lookup_customer', input: { customer } });

async function hitCount(tool: string, level: 'session' | 'shared'): Promise<number> {
  const metric = await metrics.toolCacheHits.get();
  return metric.values.find((v) => v.labels.tool === tool && v.labels.level === level)?.value ?? 0;
}

test("a cached read of one tenant is never served to another tenant's session, even with identical input", async () => {
  const a = await session(tenantA, [[lookup('cus_1')]]);
  expect(a.result.output).toContain('Ada of A');
  expect(executed('lookup_customer', tenantA)).toBe(1);

  const b = await session(tenantB, [[lookup('cus_1')]]);
  expect(b.result.output).toContain('Bea of B');
  expect(b.result.output).not.toContain('Ada of A');
  expect(executed('lookup_customer', tenantB)).toBe(1);
  expect(b.calls[0]).not.toHaveProperty('cacheHit');

  // The second wall: as the scoped role, a tenant's queries cannot see the other tenant's entries.
  const visible = await withScope(env.db, { tenant: tenantB, subjects: [] }, (tx) =>
    tx.query<{ tenant: string }>(`SELECT DISTINCT tenant FROM keel_tool_cache WHERE tenant IN ($1, $2)`, [tenantA, tenantB]),
  );
  expect(visible.rows.map((r) => r.tenant)).toEqual([tenantB]);
  await expect(
    withScope(env.db, { tenant: tenantB, subjects: [] }, (tx) =>
      tx.query(`INSERT INTO keel_tool_cache (tenant, key, partition, tool, result, expires_at) VALUES ($1, 'forged', '["cus_1"]', 'lookup_customer', '{}', now() + interval '1 hour')`, [
        tenantA,
      ]),
    ),
  ).rejects.toThrow(/row-level security/);
  for (const s of [a, b]) await expectReplays(env.temporal, s.id);
});

test('a second session of the same tenant and subjects gets a shared hit: the tool does not run', async () => {
  const before = executed('get_order', tenantA);
  const hitsBefore = await hitCount('get_order', 'shared');
  const first = await session(tenantA, [[{ name: 'get_order', input: { orderId: 'ord_1' } }]]);
  expect(executed('get_order', tenantA)).toBe(before + 1);
  expect(first.calls[0]).not.toHaveProperty('cacheHit');

  // The second session reads it twice: from the shared cache, then from its own session cache.
  const read = { name: 'get_order', input: { orderId: 'ord_1' } };
  const second = await session(tenantA, [[read], [read]]);
  expect(executed('get_order', tenantA)).toBe(before + 1);
  expect(second.calls.map((c) => [c.cacheHit ?? false, c.cache])).toEqual([
    [true, 'shared'],
    [true, 'session'],
  ]);
  expect(second.result.output).toContain("Ada of A's parcel");
  expect(second.calls[0]!.outputRef).toBe(first.calls[0]!.outputRef);
  expect(await hitCount('get_order', 'shared')).toBe(hitsBefore + 1);
  expect(await hitCount('get_order', 'session')).toBeGreaterThanOrEqual(1);

  // Other subjects in the same tenant are another partition: the call runs (and is refused there).
  const other = await session(tenantA, [[read]], { subjects: ['cus_2'] });
  expect(executed('get_order', tenantA)).toBe(before + 2);
  expect(other.calls[0]).toMatchObject({ ok: false, error: { kind: 'ScopeViolationError' } });

  // A session that turned tool-result caching off runs every call.
  const off = await session(tenantA, [[read], [read]], { toolResultCache: false });
  expect(executed('get_order', tenantA)).toBe(before + 4);
  expect(off.calls.every((c) => c.cacheHit === undefined)).toBe(true);
  for (const s of [first, second, other, off]) await expectReplays(env.temporal, s.id);
});

test('a successful write invalidates the tags it declares in its tenant; a failing write invalidates nothing', async () => {
  const customer = lookup('cus_2');
  const scope = { subjects: ['cus_2'] };
  await session(tenantA, [[customer]], scope);
  await session(tenantB, [[customer]], scope);
  const [a0, b0] = [executed('lookup_customer', tenantA), executed('lookup_customer', tenantB)];
  const cached = await session(tenantA, [[customer]], scope);
  expect(cached.calls[0]).toMatchObject({ cacheHit: true, cache: 'shared' });

  const failing = await session(tenantA, [[{ name: 'update_draft', input: { customerId: 'cus_2', body: 'FAIL please' } }]], scope);
  expect(failing.calls[0]).toMatchObject({ ok: false });
  const stillCached = await session(tenantA, [[customer]], scope);
  expect(stillCached.calls[0]).toMatchObject({ cacheHit: true, cache: 'shared' });
  expect(executed('lookup_customer', tenantA)).toBe(a0);

  const write = await session(tenantA, [[{ name: 'update_draft', input: { customerId: 'cus_2', body: 'Hello' } }]], scope);
  expect(write.calls[0]).toMatchObject({ ok: true });
  const afterWrite = await session(tenantA, [[customer]], scope);
  expect(afterWrite.calls[0]).not.toHaveProperty('cacheHit');
  expect(executed('lookup_customer', tenantA)).toBe(a0 + 1);
  expect(await metrics.toolCacheInvalidations.get()).toMatchObject({ values: [expect.objectContaining({ labels: { agent: 'support', tool: 'update_draft' }, value: 1 })] });

  // The other tenant's entry for the same customer id was left alone.
  const otherTenant = await session(tenantB, [[customer]], scope);
  expect(otherTenant.calls[0]).toMatchObject({ cacheHit: true, cache: 'shared' });
  expect(executed('lookup_customer', tenantB)).toBe(b0);
  for (const s of [cached, failing, stillCached, write, afterWrite, otherTenant]) await expectReplays(env.temporal, s.id);
});

test('an expired entry is not served (TTL checked with the database clock) and is replaced', async () => {
  const read = { name: 'get_order_briefly', input: { orderId: 'ord_1' } };
  const first = await session(tenantB, [[read]]);
  const hit = await session(tenantB, [[read]]);
  expect(hit.calls[0]).toMatchObject({ cacheHit: true, cache: 'shared' });
  expect(executed('get_order_briefly', tenantB)).toBe(1);
  const ttl = `SELECT extract(epoch FROM expires_at - stored_at) AS seconds FROM keel_tool_cache WHERE tenant = $1 AND tool = 'get_order_briefly'`;
  // The two timestamps are taken a few microseconds apart.
  expect((await env.db.query<{ seconds: string }>(ttl, [tenantB])).rows.map((r) => Math.round(Number(r.seconds) * 1000) / 1000)).toEqual([600]);
  // Ten minutes pass on the database clock (the only clock the cache reads), without waiting for them.
  await env.db.query(`UPDATE keel_tool_cache SET stored_at = stored_at - interval '601 seconds', expires_at = expires_at - interval '601 seconds' WHERE tenant = $1 AND tool = 'get_order_briefly'`, [tenantB]);
  const expired = await session(tenantB, [[read]]);
  expect(expired.calls[0]).not.toHaveProperty('cacheHit');
  expect(executed('get_order_briefly', tenantB)).toBe(2);
  const { rows } = await env.db.query<{ live: boolean }>(`SELECT expires_at > now() AS live FROM keel_tool_cache WHERE tenant = $1 AND tool = 'get_order_briefly'`, [tenantB]);
  expect(rows).toEqual([{ live: true }]);
  for (const s of [first, hit, expired]) await expectReplays(env.temporal, s.id);
});

test('a read that raced a write is not stored: the store is refused when a tag was invalidated after the lookup', async () => {
  const cache = new SharedToolCache(env.db, { purgeEvery: 1 });
  const partition = { tenant: tenantA, subjects: ['cus_1'] };
  const input = { orderId: `ord_race_${run}` };
  const miss = await cache.lookup(partition, 'get_order', input);
  if (miss.hit) throw new Error('expected a miss');
  expect(await cache.invalidate(tenantA, [`order:${input.orderId}`])).toBe(0);
  const stale = { result: '{"status":"old"}', tags: [`order:${input.orderId}`], ttlMs: 60_000, readStartedAt: miss.readStartedAt };
  expect(await cache.store(partition, 'get_order', input, stale)).toBe(false);
  expect(await cache.lookup(partition, 'get_order', input)).toMatchObject({ hit: false });

  // A read that began after the invalidation is stored; the other tenant's and other subjects' lookups still miss.
  const fresh = await cache.lookup(partition, 'get_order', input);
  if (fresh.hit) throw new Error('expected a miss');
  expect(await cache.store(partition, 'get_order', input, { ...stale, readStartedAt: fresh.readStartedAt })).toBe(true);
  expect(await cache.lookup(partition, 'get_order', input)).toEqual({ hit: true, result: '{"status":"old"}' });
  expect(await cache.lookup({ tenant: tenantB, subjects: ['cus_1'] }, 'get_order', input)).toMatchObject({ hit: false });
  expect(await cache.lookup({ tenant: tenantA, subjects: [] }, 'get_order', input)).toMatchObject({ hit: false });
  expect(await cache.lookup({ tenant: tenantA, subjects: null }, 'get_order', input)).toMatchObject({ hit: false });

  // A write whose tags cannot be known drops the whole tenant's entries, and only that tenant's.
  const otherTenant = { tenant: tenantB, subjects: ['cus_1'] };
  const missB = await cache.lookup(otherTenant, 'get_order', input);
  if (missB.hit) throw new Error('expected a miss');
  expect(await cache.store(otherTenant, 'get_order', input, { ...stale, readStartedAt: missB.readStartedAt })).toBe(true);
  expect(await cache.invalidateAll(tenantA)).toBeGreaterThanOrEqual(1);
  expect(await cache.lookup(partition, 'get_order', input)).toMatchObject({ hit: false });
  expect(await cache.lookup(otherTenant, 'get_order', input)).toMatchObject({ hit: true });
});

test('declarations: only reads cache, only writes invalidate, tenant-wide sharing needs a tenant-scoped tool; bad tags are refused', () => {
  const base = { description: 'x', input: z.object({ id: z.string() }), run: async () => ({}) };
  expect(() => defineTool({ ...base, name: 'w', tier: 'write_reversible', cache: { ttlMs: 1000, shared: true } })).toThrow(ToolDefinitionError);
  expect(() => defineTool({ ...base, name: 'r', tier: 'read', invalidates: () => ['a'] })).toThrow(/only write tools/);
  expect(() => defineTool({ ...base, name: 's', tier: 'read', scope: 'subject', cache: { ttlMs: 1000, shared: 'tenant' } })).toThrow(/across subjects/);
  expect(() => defineTool({ ...base, name: 't', tier: 'read', cache: { ttlMs: 1000, resources: () => ['a'] } })).toThrow(/cache.shared/);
  expect(resourceTags(() => ['order:2', 'order:1', 'order:2'], {}, {})).toEqual(['order:1', 'order:2']);
  expect(resourceTags(() => [''], {}, {})).toBeNull();
  expect(resourceTags(() => ['x'.repeat(201)], {}, {})).toBeNull();
  expect(resourceTags(() => 'order:1' as unknown as string[], {}, {})).toBeNull();
  expect(
    resourceTags(() => {
      throw new Error('no id');
    }, {}, {}),
  ).toBeNull();
});
