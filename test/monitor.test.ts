import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runCli } from '../client/cli';
import { SeededRandom } from '../core/seeded-random';
import { KeelMetrics } from '../metrics';
import { metricAlertSink, webhookAlertSink } from '../alerts';
import { ScriptedModelServer } from '../scripted-model';
import { monitorWorkflowId, sessionSummarySignal } from '../workflows/api';
import { createTestEnvironment, testServer, uniqueName, type TestEnvironment } from './support/environment';
import { createTestAgent } from './support/fixture-agents';

let env: TestEnvironment;
let model: ScriptedModelServer;
const metrics = new KeelMetrics();
const webhookCalls: Array<Record<string, unknown>> = [];
const webhook = createServer((request, response) => {
  let body = '';
  request.on('data', (d) => (body += d));
  request.on('end', () => {
    webhookCalls.push(JSON.parse(body) as Record<string, unknown>);
    response.writeHead(204).end();
  });
});

beforeAll(async () => {
  await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/alerts`;
  model = new ScriptedModelServer();
  await model.start();
  env = await createTestEnvironment('monitor');
  await env.startWorker({ agents: [createTestAgent(env.db)], modelURL: model.url, metrics, alertSinks: [metricAlertSink(metrics), webhookAlertSink(url)] });
});
afterAll(async () => {
  await env?.close();
  await model?.stop();
  await new Promise((resolve) => webhook.close(resolve));
});

/** A seeded stream of realistic session summaries; `tokenFactor` scales tokens and cost. */
function summaries(seed: number, count: number, tokenFactor = 1) {
  const generator = new SeededRandom(seed, 'multiply-xorshift');
  const random = () => generator.next();
  return Array.from({ length: count }, (_, i) => {
    const normal = Math.sqrt(-2 * Math.log(random() || 1e-9)) * Math.cos(2 * Math.PI * random());
    const tokens = Math.round(6000 * Math.exp(0.25 * normal) * tokenFactor);
    return { sessionId: `synthetic-${seed}-${i}`, outcome: random() < 0.97 ? 'completed' : 'failed', toolCalls: 3 + Math.floor(random() * 4), tokens, costUsd: tokens * 4e-6, latencyMs: 2000 + random() * 1000, toolErrors: random() < 0.05 ? 1 : 0 };
  });
}

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const value = await read().catch(() => undefined);
    if (value !== undefined && done(value)) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('finished sessions report to their agent monitor, which is started by the first one', async () => {
  for (let i = 0; i < 2; i++) {
    const tag = uniqueName('monitored');
    model.addScenario({ name: tag, match: tag, turns: [{ toolCalls: [{ name: 'get_order', input: { orderId: 'ord_1001' } }] }, { text: 'done' }] });
    const session = await env.client.startSession({ agent: 'support', input: tag, scope: { tenant: 'acme', subjects: [] } });
    await session.result();
  }
  const status = await waitFor(() => env.client.monitorStatus('support'), (s) => s.sessionsObserved >= 2, 'the monitor');
  expect(status).toMatchObject({ agent: 'support', alerts: [] });
});

test('a 40% rise in tokens per session after a noisy baseline raises an alert, delivered to every sink and listed by keel alerts', async () => {
  const agent = uniqueName('drift-agent');
  const stream = [...summaries(7, 220), ...summaries(8, 40, 1.4)];
  const start = (summary: (typeof stream)[number], perRun: number) =>
    env.temporal.workflow.signalWithStart('agentMonitor', {
      taskQueue: env.taskQueue,
      workflowId: monitorWorkflowId(agent, env.taskQueue),
      args: [{ agent, sessionsPerRun: perRun }],
      signal: sessionSummarySignal,
      signalArgs: [summary],
    });
  for (const summary of stream) await start(summary, 100); // continues as new every 100 sessions
  const status = await waitFor(() => env.client.monitorStatus(agent), (s) => s.sessionsObserved === stream.length, 'all summaries');
  const tokenAlerts = status.alerts.filter((a) => a.metric === 'tokens' && a.direction === 'up');
  expect(tokenAlerts).toHaveLength(1);
  const delay = tokenAlerts[0]!.session - 220;
  expect(delay).toBeGreaterThan(0);
  expect(delay).toBeLessThanOrEqual(30);
  expect(tokenAlerts[0]!.changeRatio).toBeGreaterThan(0.2);
  expect(status.alerts.filter((a) => a.session <= 220)).toEqual([]); // nothing during the stable baseline

  const description = await env.temporal.workflow.getHandle(monitorWorkflowId(agent, env.taskQueue)).describe();
  expect(description.runId).not.toBe(description.raw.workflowExecutionInfo?.firstRunId); // it continued as new, keeping its state

  await waitFor(async () => webhookCalls.filter((c) => c.agent === agent), (calls) => calls.length === status.alerts.length, 'the webhook');
  expect(webhookCalls.find((c) => c.agent === agent && c.metric === 'tokens')).toMatchObject({ direction: 'up' });
  const metric = await metrics.driftAlerts.get();
  expect(metric.values.find((v) => v.labels.agent === agent && v.labels.metric === 'tokens')?.value).toBe(1);

  const lines: string[] = [];
  expect(await runCli(['alerts', '--agent', agent, '--address', testServer().address, '--task-queue', env.taskQueue], (l) => lines.push(l))).toBe(0);
  expect(lines[0]).toBe(`${agent}: ${stream.length} sessions observed, ${status.alerts.length} alert(s)`);
  expect(lines.join('\n')).toContain('tokens');

  // Without --agent: every monitor on the task queue.
  const all: string[] = [];
  expect(await runCli(['alerts', '--address', testServer().address, '--task-queue', env.taskQueue], (l) => all.push(l))).toBe(0);
  expect(all.filter((l) => !l.startsWith('  ')).map((l) => l.split(':')[0]).sort()).toEqual([agent, 'support'].sort());
});
