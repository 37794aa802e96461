import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../client/cli';
import { costOf } from '../core/pricing';
import { SessionTraceRecordSchema, TRACE_RECORD_SCHEMA_VERSION } from '../core/trace-schema';
import { PostgresDatabase, TraceStore } from '../store';
import { sessionSuite, testServer, uniqueName } from './support/environment';
import { createTestAgent } from './support/fixture-agents';
import { TEST_DATABASE_URL } from './support/test-database';

const suite = sessionSuite('traces', (db) => [createTestAgent(db)]);

async function keel(...args: string[]): Promise<string> {
  const lines: string[] = [];
  const code = await runCli([...args, '--address', testServer().address, '--task-queue', suite.env.taskQueue, '--database', TEST_DATABASE_URL], (l) => lines.push(l));
  expect(code).toBe(0);
  return lines.join('\n');
}

test('a finished session is archived with every step, exports in three formats, and outlives its workflow history', async () => {
  const tag = uniqueName('archive');
  suite.model.addScenario({
    name: tag,
    match: tag,
    turns: [
      { toolCalls: [{ name: 'lookup_customer', input: { customer: 'cus_ada' } }], usage: { input_tokens: 1200, output_tokens: 80 }, latencyMs: 150 },
      { toolCalls: [{ name: 'get_order', input: { orderId: 'ord_9999' } }], usage: { input_tokens: 1500, output_tokens: 60 } },
      { text: 'Your order does not exist.', usage: { input_tokens: 1700, output_tokens: 30 } },
    ],
  });
  const session = await suite.env.client.startSession({ agent: 'support', input: tag, scope: { tenant: 'acme', subjects: ['cus_ada'] } });
  const result = await session.result();

  const archived = await new TraceStore(suite.env.db).get(session.sessionId);
  expect(archived).toBeDefined();
  const record = SessionTraceRecordSchema.parse(archived);
  expect(record).toMatchObject({ schemaVersion: TRACE_RECORD_SCHEMA_VERSION, sessionId: session.sessionId, agent: 'support', tenant: 'acme', outcome: 'completed' });
  expect(record.result).toMatchObject({ outcome: 'completed', output: 'Your order does not exist.' });
  const models = record.events.filter((e) => e.type === 'model_call');
  expect(models.map((e) => e.type === 'model_call' && [e['gen_ai.usage.input_tokens'], e['gen_ai.usage.output_tokens']])).toEqual([
    [1200, 80],
    [1500, 60],
    [1700, 30],
  ]);
  for (const e of models) if (e.type === 'model_call') expect(e.costUsd).toBeCloseTo(costOf('claude-sonnet-5-5', { inputTokens: e['gen_ai.usage.input_tokens'], outputTokens: e['gen_ai.usage.output_tokens'] }), 12);
  expect(models[0]!.type === 'model_call' && models[0]!.latencyMs).toBeGreaterThanOrEqual(150);
  const tools = record.events.filter((e) => e.type === 'tool_call');
  expect(tools.map((e) => e.type === 'tool_call' && [e['gen_ai.tool.name'], e.ok, e.error?.kind])).toEqual([
    ['lookup_customer', true, undefined],
    ['get_order', false, 'tool_error'],
  ]);
  expect(result.usage.costUsd).toBeCloseTo(models.reduce((sum, e) => sum + (e.type === 'model_call' ? e.costUsd : 0), 0), 12);

  // Temporal forgets the session (as retention would); the trace store still has it.
  // Deletion is asynchronous on the server (slow on a busy machine): ask again until the execution
  // is gone, however long that takes within the test's timeout.
  for (let i = 0; ; i++) {
    if (i % 10 === 0) {
      await suite.env.temporal.workflowService.deleteWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId: session.sessionId } }).catch(() => undefined);
    }
    const gone = await session.workflow.describe().then(() => false, () => true);
    if (gone) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  await expect(session.workflow.describe()).rejects.toThrow(/not found/i);

  const json = SessionTraceRecordSchema.parse(JSON.parse(await keel('trace', session.sessionId, '--format', 'json')));
  expect(json.events).toEqual(record.events);
  const lines = (await keel('trace', session.sessionId, '--format', 'jsonl')).split('\n').map((l) => JSON.parse(l) as { type: string; sessionId: string });
  expect(lines.map((l) => l.type)).toEqual(record.events.map((e) => e.type));
  const otlp = JSON.parse(await keel('trace', session.sessionId, '--format', 'otlp-json')) as {
    resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ name: string; traceId: string; parentSpanId?: string; spanId: string }> }> }>;
  };
  const spans = otlp.resourceSpans[0]!.scopeSpans[0]!.spans;
  expect(spans.map((s) => s.name)).toEqual([
    'invoke_agent support',
    'chat claude-sonnet-5-5',
    'execute_tool lookup_customer',
    'chat claude-sonnet-5-5',
    'execute_tool get_order',
    'chat claude-sonnet-5-5',
  ]);
  expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
  expect(spans.slice(1).every((s) => s.parentSpanId === spans[0]!.spanId)).toBe(true);
});

describe('archived records of older schema versions', () => {
  /** A record as the trace store wrote and read it before records had a schema version (version 0). */
  const v0 = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'trace-records', 'v0-support-session.json'), 'utf8')) as Record<string, unknown>;

  test('a version-0 record (no schemaVersion) parses as version 0 with every field of every event kept', () => {
    expect(v0).not.toHaveProperty('schemaVersion');
    const record = SessionTraceRecordSchema.parse(v0);
    expect(record.schemaVersion).toBe(0);
    expect(record).toEqual({ schemaVersion: 0, ...v0 });
    expect(record.events.map((e) => e.type)).toEqual(['model_call', 'tool_call', 'guardrail_verdict', 'model_call', 'approval_requested', 'approval_decided', 'tool_call', 'model_call', 'session_ended']);
  });

  test('the store reads a row archived before versions existed as version 0, and saves it again as the current version', async () => {
    // A schema of its own, so that the table can be made as the version-0 store made it.
    const schema = uniqueName('traces_v0').replace(/[^a-z0-9_]/gi, '_').toLowerCase();
    await suite.env.db.exec(`CREATE SCHEMA ${schema}`);
    const db = new PostgresDatabase(`${TEST_DATABASE_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`, { max: 1 });
    try {
      const record = SessionTraceRecordSchema.parse(v0);
      // The table and the row as the version-0 store created and wrote them.
      await db.exec(`CREATE TABLE keel_session_traces (
        session_id text PRIMARY KEY, agent text NOT NULL, tenant text NOT NULL, outcome text NOT NULL,
        started_at timestamptz NOT NULL, ended_at timestamptz NOT NULL, result jsonb NOT NULL, events jsonb NOT NULL)`);
      await db.query(
        `INSERT INTO keel_session_traces (session_id, agent, tenant, outcome, started_at, ended_at, result, events)
         VALUES ($1, $2, $3, $4, to_timestamp($5 / 1000.0), to_timestamp($6 / 1000.0), $7, $8)`,
        [record.sessionId, record.agent, record.tenant, record.outcome, record.startedAtMs, record.endedAtMs, JSON.stringify(record.result), JSON.stringify(record.events)],
      );
      const store = new TraceStore(db);
      await store.migrate();
      expect(await store.get(record.sessionId)).toEqual(record);
      await store.save(record);
      expect(await store.get(record.sessionId)).toEqual({ ...record, schemaVersion: TRACE_RECORD_SCHEMA_VERSION });
    } finally {
      await db.close();
      await suite.env.db.exec(`DROP SCHEMA ${schema} CASCADE`);
    }
  });
});
