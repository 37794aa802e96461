/**
 * Paused sessions: N Keel sessions that each propose one `write_critical` call and wait for a person,
 * on one worker in a process of its own, beside N bare workflows that wait for a signal and then run
 * one activity (bench/bare-workflow.ts), on the same server in the same run. Prints the worker's
 * resident memory idle and with N waiting (after a full GC), the time to get N to the wait, and the
 * latency from sending an approval to the start of the activity it allows (p50/p99), for a sample of
 * sessions approved one after another while the rest keep waiting. The bare workflows run twice: on
 * a worker with the SDK's default cache (it keeps all of them) and on one with Keel's cache size.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { KeelClient } from '../client';
import { signDecision } from '../client/approver-key';
import { statusFromMemo } from '../core/status-memo';
import { ScriptedModelServer } from '../scripted-model';
import { formatNumber, formatTable } from '../evaluation/text-table';
import { approveSignal } from '../workflows/api';
import { DEFAULT_MAX_CACHED_SESSIONS } from '../workers/keel-worker';
import { testKey } from '../test/support/approver-keys';
import type { BenchEnvironment } from './bench-environment';
import { PAUSED_AGENT } from './paused-worker-child';
import { percentile } from './percentile';

/** Sizes of the paused-sessions benchmark. */
export interface PausedOptions {
  /** Sessions (and bare workflows) brought to the wait. @default 10000 */
  sessions: number;
  /** Of those, approved one after another to time approval → next activity. @default 200 */
  sample: number;
  /** Starts in flight at once. @default 100 */
  startConcurrency: number;
}

export const DEFAULT_PAUSED_OPTIONS: PausedOptions = { sessions: 10_000, sample: 200, startConcurrency: 100 };

/** One side (Keel or bare) of the benchmark. */
export interface PausedSide {
  idleRssMb: number;
  pausedRssMb: number;
  pausedHeapMb: number;
  /** (paused − idle) ÷ sessions, in KiB. */
  kibPerPaused: number;
  /** From the first start until every one waits, in seconds. */
  toWaitSec: number;
  approveToActivityMs: { p50: number; p90: number; p99: number; max: number };
  /** The three slowest approvals: their place in the order they were sent (0 first) and their latency. */
  slowest: Array<{ index: number; ms: number }>;
}

export interface PausedResult {
  sessions: number;
  sample: number;
  keel: PausedSide;
  bare: PausedSide;
  /** Keel's approve → activity p99 ÷ bare's. */
  latencyRatioP99: number;
  /**
   * The bare workflows again on a worker whose cache holds as many workflows as Keel's
   * (`DEFAULT_MAX_CACHED_SESSIONS`): the same memory bound, so most approvals reach an evicted
   * workflow on both sides.
   */
  bareSameCache: PausedSide;
  /** Keel's approve → activity p99 ÷ that of the bare workflows with the same cache. */
  latencyRatioP99SameCache: number;
}

interface Child {
  process: ChildProcess;
  effects: Map<string, number>;
  waiters: Map<string, (atMs: number) => void>;
  memory(): Promise<{ rss: number; heapUsed: number }>;
  stop(): Promise<void>;
}

function startChild(kind: 'keel' | 'bare', vars: Record<string, string>): Promise<Child> {
  const child = fork(join(__dirname, 'paused-worker-child.ts'), [kind], {
    execArgv: ['--expose-gc', '--import', 'tsx'],
    env: { ...process.env, ...vars },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const effects = new Map<string, number>();
  const waiters = new Map<string, (atMs: number) => void>();
  let memoryWaiter: ((m: { rss: number; heapUsed: number }) => void) | undefined;
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the ${kind} worker exited with ${code} before it was ready`)));
    child.on('message', (message: { type: string; id?: string; atMs?: number; rss?: number; heapUsed?: number }) => {
      if (message.type === 'effect') {
        effects.set(message.id!, message.atMs!);
        waiters.get(message.id!)?.(message.atMs!);
      } else if (message.type === 'memory') {
        memoryWaiter?.({ rss: message.rss!, heapUsed: message.heapUsed! });
      } else if (message.type === 'ready') {
        resolve({
          process: child,
          effects,
          waiters,
          memory: () =>
            new Promise((done) => {
              memoryWaiter = done;
              child.send({ type: 'memory' });
            }),
          stop: () =>
            new Promise((done) => {
              child.removeAllListeners('exit');
              if (child.exitCode !== null || child.signalCode !== null) return done();
              const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
              child.once('exit', () => {
                clearTimeout(kill);
                done();
              });
              child.kill('SIGTERM');
            }),
        });
      }
    });
  });
}

async function inParallel<T>(count: number, concurrency: number, run: (i: number) => Promise<T>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) await run(next++);
    }),
  );
}

async function waitingCount(env: BenchEnvironment, taskQueue: string): Promise<number> {
  const { count } = await env.client.workflow.count(`TaskQueue="${taskQueue}" AND KeelState="awaiting_approval"`);
  return count;
}

async function untilWaiting(env: BenchEnvironment, taskQueue: string, sessions: number, log: (line: string) => void): Promise<void> {
  let last = -1;
  for (;;) {
    const count = await waitingCount(env, taskQueue);
    if (count >= sessions) return;
    if (count !== last) log(`  ${count}/${sessions} waiting`);
    last = count;
    await new Promise((r) => setTimeout(r, 2000));
  }
}

/** Approves `ids` one after another (each once its statement is signed), timing send → activity start. */
async function timeApprovals(env: BenchEnvironment, child: Child, ids: string[], send: (id: string) => Promise<void>): Promise<number[]> {
  const latencies: number[] = [];
  for (const id of ids) {
    let timer: NodeJS.Timeout | undefined;
    const started = new Promise<number>((resolve, reject) => {
      child.waiters.set(id, resolve);
      timer = setTimeout(() => reject(new Error(`${id}: no activity ${APPROVAL_TIMEOUT_MS / 1000} s after its approval`)), APPROVAL_TIMEOUT_MS);
    });
    const sentAt = Date.now();
    await send(id);
    try {
      latencies.push((await started) - sentAt);
    } catch (error) {
      const { status, memo } = await env.client.workflow.getHandle(id).describe();
      throw new Error(`${(error as Error).message} (workflow ${status.name}, memo ${JSON.stringify(memo).slice(0, 2000)})`);
    } finally {
      clearTimeout(timer);
      child.waiters.delete(id);
    }
  }
  return latencies;
}

/** An approval whose activity has not started after this long fails the benchmark. */
const APPROVAL_TIMEOUT_MS = 120_000;

function spread(values: number[]): PausedSide['approveToActivityMs'] {
  return { p50: percentile(values, 50), p90: percentile(values, 90), p99: percentile(values, 99), max: Math.max(0, ...values) };
}

const MB = 1_048_576;

/** Runs Keel, then bare, on the server of `env`. */
export async function runPausedSessions(env: BenchEnvironment, options: PausedOptions, log: (line: string) => void): Promise<PausedResult> {
  const dir = join(env.dir, `paused-${randomUUID().slice(0, 8)}`);
  mkdirSync(dir, { recursive: true });
  const keelBundlePath = join(dir, 'keel-bundle.js');
  writeFileSync(keelBundlePath, env.keelBundle.code);
  const bare = await bundleWorkflowCode({ workflowsPath: join(__dirname, 'bare-workflow.ts'), logger: new DefaultLogger('WARN') });
  const bareBundlePath = join(dir, 'bare-bundle.js');
  writeFileSync(bareBundlePath, bare.code);
  const tag = `paused-${randomUUID().slice(0, 8)}`;
  const model = new ScriptedModelServer({
    scenarios: [{ name: tag, match: tag, turns: [{ toolCalls: [{ name: 'refund', input: { orderId: 'ord_1', amount: 10 } }] }, { text: 'Refunded.' }] }],
  });
  await model.start();
  try {
    const keel = await measureKeel(env, options, dir, keelBundlePath, model.url, tag, log);
    const bareSide = await measureBare(env, options, bareBundlePath, log);
    const bareSameCache = await measureBare(env, options, bareBundlePath, log, { maxCachedWorkflows: DEFAULT_MAX_CACHED_SESSIONS });
    return {
      sessions: options.sessions,
      sample: options.sample,
      keel,
      bare: bareSide,
      latencyRatioP99: keel.approveToActivityMs.p99 / bareSide.approveToActivityMs.p99,
      bareSameCache,
      latencyRatioP99SameCache: keel.approveToActivityMs.p99 / bareSameCache.approveToActivityMs.p99,
    };
  } finally {
    await model.stop();
  }
}

async function measureKeel(env: BenchEnvironment, options: PausedOptions, dir: string, bundle: string, modelURL: string, tag: string, log: (line: string) => void): Promise<PausedSide> {
  const taskQueue = `bench-paused-keel-${randomUUID().slice(0, 8)}`;
  const child = await startChild('keel', { PAUSED_ADDRESS: env.address, PAUSED_TASK_QUEUE: taskQueue, PAUSED_BUNDLE: bundle, PAUSED_MODEL_URL: modelURL, PAUSED_STORE_DIR: join(dir, 'content') });
  try {
    const idle = await child.memory();
    const client = await KeelClient.connect({ client: env.client, taskQueue, approvers: ['alice'] });
    const ids: string[] = [];
    log(`paused: Keel, ${options.sessions} sessions to the approval`);
    const started = performance.now();
    await inParallel(options.sessions, options.startConcurrency, async (i) => {
      const session = await client.startSession({ agent: PAUSED_AGENT, input: `${tag} ${i}: refund ord_1`, scope: { tenant: 'acme', subjects: [] } });
      ids.push(session.sessionId);
    });
    await untilWaiting(env, taskQueue, options.sessions, log);
    const toWaitSec = (performance.now() - started) / 1000;
    const paused = await child.memory();
    const sample = ids.slice(0, options.sample);
    // Statements signed from the memo (the server alone), so that signing loads nothing into the worker.
    const statements = new Map<string, string>();
    for (const id of sample) {
      const status = statusFromMemo((await env.client.workflow.getHandle(id).describe()).memo, { sessionId: id, agent: PAUSED_AGENT, tenant: 'acme' });
      const pending = status?.pendingApprovals[0];
      if (!status || !pending || !status.execution) throw new Error(`session ${id} has no pending approval in its memo`);
      statements.set(id, signDecision(testKey('alice'), { session: id, execution: status.execution, request: pending.requestId, digest: pending.digest, decision: 'approve' }));
    }
    log(`paused: Keel, approving ${sample.length} of them one after another`);
    const latencies = await timeApprovals(env, child, sample, (id) => env.client.workflow.getHandle(id).signal(approveSignal, { statement: statements.get(id)! }));
    return side(idle, paused, options.sessions, toWaitSec, latencies);
  } finally {
    await child.stop();
  }
}

async function measureBare(env: BenchEnvironment, options: PausedOptions, bundle: string, log: (line: string) => void, workerOptions: { maxCachedWorkflows?: number } = {}): Promise<PausedSide> {
  const taskQueue = `bench-paused-bare-${randomUUID().slice(0, 8)}`;
  const child = await startChild('bare', { PAUSED_ADDRESS: env.address, PAUSED_TASK_QUEUE: taskQueue, PAUSED_BUNDLE: bundle, PAUSED_BARE_WORKER_OPTIONS: JSON.stringify(workerOptions) });
  try {
    const idle = await child.memory();
    const ids: string[] = [];
    log(`paused: bare, ${options.sessions} workflows to the signal`);
    const started = performance.now();
    await inParallel(options.sessions, options.startConcurrency, async (i) => {
      const id = `${taskQueue}-${i}`;
      await env.client.workflow.start('pausedBareWorkflow', { taskQueue, workflowId: id, args: [] });
      ids.push(id);
    });
    await untilWaiting(env, taskQueue, options.sessions, log);
    const toWaitSec = (performance.now() - started) / 1000;
    const paused = await child.memory();
    log(`paused: bare, signalling ${options.sample} of them one after another`);
    const latencies = await timeApprovals(env, child, ids.slice(0, options.sample), (id) => env.client.workflow.getHandle(id).signal('approve'));
    return side(idle, paused, options.sessions, toWaitSec, latencies);
  } finally {
    await child.stop();
  }
}

function side(idle: { rss: number }, paused: { rss: number; heapUsed: number }, sessions: number, toWaitSec: number, latencies: number[]): PausedSide {
  return {
    idleRssMb: idle.rss / MB,
    pausedRssMb: paused.rss / MB,
    pausedHeapMb: paused.heapUsed / MB,
    kibPerPaused: (paused.rss - idle.rss) / 1024 / sessions,
    toWaitSec,
    approveToActivityMs: spread(latencies),
    slowest: latencies.map((ms, index) => ({ index, ms })).sort((a, b) => b.ms - a.ms).slice(0, 3),
  };
}

function slowestOf(s: PausedSide): string {
  return s.slowest.map((a) => `#${a.index}: ${formatNumber(a.ms, 0)}`).join(', ');
}

/** The benchmark's table. */
export function formatPausedSessions(result: PausedResult): string {
  const row = (name: string, s: PausedSide) => [
    name,
    formatNumber(s.idleRssMb, 0),
    formatNumber(s.pausedRssMb, 0),
    formatNumber(s.pausedHeapMb, 0),
    formatNumber(s.kibPerPaused, 1),
    formatNumber(s.toWaitSec, 1),
    formatNumber(s.approveToActivityMs.p50, 1),
    formatNumber(s.approveToActivityMs.p90, 1),
    formatNumber(s.approveToActivityMs.p99, 1),
    formatNumber(s.approveToActivityMs.max, 1),
  ];
  return [
    `Paused sessions: ${result.sessions} waiting on one worker; approve → next activity over ${result.sample} approved one after another`,
    formatTable(
      [{ header: '', align: 'left' }, ...['idle RSS MB', 'paused RSS MB', 'heap MB', 'KiB/paused', 'to wait s', 'approve→activity p50 ms', 'p90 ms', 'p99 ms', 'max ms'].map((header) => ({ header }))],
      [row('Keel', result.keel), row('bare', result.bare), row(`bare, cache ${DEFAULT_MAX_CACHED_SESSIONS}`, result.bareSameCache)],
    ),
    `approve → next activity p99, Keel ÷ bare: ${formatNumber(result.latencyRatioP99, 2)}× (bare with the SDK's default cache, which keeps every workflow); ÷ bare with Keel's cache of ${DEFAULT_MAX_CACHED_SESSIONS}: ${formatNumber(result.latencyRatioP99SameCache, 2)}×`,
    `slowest approvals (place in the order sent: ms): Keel ${slowestOf(result.keel)}; bare ${slowestOf(result.bare)}; bare, cache ${DEFAULT_MAX_CACHED_SESSIONS} ${slowestOf(result.bareSameCache)}`,
  ].join('\n');
}
