import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { InvalidSessionRequestError, SessionFailedError } from '../client';
import { expectReplays, uniqueName, sessionSuite } from './support/environment';
import { createTestAgent } from './support/fixture-agents';
import { localActivityTypes, scheduledActivityTypes } from './support/history-activities';

const scope = { tenant: 'acme', subjects: ['cus_ada'] };
const suite = sessionSuite('session', (db) => [createTestAgent(db)]);

/** The activities of a session's history: scheduled through the server, and local (the session's bookkeeping). */
async function activityTypes(workflowId: string): Promise<{ scheduled: string[]; local: string[] }> {
  const events = (await suite.env.temporal.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  return { scheduled: scheduledActivityTypes(events), local: localActivityTypes(events) };
}

test('a session with several tool calls completes with the right result, status, trace and history', async () => {
  const tag = uniqueName('refund-question');
  suite.model.addScenario({
    name: tag,
    match: tag,
    turns: [
      { text: 'Let me look you up.', toolCalls: [{ name: 'lookup_customer', input: { customer: 'ada@example.com' } }], usage: { input_tokens: 100, output_tokens: 20 } },
      {
        toolCalls: [
          { name: 'list_orders', input: { customerId: 'cus_ada' } },
          { name: 'get_order', input: { orderId: 'ord_1002' } },
        ],
        usage: { input_tokens: 300, output_tokens: 30 },
      },
      { text: 'Your order ord_1002 (Brass gear set) has shipped.', usage: { input_tokens: 500, output_tokens: 40 } },
    ],
  });
  const session = await suite.env.client.startSession({ agent: 'support', input: `${tag}: where is my gear set?`, scope });
  const result = await session.result();

  expect(result).toMatchObject({
    sessionId: session.sessionId,
    agent: 'support',
    outcome: 'completed',
    output: 'Your order ord_1002 (Brass gear set) has shipped.',
    usage: { modelCalls: 3, toolCalls: 3, inputTokens: 900, outputTokens: 90 },
  });
  // claude-sonnet-5-5 at $2 / $10 per million tokens
  expect(result.usage.costUsd).toBeCloseTo((900 * 2 + 90 * 10) / 1e6, 10);
  expect(result.transcriptRef).toMatch(/^sha256:/);

  const status = await session.status();
  expect(status).toMatchObject({ state: 'completed', agent: 'support', tenant: 'acme', escalation: null, run: 1 });
  expect(status.usage.toolCalls).toBe(3);

  const trace = await session.trace();
  const tools = trace.events.filter((e) => e.type === 'tool_call');
  expect(tools.map((e) => e.type === 'tool_call' && e['gen_ai.tool.name'])).toEqual(['lookup_customer', 'list_orders', 'get_order']);
  expect(tools.every((e) => e.type === 'tool_call' && e.ok)).toBe(true);
  const lookup = tools[0]!;
  expect(lookup.type === 'tool_call' && lookup.outputPreview).toContain('Ada Lovelace');
  const models = trace.events.filter((e) => e.type === 'model_call');
  expect(models.map((e) => e.type === 'model_call' && e['gen_ai.usage.input_tokens'])).toEqual([100, 300, 500]);
  expect(trace.events.at(-1)).toMatchObject({ type: 'session_ended', outcome: 'completed' });

  // Every activity is scheduled through the server but the record of the end, a local activity
  // (the only one: nothing after it reads its workflow task, see SESSION_BASELINE_PATCH).
  expect(await activityTypes(session.sessionId)).toEqual({
    scheduled: ['describeAgent', 'callModel', 'runTool', 'callModel', 'runTool', 'runTool', 'callModel', 'checkFinalAnswer'],
    local: ['recordSessionEnd'],
  });

  // What reached the model on its last turn: both tool results, with the real order data.
  const last = suite.model.requests.filter((r) => r.scenario === tag).at(-1)!;
  const lastUser = JSON.stringify(last.body.messages.at(-1));
  expect(lastUser).toContain('Brass gear set');
  expect(lastUser).toContain('ord_1001');

  const description = await session.workflow.describe();
  expect(description.searchAttributes).toMatchObject({ KeelAgent: ['support'], KeelTenant: ['acme'], KeelState: ['completed'] });
  await expectReplays(suite.env.temporal, session.sessionId);
});

test('an invalid request is refused by the client and fails the workflow at once, naming the field', async () => {
  await expect(suite.env.client.startSession({ agent: 'support', input: '', scope })).rejects.toThrow(InvalidSessionRequestError);
  await expect(suite.env.client.startSession({ agent: 'support', input: 'hi', scope, limits: { maxToolCalls: -1 } })).rejects.toThrow(
    /limits\.maxToolCalls/,
  );

  // Started around the client (as the Temporal CLI would), the workflow itself rejects it.
  const handle = await suite.env.temporal.workflow.start('agentSession', {
    taskQueue: suite.env.taskQueue,
    workflowId: uniqueName('invalid'),
    args: [{ agent: 'support', input: 'hello' }],
  });
  const error = await handle.result().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(WorkflowFailedError);
  const cause = (error as WorkflowFailedError).cause as ApplicationFailure;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  expect(cause.type).toBe('InvalidSessionRequestError');
  expect(cause.nonRetryable).toBe(true);
  expect(cause.message).toMatch(/scope/);
});

test('an unknown agent ends the session with a typed failure', async () => {
  const session = await suite.env.client.startSession({ agent: 'no-such-agent', input: 'hello', scope });
  const error = await session.result().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(SessionFailedError);
  expect(error).toMatchObject({ type: 'UnknownAgentError' });
  expect((error as Error).message).toMatch(/no-such-agent.*support/);
});

test('a model 400 fails the session at once with ModelRequestError', async () => {
  const tag = uniqueName('bad-request');
  suite.model.addScenario({ name: tag, match: tag, turns: [{ error: { status: 400, message: 'max_tokens: too large' } }] });
  const session = await suite.env.client.startSession({ agent: 'support', input: tag, scope });
  const result = await session.result();
  expect(result.outcome).toBe('failed');
  expect(result.error?.type).toBe('ModelRequestError');
  expect(result.error?.message).toMatch(/400.*max_tokens: too large/);
  expect(suite.model.requests.filter((r) => r.scenario === tag)).toHaveLength(1);
  expect((await session.workflow.describe()).searchAttributes).toMatchObject({ KeelState: ['failed'] });
});

test('a model that is down is retried, then the session fails with ModelUnavailableError; the worker keeps serving', async () => {
  const down = uniqueName('model-down');
  suite.model.addScenario({ name: down, match: down, turns: [{ error: { status: 529, message: 'Overloaded' } }] });
  const session = await suite.env.client.startSession({
    agent: 'support',
    input: down,
    scope,
    timeouts: { modelMaxAttempts: 3, modelRetryInitialMs: 100 },
  });
  const result = await session.result();
  expect(result.outcome).toBe('failed');
  expect(result.error?.type).toBe('ModelUnavailableError');
  expect(suite.model.requests.filter((r) => r.scenario === down)).toHaveLength(3);

  const recovers = uniqueName('model-recovers');
  suite.model.addScenario({
    name: recovers,
    match: recovers,
    turns: [[{ error: { status: 503, message: 'upstream' } }, { error: { status: 429, message: 'slow down' } }, { text: 'Hello again.' }]],
  });
  const next = await suite.env.client.startSession({ agent: 'support', input: recovers, scope, timeouts: { modelRetryInitialMs: 100 } });
  expect(await next.result()).toMatchObject({ outcome: 'completed', output: 'Hello again.' });
  await expectReplays(suite.env.temporal, session.sessionId);
  await expectReplays(suite.env.temporal, next.sessionId);
});

test('an unknown tool and an invalid tool input go back to the model as error results', async () => {
  const tag = uniqueName('bad-tools');
  suite.model.addScenario({
    name: tag,
    match: tag,
    turns: [
      { toolCalls: [{ name: 'wire_money', input: { to: 'mallory' } }, { name: 'get_order', input: { orderId: 'order-7' } }] },
      { text: 'Sorry, I could not do that.' },
    ],
  });
  const session = await suite.env.client.startSession({ agent: 'support', input: tag, scope });
  const result = await session.result();
  expect(result.outcome).toBe('completed');
  const trace = await session.trace();
  const calls = trace.events.filter((e) => e.type === 'tool_call');
  expect(calls.map((e) => e.type === 'tool_call' && e.error?.kind)).toEqual(['unknown_tool', 'invalid_input']);
  const seen = JSON.stringify(suite.model.requests.filter((r) => r.scenario === tag).at(-1)!.body.messages.at(-1));
  expect(seen).toContain('unknown tool \\"wire_money\\"');
  expect(seen).toContain('orderId: an order id looks like ord_1001');
  // Only the invalid input reached a tool activity (where it was validated); the unknown tool never did.
  expect(await activityTypes(session.sessionId)).toEqual({ scheduled: ['describeAgent', 'callModel', 'runTool', 'callModel', 'checkFinalAnswer'], local: ['recordSessionEnd'] });
  await expectReplays(suite.env.temporal, session.sessionId);
});

test('a long session continues as new, keeping its transcript, usage and breaker counters', async () => {
  const tag = uniqueName('continue-as-new');
  suite.model.addScenario({
    name: tag,
    match: tag,
    turns: (ctx) =>
      ctx.turn < 40
        ? { toolCalls: [{ name: 'get_order', input: { orderId: 'ord_1001' } }], usage: { input_tokens: 10, output_tokens: 1 } }
        : { text: `saw ${ctx.toolResults.length} result; ${ctx.request.messages.length} messages`, usage: { input_tokens: 10, output_tokens: 1 } },
  });
  const session = await suite.env.client.startSession({ agent: 'support', input: tag, scope, maxHistoryEventsPerRun: 200, limits: { maxToolCalls: 45 } });
  const result = await session.result();
  // The model saw the whole conversation: the first message, 40 tool turns of two messages each.
  expect(result).toMatchObject({ outcome: 'completed', output: 'saw 1 result; 81 messages', usage: { toolCalls: 40, modelCalls: 41, inputTokens: 410 } });
  const status = await session.status();
  expect(status.run).toBeGreaterThan(1);
  const trace = await session.trace();
  expect(trace.events.filter((e) => e.type === 'tool_call')).toHaveLength(40);
  expect(trace.events.filter((e) => e.type === 'continued_as_new')).toHaveLength(status.run - 1);
  expect(await expectReplays(suite.env.temporal, session.sessionId)).toBe(status.run);
});
