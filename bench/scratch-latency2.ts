import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { findFreePort, startDevServer } from '../devserver';

async function main() {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const dir = mkdtempSync(join(tmpdir(), 'scratch-'));
  const extraArgs = (process.env.DC ?? '').split(' ').filter(Boolean).flatMap((kv) => ['--dynamic-config-value', kv]);
  const server = await startDevServer({ port: await findFreePort(), headless: true, dbFile: join(dir, 't.db'), extraArgs, log: () => {} });
  const connection = await NativeConnection.connect({ address: server.address });
  const client = new Client({ connection: await Connection.connect({ address: server.address }) });
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: join(__dirname, 'bare-workflow.ts'), logger: new DefaultLogger('WARN') });
  const worker = await Worker.create({ connection, taskQueue: 'q', workflowBundle, activities: { noop: async () => undefined } });
  await worker.runUntil(async () => {
    for (const n of [1, 1, 21, 21]) {
      const t = performance.now();
      await client.workflow.execute('bareWorkflow', { taskQueue: 'q', workflowId: `w-${Math.random()}`, args: [n] });
      console.log(n, (performance.now() - t).toFixed(0), 'ms');
    }
    for (const c of [10, 50]) {
      const t = performance.now();
      await Promise.all(Array.from({ length: c }, () => client.workflow.execute('bareWorkflow', { taskQueue: 'q', workflowId: `w-${Math.random()}`, args: [21] })));
      const ms = performance.now() - t;
      console.log(`concurrent ${c}x21`, ms.toFixed(0), 'ms', ((c * 21) / (ms / 1000)).toFixed(0), 'act/s');
    }
  });
  await connection.close();
  await server.stop();
}
main();
