/**
 * The orchestration example, offline: `npm run demo:orchestration [-- supervisor|pipeline|debate]`
 * starts what is missing (dev server, scripted model unless ANTHROPIC_API_KEY is set, a worker) and
 * runs each pattern with the example agents; the supervisor's refund child waits for an approval,
 * which the example sends through the parent.
 */
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { openSupportDatabase } from '../agents';
import { KeelClient } from '../client';
import { KEEL_SEARCH_ATTRIBUTE_NAMES } from '../core/search-attributes';
import type { OrchestrationPattern } from '../core/orchestration';
import { ensureSearchAttributes } from '../devserver';
import { demoServer } from './demo-server';
import { ScriptedModelServer } from '../scripted-model';
import { createKeelWorker } from '../workers/keel-worker';
import { demoApprover } from './demo-keys';
import { exampleOrchestrationAgents, exampleOrchestrationScenarios, runOrchestrationExample } from './orchestration-example';

const PATTERNS: OrchestrationPattern[] = ['supervisor', 'pipeline', 'debate'];

async function main(): Promise<void> {
  const asked = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const unknown = asked.filter((a) => !PATTERNS.includes(a as OrchestrationPattern));
  if (unknown.length) throw new Error(`unknown pattern ${unknown.join(', ')}; choose from ${PATTERNS.join(', ')}`);
  const patterns = asked.length ? (asked as OrchestrationPattern[]) : PATTERNS;
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const server = await demoServer();
  const model = process.env.ANTHROPIC_API_KEY ? undefined : new ScriptedModelServer({ scenarios: exampleOrchestrationScenarios() });
  await model?.start();
  const connection = await NativeConnection.connect({ address: server.address });
  await ensureSearchAttributes(connection, server.namespace, KEEL_SEARCH_ATTRIBUTE_NAMES);
  const database = await openSupportDatabase();
  const taskQueue = 'keel-orchestration-demo';
  const approver = demoApprover();
  const worker = await createKeelWorker({
    approverKeys: approver.trusted,
    connection,
    namespace: server.namespace,
    taskQueue,
    agents: exampleOrchestrationAgents(database),
    database,
    ...(model ? { model: { baseURL: model.url, apiKey: 'offline-demo' } } : {}),
  });
  const running = worker.run();
  const client = await KeelClient.connect({ address: server.address, namespace: server.namespace, taskQueue });
  try {
    for (const pattern of patterns) {
      const result = await runOrchestrationExample(client, pattern, (line) => console.log(line), approver.key);
      if (result.outcome !== 'completed') process.exitCode = 1;
      if (server.uiUrl) console.log(`  history: ${server.uiUrl}/namespaces/${server.namespace}/workflows/${result.sessionId}`);
    }
  } finally {
    await client.close();
    worker.shutdown();
    await running;
    await connection.close();
    await database.close();
    await model?.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
