import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { KeelClient, type SessionResult } from '../client';
import { findFreePort, startDevServer } from '../devserver';
import { ScriptedModelServer } from '../scripted-model';
import { FileContentStore, PostgresDatabase } from '../store';
import { TEST_DATABASE_URL } from './support/test-database';
import { createKeelWorker } from '../workers/keel-worker';
import { createTestEnvironment, expectReplays, testServer, uniqueName, type TestEnvironment } from './support/environment';
import { createTestAgent } from './support/fixture-agents';
import { TEST_DEFAULT_APPROVERS, testApproverKeys } from './support/approver-keys';
import { spawnWorkerProcess } from './support/worker-process-handle';

const scope = { tenant: 'acme', subjects: ['cus_ada'] };
let model: ScriptedModelServer;

beforeAll(async () => {
  model = new ScriptedModelServer();
  await model.start();
});
afterAll(async () => {
  await model?.stop();
});

/** A session whose second step is a slow tool call: lookup, slow step, answer. */
function slowScenario(tag: string, gate: string) {
  model.addScenario({
    name: tag,
    match: tag,
    turns: [
      { toolCalls: [{ name: 'lookup_customer', input: { customer: 'cus_ada' } }] },
      { toolCalls: [{ name: 'slow_step', input: { ms: 0, label: 'reindex', gate } }] },
      { text: 'All done: the account was reindexed.' },
    ],
  });
}

/** What must be equal between an interrupted and an uninterrupted run (time and ids aside). */
function comparable(result: SessionResult) {
  const { sessionId: _id, transcriptRef: _ref, usage, ...rest } = result;
  const { elapsedMs: _elapsed, ...counts } = usage;
  return { ...rest, usage: counts };
}

/**
 * Waits until the slow tool (the session's second tool call) is running on a worker. Asks only the
 * server (history and pending activities), not the busy worker, so that on a loaded machine the
 * answer comes while the tool still runs.
 */
async function waitForRunningTool(temporal: Client, workflowId: string): Promise<void> {
  const handle = temporal.workflow.getHandle(workflowId);
  for (let i = 0; i < 600; i++) {
    // History first: a runTool pending in the description taken after it, and not completed in it,
    // is the slow step (the other order could see the lookup still pending and then completed).
    const events = (await handle.fetchHistory()).events ?? [];
    const { raw } = await handle.describe();
    const toolCalls = new Map(events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'runTool').map((e) => [String(e.eventId), e.activityTaskScheduledEventAttributes!.activityId!]));
    const completed = new Set(events.map((e) => toolCalls.get(String(e.activityTaskCompletedEventAttributes?.scheduledEventId))).filter(Boolean));
    // state 2 = STARTED
    if (completed.size > 0 && (raw.pendingActivities ?? []).some((a) => a.activityType?.name === 'runTool' && Number(a.state) === 2 && !completed.has(a.activityId!))) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the tool activity never started');
}

describe('a worker killed while a tool activity is in flight', () => {
  let env: TestEnvironment;
  beforeAll(async () => {
    env = await createTestEnvironment('kill');
  });
  afterAll(async () => env?.close());

  test('a new worker completes the session with the same result as an uninterrupted run', async () => {
    const tag = uniqueName('kill-worker');
    // The slow step runs until its gate file exists: the kill lands while it runs, however slowly the
    // check above gets its answer; the gate opens before the next worker starts.
    const gate = join(testServer().dir, `${tag}.gate`);
    slowScenario(tag, gate);
    const request = { agent: 'support', input: tag, scope, timeouts: { toolHeartbeatMs: 2000 } };
    const workerEnv = {
      KEEL_WORKER_TASK_QUEUE: env.taskQueue,
      KEEL_WORKER_MODEL_URL: model.url,
      KEEL_STORE_DIR: env.storeDir,
    };

    const first = await spawnWorkerProcess(workerEnv);
    const session = await env.client.startSession(request);
    try {
      await waitForRunningTool(env.temporal, session.sessionId);
    } finally {
      await first.kill('SIGKILL');
    }
    writeFileSync(gate, 'open');

    const second = await spawnWorkerProcess(workerEnv);
    try {
      const interrupted = await session.result();
      expect(interrupted.outcome).toBe('completed');
      const trace = await session.trace();
      expect(trace.events.filter((e) => e.type === 'tool_call').map((e) => e.type === 'tool_call' && e.ok)).toEqual([true, true]);
      const history = await session.workflow.fetchHistory();
      const attempts = (history.events ?? [])
        .map((e) => e.activityTaskStartedEventAttributes?.attempt)
        .filter((a): a is number => typeof a === 'number');
      expect(Math.max(...attempts)).toBe(2); // the killed attempt was retried once

      const uninterrupted = await env.client.startSession(request);
      expect(comparable(await uninterrupted.result())).toEqual(comparable(interrupted));
      await expectReplays(env.temporal, session.sessionId);
    } finally {
      await second.kill('SIGTERM');
    }
  }, 300_000);
});

test('a session finishes when the dev server restarts in its middle (same database file)', async () => {
  const { dir, cliPath } = testServer();
  const port = await findFreePort();
  const dbFile = join(dir, `restart-${port}.db`);
  let server = await startDevServer({ port, headless: true, dbFile, cliPath });
  const connection = await Connection.connect({ address: server.address });
  const native = await NativeConnection.connect({ address: server.address });
  const taskQueue = uniqueName('restart');
  const database = new PostgresDatabase(TEST_DATABASE_URL);
  const worker: Worker = await createKeelWorker({
    connection: native,
    taskQueue,
    agents: [createTestAgent(database)],
    database,
    store: new FileContentStore(join(dir, 'content')),
    model: { baseURL: model.url, apiKey: 'test' },
    workflowBundle: { codePath: testServer().bundlePath },
    shutdownGraceTimeMs: 1000,
    approverKeys: testApproverKeys(),
  });
  const running = worker.run();
  try {
    const client = await KeelClient.connect({ client: new Client({ connection }), taskQueue, approvers: TEST_DEFAULT_APPROVERS });
    const tag = uniqueName('server-restart');
    // The slow step runs until its gate opens, after the server is back.
    const gate = join(testServer().dir, `${tag}.gate`);
    slowScenario(tag, gate);
    const session = await client.startSession({ agent: 'support', input: tag, scope, timeouts: { toolHeartbeatMs: 3000 } });
    await waitForRunningTool(client.temporal, session.sessionId);
    await server.stop();
    server = await startDevServer({ port, headless: true, dbFile, cliPath });
    expect(server.reused).toBe(false);
    writeFileSync(gate, 'open');
    const result = await session.result();
    expect(result).toMatchObject({ outcome: 'completed', output: 'All done: the account was reindexed.', usage: { toolCalls: 2 } });
  } finally {
    worker.shutdown();
    await running;
    await native.close();
    await connection.close();
    await database.close();
    await server.stop();
  }
});
