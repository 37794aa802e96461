import type { TurnContext } from '../scripted-model';
import { testKey } from './support/approver-keys';
import type { SessionHandle } from '../client';
import type { SessionStatus } from '../core/session';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expectReplays, testServer, uniqueName, sessionSuite } from './support/environment';
import { createTestAgent } from './support/fixture-agents';

const scope = { tenant: 'acme', subjects: ['cus_ada'] };
const suite = sessionSuite('breaker', (db) => [createTestAgent(db)]);

/** A model that calls `tool` with `input` on every turn until `answerAfter` tool results, then answers. */
function toolLoop(tag: string, tool: string, input: (turn: number) => Record<string, unknown>, answerAfter: number, latencyMs = 0) {
  suite.model.addScenario({
    name: tag,
    match: tag,
    turns: (ctx: TurnContext) =>
      ctx.turn >= answerAfter
        ? { text: `done after ${ctx.turn} tool calls`, usage: { input_tokens: 100, output_tokens: 10 }, latencyMs }
        : { toolCalls: [{ name: tool, input: input(ctx.turn) }], usage: { input_tokens: 100, output_tokens: 10 }, latencyMs },
  });
}

async function waitForState(session: SessionHandle, state: SessionStatus['state']): Promise<SessionStatus> {
  for (let i = 0; i < 300; i++) {
    const status = await session.status();
    if (status.state === state) return status;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`session ${session.sessionId} never reached state ${state}; it is ${(await session.status()).state}`);
}

test('max tool calls trips, escalates, and resume with extra budget finishes the session', async () => {
  const tag = uniqueName('tool-calls');
  toolLoop(tag, 'get_order', () => ({ orderId: 'ord_1001' }), 4);
  const session = await suite.env.client.startSession({ agent: 'support', input: tag, scope, limits: { maxToolCalls: 2 }, approvers: ['oncall@acme'] });
  const status = await waitForState(session, 'escalated');
  expect(status.escalation).toMatchObject({ limit: 'maxToolCalls' });
  expect(status.usage.toolCalls).toBe(2);
  expect((await session.workflow.describe()).searchAttributes).toMatchObject({ KeelState: ['escalated'] });

  // Not an approver of this session: refused and recorded, the session keeps waiting.
  await session.resolveEscalation('resume', { key: testKey('mallory'), extraBudget: { toolCalls: 100 }, via: 'signal' });
  await session.resolveEscalation('resume', { key: testKey('oncall'), extraBudget: { toolCalls: 2 } });
  const result = await session.result();
  expect(result).toMatchObject({ outcome: 'completed', output: 'done after 4 tool calls', usage: { toolCalls: 4 } });
  const trace = await session.trace();
  expect(trace.events).toContainEqual(expect.objectContaining({ type: 'signal_refused', approver: 'mallory' }));
  expect(trace.events).toContainEqual(expect.objectContaining({ type: 'breaker_tripped', limit: 'maxToolCalls' }));
  expect(trace.events).toContainEqual(
    expect.objectContaining({ type: 'escalation_resolved', approver: 'oncall@acme', action: 'resume', extraBudget: { toolCalls: 2 } }),
  );
  await expectReplays(suite.env.temporal, session.sessionId);
});

test('max tokens trips before the next model call, and abort ends the session', async () => {
  const tag = uniqueName('tokens');
  toolLoop(tag, 'get_order', () => ({ orderId: 'ord_1001' }), 50);
  const session = await suite.env.client.startSession({ agent: 'support', input: tag, scope, limits: { maxTokens: 300 } });
  const status = await waitForState(session, 'escalated');
  expect(status.escalation).toMatchObject({ limit: 'maxTokens' });
  expect(status.usage.modelCalls).toBe(3);
  expect(status.usage.inputTokens + status.usage.outputTokens).toBe(330);
  await session.resolveEscalation('abort', { key: testKey('oncall'), note: 'looping' });
  const result = await session.result();
  expect(result).toMatchObject({
    outcome: 'breaker_tripped',
    output: null,
    breaker: { limit: 'maxTokens', resolution: 'aborted', approver: 'oncall@acme' },
    usage: { modelCalls: 3 },
  });
  expect(result.transcriptRef).toMatch(/^sha256:/);
  expect((await session.workflow.describe()).searchAttributes).toMatchObject({ KeelState: ['breaker_tripped'] });
  await expectReplays(suite.env.temporal, session.sessionId);
});

test('elapsed time trips with a slow model, and with no decision the fallback ends the session', async () => {
  const tag = uniqueName('elapsed');
  // Model calls of 1 s against a 3 s limit: the first call may take up to 2 s more than its latency
  // (a loaded machine) and the session still makes a second one, so the count does not hang on load.
  toolLoop(tag, 'get_order', () => ({ orderId: 'ord_1001' }), 50, 1000);
  const session = await suite.env.client.startSession({
    agent: 'support',
    input: tag,
    scope,
    limits: { maxElapsedMs: 3000 },
    escalation: { timeoutMs: 1500 },
  });
  const result = await session.result();
  expect(result).toMatchObject({ outcome: 'breaker_tripped', breaker: { limit: 'maxElapsedMs', resolution: 'timeout' } });
  // Two or three fit in 3 s of active time.
  expect(result.usage.modelCalls).toBeGreaterThanOrEqual(2);
  expect(result.usage.modelCalls).toBeLessThanOrEqual(4);
  const trace = await session.trace();
  expect(trace.events).toContainEqual(expect.objectContaining({ type: 'escalation_resolved', action: 'timeout' }));
  await expectReplays(suite.env.temporal, session.sessionId);
});

test('consecutive identical errors trip; resume clears the run and the session finishes', async () => {
  const tag = uniqueName('identical-errors');
  toolLoop(tag, 'check_inventory', () => ({ sku: 'gear-7' }), 5);
  const session = await suite.env.client.startSession({ agent: 'support', input: tag, scope });
  const status = await waitForState(session, 'escalated');
  expect(status.escalation).toMatchObject({ limit: 'maxConsecutiveIdenticalErrors' });
  expect(status.escalation?.detail).toContain('check_inventory: tool_error: inventory backend unavailable');
  expect(status.usage.toolCalls).toBe(3);
  await session.resolveEscalation('resume', { key: testKey('oncall') });
  // Two more identical errors are under the limit again; the model then answers.
  const result = await session.result();
  expect(result).toMatchObject({ outcome: 'completed', usage: { toolCalls: 5 } });
  await expectReplays(suite.env.temporal, session.sessionId);
});

test('the fallback answer applies when configured and nobody resolves the escalation', async () => {
  const tag = uniqueName('fallback');
  toolLoop(tag, 'get_order', () => ({ orderId: 'ord_1001' }), 50);
  const session = await suite.env.client.startSession({
    agent: 'support',
    input: tag,
    scope,
    limits: { maxToolCalls: 1 },
    escalation: { timeoutMs: 500, fallback: { action: 'answer', text: 'A human will get back to you.' } },
  });
  expect(await session.result()).toMatchObject({
    outcome: 'fallback',
    output: 'A human will get back to you.',
    breaker: { limit: 'maxToolCalls', resolution: 'timeout' },
  });
});

test('an escalation resolved with the Temporal CLI works like one sent by KeelClient', async () => {
  const tag = uniqueName('temporal-cli');
  toolLoop(tag, 'get_order', () => ({ orderId: 'ord_1001' }), 2);
  const session = await suite.env.client.startSession({ agent: 'support', input: tag, scope, limits: { maxToolCalls: 1 }, approvers: ['oncall@acme'] });
  await waitForState(session, 'escalated');
  const { address, cliPath } = testServer();
  const { statement } = await session.escalationStatement('resume', { key: testKey('oncall'), extraBudget: { toolCalls: 1 } });
  const { stdout } = await promisify(execFile)(cliPath, [
    'workflow', 'update', 'execute', '--address', address, '--workflow-id', session.sessionId, '--name', 'resolveEscalation',
    '--input', JSON.stringify({ statement }),
  ]);
  expect(stdout).toContain('accepted:true');
  expect(await session.result()).toMatchObject({ outcome: 'completed', usage: { toolCalls: 2 } });
  await expectReplays(suite.env.temporal, session.sessionId);
});
