import { temporal } from '@temporalio/proto';
import { expectReplays, uniqueName, sessionSuite } from './support/environment';
import { createTestAgent, executions } from './support/fixture-agents';

const TEN_MIB = 10 * 1024 * 1024;
const suite = sessionSuite('long', (db) => [createTestAgent(db)]);

test('300 tool calls with 21 MB of tool output complete, every run far below the history limits', async () => {
  const tag = uniqueName('long-session');
  const calls = 300;
  suite.model.addScenario({
    name: tag,
    match: tag,
    turns: (ctx) =>
      ctx.turn < calls
        ? { toolCalls: [{ name: 'fetch_document', input: { n: ctx.turn, kb: 70 } }], usage: { input_tokens: 1000, output_tokens: 20 } }
        : { text: `read ${calls} documents`, usage: { input_tokens: 1000, output_tokens: 20 } },
  });
  const before = executions.get('fetch_document') ?? 0;
  const session = await suite.env.client.startSession({
    agent: 'support',
    input: `${tag}: read every document`,
    scope: { tenant: 'acme', subjects: [] },
    limits: { maxToolCalls: 1000, maxTokens: 10_000_000, maxElapsedMs: 3_600_000 },
    maxHistoryEventsPerRun: 1000,
  });
  const result = await session.result();
  expect(result).toMatchObject({ outcome: 'completed', output: `read ${calls} documents`, usage: { toolCalls: calls, modelCalls: calls + 1 } });
  expect((executions.get('fetch_document') ?? 0) - before).toBe(calls);

  // Walk every run of the session (continue-as-new), measuring each history.
  const sizes: number[] = [];
  let runId: string | undefined = (await session.workflow.describe()).runId;
  while (runId) {
    const history = await suite.env.temporal.workflow.getHandle(session.sessionId, runId).fetchHistory();
    sizes.push(temporal.api.history.v1.History.encode(history).finish().length);
    runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
  }
  const total = sizes.reduce((a, b) => a + b, 0);
  const outputBytes = calls * 70 * 1024;
  expect(outputBytes).toBeGreaterThan(20_000_000);
  expect(sizes.length).toBeGreaterThan(1);
  expect(Math.max(...sizes)).toBeLessThan(TEN_MIB);
  // The history carries references, not content: all runs together are a small fraction of the output.
  expect(total).toBeLessThan(outputBytes / 10);
  const status = await session.status();
  expect(status.run).toBe(sizes.length);
  expect(await expectReplays(suite.env.temporal, session.sessionId)).toBe(sizes.length);
}, 600_000);
