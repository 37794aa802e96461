import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { KeelPlugin, type KeelPluginOptions } from './keel-plugin';

/** Task queue of Keel's workers unless configured otherwise. */
export const DEFAULT_TASK_QUEUE = 'keel';

/**
 * Sessions a Keel worker keeps in its workflow cache unless configured otherwise. A paused session
 * costs nothing on the worker once evicted, and coming back is a short replay (the workflow modules
 * are shared, not evaluated again), so a bounded cache keeps memory flat whatever the number of
 * sessions waiting for people (`npm run bench -- --only paused`). The SDK's own default grows with
 * the heap limit (about 2,300 on a 4 GiB heap).
 */
export const DEFAULT_MAX_CACHED_SESSIONS = 250;


/** Options of {@link createKeelWorker}: Keel's ({@link KeelPluginOptions}) and the worker's own. */
export interface KeelWorkerOptions extends KeelPluginOptions {
  connection: NativeConnection;
  /** @default `TEMPORAL_NAMESPACE` or the environment configuration's namespace, else 'default' */
  namespace?: string;
  /** @default `KEEL_TASK_QUEUE`, else {@link DEFAULT_TASK_QUEUE} */
  taskQueue?: string;
  /** Time given to in-flight activities on shutdown. @default 10000 */
  shutdownGraceTimeMs?: number;
  /** @default 100 */
  maxConcurrentActivityTaskExecutions?: number;
  /** Workflows kept in the worker's cache (Temporal's `maxCachedWorkflows`). @default {@link DEFAULT_MAX_CACHED_SESSIONS} (the worker entry: `KEEL_MAX_CACHED_WORKFLOWS`) */
  maxCachedWorkflows?: number;
  /** Any other option of Temporal's `Worker.create` (interceptors, tuner, deployment options, more plugins...), passed through. */
  worker?: Partial<Omit<WorkerOptions, 'connection' | 'namespace' | 'taskQueue'>>;
}

/**
 * Creates a worker that runs Keel's agent sessions for the given agents: a convenience over
 * `Worker.create` with the {@link KeelPlugin}. To add Keel to a worker of your own (next to your
 * workflows and activities), pass `plugins: [new KeelPlugin({ agents, ... })]` to `Worker.create`.
 */
export async function createKeelWorker(options: KeelWorkerOptions): Promise<Worker> {
  const { connection, namespace, taskQueue, shutdownGraceTimeMs, maxConcurrentActivityTaskExecutions, maxCachedWorkflows, worker, ...keel } = options;
  return Worker.create({
    ...worker,
    connection,
    namespace: namespace ?? process.env.TEMPORAL_NAMESPACE ?? loadClientConnectConfig().namespace ?? 'default',
    taskQueue: taskQueue ?? process.env.KEEL_TASK_QUEUE ?? DEFAULT_TASK_QUEUE,
    shutdownGraceTime: shutdownGraceTimeMs ?? worker?.shutdownGraceTime ?? 10_000,
    maxConcurrentActivityTaskExecutions: maxConcurrentActivityTaskExecutions ?? worker?.maxConcurrentActivityTaskExecutions ?? 100,
    maxCachedWorkflows: maxCachedWorkflows ?? worker?.maxCachedWorkflows ?? DEFAULT_MAX_CACHED_SESSIONS,
    plugins: [new KeelPlugin(keel), ...(worker?.plugins ?? [])],
  });
}

export { bundleKeelWorkflows } from './workflow-bundle';
