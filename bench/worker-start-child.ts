/**
 * One worker start in a fresh process, as a restart or a crash loop has it: prints the milliseconds
 * from process start until the worker was created (ready to poll), then shuts the worker down.
 * Args: ADDRESS keel|bare. Env: KEEL_BUNDLE_CACHE (empty folder: a cold start).
 */
import { performance } from 'node:perf_hooks';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createKeelWorker } from '../workers';
import { FileContentStore } from '../store';

async function main(): Promise<void> {
  const [address, kind] = process.argv.slice(2);
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const connection = await NativeConnection.connect({ address: address! });
  const taskQueue = `start-${kind}-${process.pid}`;
  const worker =
    kind === 'bare'
      ? await Worker.create({ connection, taskQueue, workflowsPath: require.resolve('./bare-workflow'), activities: { noop: async () => undefined } })
      : await createKeelWorker({ connection, taskQueue, agents: [], store: new FileContentStore(`${process.env.KEEL_BUNDLE_CACHE}-store`), monitor: false, evaluation: false, approverKeys: { keys: async () => [] } });
  console.log(`READY_MS ${Math.round(performance.now())}`);
  await worker.runUntil(Promise.resolve());
  await connection.close();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
