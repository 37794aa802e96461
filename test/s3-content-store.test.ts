import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { KeelClient } from '../client';
import { ScriptedModelServer } from '../scripted-model';
import {
  ContentNotFoundError,
  FileContentStore,
  InvalidContentRefError,
  InvalidContentTenantError,
  PostgresContentStore,
  PostgresDatabase,
  FileAuditLog,
} from '../store';
import { ContentCorruptedError, ContentStoreUnavailableError, ContentTooLargeError } from '../store/content-store-errors';
import { ContentStoreConfigError, contentStoreFromEnv, contentStoreKindFromEnv, openContentStoreFromEnv } from '../store/content-store-from-env';
import { InvalidS3ContentStoreOptionsError, S3ContentStore, type S3ContentStoreOptions } from '../store/s3-content-store';
import { createKeelWorker } from '../workers/keel-worker';
import { TEST_DEFAULT_APPROVERS, testApproverKeys } from './support/approver-keys';
import { testServer, uniqueName } from './support/environment';
import { createTestAgent } from './support/fixture-agents';
import { startS3TestServer, type S3TestServer } from './support/s3-server';
import { TEST_DATABASE_URL } from './support/test-database';

// The AWS SDK's notice that its 2027 releases need Node 22 (Keel pins one that runs on Node 20).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

let server: S3TestServer;
let raw: S3Client;
const stores: S3ContentStore[] = [];

beforeAll(async () => {
  server = await startS3TestServer();
  raw = new S3Client({ endpoint: server.endpoint, region: server.region, forcePathStyle: true, credentials: server.credentials });
});

afterAll(async () => {
  for (const store of stores) store.close();
  raw?.destroy();
  await server?.stop();
});

/** A store on the test server under its own prefix (so tests never see each other's objects). */
function storeOn(options: Partial<S3ContentStoreOptions> = {}, on: S3TestServer = server): S3ContentStore {
  const store = new S3ContentStore({ bucket: on.bucket, endpoint: on.endpoint, region: on.region, credentials: on.credentials, prefix: `${uniqueName('t')}/`, ...options });
  stores.push(store);
  return store;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

async function keysUnder(prefix: string): Promise<string[]> {
  const listed = await raw.send(new ListObjectsV2Command({ Bucket: server.bucket, Prefix: prefix }));
  return (listed.Contents ?? []).map((o) => o.Key!).sort();
}

test('a text round-trips through the server, at <prefix><sha256(tenant)>/<sha256(text)>, read back by another store instance', async () => {
  const prefix = `${uniqueName('round-trip')}/`;
  const writer = storeOn({ prefix });
  const text = `Grüße, ${'ünïcödé ✓ '.repeat(2000)}`;
  const ref = await writer.put(text, 'acme');
  expect(ref).toBe(`sha256:${sha256(text)}`);

  const reader = storeOn({ prefix }); // no cache: the text comes from the server
  expect(await reader.get(ref, 'acme')).toBe(text);
  expect(await keysUnder(prefix)).toEqual([`${prefix}${sha256('acme')}/${sha256(text)}`]);
  const object = await raw.send(new GetObjectCommand({ Bucket: server.bucket, Key: `${prefix}${sha256('acme')}/${sha256(text)}` }));
  expect(await object.Body!.transformToString('utf-8')).toBe(text);
});

test('putting the same text again (other instances, conditional writes) gives the same reference and one object', async () => {
  const prefix = `${uniqueName('idempotent')}/`;
  const refs = [];
  for (let i = 0; i < 3; i++) refs.push(await storeOn({ prefix }).put('the same transcript', 'acme'));
  expect(new Set(refs).size).toBe(1);
  expect(await keysUnder(prefix)).toHaveLength(1);
  // The server does implement If-None-Match: * (so the store's writes above were conditional, and a
  // second writer was refused with 412 rather than overwriting).
  await expect(
    raw.send(new PutObjectCommand({ Bucket: server.bucket, Key: (await keysUnder(prefix))[0]!, Body: 'other bytes', IfNoneMatch: '*' })),
  ).rejects.toMatchObject({ name: 'PreconditionFailed' });
  expect(await storeOn({ prefix }).get(refs[0]!, 'acme')).toBe('the same transcript');
});

test("tenant B cannot read tenant A's reference: it reads the same as an unknown reference", async () => {
  const prefix = `${uniqueName('tenants')}/`;
  const store = storeOn({ prefix });
  const ref = await store.put('acme only: card ending 4242', 'acme');
  const other = storeOn({ prefix });
  const error = await other.get(ref, 'globex').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ContentNotFoundError);
  const unknownRef = `sha256:${'0'.repeat(64)}`;
  const unknown = await other.get(unknownRef, 'globex').catch((e: unknown) => e);
  expect(unknown).toBeInstanceOf(ContentNotFoundError);
  expect((error as Error).message.replace(ref, 'REF')).toBe((unknown as Error).message.replace(unknownRef, 'REF'));
  // The same store instance (whose cache holds acme's text) refuses globex too.
  await expect(store.get(ref, 'globex')).rejects.toThrow(ContentNotFoundError);
  // Globex storing the same text gets its own object; acme's is untouched.
  expect(await other.put('acme only: card ending 4242', 'globex')).toBe(ref);
  expect(await keysUnder(prefix)).toHaveLength(2);
  expect(await storeOn({ prefix }).get(ref, 'globex')).toBe('acme only: card ending 4242');
});

test('an unknown reference is ContentNotFoundError naming the reference and the store', async () => {
  const store = storeOn();
  const ref = `sha256:${sha256('never stored')}`;
  await expect(store.get(ref, 'acme')).rejects.toThrow(ContentNotFoundError);
  await expect(store.get(ref, 'acme')).rejects.toThrow(new RegExp(`${ref}.*s3://${server.bucket}/.* at ${server.endpoint.replace(/[.]/g, '\\.')}`));
});

test('a malformed reference or tenant is a typed error naming it, before any request', async () => {
  const store = storeOn();
  await expect(store.get('sha256:XYZ', 'acme')).rejects.toThrow(InvalidContentRefError);
  await expect(store.get('md5:abc', 'acme')).rejects.toThrow(/"md5:abc" is not of the form sha256:<64 hex digits>/);
  await expect(store.get(`sha256:${'a'.repeat(64)}/../x`, 'acme')).rejects.toThrow(InvalidContentRefError);
  await expect(store.put('text', '')).rejects.toThrow(InvalidContentTenantError);
  await expect(store.get(`sha256:${'a'.repeat(64)}`, 'x'.repeat(257))).rejects.toThrow(InvalidContentTenantError);
});

test('a text over the size bound is refused on put (nothing written) and on get', async () => {
  const prefix = `${uniqueName('bound')}/`;
  const small = storeOn({ prefix, maxContentBytes: 1024 });
  const error = await small.put('é'.repeat(600), 'acme').catch((e: unknown) => e); // 1200 UTF-8 bytes
  expect(error).toBeInstanceOf(ContentTooLargeError);
  expect((error as Error).message).toMatch(/1200 bytes is over the bound of 1024 bytes/);
  expect(await keysUnder(prefix)).toEqual([]);
  expect(await small.put('é'.repeat(512), 'acme')).toMatch(/^sha256:/); // exactly 1024 bytes

  const ref = await storeOn({ prefix }).put('x'.repeat(4096), 'acme');
  await expect(storeOn({ prefix, maxContentBytes: 1024 }).get(ref, 'acme')).rejects.toThrow(ContentTooLargeError);
});

test('an object altered outside Keel is ContentCorruptedError, never returned', async () => {
  const prefix = `${uniqueName('corrupt')}/`;
  const ref = await storeOn({ prefix }).put('the original', 'acme');
  await raw.send(new PutObjectCommand({ Bucket: server.bucket, Key: `${prefix}${sha256('acme')}/${ref.slice(7)}`, Body: 'tampered' }));
  await expect(storeOn({ prefix }).get(ref, 'acme')).rejects.toThrow(ContentCorruptedError);
});

test('wrong credentials are ContentStoreUnavailableError naming the endpoint and the refusal, not missing content', async () => {
  const prefix = `${uniqueName('credentials')}/`;
  const ref = await storeOn({ prefix }).put('stored with good credentials', 'acme');
  const wrongSecret = storeOn({ prefix, credentials: { ...server.credentials, secretAccessKey: 'not-the-secret' } });
  const onGet = await wrongSecret.get(ref, 'acme').catch((e: unknown) => e);
  expect(onGet).toBeInstanceOf(ContentStoreUnavailableError);
  expect(onGet).not.toBeInstanceOf(ContentNotFoundError);
  expect((onGet as Error).message).toContain(server.endpoint);
  expect((onGet as Error).message).toContain('SignatureDoesNotMatch');
  expect((onGet as ContentStoreUnavailableError).nonRetryable).toBe(false);
  await expect(wrongSecret.put('x', 'acme')).rejects.toThrow(ContentStoreUnavailableError);
  await expect(wrongSecret.check()).rejects.toThrow(ContentStoreUnavailableError);

  const unknownKey = storeOn({ prefix, credentials: { accessKeyId: 'AKIDONOTEXIST', secretAccessKey: 'x' } });
  await expect(unknownKey.get(ref, 'acme')).rejects.toThrow(/credentials were refused \(InvalidAccessKeyId/);
  await expect(storeOn({ prefix }).check()).resolves.toBeUndefined();
});

test('a bucket that does not exist is ContentStoreUnavailableError naming it', async () => {
  const store = storeOn({ bucket: 'no-such-bucket' });
  await expect(store.put('x', 'acme')).rejects.toThrow(/bucket no-such-bucket does not exist/);
  await expect(store.get(`sha256:${sha256('x')}`, 'acme')).rejects.toThrow(ContentStoreUnavailableError);
  await expect(store.check()).rejects.toThrow(/bucket no-such-bucket does not exist/);
});

test('a stopped server is ContentStoreUnavailableError (retryable), not ContentNotFoundError', async () => {
  const own = await startS3TestServer();
  const prefix = `${uniqueName('stopped')}/`;
  const ref = await storeOn({ prefix }, own).put('written before the stop', 'acme');
  const reader = storeOn({ prefix, maxAttempts: 2 }, own);
  expect(await reader.get(ref, 'acme')).toBe('written before the stop');
  await own.stop();
  const error = await storeOn({ prefix, maxAttempts: 2 }, own).get(ref, 'acme').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ContentStoreUnavailableError);
  expect((error as Error).message).toContain(`s3://${own.bucket}/${prefix} at ${own.endpoint} is unavailable: the server could not be reached`);
  await expect(reader.put('after the stop', 'acme')).rejects.toThrow(ContentStoreUnavailableError);
  // What it had read stays readable from its cache.
  expect(await reader.get(ref, 'acme')).toBe('written before the stop');
});

test('options that cannot work are refused, naming the option', () => {
  expect(() => new S3ContentStore({ bucket: '' })).toThrow(InvalidS3ContentStoreOptionsError);
  expect(() => new S3ContentStore({ bucket: 'b', prefix: 'p'.repeat(513) })).toThrow(/prefix is 513 characters/);
  expect(() => new S3ContentStore({ bucket: 'b', maxContentBytes: 0 })).toThrow(/maxContentBytes must be a positive integer/);
  expect(() => new S3ContentStore({ bucket: 'b', cacheEntries: 1.5 })).toThrow(/cacheEntries/);
});

describe('contentStoreFromEnv', () => {
  const db = {} as PostgresDatabase; // only its presence matters to the choice

  test('picks S3, file or PostgreSQL from the environment', () => {
    expect(contentStoreKindFromEnv({ KEEL_CONTENT_STORE: 's3', KEEL_S3_BUCKET: 'b' }, db)).toBe('s3');
    expect(contentStoreKindFromEnv({ KEEL_STORE_DIR: '/tmp/x' }, db)).toBe('file');
    expect(contentStoreKindFromEnv({ KEEL_CONTENT_STORE: 'file' }, db)).toBe('file');
    expect(contentStoreKindFromEnv({}, db)).toBe('postgres');
    expect(contentStoreKindFromEnv({})).toBe('file');
    expect(contentStoreFromEnv({ KEEL_STORE_DIR: join(testServer().dir, 'env-content') })).toBeInstanceOf(FileContentStore);
    expect(contentStoreFromEnv({ KEEL_STORE_DIR: join(testServer().dir, 'env-content') }, db)).toBeInstanceOf(FileContentStore);
    expect(contentStoreFromEnv({}, db)).toBeInstanceOf(PostgresContentStore);
    expect(() => contentStoreFromEnv({ KEEL_CONTENT_STORE: 'postgres' })).toThrow(/needs a database \(KEEL_DATABASE_URL\)/);
    expect(() => contentStoreKindFromEnv({ KEEL_CONTENT_STORE: 'dynamo' })).toThrow(/KEEL_CONTENT_STORE="dynamo" is not one of file, s3, postgres/);
    expect(() => contentStoreFromEnv({ KEEL_CONTENT_STORE: 's3' })).toThrow(ContentStoreConfigError);
    expect(() => contentStoreFromEnv({ KEEL_CONTENT_STORE: 's3' })).toThrow(/KEEL_S3_BUCKET/);
    expect(() => contentStoreFromEnv({ KEEL_CONTENT_STORE: 's3', KEEL_S3_BUCKET: 'b', KEEL_S3_FORCE_PATH_STYLE: 'yes' })).toThrow(/KEEL_S3_FORCE_PATH_STYLE/);
  });

  test('KEEL_CONTENT_STORE=s3 round-trips on the server with credentials from the standard AWS environment variables', async () => {
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = server.credentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = server.credentials.secretAccessKey;
    try {
      const prefix = `${uniqueName('env')}/`;
      const store = contentStoreFromEnv({ KEEL_CONTENT_STORE: 's3', KEEL_S3_BUCKET: server.bucket, KEEL_S3_PREFIX: prefix, KEEL_S3_ENDPOINT: server.endpoint, AWS_REGION: 'us-east-1' });
      expect(store).toBeInstanceOf(S3ContentStore);
      stores.push(store as S3ContentStore);
      const ref = await store.put('configured by environment', 'acme');
      expect(await keysUnder(prefix)).toEqual([`${prefix}${sha256('acme')}/${ref.slice(7)}`]);
      const opened = await openContentStoreFromEnv({ KEEL_CONTENT_STORE: 's3', KEEL_S3_BUCKET: server.bucket, KEEL_S3_PREFIX: prefix, KEEL_S3_ENDPOINT: server.endpoint });
      stores.push(opened as S3ContentStore);
      expect(await opened.get(ref, 'acme')).toBe('configured by environment');
    } finally {
      if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
      else process.env.AWS_ACCESS_KEY_ID = saved.id;
      if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
      else process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    }
  });
});

test('the worker entry with KEEL_CONTENT_STORE=s3 stops at start when the bucket does not exist, naming it', async () => {
  const child = spawn(process.execPath, [require.resolve('tsx/cli'), join(__dirname, '..', 'workers', 'main.ts')], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: testServer().address,
      KEEL_DATABASE_URL: TEST_DATABASE_URL,
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:9',
      KEEL_SDK_METRICS_ADDRESS: 'off',
      KEEL_CONTENT_STORE: 's3',
      KEEL_S3_BUCKET: 'no-such-bucket',
      KEEL_S3_ENDPOINT: server.endpoint,
      AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect(code).toBe(1);
  expect(output).toContain(`content store s3://no-such-bucket/ at ${server.endpoint} is unavailable: the bucket no-such-bucket does not exist`);
  expect(output).not.toContain('task queue'); // it never started polling
});

test('a Keel session on a worker with the S3 store completes, continues as new, and its transcript and trace read back through the store and the client', async () => {
  const { address, bundlePath, dir } = testServer();
  const prefix = `${uniqueName('session')}/`;
  const workerStore = storeOn({ prefix });
  const clientStore = storeOn({ prefix });
  const model = new ScriptedModelServer();
  await model.start();
  const taskQueue = uniqueName('s3-store');
  const connection = await Connection.connect({ address });
  const native = await NativeConnection.connect({ address });
  const db = new PostgresDatabase(TEST_DATABASE_URL);
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  try {
    worker = await createKeelWorker({
      connection: native,
      taskQueue,
      agents: [createTestAgent(db)],
      store: workerStore,
      database: db,
      sharedToolCache: false,
      approverKeys: testApproverKeys(),
      audit: new FileAuditLog(join(dir, `audit-${taskQueue}.jsonl`)),
      model: { baseURL: model.url, apiKey: 'test' },
      workflowBundle: { codePath: bundlePath },
      shutdownGraceTimeMs: 1000,
    });
    running = worker.run();
    const client = await KeelClient.connect({ client: new Client({ connection, namespace: 'default' }), taskQueue, store: clientStore, approvers: TEST_DEFAULT_APPROVERS });
    const tag = uniqueName('s3-session');
    model.addScenario({
      name: tag,
      match: tag,
      turns: (ctx) =>
        ctx.turn < 30
          ? { toolCalls: [{ name: 'get_order', input: { orderId: 'ord_1002' } }], usage: { input_tokens: 10, output_tokens: 1 } }
          : { text: `saw ${ctx.request.messages.length} messages`, usage: { input_tokens: 10, output_tokens: 1 } },
    });
    const session = await client.startSession({ agent: 'support', input: `${tag}: where is my order?`, scope: { tenant: 'acme', subjects: ['cus_ada'] }, maxHistoryEventsPerRun: 200, limits: { maxToolCalls: 40 } });
    const result = await session.result();
    // Every model turn saw the whole conversation, loaded from S3 (also across continue-as-new).
    expect(result).toMatchObject({ outcome: 'completed', output: 'saw 61 messages', usage: { toolCalls: 30, modelCalls: 31 } });
    const status = await session.status();
    expect(status.run).toBeGreaterThan(1);

    // The client reads the earlier runs' trace events from S3.
    const trace = await session.trace();
    expect(trace.events.filter((e) => e.type === 'tool_call')).toHaveLength(30);
    expect(trace.events.filter((e) => e.type === 'continued_as_new')).toHaveLength(status.run - 1);

    // The transcript is acme's content in the bucket: readable as acme, missing for anyone else.
    const node = JSON.parse(await clientStore.get(result.transcriptRef!, 'acme')) as { messages: Array<{ role: string; content: unknown }> };
    expect(JSON.stringify(node.messages)).toContain('saw 61 messages');
    await expect(clientStore.get(result.transcriptRef!, 'globex')).rejects.toThrow(ContentNotFoundError);
    const keys = await keysUnder(prefix);
    expect(keys.length).toBeGreaterThan(30);
    expect(keys.every((k) => k.startsWith(`${prefix}${sha256('acme')}/`))).toBe(true);
  } finally {
    if (worker?.getState() === 'RUNNING') worker.shutdown();
    await running?.catch(() => undefined);
    await native.close();
    await connection.close();
    await db.close();
    await model.stop();
  }
});
