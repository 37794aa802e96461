import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporal as proto } from '@temporalio/proto';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker, type Worker as WorkerType } from '@temporalio/worker';
import type { Agent } from '../../core/agent';
import type { KeelWorkerDeployment } from '../../core/worker-deployment';
import { FileAuditLog, FileContentStore, PostgresDatabase, type ApproverKeySource, type ContentStore, type SharedToolCacheOptions, type SqlDatabase } from '../../store';
import { TEST_DATABASE_URL } from './test-database';
import { KeelClient } from '../../client';
import { KeelMetrics, keelMetricsSinks } from '../../metrics';
import type { AlertSink } from '../../alerts';
import { ScriptedModelServer } from '../../scripted-model';
import { createKeelWorker } from '../../workers/keel-worker';
import { TEST_DEFAULT_APPROVERS, testApproverKeys } from './approver-keys';
import { withQueryForcedTasks } from './query-forced-tasks';

installQuietRuntime();

/** Keeps the SDK's logs to errors, once per test process. */
function installQuietRuntime(): void {
  const flag = globalThis as { keelRuntimeInstalled?: boolean };
  if (flag.keelRuntimeInstalled) return;
  flag.keelRuntimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // already installed by this process
  }
}

/** Connection settings of the run's dev server, from the global setup. */
export function testServer() {
  const address = process.env.KEEL_TEST_TEMPORAL_ADDRESS;
  const bundlePath = process.env.KEEL_TEST_BUNDLE;
  const dir = process.env.KEEL_TEST_DIR;
  if (!address || !bundlePath || !dir) throw new Error('the jest global setup did not run (KEEL_TEST_* is not set)');
  return { address, bundlePath, dir, cliPath: process.env.KEEL_TEST_CLI_PATH! };
}

/** A unique name for a test's task queue or ids. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** A test's own task queue, worker, client and content store on the run's dev server. */
export interface TestEnvironment {
  taskQueue: string;
  client: KeelClient;
  temporal: Client;
  store: ContentStore;
  storeDir: string;
  /** The test PostgreSQL (ledger and example tool data). */
  db: SqlDatabase;
  /** The audit log file of this environment's workers (JSON lines). */
  auditPath: string;
  /**
   * Starts a worker for the agents against a model URL; stopped by `close`. The shared tool-result
   * cache is off unless `sharedToolCache` is set: suites share one database, and a result cached by
   * one suite must not turn another suite's tool execution into a hit.
   */
  startWorker(options: {
    agents: readonly Agent[];
    modelURL: string;
    metrics?: KeelMetrics;
    alertSinks?: readonly AlertSink[];
    sharedToolCache?: SharedToolCacheOptions;
    /** @default the test people's keys (see approver-keys.ts) */
    approverKeys?: ApproverKeySource;
    /** Worker Deployment Versioning (see workers/keel-plugin.ts). @default unversioned */
    deployment?: KeelWorkerDeployment;
  }): Promise<WorkerType>;
  close(): Promise<void>;
}

/** Creates a test environment with its own task queue. */
export async function createTestEnvironment(name = 'keel'): Promise<TestEnvironment> {
  const server = testServer();
  const taskQueue = uniqueName(name);
  const connection = await Connection.connect({ address: server.address });
  const temporal = new Client({ connection, namespace: 'default' });
  const storeDir = join(server.dir, 'content');
  const store = new FileContentStore(storeDir);
  const client = await KeelClient.connect({ client: temporal, taskQueue, store, approvers: TEST_DEFAULT_APPROVERS });
  const nativeConnections: NativeConnection[] = [];
  const db = new PostgresDatabase(TEST_DATABASE_URL);
  const auditPath = join(server.dir, `audit-${taskQueue}.jsonl`);
  const running: Array<{ worker: WorkerType; done: Promise<void> }> = [];
  return {
    taskQueue,
    client,
    temporal,
    store,
    storeDir,
    db,
    auditPath,
    async startWorker({ agents, modelURL, metrics, alertSinks, sharedToolCache, approverKeys, deployment }) {
      const native = await NativeConnection.connect({ address: server.address });
      nativeConnections.push(native);
      const worker = await createKeelWorker({
        connection: native,
        taskQueue,
        agents,
        store,
        database: db,
        sharedToolCache: sharedToolCache ?? false,
        approverKeys: approverKeys ?? testApproverKeys(),
        audit: new FileAuditLog(auditPath),
        ...(metrics ? { metrics } : {}),
        ...(alertSinks ? { alertSinks } : {}),
        ...(deployment ? { deployment } : {}),
        model: { baseURL: modelURL, apiKey: 'test' },
        workflowBundle: { codePath: server.bundlePath },
        shutdownGraceTimeMs: 1000,
      });
      running.push({ worker, done: worker.run() });
      return worker;
    },
    async close() {
      for (const { worker } of running) if (worker.getState() === 'RUNNING') worker.shutdown();
      await Promise.allSettled(running.map((r) => r.done));
      for (const c of nativeConnections) await c.close();
      await connection.close();
      await db.close();
    },
  };
}

/**
 * Replays every run of a finished session (continue-as-new makes several) against the current
 * workflow code; with KEEL_RECORD_HISTORIES=dir it also saves each history there (the replay suite
 * keeps such recordings in `test/fixtures/histories/`); throws on nondeterminism. Returns how many runs were replayed.
 */
export async function expectReplays(temporal: Client, workflowId: string): Promise<number> {
  const { bundlePath } = testServer();
  let runId: string | undefined = (await temporal.workflow.getHandle(workflowId).describe()).runId;
  let runs = 0;
  while (runId) {
    const history = await temporal.workflow.getHandle(workflowId, runId).fetchHistory();
    const replayOptions = { workflowBundle: { codePath: bundlePath }, sinks: keelMetricsSinks(new KeelMetrics()) };
    await Worker.runReplayHistory(replayOptions, history, workflowId);
    // As it would have been recorded had a query been answered while each local activity ran.
    const raced = withQueryForcedTasks(history);
    if (raced.forced > 0) {
      await Worker.runReplayHistory(replayOptions, raced.history, workflowId).catch((error: Error) => {
        throw new Error(`run ${runs + 1} of ${workflowId} replays, but not with a workflow task forced after each of its ${raced.forced} local activities (a query answered while one ran): ${error.message}`);
      });
    }
    runs += 1;
    const recordTo = process.env.KEEL_RECORD_HISTORIES;
    if (recordTo) {
      const name = (expect.getState().currentTestName ?? workflowId).replace(/[^a-z0-9]+/gi, '-').slice(0, 80).toLowerCase();
      writeFileSync(join(recordTo, `${name}@@${workflowId}.run${runs}.pb`), proto.api.history.v1.History.encode(history).finish());
    }
    runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
  }
  return runs;
}

/**
 * Runs a set-up step and, when it takes longer than `noticeMs`, says so on stderr while it still runs
 * and again when it ends: a hook that passes jest's timeout on a busy machine then shows which step
 * held it. Asserts nothing.
 */
export async function reportSlow<T>(step: string, run: () => Promise<T>, noticeMs = 15_000): Promise<T> {
  const started = performance.now();
  const notice = setTimeout(() => process.stderr.write(`[slow set-up] ${step}: still running after ${noticeMs / 1000} s\n`), noticeMs);
  notice.unref();
  try {
    return await run();
  } finally {
    clearTimeout(notice);
    const tookMs = performance.now() - started;
    if (tookMs > noticeMs) process.stderr.write(`[slow set-up] ${step} took ${(tookMs / 1000).toFixed(1)} s\n`);
  }
}

/** A suite's environment and scripted model, set up before its tests and closed after them. */
export interface SessionSuite {
  env: TestEnvironment;
  model: ScriptedModelServer;
}

/**
 * Registers jest hooks that start a scripted model and a worker serving `agents` on the suite's
 * own task queue; the returned object is filled in before the first test.
 */
export function sessionSuite(name: string, agents: (db: SqlDatabase) => readonly Agent[]): SessionSuite {
  const suite = {} as SessionSuite;
  beforeAll(async () => {
    suite.model = new ScriptedModelServer();
    await reportSlow(`${name}: scripted model start`, () => suite.model.start());
    suite.env = await reportSlow(`${name}: test environment`, () => createTestEnvironment(name));
    await reportSlow(`${name}: worker start`, () => suite.env.startWorker({ agents: agents(suite.env.db), modelURL: suite.model.url }));
  });
  afterAll(async () => {
    await suite.env?.close();
    await suite.model?.stop();
  });
  return suite;
}
