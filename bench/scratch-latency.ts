import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { startBenchEnvironment } from './bench-environment';

async function main() {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const env = await startBenchEnvironment({ log: () => {} });
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: join(__dirname, 'bare-workflow.ts'), logger: new DefaultLogger('WARN') });
  const extra = JSON.parse(process.env.WOPTS ?? '{}');
  const worker = await Worker.create({ connection: env.connection, taskQueue: 'q', workflowBundle, activities: { noop: async () => undefined }, ...extra });
  await worker.runUntil(async () => {
    for (const n of [1, 1, 21, 21]) {
      const t = performance.now();
      await env.client.workflow.execute('bareWorkflow', { taskQueue: 'q', workflowId: `w-${Math.random()}`, args: [n] });
      console.log(n, (performance.now() - t).toFixed(0), 'ms');
    }
    for (const c of [10, 50]) {
      const t = performance.now();
      await Promise.all(Array.from({ length: c }, () => env.client.workflow.execute('bareWorkflow', { taskQueue: 'q', workflowId: `w-${Math.random()}`, args: [21] })));
      const ms = performance.now() - t;
      console.log(`concurrent ${c}x21`, ms.toFixed(0), 'ms', ((c * 21) / (ms / 1000)).toFixed(0), 'act/s');
    }
  });
  await env.close();
}
main();
