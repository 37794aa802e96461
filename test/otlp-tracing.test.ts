import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import { ScriptedModelServer } from '../scripted-model';
import { FileAuditLog } from '../store';
import { KeelMetrics, keelMetricsSinks } from '../metrics';
import { bundleKeelWorkflows, createKeelWorker } from '../workers/keel-worker';
import { tracingFromEnvironment, tracingWorkflowInterceptorModules, type KeelTracingOptions } from '../workers/tracing-options';
import { createTestEnvironment, testServer, uniqueName, type TestEnvironment } from './support/environment';
import { createTestAgent } from './support/fixture-agents';
import { testApproverKeys } from './support/approver-keys';
import { localActivityTypes } from './support/history-activities';

// A real OTLP/HTTP receiver (JSON encoding, as `@opentelemetry/exporter-trace-otlp-http` sends it)
// on a free loopback port, a real worker with tracing pointed at it, a real session.

type OtlpValue = { stringValue?: string; intValue?: number | string; boolValue?: boolean; doubleValue?: number; arrayValue?: { values?: OtlpValue[] } };
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  status?: { code?: number };
  attributes?: Array<{ key: string; value: OtlpValue }>;
}
interface ExportTraceServiceRequest {
  resourceSpans?: Array<{ resource?: { attributes?: Array<{ key: string; value: OtlpValue }> }; scopeSpans?: Array<{ spans?: OtlpSpan[] }> }>;
}

/** A received span with its attributes as plain values. */
interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  kind: number;
  /** 0 unset, 1 ok, 2 error */
  status: number;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
}

function plain(value: OtlpValue): unknown {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(plain);
  return value;
}

function attributesOf(list: Array<{ key: string; value: OtlpValue }> | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map(({ key, value }) => [key, plain(value)]));
}

/** Accepts OTLP/HTTP JSON exports on POST /v1/traces and keeps the spans and the raw bodies. */
class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  readonly bodies: string[] = [];
  readonly contentTypes: string[] = [];
  private readonly server: Server = createServer((req, res) => void this.handle(req, res));

  async start(): Promise<void> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST' || req.url !== '/v1/traces') {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > 16 * 1024 * 1024) {
        res.writeHead(413).end();
        return;
      }
      chunks.push(chunk as Buffer);
    }
    const body = Buffer.concat(chunks).toString('utf8');
    this.bodies.push(body);
    this.contentTypes.push(String(req.headers['content-type']));
    let request: ExportTraceServiceRequest;
    try {
      request = JSON.parse(body) as ExportTraceServiceRequest;
    } catch {
      res.writeHead(400).end();
      return;
    }
    for (const resourceSpans of request.resourceSpans ?? []) {
      const resource = attributesOf(resourceSpans.resource?.attributes);
      for (const scope of resourceSpans.scopeSpans ?? []) {
        for (const span of scope.spans ?? []) {
          this.spans.push({ traceId: span.traceId, spanId: span.spanId, parentSpanId: span.parentSpanId || undefined, name: span.name, kind: span.kind, status: span.status?.code ?? 0, attributes: attributesOf(span.attributes), resource });
        }
      }
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }
}

const scope = { tenant: 'acme', subjects: ['cus_ada'] };
const SECRET_QUESTION = 'where is the parcel for ada@example.com, my secret code is 4471';

let receiver: OtlpReceiver;
let model: ScriptedModelServer;
let env: TestEnvironment;
const connections: NativeConnection[] = [];
const running: Array<{ stop(): Promise<void> }> = [];

beforeAll(async () => {
  receiver = new OtlpReceiver();
  await receiver.start();
  model = new ScriptedModelServer();
  await model.start();
  env = await createTestEnvironment('otlp');
});

afterAll(async () => {
  for (const worker of running) await worker.stop();
  await env?.close();
  for (const connection of connections) await connection.close();
  await model?.stop();
  await receiver?.stop();
});

/** A worker of its own (Keel bundles its workflows, with the tracing interceptors when tracing is on), run until `stop`. */
async function startWorker(tracing: false | KeelTracingOptions): Promise<{ stop(): Promise<void> }> {
  const connection = await NativeConnection.connect({ address: testServer().address });
  connections.push(connection);
  const worker = await createKeelWorker({
    connection,
    taskQueue: env.taskQueue,
    agents: [createTestAgent(env.db)],
    store: env.store,
    database: env.db,
    sharedToolCache: false,
    approverKeys: testApproverKeys(),
    audit: new FileAuditLog(env.auditPath),
    model: { baseURL: model.url, apiKey: 'test' },
    monitor: false,
    evaluation: false,
    shutdownGraceTimeMs: 1000,
    tracing,
  });
  const done = worker.run();
  const handle = {
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
  running.push(handle);
  return handle;
}

/** Scripts a session that looks a customer up, then answers; returns its tag. */
function scriptSession(toolCallId: string): string {
  const tag = uniqueName('otlp');
  model.addScenario({
    name: tag,
    match: tag,
    turns: [
      {
        text: 'Looking you up.',
        toolCalls: [
          { id: toolCallId, name: 'lookup_customer', input: { customer: 'ada@example.com' } },
          { id: `${toolCallId}_b`, name: 'check_inventory', input: { sku: 'ada@example.com' } },
        ],
        usage: { input_tokens: 120, output_tokens: 15 },
      },
      { text: 'Your parcel left the warehouse today, Ada Lovelace.', usage: { input_tokens: 240, output_tokens: 25 } },
    ],
  });
  return tag;
}

async function scheduledActivities(client: Client, workflowId: string): Promise<Array<{ type: string; traced: boolean }>> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).flatMap((e) => {
    const scheduled = e.activityTaskScheduledEventAttributes;
    return scheduled ? [{ type: scheduled.activityType?.name ?? '', traced: Boolean(scheduled.header?.fields?.['_tracer-data']) }] : [];
  });
}

let tracedSessionId: string;
let untracedSessionId: string;

test('a traced session exports workflow, activity, model and tool spans in one trace, with GenAI attributes and no content', async () => {
  const toolCallId = `toolu_otel_${Date.now()}`;
  const tag = scriptSession(toolCallId);
  const worker = await startWorker({ otlpEndpoint: receiver.url, serviceName: 'keel-otlp-test' });
  const session = await env.client.startSession({ agent: 'support', input: `${tag}: ${SECRET_QUESTION}`, scope });
  tracedSessionId = session.sessionId;
  const result = await session.result();
  expect(result).toMatchObject({ outcome: 'completed', usage: { modelCalls: 2, inputTokens: 360, outputTokens: 40 } });
  // The worker's graceful shutdown exports the batched spans before its run ends: they are all here now.
  await worker.stop();

  expect(new Set(receiver.contentTypes)).toEqual(new Set(['application/json']));
  const runs = receiver.spans.filter((s) => s.name === 'RunWorkflow:agentSession' && s.attributes.workflowId === tracedSessionId);
  expect(runs).toHaveLength(1);
  const run = runs[0]!;
  expect(run.attributes).toMatchObject({ workflowType: 'agentSession', taskQueue: env.taskQueue, namespace: 'default' });
  expect(run.resource['service.name']).toBe('keel-otlp-test');
  const trace = receiver.spans.filter((s) => s.traceId === run.traceId);
  const byId = new Map(trace.map((s) => [s.spanId, s]));
  const parentOf = (span: ReceivedSpan) => (span.parentSpanId ? byId.get(span.parentSpanId) : undefined);

  // Workflow → StartActivity (workflow side) → RunActivity (worker side) → chat / execute_tool.
  const chats = trace.filter((s) => s.name.startsWith('chat '));
  expect(chats).toHaveLength(2);
  for (const chat of chats) {
    const activity = parentOf(chat)!;
    expect(activity.name).toBe('RunActivity:callModel');
    expect(activity.attributes.temporalWorkflowId).toBe(tracedSessionId);
    expect(parentOf(activity)!.name).toBe('StartActivity:callModel');
    expect(parentOf(parentOf(activity)!)).toBe(run);
  }
  const requestedModel = model.requests.find((r) => r.scenario === tag)!.body.model;
  expect(chats.map((s) => s.name)).toEqual([`chat ${requestedModel}`, `chat ${requestedModel}`]);
  const usage = chats.map((s) => [s.attributes['gen_ai.usage.input_tokens'], s.attributes['gen_ai.usage.output_tokens']]).sort();
  expect(usage).toEqual([[120, 15], [240, 25]]);
  for (const chat of chats) {
    expect(chat.kind).toBe(3); // CLIENT
    expect(chat.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': requestedModel,
      'gen_ai.response.model': requestedModel,
      'gen_ai.agent.name': 'support',
      'gen_ai.conversation.id': tracedSessionId,
      'gen_ai.usage.cache_read.input_tokens': 0,
      'keel.tenant': 'acme',
      'keel.agent': 'support',
    });
    expect(chat.attributes['gen_ai.response.id']).toMatch(/^msg_/);
  }
  expect(chats.map((s) => s.attributes['gen_ai.response.finish_reasons']).sort()).toEqual([['end_turn'], ['tool_use']]);

  const tools = trace.filter((s) => s.name.startsWith('execute_tool '));
  expect(tools.map((s) => s.name).sort()).toEqual(['execute_tool check_inventory', 'execute_tool lookup_customer']);
  const tool = tools.find((s) => s.name === 'execute_tool lookup_customer')!;
  expect(parentOf(tool)!.name).toBe('RunActivity:runTool');
  expect(parentOf(parentOf(tool)!)!.name).toBe('StartActivity:runTool');
  expect(parentOf(parentOf(parentOf(tool)!)!)).toBe(run);
  expect(tool.attributes).toMatchObject({
    'gen_ai.operation.name': 'execute_tool',
    'gen_ai.tool.name': 'lookup_customer',
    'gen_ai.tool.call.id': toolCallId,
    'gen_ai.tool.type': 'function',
    'gen_ai.agent.name': 'support',
    'gen_ai.conversation.id': tracedSessionId,
    'keel.tenant': 'acme',
    'keel.tool.outcome': 'ok',
  });
  expect(tool.status).not.toBe(2);
  // A tool that fails is an error result for the model, and an error span (its kind, not its message).
  const unknown = tools.find((s) => s.name === 'execute_tool check_inventory')!;
  expect(unknown.status).toBe(2);
  expect(unknown.attributes).toMatchObject({ 'gen_ai.tool.name': 'check_inventory', 'gen_ai.tool.call.id': `${toolCallId}_b`, 'keel.tool.outcome': 'error', 'error.type': 'tool_error' });

  // Every activity of the session, scheduled or local (its bookkeeping), has its span in the same trace.
  const activities = await scheduledActivities(env.temporal, tracedSessionId);
  expect(activities.every((a) => a.traced)).toBe(true);
  const local = localActivityTypes((await env.temporal.workflow.getHandle(tracedSessionId).fetchHistory()).events ?? []);
  expect(local).toEqual(['recordSessionEnd']);
  expect(trace.filter((s) => s.name.startsWith('RunActivity:')).map((s) => s.name.slice('RunActivity:'.length)).sort()).toEqual([...activities.map((a) => a.type), ...local].sort());

  // Names and numbers only: nothing the user, the model or the tool said is in what was exported.
  const exported = receiver.bodies.join('\n');
  for (const content of ['ada@example.com', '4471', 'secret code', 'Ada Lovelace', 'parcel', 'Looking you up', 'You are a test support agent', 'inventory backend unavailable']) {
    expect(exported).not.toContain(content);
  }
});

test('with tracing off nothing is exported, even with the OTLP environment set, and the history differs only by the trace header', async () => {
  expect(tracingFromEnvironment({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url })).toEqual({});
  expect(tracingFromEnvironment({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces` })).toEqual({});
  expect(tracingFromEnvironment({})).toBe(false);
  expect(tracingFromEnvironment({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SDK_DISABLED: 'true' })).toBe(false);
  expect(tracingFromEnvironment({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_TRACES_EXPORTER: 'none' })).toBe(false);

  const exportsBefore = receiver.bodies.length;
  const saved = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
  try {
    const tag = scriptSession(`toolu_plain_${Date.now()}`);
    const worker = await startWorker(false);
    const session = await env.client.startSession({ agent: 'support', input: `${tag}: ${SECRET_QUESTION}`, scope });
    untracedSessionId = session.sessionId;
    expect(await session.result()).toMatchObject({ outcome: 'completed', usage: { modelCalls: 2 } });
    // A traced worker has exported everything by the time its run ends (the test above): this one sent nothing.
    await worker.stop();
  } finally {
    if (saved === undefined) delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    else process.env.OTEL_EXPORTER_OTLP_ENDPOINT = saved;
  }
  expect(receiver.bodies.length).toBe(exportsBefore);

  // The same commands with and without tracing: the interceptors add a header, nothing else.
  const plain = await scheduledActivities(env.temporal, untracedSessionId);
  const traced = await scheduledActivities(env.temporal, tracedSessionId);
  expect(plain.some((a) => a.traced)).toBe(false);
  expect(plain.map((a) => a.type)).toEqual(traced.map((a) => a.type));
});

test('turning tracing on or off keeps every history replaying: recorded ones on the traced bundle, a traced one on the plain bundle', async () => {
  const tracedBundle = await bundleKeelWorkflows({ workflowInterceptorModules: tracingWorkflowInterceptorModules() });
  expect(tracedBundle.code).toContain('OpenTelemetryInboundInterceptor');
  const dir = join(__dirname, 'fixtures', 'histories');
  const histories = readdirSync(dir)
    .filter((f) => f.endsWith('.pb'))
    .sort()
    .map((file) => ({
      workflowId: /@@(.+)\.run\d+\.pb$/.exec(file)?.[1] ?? file.replace(/\.run\d+\.pb$/, ''),
      history: temporal.api.history.v1.History.decode(readFileSync(join(dir, file))),
    }));
  expect(histories.length).toBeGreaterThanOrEqual(10);
  const sinks = { ...keelMetricsSinks(new KeelMetrics()), exporter: { export: { fn: () => undefined } } };
  const failures: string[] = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle: tracedBundle, sinks }, histories)) {
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  expect(failures).toEqual([]);
  // A session that ran without tracing, on a worker that has it now.
  await Worker.runReplayHistory({ workflowBundle: tracedBundle, sinks }, await env.temporal.workflow.getHandle(untracedSessionId).fetchHistory(), untracedSessionId);

  const traced = await env.temporal.workflow.getHandle(tracedSessionId).fetchHistory();
  await Worker.runReplayHistory({ workflowBundle: { codePath: testServer().bundlePath }, sinks: keelMetricsSinks(new KeelMetrics()) }, traced, tracedSessionId);
});
