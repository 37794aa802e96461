/**
 * `npm run chaos`: an operator's bad night, in the repository. Runs N sessions of the chaos agent
 * (bench/chaos-agent.ts: a read, a write_reversible and a write_critical call approved with a signed
 * statement) on worker processes that are SIGKILLed a few seconds after they start polling (so the
 * kills land during real work, not during a worker's start, and the run counts those that found
 * calls in flight) and restarted,
 * while the Temporal dev server is restarted a few times and an approver answers from visibility
 * queries and `status()` (the memo's snapshot while no worker answers). Then it checks, against
 * PostgreSQL and the audit log, what an operator would: sessions lost, effects missing or applied
 * twice, audit entries missing (table and log), and prints how long lost calls took to come back
 * and how much agent time the sessions were billed.
 *
 * With `--share-nothing` the workers share nothing but PostgreSQL and the Temporal server, as on
 * separate hosts: each worker process starts in its own empty directory (its working directory,
 * HOME and TMPDIR) with its own copy of the approver key file and of the workflow bundle, no
 * `KEEL_STORE_DIR` and no audit file, so session content is in `keel_content` and the audit in
 * `keel_audit` only; the run then also reports which worker finished each session and what files
 * the workers left in their directories (`npm run chaos -- --share-nothing --workers 3`).
 *
 * `npm run chaos -- --help` lists the flags. Exits 1 when anything was lost, missing or duplicated.
 * The last line of stdout is `CHAOS_JSON {...}` with every number.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Client, Connection, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { KeelClient, SessionFailedError } from '../client';
import { createApproverKey, trustApproverKey } from '../client/approver-key';
import type { SessionResult } from '../core/session';
import { findFreePort, findTemporalCli, startDevServer, type DevServer } from '../devserver';
import { ScriptedModelServer } from '../scripted-model';
import { IdempotencyLedger, PostgresDatabase, type AuditEntry } from '../store';
import { migrateExampleTools, seedExampleData } from '../tools';
import { bundleKeelWorkflows } from '../workers/keel-worker';
import { CHAOS_TABLES_SQL } from './chaos-agent';
import { percentile } from './percentile';

/** Options of {@link runChaos}. */
export interface ChaosOptions {
  /** Sessions in the run. @default 100 */
  sessions: number;
  /** Sessions in flight at once. @default 20 */
  concurrency: number;
  /** Worker processes, each killed and restarted over and over. @default 2 */
  workers: number;
  /** A worker is SIGKILLed this long (uniform, ms) after it starts polling. @default [3000, 10000] */
  killAfterReadyMs: [number, number];
  /** Dev server restarts, spread over the run. @default 3 */
  restarts: number;
  /** Model latency per call (uniform, ms). @default [200, 1500] */
  modelLatencyMs: [number, number];
  /** A session without a result this long after its start is lost. @default 600000 */
  sessionTimeoutMs: number;
  /** PostgreSQL of the tool backends, the ledger and the audit table. @default `KEEL_DATABASE_URL`, else the test database */
  databaseUrl: string;
  /** The Temporal CLI. @default found by `findTemporalCli` */
  cliPath?: string;
  /** A prebuilt workflow bundle. @default bundled at start */
  bundlePath?: string;
  /** Keep the run's folder (server database, content, audit log). @default false */
  keepDir: boolean;
  /**
   * Workers share nothing but PostgreSQL and the Temporal server: each process starts in its own
   * empty directory (cwd, HOME, TMPDIR) with its own copies of the key file and the bundle, and
   * Keel's defaults for a worker with a database (content and audit in PostgreSQL, no files).
   * @default false
   */
  shareNothing: boolean;
  /** Connections of each worker's PostgreSQL pool. @default 20 */
  workerDatabasePool: number;
  log: (line: string) => void;
}

export const DEFAULT_CHAOS_OPTIONS: Omit<ChaosOptions, 'log'> = {
  sessions: 100,
  concurrency: 20,
  workers: 2,
  killAfterReadyMs: [3000, 10_000],
  restarts: 3,
  modelLatencyMs: [200, 1500],
  sessionTimeoutMs: 600_000,
  databaseUrl: process.env.KEEL_DATABASE_URL ?? process.env.KEEL_TEST_DATABASE_URL ?? 'postgres://keel:keel@127.0.0.1:5432/keel_test',
  keepDir: false,
  shareNothing: false,
  workerDatabasePool: 20,
};

/**
 * The share-nothing run (`npm run chaos -- --share-nothing`, test/multi-worker-chaos.test.ts): three
 * workers in their own empty directories, no dev server restarts, tuned to finish 100 sessions in
 * under four minutes on a busy two-core machine (fewer, later kills: each restart costs seconds of CPU).
 */
export const SHARE_NOTHING_CHAOS_OPTIONS: Partial<ChaosOptions> = {
  shareNothing: true,
  workers: 3,
  restarts: 0,
  concurrency: 30,
  killAfterReadyMs: [8000, 20_000],
  modelLatencyMs: [100, 500],
  workerDatabasePool: 8,
  sessionTimeoutMs: 200_000,
};

/** Median and maximum of some durations, in ms. */
export interface Spread {
  count: number;
  medianMs: number;
  maxMs: number;
}

/** What a chaos run found. The first group must all be zero. */
export interface ChaosReport {
  sessions: number;
  /** Sessions without a `completed` result by their deadline (failed, tripped, or no result). */
  lost: number;
  /** Effects (a note and a payment per completed session) that are not in the backend. */
  missingEffects: number;
  /** Effects applied more than once (a second row for one session's note or payment). */
  duplicateEffects: number;
  /** Applied effects without their entry in the `keel_audit` table. */
  missingAuditEntries: number;
  /** Applied effects without their line in the workers' audit log (the table's mirror). */
  missingAuditLogEntries: number;
  /** Lines of the audit log beyond one per applied effect. */
  duplicateAuditLogEntries: number;
  /** Audit entries (table) of the run's sessions whose effect is not in the backend. */
  auditEntriesWithoutEffect: number;
  /** Share-nothing: audit entries whose result reference is not in `keel_content` (the content went elsewhere). */
  resultsMissingContent: number;
  /** Where the workers' audit log was: a JSON-lines file (the table's mirror), or the `keel_audit` table alone (share-nothing). */
  auditLog: 'file' | 'table';
  /** Whether the workers shared nothing but PostgreSQL and the Temporal server. */
  shareNothing: boolean;
  /** Completed sessions by the worker (slot) that completed their last workflow task (from the histories). */
  sessionsByWorker: Record<string, number>;
  /** Completed sessions whose workflow and activity tasks ran on more than one worker slot. */
  sessionsOnSeveralWorkers: number;
  /** Rows in `keel_content` written during the run (share-nothing: where all session content went). */
  contentRowsWritten: number;
  /** Files the worker processes left in their own directories, beyond what they were given (share-nothing; at most 20). */
  workerFiles: string[];

  outcomes: Record<string, number>;
  effectsApplied: number;
  /** Effects whose tool ran more than once (a kill between effect and ledger; the backend deduplicated by key). */
  effectsReexecuted: number;
  /** Audit entries written on a replay (intents completed without one). */
  repairedAuditEntries: number;
  /** Sessions whose breaker tripped. */
  breakerTrips: number;
  kills: number;
  /** Kills of a worker with model requests or tool runs in flight. */
  killsDuringWork: number;
  workerStarts: number;
  /** From spawning a worker process to its polling. */
  workerStartup: Spread;
  serverRestarts: number;
  approvalsSent: number;
  /** Approvals signed from the memo's snapshot (no worker answered the status query). */
  approvalsFromMemo: number;
  /** Calls retried after their attempt was lost (killed worker, server restart), by activity: scheduled to final start. */
  recoveredCalls: Record<string, Spread>;
  /** Agent time billed per completed session (`usage.elapsedMs`). */
  agentTime: Spread;
  /** Wall-clock time per completed session, start to result. */
  wallTime: Spread;
  /** Completed sessions that took longer, wall-clock, than the default `maxElapsedMs` (120 s). */
  sessionsLongerThanDefaultLimit: number;
  durationMs: number;
  /** What was lost, missing or duplicated, one line each (at most 50). */
  problems: string[];
}

const spread = (values: readonly number[]): Spread => ({
  count: values.length,
  medianMs: values.length ? Math.round(percentile(values, 50)) : 0,
  maxMs: values.length ? Math.round(Math.max(...values)) : 0,
});
const between = ([min, max]: [number, number]) => min + Math.random() * (max - min);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const millis = (time: HistoryEvent['eventTime']) => Number(time?.seconds ?? 0) * 1000 + Math.floor((time?.nanos ?? 0) / 1e6);

/** Runs the chaos test and returns what it found (see {@link ChaosReport}). */
export async function runChaos(given: Partial<ChaosOptions> & { log: ChaosOptions['log'] }): Promise<ChaosReport> {
  const o: ChaosOptions = { ...DEFAULT_CHAOS_OPTIONS, ...given };
  const { log } = o;
  const startedAt = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'keel-chaos-'));
  const runId = randomUUID().slice(0, 8);
  const taskQueue = `chaos-${runId}`;
  const cleanup: Array<() => Promise<unknown>> = [];
  try {
    const cliPath = o.cliPath ?? (await findTemporalCli({ log }));
    const port = await findFreePort();
    const dbFile = join(dir, 'temporal.db');
    const serverLog = (line: string) => log(`dev server: ${line}`);
    let server: DevServer = await startDevServer({ port, headless: true, dbFile, cliPath, log: serverLog });
    cleanup.push(() => server.stop());

    const db = new PostgresDatabase(o.databaseUrl);
    cleanup.push(() => db.close());
    await migrateExampleTools(db);
    await seedExampleData(db);
    await new IdempotencyLedger(db).migrate();
    await db.exec(CHAOS_TABLES_SQL);
    const dbStartedAt = (await db.query<{ now: string }>(`SELECT now()::text AS now`)).rows[0]!.now;

    let bundlePath = o.bundlePath;
    if (!bundlePath) {
      log('bundling Keel workflows');
      bundlePath = join(dir, 'workflow-bundle.js');
      writeFileSync(bundlePath, (await bundleKeelWorkflows()).code);
    }
    const approver = createApproverKey({ kid: `chaos-${runId}`, identity: 'chaos-approver', tenants: ['acme'] });
    const keysPath = join(dir, 'approver-keys.json');
    trustApproverKey(keysPath, approver.trusted);
    const model = new ScriptedModelServer();
    await model.start();
    cleanup.push(() => model.stop());
    const auditPath = join(dir, 'audit.jsonl');

    const connection = await Connection.connect({ address: server.address });
    cleanup.push(() => connection.close());
    const temporal = new Client({ connection });
    const client = await KeelClient.connect({ client: temporal, taskQueue, approvers: ['chaos-approver'] });

    const stats = { kills: 0, killsDuringWork: 0, workerStartMs: [] as number[], restarts: 0, approvalsSent: 0, approvalsFromMemo: 0 };
    let started = 0;
    let finished = 0;
    let done = false;

    // Workers: each slot runs a worker process, kills it once it works, and starts another.
    const workerEnv: Record<string, string> = {
      CHAOS_TEMPORAL_ADDRESS: server.address,
      CHAOS_TASK_QUEUE: taskQueue,
      CHAOS_MODEL_URL: model.url,
      CHAOS_BUNDLE: bundlePath,
      CHAOS_DATABASE_URL: o.databaseUrl,
      CHAOS_APPROVER_KEYS: keysPath,
      CHAOS_DB_POOL: String(o.workerDatabasePool),
      ...(o.shareNothing ? {} : { CHAOS_STORE_DIR: join(dir, 'content'), CHAOS_AUDIT_LOG: auditPath }),
    };
    /** Share-nothing: each worker process's own empty directory, with its own copies of the key file and the bundle. */
    const workerDirs: string[] = [];
    const isolated = (name: string): { cwd: string; env: Record<string, string> } => {
      const home = join(dir, 'workers', name);
      mkdirSync(join(home, 'tmp'), { recursive: true });
      copyFileSync(keysPath, join(home, 'approver-keys.json'));
      copyFileSync(bundlePath!, join(home, 'workflow-bundle.js'));
      workerDirs.push(home);
      return {
        cwd: home,
        env: { HOME: home, TMPDIR: join(home, 'tmp'), CHAOS_APPROVER_KEYS: join(home, 'approver-keys.json'), CHAOS_BUNDLE: join(home, 'workflow-bundle.js') },
      };
    };
    const children = new Set<ChildProcess>();
    cleanup.push(async () => {
      for (const child of children) child.kill('SIGKILL');
    });
    const slot = async (index: number): Promise<void> => {
      for (let start = 1; !done; start++) {
        const spawnedAt = Date.now();
        const identity = `chaos-w${index}-${start}`;
        const own = o.shareNothing ? isolated(identity) : undefined;
        const worker = startWorkerProcess({ ...workerEnv, ...own?.env, CHAOS_WORKER_IDENTITY: identity }, own?.cwd);
        children.add(worker.child);
        const ready = await worker.ready;
        if (!ready) {
          log(`worker ${index} exited before it polled:\n${worker.output().slice(-2000)}`);
          children.delete(worker.child);
          await sleep(1000);
          continue;
        }
        stats.workerStartMs.push(Date.now() - spawnedAt);
        // Killed at a random moment after it polls (never while it starts, where a kill would hide),
        // not timed to its calls: a kill that waited for work would hunt the last sessions' calls.
        const killAt = Date.now() + between(o.killAfterReadyMs);
        while (!done && Date.now() < killAt && worker.alive()) await sleep(100);
        if (done) {
          await worker.stop('SIGTERM');
        } else if (worker.alive()) {
          stats.kills += 1;
          if (worker.busy() > 0) stats.killsDuringWork += 1;
          await worker.stop('SIGKILL');
        }
        children.delete(worker.child);
      }
    };
    const slots = Array.from({ length: o.workers }, (_, i) => slot(i));

    // The dev server restarts, spread over the sessions' starts.
    const restarter = (async () => {
      for (let r = 1; r <= o.restarts && !done; r++) {
        while (!done && started < Math.ceil((r * o.sessions) / (o.restarts + 1))) await sleep(200);
        if (done) break;
        await sleep(between([500, 3000]));
        log(`restarting the dev server (${r} of ${o.restarts})`);
        await server.stop();
        for (let attempt = 1; ; attempt++) {
          try {
            server = await startDevServer({ port, headless: true, dbFile, cliPath, log: serverLog });
            break;
          } catch (error) {
            if (attempt === 5) throw error;
            await sleep(1000);
          }
        }
        stats.restarts += 1;
      }
    })();

    // The approver: finds waiting sessions by visibility and approves what their status shows.
    const sent = new Map<string, number>();
    const approverLoop = (async () => {
      while (!done) {
        try {
          const waiting: string[] = [];
          for await (const w of temporal.workflow.list({ query: `TaskQueue = "${taskQueue}" AND KeelState = "awaiting_approval" AND ExecutionStatus = "Running"` })) {
            waiting.push(w.workflowId);
          }
          await Promise.all(
            waiting.map(async (sessionId) => {
              const session = client.getSession(sessionId);
              const status = await session.status();
              for (const pending of status.pendingApprovals) {
                const key = `${sessionId}/${pending.requestId}`;
                if (Date.now() - (sent.get(key) ?? 0) < 20_000) continue;
                sent.set(key, Date.now());
                await session.approve(pending.requestId, { key: approver.privateKey, digest: pending.digest, via: 'signal' });
                stats.approvalsSent += 1;
                if (status.source === 'memo') stats.approvalsFromMemo += 1;
              }
            }),
          );
        } catch {
          // the server is restarting, or a session moved on: look again
        }
        await sleep(500);
      }
    })();

    // The sessions, `concurrency` at a time.
    const results = new Map<string, { result?: SessionResult; error?: string; startedMs: number; endedMs: number }>();
    let next = 0;
    const progress = setInterval(() => log(`${finished}/${o.sessions} sessions done, ${started} started; ${stats.kills} kills, ${stats.restarts} server restarts`), 10_000);
    cleanup.push(async () => clearInterval(progress));
    const driver = async (): Promise<void> => {
      while (next < o.sessions) {
        const i = next++;
        const sessionId = `${taskQueue}-${String(i).padStart(4, '0')}`;
        const tag = `[${sessionId}]`;
        model.addScenario({
          name: sessionId,
          match: tag,
          turns: (ctx) => {
            const latencyMs = Math.round(between(o.modelLatencyMs));
            if (ctx.turn === 0) return { text: 'Let me look at the order.', toolCalls: [{ name: 'get_order', input: { orderId: 'ord_1001' } }], latencyMs };
            if (ctx.turn === 1) return { toolCalls: [{ name: 'record_note', input: { customerId: 'cus_ada', note: `refund requested in ${sessionId}` } }], latencyMs };
            if (ctx.turn === 2) {
              return { text: 'The manual arrived damaged: I refund part of it.', toolCalls: [{ name: 'process_payment', input: { orderId: 'ord_1001', kind: 'refund', amountCents: 100 + i } }], latencyMs };
            }
            return { text: 'Done.', latencyMs };
          },
        });
        const startedMs = Date.now();
        const request = { agent: 'chaos', input: `${tag} The manual I ordered arrived damaged; please refund part of it.`, scope: { tenant: 'acme', subjects: ['cus_ada'] } };
        for (;;) {
          try {
            await client.startSession(request, { sessionId });
            break;
          } catch (error) {
            if (error instanceof WorkflowExecutionAlreadyStartedError) break;
            if (Date.now() - startedMs > o.sessionTimeoutMs) break;
            await sleep(1000);
          }
        }
        started += 1;
        results.set(sessionId, { ...(await resultOf(client, connection, sessionId, startedMs + o.sessionTimeoutMs)), startedMs, endedMs: Date.now() });
        finished += 1;
      }
    };
    await Promise.all(Array.from({ length: Math.min(o.concurrency, o.sessions) }, driver));
    done = true;
    await Promise.all([...slots, restarter, approverLoop]);
    log(`all ${o.sessions} sessions ended; checking effects, audit entries and histories`);

    // What the backend, the audit table and the audit log hold.
    const prefix = `${taskQueue}-%`;
    const payments = await db.transaction(async (tx) => {
      await tx.query(`SELECT set_config('keel.tenant', 'acme', true), set_config('keel.subjects', '', true)`);
      return (await tx.query<{ key: string }>(`SELECT idempotency_key AS key FROM payments WHERE idempotency_key LIKE $1`, [prefix])).rows;
    });
    const notes = (await db.query<{ key: string }>(`SELECT idempotency_key AS key FROM chaos_notes WHERE idempotency_key LIKE $1`, [prefix])).rows;
    const audits = (await db.query<{ key: string; repaired: boolean }>(`SELECT idempotency_key AS key, repaired FROM keel_audit WHERE session_id LIKE $1`, [prefix])).rows;
    const executions = (await db.query<{ key: string; n: string }>(`SELECT idempotency_key AS key, count(*) AS n FROM chaos_executions WHERE idempotency_key LIKE $1 GROUP BY 1`, [prefix])).rows;
    // Share-nothing: the audit log is the table itself (no file anywhere).
    const logLines = o.shareNothing
      ? audits.map((a) => ({ idempotencyKey: a.key }) as AuditEntry)
      : existsSync(auditPath) ? readFileSync(auditPath, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditEntry) : [];
    const contentRowsWritten = Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM keel_content WHERE created_at >= $1::timestamptz`, [dbStartedAt]).catch(() => ({ rows: [{ n: '0' }] }))).rows[0]!.n);
    const resultsWithoutContent = o.shareNothing
      ? (await db.query<{ key: string }>(
          `SELECT a.idempotency_key AS key FROM keel_audit a WHERE a.session_id LIKE $1
             AND NOT EXISTS (SELECT 1 FROM keel_content c WHERE c.tenant = a.tenant AND c.hash = substr(a.result_ref, 8))`,
          [prefix],
        )).rows
      : [];

    const sessionOf = (key: string) => key.slice(0, key.indexOf(':'));
    const countBy = <T>(items: readonly T[], keyOf: (item: T) => string) => {
      const counts = new Map<string, number>();
      for (const item of items) counts.set(keyOf(item), (counts.get(keyOf(item)) ?? 0) + 1);
      return counts;
    };
    const paymentsBySession = countBy(payments, (p) => sessionOf(p.key));
    const notesBySession = countBy(notes, (n) => sessionOf(n.key));
    const auditKeys = new Set(audits.map((a) => a.key));
    const logByKey = countBy(logLines, (e) => e.idempotencyKey);
    const effects = [...payments, ...notes].map((e) => e.key);

    const problems: string[] = [];
    const outcomes: Record<string, number> = {};
    let lost = 0;
    let missingEffects = 0;
    let duplicateEffects = 0;
    const agentTimes: number[] = [];
    const wallTimes: number[] = [];
    for (const [sessionId, { result, error, startedMs, endedMs }] of results) {
      const outcome = result?.outcome ?? error ?? 'no result';
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      if (outcome !== 'completed') {
        lost += 1;
        problems.push(`${sessionId}: ${outcome}${result?.error ? ` (${result.error.type}: ${result.error.message.slice(0, 200)})` : ''}`);
      } else {
        missingEffects += (paymentsBySession.get(sessionId) ? 0 : 1) + (notesBySession.get(sessionId) ? 0 : 1);
        if (!paymentsBySession.get(sessionId) || !notesBySession.get(sessionId)) problems.push(`${sessionId}: completed without its ${paymentsBySession.get(sessionId) ? 'note' : 'payment'}`);
        agentTimes.push(result!.usage.elapsedMs);
        wallTimes.push(endedMs - startedMs);
      }
      duplicateEffects += Math.max(0, (paymentsBySession.get(sessionId) ?? 0) - 1) + Math.max(0, (notesBySession.get(sessionId) ?? 0) - 1);
      if ((paymentsBySession.get(sessionId) ?? 0) > 1 || (notesBySession.get(sessionId) ?? 0) > 1) problems.push(`${sessionId}: an effect applied twice`);
    }
    const effectKeys = new Set(effects);
    const auditWithoutEffect = audits.filter((a) => !effectKeys.has(a.key));
    for (const a of auditWithoutEffect) problems.push(`${a.key}: an entry in keel_audit, no effect in the backend`);
    for (const r of resultsWithoutContent) problems.push(`${r.key}: its result is not in keel_content (share-nothing: content must be in PostgreSQL)`);
    for (const key of effects) {
      if (!auditKeys.has(key)) problems.push(`${key}: applied, no entry in keel_audit`);
      if (!logByKey.get(key)) problems.push(`${key}: applied, no line in the audit log`);
      if ((logByKey.get(key) ?? 0) > 1) problems.push(`${key}: ${logByKey.get(key)} lines in the audit log`);
    }

    // Calls whose attempt was lost, and how long they took to start again; breaker trips.
    const recovered: Record<string, number[]> = {};
    let breakerTrips = 0;
    const slotOf = (identity: string | null | undefined) => /^chaos-(w\d+)-\d+$/.exec(identity ?? '')?.[1] ?? identity ?? 'unknown';
    const sessionsByWorker: Record<string, number> = {};
    let sessionsOnSeveralWorkers = 0;
    for (const sessionId of results.keys()) {
      let events: HistoryEvent[];
      try {
        events = (await temporal.workflow.getHandle(sessionId).fetchHistory()).events ?? [];
      } catch {
        continue;
      }
      const scheduled = new Map(events.filter((e) => e.activityTaskScheduledEventAttributes).map((e) => [Number(e.eventId), e]));
      for (const e of events) {
        const started = e.activityTaskStartedEventAttributes;
        if (!started || (started.attempt ?? 1) <= 1) continue;
        const at = scheduled.get(Number(started.scheduledEventId));
        const type = at?.activityTaskScheduledEventAttributes?.activityType?.name ?? 'unknown';
        (recovered[type] ??= []).push(millis(e.eventTime) - millis(at?.eventTime));
      }
      const result = results.get(sessionId)?.result;
      if (result?.outcome === 'completed') {
        // Who did the work: the worker that completed the session's last workflow task, and every worker that ran one of its tasks.
        const finisher = events.filter((e) => e.workflowTaskCompletedEventAttributes).at(-1)?.workflowTaskCompletedEventAttributes?.identity;
        sessionsByWorker[slotOf(finisher)] = (sessionsByWorker[slotOf(finisher)] ?? 0) + 1;
        const ran = new Set(events.flatMap((e) => [e.workflowTaskCompletedEventAttributes?.identity, e.activityTaskStartedEventAttributes?.identity]).filter(Boolean).map(slotOf));
        if (ran.size > 1) sessionsOnSeveralWorkers += 1;
      }
      const described = result ? undefined : await temporal.workflow.getHandle(sessionId).describe().catch(() => undefined);
      const state = described?.searchAttributes?.KeelState?.[0];
      if (result?.breaker || state === 'escalated') breakerTrips += 1;
      if (described) {
        const pending = (described.raw.pendingActivities ?? []).map((a) => `${a.activityType?.name} attempt ${a.attempt} (${a.lastFailure?.message?.slice(0, 120) ?? 'no failure'})`);
        problems.push(`${sessionId}: still ${String(state)} after ${events.length} events; pending: ${pending.join(', ') || 'none'}`);
      }
    }

    const report: ChaosReport = {
      sessions: o.sessions,
      lost,
      missingEffects,
      duplicateEffects,
      missingAuditEntries: effects.filter((key) => !auditKeys.has(key)).length,
      missingAuditLogEntries: effects.filter((key) => !logByKey.get(key)).length,
      duplicateAuditLogEntries: [...logByKey.entries()].filter(([key]) => key.startsWith(taskQueue)).reduce((n, [, c]) => n + Math.max(0, c - 1), 0),
      auditEntriesWithoutEffect: auditWithoutEffect.length,
      resultsMissingContent: resultsWithoutContent.length,
      auditLog: o.shareNothing ? 'table' : 'file',
      shareNothing: o.shareNothing,
      sessionsByWorker,
      sessionsOnSeveralWorkers,
      contentRowsWritten,
      workerFiles: workerDirs.flatMap((home) => filesIn(home).map((f) => relative(dir, f))).filter((f) => !/\/(approver-keys\.json|workflow-bundle\.js)$/.test(f) && !/\/tmp\/tsx-[^/]+\//.test(f)).slice(0, 20),
      outcomes,
      effectsApplied: effects.length,
      effectsReexecuted: executions.filter((e) => Number(e.n) > 1).length,
      repairedAuditEntries: audits.filter((a) => a.repaired).length,
      breakerTrips,
      kills: stats.kills,
      killsDuringWork: stats.killsDuringWork,
      workerStarts: stats.workerStartMs.length,
      workerStartup: spread(stats.workerStartMs),
      serverRestarts: stats.restarts,
      approvalsSent: stats.approvalsSent,
      approvalsFromMemo: stats.approvalsFromMemo,
      recoveredCalls: Object.fromEntries(Object.entries(recovered).sort().map(([type, values]) => [type, spread(values)])),
      agentTime: spread(agentTimes),
      wallTime: spread(wallTimes),
      sessionsLongerThanDefaultLimit: wallTimes.filter((ms) => ms > 120_000).length,
      durationMs: Date.now() - startedAt,
      problems: problems.slice(0, 50),
    };
    return report;
  } finally {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
    if (!o.keepDir) rmSync(dir, { recursive: true, force: true });
    else log(`kept ${dir}`);
  }
}

/** A session's result, waited for across server restarts until `deadlineMs`. */
async function resultOf(client: KeelClient, connection: Connection, sessionId: string, deadlineMs: number): Promise<{ result?: SessionResult; error?: string }> {
  const session = client.getSession(sessionId);
  while (Date.now() < deadlineMs) {
    try {
      return { result: await connection.withDeadline(Math.min(deadlineMs, Date.now() + 60_000), () => session.result()) };
    } catch (error) {
      if (error instanceof SessionFailedError) return { error: `failed (${error.type})` };
      await sleep(1000);
    }
  }
  return { error: 'no result in time' };
}

/** A chaos worker process (bench/chaos-worker.ts) and what it reports. */
function startWorkerProcess(env: Record<string, string>, cwd?: string) {
  // In its own directory (share-nothing) the process inherits no Keel file settings and finds tsx by path.
  const inherited = { ...process.env };
  if (cwd) for (const name of ['KEEL_STORE_DIR', 'KEEL_AUDIT_LOG', 'KEEL_APPROVER_KEYS']) delete inherited[name];
  const child = spawn(process.execPath, ['--import', pathToFileURL(require.resolve('tsx')).href, join(__dirname, 'chaos-worker.ts')], {
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(cwd ? { cwd } : {}),
  });
  const orphanGuard = () => child.kill('SIGKILL');
  process.once('exit', orphanGuard);
  let output = '';
  let busy = 0;
  let buffered = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => {
    process.off('exit', orphanGuard);
    resolve();
  }));
  const ready = new Promise<boolean>((resolve) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const count = /^busy (-?\d+)$/.exec(line);
        if (count) busy = Number(count[1]);
        else {
          output += `${line}\n`;
          if (line === 'worker ready') resolve(true);
        }
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-20_000)));
    void exited.then(() => resolve(false));
  });
  return {
    child,
    ready,
    busy: () => busy,
    alive: () => child.exitCode === null && child.signalCode === null,
    output: () => output,
    stop: async (signal: NodeJS.Signals) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** Every file under a directory (the share-nothing check of what a worker left behind). */
function filesIn(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** The report as a few lines for a person. */
export function formatChaosReport(r: ChaosReport): string {
  const s = (x: Spread) => (x.count ? `${x.count}, median ${(x.medianMs / 1000).toFixed(1)} s, max ${(x.maxMs / 1000).toFixed(1)} s` : 'none');
  return [
    `chaos run: ${r.sessions} sessions (read, write_reversible, approved write_critical) in ${(r.durationMs / 1000).toFixed(0)} s`,
    `  faults: ${r.kills} worker kills (${r.killsDuringWork} with calls in flight), ${r.workerStarts} worker starts (to polling: ${s(r.workerStartup)}), ${r.serverRestarts} dev server restarts`,
    `  lost sessions ${r.lost}, missing effects ${r.missingEffects}, duplicate effects ${r.duplicateEffects}, missing audit entries ${r.missingAuditEntries} (table) / ${r.missingAuditLogEntries} (log), duplicate log entries ${r.duplicateAuditLogEntries}`,
    `  outcomes: ${Object.entries(r.outcomes).map(([k, v]) => `${k} ${v}`).join(', ')}; breaker trips ${r.breakerTrips}`,
    `  effects applied ${r.effectsApplied}; re-executed after a kill (deduplicated by the backend) ${r.effectsReexecuted}; audit entries repaired on replay ${r.repairedAuditEntries}`,
    `  approvals sent ${r.approvalsSent} (${r.approvalsFromMemo} signed from the memo while no worker answered)`,
    ...(r.shareNothing
      ? [
          `  share-nothing: content and audit in PostgreSQL only (${r.contentRowsWritten} content rows written), files left by workers: ${r.workerFiles.length ? r.workerFiles.join(', ') : 'none'}`,
          `  sessions completed by worker: ${Object.entries(r.sessionsByWorker).sort().map(([k, v]) => `${k} ${v}`).join(', ')}; ${r.sessionsOnSeveralWorkers} sessions ran on more than one worker; audit entries without an effect ${r.auditEntriesWithoutEffect}`,
        ]
      : []),
    `  calls retried after a lost attempt (scheduled to final start):`,
    ...Object.entries(r.recoveredCalls).map(([type, x]) => `    ${type}: ${s(x)}`),
    `  agent time per session: ${s(r.agentTime)}; wall time: ${s(r.wallTime)}; ${r.sessionsLongerThanDefaultLimit} sessions took longer than 120 s wall-clock`,
    ...r.problems.map((p) => `  problem: ${p}`),
  ].join('\n');
}

/** Whether a report shows nothing lost, missing or duplicated. */
export function chaosClean(r: ChaosReport): boolean {
  return r.lost + r.missingEffects + r.duplicateEffects + r.missingAuditEntries + r.missingAuditLogEntries + r.duplicateAuditLogEntries + r.auditEntriesWithoutEffect + r.resultsMissingContent === 0;
}

const USAGE = `usage: npm run chaos -- [--sessions N] [--concurrency N] [--workers N] [--restarts N]
                        [--kill-after MIN-MAX] [--model-latency MIN-MAX] [--session-timeout MS]
                        [--database URL] [--share-nothing] [--keep]

  --sessions N         sessions in the run (default 100)
  --concurrency N      sessions in flight at once (default 20)
  --workers N          worker processes, each killed and restarted over and over (default 2)
  --restarts N         dev server restarts spread over the run (default 3)
  --kill-after MIN-MAX ms after a worker polls before it is SIGKILLed (default 3000-10000)
  --model-latency MIN-MAX ms each scripted model call takes (default 200-1500)
  --session-timeout MS a session without a result after this is lost (default 600000)
  --database URL       PostgreSQL (default KEEL_DATABASE_URL, else the test database)
  --share-nothing      each worker in its own empty directory (cwd, HOME, TMPDIR) with its own key file
                       and bundle copies; content and audit in PostgreSQL only (Keel's defaults with a database);
                       other defaults then as test/multi-worker-chaos.test.ts: 3 workers, 0 restarts,
                       concurrency 30, kill after 8000-20000, model latency 100-500, session timeout 200000
  --keep               keep the run's folder`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      sessions: { type: 'string' },
      concurrency: { type: 'string' },
      workers: { type: 'string' },
      restarts: { type: 'string' },
      'kill-after': { type: 'string' },
      'session-timeout': { type: 'string' },
      database: { type: 'string' },
      keep: { type: 'boolean' },
      'share-nothing': { type: 'boolean' },
      'model-latency': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const count = (name: string, value: string | undefined, min = 0) => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number of at least ${min}, got "${value}"`);
    return n;
  };
  const range = (name: string, value: string | undefined): [number, number] | undefined => {
    if (value === undefined) return undefined;
    const bounds = value.split('-').map(Number);
    if (bounds.length !== 2 || bounds.some((n) => !Number.isFinite(n) || n < 0) || bounds[0]! > bounds[1]!) throw new Error(`--${name} must be MIN-MAX in ms, got "${value}"`);
    return bounds as [number, number];
  };
  const killAfter = range('kill-after', values['kill-after']);
  const modelLatency = range('model-latency', values['model-latency']);
  const options: Partial<ChaosOptions> = {
    ...(count('sessions', values.sessions, 1) !== undefined ? { sessions: count('sessions', values.sessions, 1)! } : {}),
    ...(count('concurrency', values.concurrency, 1) !== undefined ? { concurrency: count('concurrency', values.concurrency, 1)! } : {}),
    ...(count('workers', values.workers, 1) !== undefined ? { workers: count('workers', values.workers, 1)! } : {}),
    ...(count('restarts', values.restarts) !== undefined ? { restarts: count('restarts', values.restarts)! } : {}),
    ...(count('session-timeout', values['session-timeout'], 1000) !== undefined ? { sessionTimeoutMs: count('session-timeout', values['session-timeout'], 1000)! } : {}),
    ...(killAfter ? { killAfterReadyMs: killAfter } : {}),
    ...(modelLatency ? { modelLatencyMs: modelLatency } : {}),
    ...(values.database ? { databaseUrl: values.database } : {}),
    ...(values.keep ? { keepDir: true } : {}),
  };
  if (values['share-nothing']) Object.assign(options, { ...SHARE_NOTHING_CHAOS_OPTIONS, ...options });
  const report = await runChaos({ ...options, log: (line) => process.stderr.write(`[chaos] ${line}\n`) });
  console.log(formatChaosReport(report));
  console.log(`CHAOS_JSON ${JSON.stringify(report)}`);
  return chaosClean(report) ? 0 : 1;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
