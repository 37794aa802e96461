import { Worker } from '@temporalio/worker';
import { testKey } from './support/approver-keys';
import { KeelMetrics, keelMetricsSinks, serveMetrics, type MetricsServer } from '../metrics';
import { ScriptedModelServer } from '../scripted-model';
import { createTestEnvironment, testServer, uniqueName, type TestEnvironment } from './support/environment';
import { createTestAgent } from './support/fixture-agents';
import { scrapeSamples } from './support/metrics-scrape';

let env: TestEnvironment;
let model: ScriptedModelServer;
let metrics: KeelMetrics;
let server: MetricsServer;

beforeAll(async () => {
  model = new ScriptedModelServer();
  await model.start();
  env = await createTestEnvironment('metrics');
  metrics = new KeelMetrics();
  await env.startWorker({ agents: [createTestAgent(env.db)], modelURL: model.url, metrics });
  server = await serveMetrics(metrics, 0);
});
afterAll(async () => {
  await server?.close();
  await env?.close();
  await model?.stop();
});

/** The scraped samples, by series (`name{labels}`), from a real HTTP GET of /metrics. */
const scrape = (): Promise<Map<string, number>> => scrapeSamples(server.url);

test('after a known set of sessions /metrics shows the exact counts, and replaying them changes nothing', async () => {
  const scope = { tenant: 'acme', subjects: ['cus_ada'] };
  const scripts: Array<[string, Parameters<ScriptedModelServer['addScenario']>[0]['turns']]> = [
    ['ok-and-error', [{ toolCalls: [{ name: 'lookup_customer', input: { customer: 'cus_ada' } }, { name: 'get_order', input: { orderId: 'ord_9999' } }] }, { text: 'done' }]],
    ['breaker', [{ toolCalls: [{ name: 'get_order', input: { orderId: 'ord_1001' } }] }, { toolCalls: [{ name: 'get_order', input: { orderId: 'ord_1001' } }] }]],
    ['rejected', [{ toolCalls: [{ name: 'process_payment', input: { orderId: 'ord_1001', kind: 'refund', amountCents: 10 } }] }, { text: 'ok' }]],
    ['scope', [{ toolCalls: [{ name: 'lookup_customer', input: { customer: 'grace@example.org' } }] }, { text: 'no' }]],
  ];
  const ids: string[] = [];
  for (const [name, turns] of scripts) {
    const tag = uniqueName(name);
    model.addScenario({ name: tag, match: tag, turns });
    const session = await env.client.startSession({ agent: 'support', input: tag, scope, limits: name === 'breaker' ? { maxToolCalls: 1 } : {} });
    ids.push(session.sessionId);
    for (let i = 0; i < 200; i++) {
      const status = await session.status();
      if (status.state === 'escalated') await session.resolveEscalation('abort', { key: testKey('ops') });
      for (const pending of status.pendingApprovals) await session.reject(pending.requestId, 'no', { key: testKey('ops') });
      if (['completed', 'breaker_tripped'].includes(status.state)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await session.result();
  }

  const expected: Record<string, number> = {
    'keel_sessions_total{agent="support",outcome="completed"}': 3,
    'keel_sessions_total{agent="support",outcome="breaker_tripped"}': 1,
    'keel_session_tool_calls_count{agent="support"}': 4,
    'keel_session_tool_calls_sum{agent="support"}': 5,
    'keel_breaker_trips_total{agent="support",limit="maxToolCalls"}': 1,
    'keel_escalations_total{agent="support",action="abort"}': 1,
    'keel_approvals_total{agent="support",tool="process_payment",decision="rejected"}': 1,
    'keel_tool_calls_total{agent="support",tool="lookup_customer",outcome="ok"}': 1,
    'keel_tool_calls_total{agent="support",tool="lookup_customer",outcome="error"}': 1,
    'keel_tool_calls_total{agent="support",tool="get_order",outcome="ok"}': 1,
    'keel_tool_calls_total{agent="support",tool="get_order",outcome="error"}': 1,
    'keel_scope_violations_total{agent="support",tool="lookup_customer"}': 1,
    'keel_model_calls_total{agent="support",model="claude-sonnet-5-5"}': 8,
  };
  const before = await scrape();
  for (const [series, value] of Object.entries(expected)) expect([series, before.get(series)]).toEqual([series, value]);
  expect([...before.keys()].some((k) => k.includes('session-'))).toBe(false); // no session ids in labels

  // Replays with the same sinks registered (as a deploy check would run them) count nothing.
  const { bundlePath } = testServer();
  for (const id of ids) {
    const history = await env.temporal.workflow.getHandle(id).fetchHistory();
    await Worker.runReplayHistory({ workflowBundle: { codePath: bundlePath }, sinks: keelMetricsSinks(metrics) }, history, id);
  }
  expect(await scrape()).toEqual(before);
});
