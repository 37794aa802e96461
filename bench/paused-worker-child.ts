/**
 * One worker of the paused-sessions benchmark (bench/paused-sessions.ts) in a process of its own, so
 * that its resident memory is its own: `node --expose-gc --import tsx paused-worker-child.ts keel|bare`.
 * Env: PAUSED_ADDRESS, PAUSED_TASK_QUEUE, PAUSED_BUNDLE (the workflow bundle's file), PAUSED_MODEL_URL
 * (Keel), PAUSED_STORE_DIR (Keel), PAUSED_KEEL_WORKER_OPTIONS / PAUSED_BARE_WORKER_OPTIONS (JSON of extra worker
 * options, optional), PAUSED_HEAP_SNAPSHOT (a path prefix: heap snapshots with each memory reading).
 * Talks to its parent over IPC: sends `{ type: 'ready' }` when polling and `{ type: 'effect', id, atMs }`
 * when the activity after the approval starts; answers `{ type: 'memory' }` with
 * `{ type: 'memory', rss, heapUsed, cached }` (after a full garbage collection).
 */
import { DefaultLogger, NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { writeHeapSnapshot } from 'node:v8';
import { z } from 'zod';
import { defineAgent } from '../core/agent';
import { defineTool } from '../core/tool';
import { FileContentStore } from '../store';
import { createKeelWorker } from '../workers/keel-worker';
import { testApproverKeys } from '../test/support/approver-keys';
import type { PausedBareActivities } from './bare-workflow';

/** The benchmark's agent: one write_critical call that waits for a person, then a short answer. */
export const PAUSED_AGENT = 'bench-paused';

type ToParent = { type: 'ready' } | { type: 'effect'; id: string; atMs: number } | { type: 'memory'; rss: number; heapUsed: number };

function tell(message: ToParent): void {
  process.send?.(message);
}

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

async function main(): Promise<void> {
  const kind = process.argv[2];
  if (kind !== 'keel' && kind !== 'bare') throw new Error(`usage: paused-worker-child.ts keel|bare (got ${String(kind)})`);
  Runtime.install({ logger: new DefaultLogger((process.env.PAUSED_LOG_LEVEL ?? 'WARN') as 'WARN') });
  const connection = await NativeConnection.connect({ address: env('PAUSED_ADDRESS') });
  const taskQueue = env('PAUSED_TASK_QUEUE');
  const extra = JSON.parse((kind === 'keel' ? process.env.PAUSED_KEEL_WORKER_OPTIONS : process.env.PAUSED_BARE_WORKER_OPTIONS) ?? '{}') as Partial<WorkerOptions>;
  const workflowBundle = { codePath: env('PAUSED_BUNDLE') };
  let worker: Worker;
  if (kind === 'keel') {
    const refund = defineTool({
      name: 'refund',
      description: 'Refunds an order.',
      tier: 'write_critical',
      input: z.object({ orderId: z.string(), amount: z.number() }),
      run: async ({ orderId }, context) => {
        tell({ type: 'effect', id: context.sessionId, atMs: Date.now() });
        return { refunded: orderId };
      },
    });
    const agent = defineAgent({ name: PAUSED_AGENT, instructions: 'You refund orders when asked.', tools: [refund] });
    worker = await createKeelWorker({
      connection,
      taskQueue,
      agents: [agent],
      approverKeys: testApproverKeys(),
      store: new FileContentStore(env('PAUSED_STORE_DIR')),
      model: { baseURL: env('PAUSED_MODEL_URL'), apiKey: 'bench' },
      monitor: false,
      evaluation: false,
      workflowBundle,
      shutdownGraceTimeMs: 1000,
      worker: extra,
    });
  } else {
    const activities: PausedBareActivities = {
      effect: async (id) => {
        tell({ type: 'effect', id, atMs: Date.now() });
      },
    };
    worker = await Worker.create({ ...extra, connection, taskQueue, workflowBundle, activities });
  }
  process.on('message', (message: { type?: string }) => {
    if (message.type !== 'memory') return;
    (globalThis as { gc?: () => void }).gc?.();
    const { rss, heapUsed } = process.memoryUsage();
    if (process.env.PAUSED_HEAP_SNAPSHOT) console.error(`heap snapshot: ${writeHeapSnapshot(`${process.env.PAUSED_HEAP_SNAPSHOT}-${kind}-${Date.now()}.heapsnapshot`)}`);
    tell({ type: 'memory', rss, heapUsed });
  });
  process.on('disconnect', () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
  });
  const running = worker.run();
  tell({ type: 'ready' });
  await running;
  await connection.close();
  process.disconnect?.(); // the IPC channel would keep the process alive
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
