import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { findFreePort, startDevServer } from '../devserver';

async function main() {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const dir = mkdtempSync(join(tmpdir(), 'scratch-'));
  const extraArgs = (process.env.DC ?? '').split(' ').filter(Boolean).flatMap((kv) => ['--dynamic-config-value', kv]);
  const server = await startDevServer({ port: Number(process.env.PORT) || await findFreePort(), headless: true, dbFile: join(dir, 't.db'), extraArgs, log: () => {} });
  const connection = await NativeConnection.connect({ address: server.address });
  const client = new Client({ connection: await Connection.connect({ address: server.address }) });
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: join(__dirname, 'bare-workflow.ts'), logger: new DefaultLogger('WARN') });
  const extra = JSON.parse(process.env.WOPTS ?? '{}');
  const worker = await Worker.create({ connection, taskQueue: 'q', workflowBundle, activities: { noop: async () => undefined }, ...extra });
  await worker.runUntil(async () => {
    for (const n of [1, 21, 21]) {
      const t = performance.now();
      const id = `w-${Math.random()}`;
      await client.workflow.execute('bareWorkflow', { taskQueue: 'q', workflowId: id, args: [n] });
      console.log(n, (performance.now() - t).toFixed(0), 'ms');
      if (n === 21) {
        const h = await client.workflow.getHandle(id).fetchHistory();
        let prev = 0;
        for (const e of (h.events ?? []).slice(0, 24)) {
          const ms = Number(e.eventTime!.seconds) * 1000 + Math.floor((e.eventTime!.nanos ?? 0) / 1e6);
          console.log(String(e.eventId).padStart(3), temporal.api.enums.v1.EventType[e.eventType!], prev ? `+${ms - prev}` : '');
          prev = ms;
        }
      }
    }
  });
  await connection.close();
  await server.stop();
}
main();
