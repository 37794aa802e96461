import { NativeConnection, Worker } from '@temporalio/worker';
import { KeelPlugin } from '../workers';
import { FileAuditLog } from '../store';
import { ScriptedModelServer } from '../scripted-model';
import { createTestEnvironment, testServer, uniqueName, type TestEnvironment } from './support/environment';
import { createTestAgent } from './support/fixture-agents';
import { testApproverKeys } from './support/approver-keys';

let env: TestEnvironment;
let model: ScriptedModelServer;
beforeAll(async () => {
  model = new ScriptedModelServer();
  await model.start();
  env = await createTestEnvironment('plugin');
});
afterAll(async () => {
  await env.close();
  await model.stop();
});

test("a worker of the team's own runs its workflow and Keel's sessions through the plugin, with its own options intact", async () => {
  const tag = uniqueName('plugin');
  model.addScenario({ name: tag, match: tag, turns: [{ toolCalls: [{ name: 'get_order', input: { orderId: 'ord_1001' } }] }, { text: 'shipped' }] });
  const connection = await NativeConnection.connect({ address: testServer().address });
  const plugin = new KeelPlugin({
    agents: [createTestAgent(env.db)],
    database: env.db,
    store: env.store,
    sharedToolCache: false,
    audit: new FileAuditLog(env.auditPath),
    model: { baseURL: model.url, apiKey: 'test' },
    approverKeys: testApproverKeys(),
  });
  const worker = await Worker.create({
    connection,
    taskQueue: env.taskQueue,
    workflowsPath: require.resolve('./support/user-workflows'),
    activities: { shout: async (text: string) => text.toUpperCase() },
    identity: 'team-worker-1',
    maxCachedWorkflows: 42,
    plugins: [plugin],
  });
  expect(worker.options.identity).toBe('team-worker-1');
  expect(worker.options.maxCachedWorkflows).toBe(42);
  try {
    await worker.runUntil(async () => {
      const greeting = await env.temporal.workflow.execute('greet', { taskQueue: env.taskQueue, workflowId: uniqueName('greet'), args: ['ada'] });
      expect(greeting).toBe('HELLO ADA');
      const session = await env.client.startSession({ agent: 'support', input: tag, scope: { tenant: 'acme', subjects: ['cus_ada'] } });
      expect(await session.result()).toMatchObject({ outcome: 'completed', output: 'shipped', usage: { toolCalls: 1 } });
    });
    expect(plugin.metrics?.registry).toBeDefined();
  } finally {
    await connection.close();
  }
}, 120_000);

test("a worker's own activity may not take the name of one of Keel's", async () => {
  const connection = await NativeConnection.connect({ address: testServer().address });
  try {
    await expect(
      Worker.create({
        connection,
        taskQueue: uniqueName('clash'),
        workflowsPath: require.resolve('./support/user-workflows'),
        activities: { runTool: async () => 'mine' },
        plugins: [new KeelPlugin({ agents: [createTestAgent(env.db)], store: env.store, model: { baseURL: model.url, apiKey: 'test' }, approverKeys: testApproverKeys() })],
      }),
    ).rejects.toThrow('keel plugin: the worker\'s own activities "runTool" have the names of Keel\'s');
  } finally {
    await connection.close();
  }
});
