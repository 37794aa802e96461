/**
 * What a night of faults found (issue 18), each through public interfaces: an applied effect has
 * exactly one audit entry under any crash; a worker outage is not billed as agent time; a model call
 * lost with its worker is retried at its heartbeat timeout; a waiting session is visible without a
 * worker.
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { temporal } from '@temporalio/proto';
import { NativeConnection, Worker } from '@temporalio/worker';
import { runCli } from '../client/cli';
import type { SessionHandle } from '../client';
import type { SessionStatus } from '../core/session';
import { canonicalJson, sha256Hex } from '../core/intent';
import { KeelMetrics, keelMetricsSinks } from '../metrics';
import { ScriptedModelServer } from '../scripted-model';
import { AuditTable, FileContentStore, type AuditEntry } from '../store';
import { createTestEnvironment, expectReplays, testServer, uniqueName, type TestEnvironment } from './support/environment';
import { createTestAgent } from './support/fixture-agents';
import { testApproverKeys, testKey } from './support/approver-keys';
import { createKeelActivities } from '../workers/keel-plugin';
import { spawnWorkerProcess } from './support/worker-process-handle';

const acme = { tenant: 'acme', subjects: ['cus_ada'] };
const refund = { name: 'process_payment', input: { orderId: 'ord_1001', kind: 'refund', amountCents: 4900 } };
let model: ScriptedModelServer;

beforeAll(async () => {
  model = new ScriptedModelServer();
  await model.start();
});
afterAll(async () => {
  await model?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, tries = 600, everyMs = 100): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const found = await probe();
    if (found) return found;
    await sleep(everyMs);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The payments of a session (read as the owner, under the tenant). */
async function paymentsOf(env: TestEnvironment, sessionId: string) {
  const { rows } = await env.db.transaction(async (tx) => {
    await tx.query(`SELECT set_config('keel.tenant', 'acme', true), set_config('keel.subjects', '', true)`);
    return tx.query<{ idempotency_key: string }>(`SELECT idempotency_key FROM payments WHERE idempotency_key LIKE $1`, [`${sessionId}:%`]);
  });
  return rows;
}

/** Entries of an audit log file (JSON lines) with the given idempotency key. */
function fileEntries(path: string, idempotencyKey: string): AuditEntry[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditEntry).filter((e) => e.idempotencyKey === idempotencyKey);
}

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** The scheduled event of each activity of a type, with the started event of its last attempt. */
function activitiesOf(events: HistoryEvent[], type: string) {
  return events
    .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === type)
    .map((scheduled) => ({
      scheduled,
      started: events.find((e) => e.activityTaskStartedEventAttributes && Number(e.activityTaskStartedEventAttributes.scheduledEventId) === Number(scheduled.eventId)),
    }));
}

const millis = (time: HistoryEvent['eventTime']) => Number(time?.seconds ?? 0) * 1000 + Math.floor((time?.nanos ?? 0) / 1e6);

async function waitForState(session: SessionHandle, state: SessionStatus['state']): Promise<SessionStatus> {
  return until(`state ${state}`, async () => {
    const status = await session.status();
    return status.state === state && status;
  });
}

describe('audit exactly once: a worker killed while it applies a side effect', () => {
  let env: TestEnvironment;
  beforeAll(async () => {
    env = await createTestEnvironment('audit-once');
  });
  afterAll(async () => env?.close());

  test.each([
    ['between the effect and the ledger update', { KEEL_WORKER_STALL_AFTER_EFFECT_MS: '60000' }, false],
    ['between the ledger completion and the audit log write', { KEEL_WORKER_STALL_IN_AUDIT_MS: '60000' }, true],
  ] as const)('killed %s: the payment has exactly one audit entry, in the table and in the log', async (_when, stall, completedBeforeKill) => {
    const tag = uniqueName('audit-once');
    model.addScenario({ name: tag, match: tag, turns: [{ text: 'Refunding.', toolCalls: [refund] }, { text: 'Refunded.' }] });
    const auditPath = join(testServer().dir, `audit-${tag}.jsonl`);
    const workerEnv = { KEEL_WORKER_TASK_QUEUE: env.taskQueue, KEEL_WORKER_MODEL_URL: model.url, KEEL_STORE_DIR: env.storeDir, KEEL_WORKER_AUDIT_LOG: auditPath };
    const stalling = await spawnWorkerProcess({ ...workerEnv, ...stall });
    const session = await env.client.startSession({ agent: 'support', input: tag, scope: acme, timeouts: { toolHeartbeatMs: 2000, toolMaxAttempts: 6 } });
    const audits = new AuditTable(env.db);
    try {
      const pending = (await waitForState(session, 'awaiting_approval')).pendingApprovals[0]!;
      await session.approve(pending.requestId, { key: testKey('alice') });
      // The kill lands where the stall holds the worker: after the effect, or after the ledger's completion.
      if (completedBeforeKill) await until('the ledger completion', async () => (await audits.entries({ sessionId: session.sessionId })).length > 0);
      else await until('the payment', async () => (await paymentsOf(env, session.sessionId)).length > 0);
    } finally {
      await stalling.kill('SIGKILL');
    }
    expect(fileEntries(auditPath, (await paymentsOf(env, session.sessionId))[0]!.idempotency_key)).toHaveLength(0);

    const healthy = await spawnWorkerProcess(workerEnv);
    try {
      expect(await session.result()).toMatchObject({ outcome: 'completed', output: 'Refunded.' });
      const payments = await paymentsOf(env, session.sessionId);
      expect(payments).toHaveLength(1);
      const key = payments[0]!.idempotency_key;
      const call = (await session.trace()).events.find((e) => e.type === 'tool_call');
      expect(call).toMatchObject({ ok: true, 'gen_ai.tool.name': 'process_payment', idempotencyKey: key });
      // Killed after the completion, the retry finds the intent applied (the case that lost its entry before).
      expect(call?.type === 'tool_call' && (call.replayed ?? false)).toBe(completedBeforeKill);

      const entries = await audits.entries({ sessionId: session.sessionId });
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({
        repaired: false,
        mirrored: true,
        entry: { idempotencyKey: key, tool: 'process_payment', tier: 'write_critical', approvedBy: 'alice', tenant: 'acme', input: refund.input, ok: true },
      });
      expect(call?.type === 'tool_call' && call.outputRef).toBe(entries[0]!.entry.resultRef);
      const mirrored = fileEntries(auditPath, key);
      expect(mirrored).toHaveLength(1);
      expect(mirrored[0]).toEqual(entries[0]!.entry);

      const attempts = (await session.workflow.fetchHistory()).events!.map((e) => e.activityTaskStartedEventAttributes?.attempt ?? 0);
      expect(Math.max(...attempts)).toBeGreaterThan(1); // the killed attempt was retried
      await expectReplays(env.temporal, session.sessionId);
    } finally {
      await healthy.kill('SIGTERM');
    }
  }, 300_000);
});

test('agent time, not outage time: a session that waits longer than its time limit for a worker does not trip', async () => {
  const env = await createTestEnvironment('agent-time');
  const native = await NativeConnection.connect({ address: testServer().address });
  try {
    const tag = uniqueName('agent-time');
    model.addScenario({ name: tag, match: tag, turns: [{ toolCalls: [{ name: 'get_order', input: { orderId: 'ord_1001' } }] }, { text: 'Here is your order.' }] });
    // Long enough that the session's own work (four activities) stays under it on a machine under load.
    const maxElapsedMs = 6000;
    // Workflow tasks and the session's local activity (the record of its end) only: the session
    // starts, and its first activity waits for a worker that runs activities.
    const { activities } = await createKeelActivities({ agents: [createTestAgent(env.db)], database: env.db, store: new FileContentStore(env.storeDir), model: { baseURL: model.url, apiKey: 'test' }, approverKeys: testApproverKeys() });
    const bookkeeping = { recordSessionEnd: activities.recordSessionEnd! };
    const workflowsOnly = await Worker.create({
      connection: native,
      taskQueue: env.taskQueue,
      workflowBundle: { codePath: testServer().bundlePath },
      activities: bookkeeping,
      enableNonLocalActivities: false, // it takes no activity tasks from the server
      sinks: keelMetricsSinks(new KeelMetrics()),
    });
    const running = workflowsOnly.run();
    const session = await env.client.startSession({ agent: 'support', input: tag, scope: acme, limits: { maxElapsedMs }, escalation: { timeoutMs: 1000 } });
    await until('the agent lookup to wait for a worker', async () => {
      const { raw } = await session.workflow.describe();
      return (raw.pendingActivities ?? []).some((a) => a.activityType?.name === 'describeAgent');
    });
    workflowsOnly.shutdown();
    await running;
    // The outage: no worker at all for longer than the session's whole time limit.
    await sleep(maxElapsedMs + 1000);
    await env.startWorker({ agents: [createTestAgent(env.db)], modelURL: model.url });

    const result = await session.result();
    expect(result).toMatchObject({ outcome: 'completed', output: 'Here is your order.', usage: { modelCalls: 2, toolCalls: 1 } });
    expect(result.usage.elapsedMs).toBeLessThan(maxElapsedMs);
    expect((await session.trace()).events.filter((e) => e.type === 'breaker_tripped')).toEqual([]);
    // By the server's own events, the session's first activity waited for a worker longer than the limit.
    const [first] = activitiesOf((await session.workflow.fetchHistory()).events!, 'describeAgent');
    expect(millis(first!.started!.eventTime) - millis(first!.scheduled.eventTime)).toBeGreaterThan(maxElapsedMs);
    await expectReplays(env.temporal, session.sessionId);
  } finally {
    await env.close();
    await native.close();
  }
}, 120_000);

test('a model call lost with its worker is retried at its heartbeat timeout, long before its start-to-close timeout', async () => {
  const env = await createTestEnvironment('model-heartbeat');
  const tag = uniqueName('model-heartbeat');
  // The first attempt of the first turn hangs for a minute; its retry answers at once.
  model.addScenario({
    name: tag,
    match: tag,
    turns: (ctx) =>
      ctx.turn === 0 ? { toolCalls: [{ name: 'get_order', input: { orderId: 'ord_1001' } }], latencyMs: ctx.attempt === 0 ? 60_000 : 0 } : { text: 'It shipped.' },
  });
  const workerEnv = { KEEL_WORKER_TASK_QUEUE: env.taskQueue, KEEL_WORKER_MODEL_URL: model.url, KEEL_STORE_DIR: env.storeDir };
  const first = await spawnWorkerProcess(workerEnv);
  try {
    const session = await env.client.startSession({ agent: 'support', input: tag, scope: acme });
    try {
      await until('the model request', async () => model.requests.some((r) => r.scenario === tag));
    } finally {
      await first.kill('SIGKILL');
    }
    const second = await spawnWorkerProcess(workerEnv);
    try {
      const result = await session.result();
      expect(result).toMatchObject({ outcome: 'completed', output: 'It shipped.' });
      const [call] = activitiesOf((await session.workflow.fetchHistory()).events!, 'callModel');
      const scheduled = call!.scheduled.activityTaskScheduledEventAttributes!;
      expect(Number(scheduled.heartbeatTimeout?.seconds)).toBe(10); // the default modelHeartbeatMs
      expect(Number(scheduled.startToCloseTimeout?.seconds)).toBe(120);
      const started = call!.started!.activityTaskStartedEventAttributes!;
      expect(started.attempt).toBe(2);
      expect(started.lastFailure?.timeoutFailureInfo?.timeoutType).toBe(4); // TIMEOUT_TYPE_HEARTBEAT
      // The lost attempt is not agent time.
      expect(result.usage.elapsedMs).toBeLessThan(10_000);
      await expectReplays(env.temporal, session.sessionId);
    } finally {
      await second.kill('SIGTERM');
    }
  } finally {
    await env.close();
  }
}, 100_000);

test('visible without a worker: keel status shows the pending approval from the memo, and a signed approval sent then runs the call', async () => {
  const env = await createTestEnvironment('memo-status');
  const tag = uniqueName('memo-status');
  model.addScenario({ name: tag, match: tag, turns: [{ text: 'I will refund it.', toolCalls: [refund] }, { text: 'Refunded.' }] });
  const workerEnv = { KEEL_WORKER_TASK_QUEUE: env.taskQueue, KEEL_WORKER_MODEL_URL: model.url, KEEL_STORE_DIR: env.storeDir };
  const keel = async (...args: string[]) => {
    const lines: string[] = [];
    const code = await runCli([...args, '--address', testServer().address, '--task-queue', env.taskQueue], (l) => lines.push(l));
    return { code, out: lines.join('\n') };
  };
  const first = await spawnWorkerProcess(workerEnv);
  try {
    const session = await env.client.startSession({ agent: 'support', input: tag, scope: acme });
    let live: SessionStatus;
    try {
      live = await waitForState(session, 'awaiting_approval');
      expect(live.source).toBeUndefined();
    } finally {
      await first.kill('SIGKILL');
    }
    const shown = await keel('status', session.sessionId);
    expect(shown.code).toBe(0);
    const status = JSON.parse(shown.out) as SessionStatus;
    expect(status).toMatchObject({ sessionId: session.sessionId, agent: 'support', tenant: 'acme', state: 'awaiting_approval', source: 'memo', escalation: null });
    expect(status.pendingApprovals).toEqual([
      {
        requestId: live.pendingApprovals[0]!.requestId,
        tool: 'process_payment',
        input: refund.input,
        digest: sha256Hex(canonicalJson(refund.input)),
        reason: 'I will refund it.',
        requestedAtMs: live.pendingApprovals[0]!.requestedAtMs,
        timeoutMs: 3_600_000,
      },
    ]);
    expect(status.asOfMs).toBeGreaterThanOrEqual(live.pendingApprovals[0]!.requestedAtMs);

    // The approver decides during the outage: signed against the memo's snapshot, sent as a signal.
    await session.approve(status.pendingApprovals[0]!.requestId, { key: testKey('alice'), via: 'signal' });
    const second = await spawnWorkerProcess(workerEnv);
    try {
      expect(await session.result()).toMatchObject({ outcome: 'completed', output: 'Refunded.', usage: { toolCalls: 1 } });
      expect(await paymentsOf(env, session.sessionId)).toHaveLength(1);
      expect(await session.status()).toMatchObject({ state: 'completed', pendingApprovals: [] });
      await expectReplays(env.temporal, session.sessionId);
    } finally {
      await second.kill('SIGTERM');
    }
  } finally {
    await env.close();
  }
}, 120_000);
