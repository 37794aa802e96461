import { sdkMetricsUrl } from './support/sdk-metrics-runtime'; // first: the process's runtime, with the SDK's exporter
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { testKey } from './support/approver-keys';
import { FailureType } from '../core/errors';
import { KeelMetrics, serveMetrics, waitingSessionsFromVisibility, type MetricsServer } from '../metrics';
import { ScriptedModelServer } from '../scripted-model';
import { createTestEnvironment, expectReplays, uniqueName, type TestEnvironment } from './support/environment';
import { createTestAgent } from './support/fixture-agents';
import { scrapeSamples } from './support/metrics-scrape';

// A real Prometheus (Debian's package, `apt-get install prometheus`) scrapes a running worker's /metrics.

let env: TestEnvironment;
let model: ScriptedModelServer;
let metrics: KeelMetrics;
let server: MetricsServer;
const scope = { tenant: 'acme', subjects: ['cus_ada'] };

beforeAll(async () => {
  model = new ScriptedModelServer();
  await model.start();
  env = await createTestEnvironment('prometheus');
  metrics = new KeelMetrics({ processMetrics: true });
  metrics.trackWaitingSessions(waitingSessionsFromVisibility(env.temporal, { taskQueue: env.taskQueue, cacheMs: 0 }));
  await env.startWorker({ agents: [createTestAgent(env.db)], modelURL: model.url, metrics });
  server = await serveMetrics(metrics, 0, '127.0.0.1', { sdkMetricsUrl });
});
afterAll(async () => {
  await server?.close();
  await env?.close();
  await model?.stop();
});

/** The samples of one scrape of the worker's /metrics, by series (`name{labels}`). */
const scrape = (): Promise<Map<string, number>> => scrapeSamples(server.url);

/** Calls `probe` every 250 ms until it returns a value, at most `attempts` times. */
async function poll<T>(what: string, probe: () => Promise<T | undefined>, attempts = 240): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** Starts a session the raw Temporal way (no client-side validation or defaults) and expects it to fail with `type`. */
async function expectFailsAtStart(request: unknown, type: string): Promise<string> {
  const handle = await env.temporal.workflow.start('agentSession', { taskQueue: env.taskQueue, workflowId: uniqueName('fails-at-start'), args: [request] });
  const failure = await handle.result().then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(failure).toBeInstanceOf(WorkflowFailedError);
  expect(((failure as WorkflowFailedError).cause as { type?: string }).type).toBe(type);
  return handle.workflowId;
}

test('sessions that fail at start are counted, and the waiting gauges follow Temporal visibility', async () => {
  const failed = [
    await expectFailsAtStart({ agent: 'support', input: 'x', scope, surprise: true }, FailureType.InvalidSessionRequest),
    await expectFailsAtStart({ agent: 'no-such-agent', input: 'x', scope }, FailureType.UnknownAgent),
    await expectFailsAtStart({ agent: 'support', input: 'x', scope }, FailureType.ApproversRequired),
  ];
  const counted = await scrape();
  expect(counted.get('keel_sessions_total{agent="(none)",outcome="invalid_request"}')).toBe(1);
  expect(counted.get('keel_sessions_total{agent="(none)",outcome="unknown_agent"}')).toBe(1);
  expect(counted.get('keel_sessions_total{agent="support",outcome="approvers_required"}')).toBe(1);
  for (const id of failed) expect(await expectReplays(env.temporal, id)).toBe(1); // the sink call adds no command

  const tag = uniqueName('waits');
  model.addScenario({ name: tag, match: tag, turns: [{ toolCalls: [{ name: 'process_payment', input: { orderId: 'ord_1001', kind: 'refund', amountCents: 10 } }] }, { text: 'ok' }] });
  const session = await env.client.startSession({ agent: 'support', input: tag, scope });
  // Visibility is eventually consistent: the gauge reads 1 once the search attribute is indexed.
  const waiting = await poll('keel_sessions_waiting{state="awaiting_approval"} to read 1', async () => {
    const samples = await scrape();
    return samples.get('keel_sessions_waiting{state="awaiting_approval"}') === 1 ? samples : undefined;
  });
  expect(waiting.get('keel_sessions_waiting{state="escalated"}')).toBe(0);
  expect(waiting.get('keel_sessions_waiting_oldest_age_seconds{state="awaiting_approval"}')).toBeGreaterThanOrEqual(0);
  expect(waiting.get('keel_sessions_waiting_oldest_age_seconds{state="escalated"}')).toBe(0);
  const [pending] = (await session.status()).pendingApprovals;
  await session.reject(pending!.requestId, 'not today', { key: testKey('ops') });
  expect((await session.result()).outcome).toBe('completed');
  await poll('keel_sessions_waiting{state="awaiting_approval"} to read 0', async () =>
    (await scrape()).get('keel_sessions_waiting{state="awaiting_approval"}') === 0 ? true : undefined,
  );
});

/** A free TCP port on 127.0.0.1. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

interface VectorSample {
  metric: Record<string, string>;
  value: [number, string];
}

test("Prometheus scrapes a running worker: Keel's sessions and the Temporal SDK's schedule-to-start latency", async () => {
  const tag = uniqueName('scraped');
  model.addScenario({ name: tag, match: tag, turns: [{ toolCalls: [{ name: 'lookup_customer', input: { customer: 'cus_ada' } }] }, { text: 'done' }] });
  const session = await env.client.startSession({ agent: 'support', input: tag, scope });
  expect((await session.result()).outcome).toBe('completed');

  const dir = mkdtempSync(join(tmpdir(), 'keel-prometheus-'));
  const target = new URL(server.url);
  writeFileSync(
    join(dir, 'prometheus.yml'),
    [
      'global:',
      '  scrape_interval: 1s',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      '  - job_name: keel-workers',
      `    metrics_path: ${target.pathname}`,
      '    static_configs:',
      `      - targets: ['${target.host}']`,
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const prometheus: ChildProcess = spawn(
    'prometheus',
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  prometheus.stderr!.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => prometheus.once('exit', () => resolve()));
  try {
    const query = async (promql: string): Promise<VectorSample[] | undefined> => {
      if (prometheus.exitCode !== null) throw new Error(`prometheus exited (${prometheus.exitCode}): ${log}`);
      const response = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(promql)}`).catch(() => undefined);
      if (!response?.ok) return undefined;
      const body = (await response.json()) as { status: string; data: { result: VectorSample[] } };
      return body.status === 'success' && body.data.result.length > 0 ? body.data.result : undefined;
    };
    const sessions = await poll('keel_sessions_total in Prometheus', () => query('keel_sessions_total{job="keel-workers",outcome="completed"}'));
    expect(sessions[0]!.metric).toMatchObject({ agent: 'support', outcome: 'completed', job: 'keel-workers' });
    expect(Number(sessions[0]!.value[1])).toBeGreaterThanOrEqual(1);
    const up = await poll('up in Prometheus', () => query('up{job="keel-workers"}'));
    expect(up[0]!.value[1]).toBe('1');
    const sdkUp = await poll('keel_sdk_metrics_up in Prometheus', () => query('keel_sdk_metrics_up'));
    expect(sdkUp[0]!.value[1]).toBe('1');
    const latency = await poll('the SDK schedule-to-start latency in Prometheus', () =>
      query(`temporal_workflow_task_schedule_to_start_latency_seconds_count{task_queue="${env.taskQueue}"}`),
    );
    expect(Number(latency[0]!.value[1])).toBeGreaterThanOrEqual(1);
  } finally {
    prometheus.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
});
