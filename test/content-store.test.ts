import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { KeelClient } from '../client';
import { ScriptedModelServer } from '../scripted-model';
import {
  ContentCache,
  ContentNotFoundError,
  FileContentStore,
  InvalidContentRefError,
  InvalidContentTenantError,
  MAX_TENANT_CHARS,
  PostgresContentStore,
  PostgresDatabase,
  type ContentStore,
  type SqlDatabase,
} from '../store';
import { KEEL_SEARCH_ATTRIBUTE_KEYS } from '../workflows/api';
import { createKeelWorker } from '../workers/keel-worker';
import { TEST_DEFAULT_APPROVERS, testApproverKeys } from './support/approver-keys';
import { testServer, uniqueName } from './support/environment';
import { createTestAgent } from './support/fixture-agents';
import { TEST_DATABASE_URL } from './support/test-database';

const sha = (text: string) => `sha256:${createHash('sha256').update(text, 'utf8').digest('hex')}`;
/** A message with the reference taken out: what a caller learns beyond the reference it gave. */
const shape = (error: unknown, ref: string) => (error as Error).message.replace(ref, '<ref>');

const dirs: string[] = [];
const databases: SqlDatabase[] = [];
afterAll(async () => {
  for (const db of databases) await db.close().catch(() => undefined);
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `keel-content-${name}-`));
  dirs.push(dir);
  return dir;
}

/** Each kind of store, with a second instance on the same backing (another worker: a cold cache). */
const kinds: Array<[string, () => Promise<{ store: ContentStore; other: () => ContentStore }>]> = [
  [
    'PostgreSQL',
    async () => {
      const db = new PostgresDatabase(TEST_DATABASE_URL, { max: 2 });
      databases.push(db);
      const store = new PostgresContentStore(db);
      await store.migrate();
      await store.migrate(); // idempotent
      return { store, other: () => new PostgresContentStore(db) };
    },
  ],
  [
    'file',
    async () => {
      const dir = tempDir('files');
      return { store: new FileContentStore(dir), other: () => new FileContentStore(dir) };
    },
  ],
];

describe.each(kinds)('%s content store', (_kind, open) => {
  let store: ContentStore;
  let other: () => ContentStore;
  beforeAll(async () => {
    ({ store, other } = await open());
  });

  test('round trip; the same text twice gives the same reference, the SHA-256 of the text', async () => {
    const tenant = uniqueName('tenant');
    const text = `tool output ${uniqueName('t')} — ünïcödé, emoji 🦀, a NUL \u0000 and a newline\n`;
    const ref = await store.put(text, tenant);
    expect(ref).toBe(sha(text));
    expect(await store.put(text, tenant)).toBe(ref);
    expect(await store.get(ref, tenant)).toBe(text);
    expect(await other().get(ref, tenant)).toBe(text); // from the backing, not a cache
    expect(await store.put('', tenant)).toBe(sha(''));
    expect(await other().get(sha(''), tenant)).toBe('');
  });

  test("a tenant cannot read another tenant's content by its reference: it reads exactly as missing content", async () => {
    const a = uniqueName('acme');
    const b = uniqueName('globex');
    const text = `acme's secret ${uniqueName('s')}`;
    const ref = await store.put(text, a);
    const refusal = await store.get(ref, b).catch((e: unknown) => e);
    const coldRefusal = await other().get(ref, b).catch((e: unknown) => e);
    const never = sha(`never stored ${uniqueName('n')}`);
    const missing = await store.get(never, b).catch((e: unknown) => e);
    for (const error of [refusal, coldRefusal, missing]) expect(error).toBeInstanceOf(ContentNotFoundError);
    expect(shape(refusal, ref)).toBe(shape(missing, never));
    expect(shape(coldRefusal, ref)).toBe(shape(missing, never));
    expect((refusal as ContentNotFoundError).ref).toBe(ref);
    expect((refusal as Error).message).not.toContain(a);
    // Once B stores the same text itself it reads it, under the same reference; A still reads its own.
    expect(await store.put(text, b)).toBe(ref);
    expect(await other().get(ref, b)).toBe(text);
    expect(await other().get(ref, a)).toBe(text);
  });

  test('a reference that is not sha256:<64 hex> is a typed error naming it', async () => {
    for (const bad of ['sha256:abc', `md5:${'0'.repeat(64)}`, `sha256:${'A'.repeat(64)}`, '../../etc/passwd', `sha256:${'0'.repeat(64)}/../x`]) {
      const error = await store.get(bad, 'acme').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidContentRefError);
      expect((error as Error).message).toContain(JSON.stringify(bad));
    }
  });

  test(`the tenant is bounded: 1 to ${MAX_TENANT_CHARS} characters`, async () => {
    const longest = 't'.repeat(MAX_TENANT_CHARS);
    const ref = await store.put('bounded', longest);
    expect(await store.get(ref, longest)).toBe('bounded');
    for (const bad of ['', 't'.repeat(MAX_TENANT_CHARS + 1)]) {
      await expect(store.put('x', bad)).rejects.toThrow(InvalidContentTenantError);
      await expect(store.get(ref, bad)).rejects.toThrow(`content tenant must be 1 to ${MAX_TENANT_CHARS} characters, got ${bad.length}`);
    }
    await expect(store.get(ref, undefined as unknown as string)).rejects.toThrow('content tenant must be a string, got undefined');
  });
});

test('the same store on the embedded PostgreSQL (PGlite, in its own process): round trip, tenants apart, typed errors, bounded tenant', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', join(__dirname, 'support', 'pglite-content-store.ts'), join(tempDir('pglite'), 'data')], {
    cwd: join(__dirname, '..'),
  });
  const seen = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, { error?: string; message?: string; value?: unknown }> & { ref: string; never: string };
  expect(seen).toMatchObject({ ref: seen.expectedRef, again: seen.ref, roundTrip: true, rows: [{ tenant: 'acme', bytes: 63 }] });
  for (const key of ['otherTenant', 'otherTenantCold', 'missing']) expect(seen[key]!.error).toBe('ContentNotFoundError');
  expect(seen.otherTenant!.message!.replace(seen.ref, '<ref>')).toBe(seen.missing!.message!.replace(seen.never, '<ref>'));
  expect(seen.otherTenantCold!.message!.replace(seen.ref, '<ref>')).toBe(seen.missing!.message!.replace(seen.never, '<ref>'));
  expect(seen.badRef).toEqual({ error: 'InvalidContentRefError', message: 'content reference "sha256:abc" is not of the form sha256:<64 hex digits>' });
  expect(seen.longTenant).toEqual({ error: 'InvalidContentTenantError', message: `content tenant must be 1 to ${MAX_TENANT_CHARS} characters, got ${MAX_TENANT_CHARS + 1}` });
  expect(seen.longestTenant!.value).toMatch(/^sha256:/);
});

test('PostgreSQL keeps one row per tenant and text, whatever the retries', async () => {
  const db = new PostgresDatabase(TEST_DATABASE_URL, { max: 1 });
  databases.push(db);
  const store = new PostgresContentStore(db);
  await store.migrate();
  const text = `shared text ${uniqueName('r')}`;
  const tenants = [uniqueName('a'), uniqueName('b')];
  await Promise.all(tenants.flatMap((t) => [new PostgresContentStore(db).put(text, t), new PostgresContentStore(db).put(text, t), store.put(text, t)]));
  const { rows } = await db.query<{ tenant: string; bytes: number }>(`SELECT tenant, bytes FROM keel_content WHERE hash = $1 ORDER BY tenant`, [sha(text).slice(7)]);
  expect(rows).toEqual(tenants.sort().map((tenant) => ({ tenant, bytes: Buffer.byteLength(text) })));
});

test('the file store reads content written before it was scoped by tenant, unless told not to', async () => {
  const dir = tempDir('legacy');
  const text = `stored by an older Keel ${uniqueName('l')}`;
  const hex = sha(text).slice(7);
  mkdirSync(join(dir, hex.slice(0, 2)), { recursive: true });
  writeFileSync(join(dir, hex.slice(0, 2), hex), text);
  expect(await new FileContentStore(dir).get(sha(text), 'acme')).toBe(text);
  await expect(new FileContentStore(dir, { legacyUnscopedReads: false }).get(sha(text), 'acme')).rejects.toThrow(ContentNotFoundError);
  // New content goes to the tenant's own directory only.
  const fresh = await new FileContentStore(dir).put(`new ${text}`, 'acme');
  await expect(new FileContentStore(dir).get(fresh, 'globex')).rejects.toThrow(ContentNotFoundError);
});

test('the in-memory cache is bounded in entries and in characters, and keeps tenants apart', () => {
  const cache = new ContentCache(3, 10);
  cache.set('a', 'r1', '1234');
  cache.set('a', 'r2', '1234');
  expect(cache.get('b', 'r1')).toBeUndefined();
  expect(cache.get('a', 'r1')).toBe('1234'); // r1 now most recent
  cache.set('a', 'r3', '1234'); // 12 characters: the least recent (r2) goes
  expect([cache.get('a', 'r1'), cache.get('a', 'r2'), cache.get('a', 'r3')]).toEqual(['1234', undefined, '1234']);
  cache.set('a', 'big', '12345678901'); // longer than the whole cache: not kept
  expect(cache.get('a', 'big')).toBeUndefined();
  cache.set('a', 'r4', '1');
  cache.set('a', 'r5', '1');
  expect(cache.size).toBe(3);
});

describe('through real sessions (a worker with a database: content in PostgreSQL by default)', () => {
  const model = new ScriptedModelServer();
  let db: PostgresDatabase;
  let connection: Connection;
  let native: NativeConnection;
  let worker: Worker;
  let running: Promise<void>;
  let client: KeelClient;
  let temporal: Client;
  const taskQueue = uniqueName('content-store');

  beforeAll(async () => {
    delete process.env.KEEL_STORE_DIR;
    delete process.env.KEEL_AUDIT_LOG;
    await model.start();
    db = new PostgresDatabase(TEST_DATABASE_URL);
    connection = await Connection.connect({ address: testServer().address });
    native = await NativeConnection.connect({ address: testServer().address });
    temporal = new Client({ connection });
    worker = await createKeelWorker({
      connection: native,
      taskQueue,
      agents: [createTestAgent(db)],
      database: db,
      sharedToolCache: false,
      monitor: false,
      evaluation: false,
      approverKeys: testApproverKeys(),
      model: { baseURL: model.url, apiKey: 'test' },
      workflowBundle: { codePath: testServer().bundlePath },
      shutdownGraceTimeMs: 1000,
    });
    running = worker.run();
    client = await KeelClient.connect({ client: temporal, taskQueue, approvers: TEST_DEFAULT_APPROVERS, store: new PostgresContentStore(db) });
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await native?.close();
    await connection?.close();
    await db?.close();
    await model.stop();
  });

  /** Starts `agentSession` as continue-as-new would, with a carry-over the test chooses (a forged one). */
  const startWithCarry = (tenant: string, input: string, carry: Record<string, unknown>) =>
    temporal.workflow.start('agentSession', {
      taskQueue,
      workflowId: uniqueName('carried'),
      args: [{ agent: 'support', input, scope: { tenant, subjects: ['cus_ada'] }, approvers: TEST_DEFAULT_APPROVERS }, carry],
      typedSearchAttributes: [
        { key: KEEL_SEARCH_ATTRIBUTE_KEYS.agent, value: 'support' },
        { key: KEEL_SEARCH_ATTRIBUTE_KEYS.tenant, value: tenant },
      ],
    });

  test("a session of another tenant handed the first one's transcript reference cannot read it; the first tenant's own session can", async () => {
    const secret = `acme secret ${uniqueName('s')}`;
    const tag = uniqueName('first');
    // The scripted model matches the first user message: a continuation of this transcript is its second turn.
    model.addScenario({ name: tag, match: tag, turns: [{ text: 'noted' }, { text: 'continued' }] });
    const first = await client.startSession({ agent: 'support', input: `${tag} ${secret}`, scope: { tenant: 'acme', subjects: ['cus_ada'] } });
    const { transcriptRef } = await first.result();
    expect(transcriptRef).toMatch(/^sha256:[0-9a-f]{64}$/);
    // The worker stored it in PostgreSQL, under the session's tenant only.
    const { rows } = await db.query<{ tenant: string }>(`SELECT tenant FROM keel_content WHERE hash = $1`, [transcriptRef!.slice(7)]);
    expect(rows).toEqual([{ tenant: 'acme' }]);

    const handedTag = uniqueName('handed');
    const requestsWith = (text: string) => model.requests.filter((r) => JSON.stringify(r.body).includes(text));
    const globex = await startWithCarry('globex', `${handedTag} continue`, { transcriptRef });
    const refused = (await globex.result()) as { outcome: string; error?: { type: string; message: string } };
    expect(refused).toMatchObject({ outcome: 'failed', error: { type: 'ContentNotFoundError' } });
    expect(refused.error!.message).not.toContain(secret);
    expect(requestsWith(handedTag)).toEqual([]); // the model was never called: the transcript was not readable

    // The control: the same forged carry-over for the tenant that owns the transcript reads it.
    const ownTag = uniqueName('own');
    const acme = await startWithCarry('acme', `${ownTag} continue`, { transcriptRef });
    const own = await acme.result();
    expect({ outcome: own.outcome, output: own.output, error: own.error }).toMatchObject({ outcome: 'completed', output: 'continued' });
    expect(requestsWith(ownTag)).toHaveLength(1);
    expect(JSON.stringify(requestsWith(ownTag))).toContain(secret);
  });

  test("the client's trace() reads earlier runs as the session's tenant: another tenant's trace segment is not found", async () => {
    const segment = JSON.stringify([{ type: 'session_started', atMs: 1, marker: uniqueName('segment') }]);
    const ref = await new PostgresContentStore(db).put(segment, 'acme');
    const tag = uniqueName('trace');
    model.addScenario({ name: tag, match: tag, turns: [{ text: 'done' }, { text: 'done' }] });
    const asAcme = client.getSession((await startWithCarry('acme', `${tag} a`, { earlierTraces: [ref] })).workflowId);
    const asGlobex = client.getSession((await startWithCarry('globex', `${tag} b`, { earlierTraces: [ref] })).workflowId);
    expect(await asAcme.result()).toMatchObject({ outcome: 'completed' });
    await expect(asGlobex.result()).rejects.toThrow(); // its archive step cannot read the segment either
    expect(JSON.stringify((await asAcme.trace()).events)).toContain(JSON.parse(segment)[0].marker);
    await expect(asGlobex.trace()).rejects.toThrow(ContentNotFoundError);
  });
});
