import { WorkflowFailedError } from '@temporalio/client';
import { testKey, testKeyFile } from './support/approver-keys';
import type { ScriptedStep, TurnContext } from '../scripted-model';
import type { OrchestrationStatus, PipelineSpecInput } from '../core/orchestration';
import { expectReplays, sessionSuite, testServer, uniqueName } from './support/environment';
import { orchestrationAgents } from './support/orchestration-agents';
import { EXAMPLE_INPUT, exampleOrchestrationAgents, exampleOrchestrationScenarios, exampleRequest, runOrchestrationExample } from '../demo/orchestration-example';
import { runCli } from '../client/cli';
import { TraceStore } from '../store';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const suite = sessionSuite('orchestration', orchestrationAgents);
const scope = { tenant: 'acme', subjects: ['cus_ada'] };
const answer = (value: unknown): ScriptedStep => ({ text: JSON.stringify(value) });

/**
 * One scripted scenario for a whole orchestration: each child conversation is told apart by the
 * tag in its task and by the output its message expects; `script[output]` answers it.
 */
function script(tag: string, steps: Record<string, (ctx: TurnContext) => ScriptedStep>): void {
  suite.model.addScenario({
    name: tag,
    match: (ctx) => ctx.firstUserText.includes(tag),
    turns: (ctx) => {
      const output = /Answer with the output "([^"]+)"/.exec(ctx.firstUserText)?.[1] ?? '';
      const step = steps[output];
      if (!step) throw new Error(`no script for output ${output}`);
      return step(ctx);
    },
  });
}

async function waitFor<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('supervisor: the coordinator plans, specialists run as children, a failed child is retried, the assembler writes the validated result', async () => {
  const tag = uniqueName('supervise');
  let researchAttempts = 0;
  let assembledFrom = '';
  script(tag, {
    SupervisorPlan: () =>
      answer({
        subtasks: [
          { id: 'facts-1001', agent: 'researcher', message: { task: `${tag} look up ord_1001`, context: { orderId: 'ord_1001' }, expectedOutput: 'Findings' } },
          { id: 'facts-1002', agent: 'researcher', message: { task: `${tag} look up ord_1002`, context: { orderId: 'ord_1002' }, expectedOutput: 'Findings' } },
        ],
      }),
    Findings: (ctx) => {
      const order = ctx.firstUserText.includes('ord_1001') ? 'ord_1001' : 'ord_1002';
      if (ctx.turn === 0) return { toolCalls: [{ name: 'get_order', input: { orderId: order } }] };
      // The first attempt on ord_1002 answers off-contract every time: that child fails, the retry succeeds.
      if (order === 'ord_1002' && ctx.turn === 1 && researchAttempts++ === 0) return { text: 'not json' };
      if (order === 'ord_1002' && ctx.turn > 1 && researchAttempts === 1) return { text: 'still not json' };
      return answer({ facts: [`${order} found`] });
    },
    FinalAnswer: (ctx) => {
      assembledFrom = ctx.firstUserText;
      return answer({ answer: 'Both orders are on file.' });
    },
  });
  const run = await suite.env.client.startOrchestration({ pattern: 'supervisor', coordinator: 'coordinator', assembler: 'assembler', input: `${tag} check my two orders`, scope });
  const result = await run.result();
  expect(result.outcome).toBe('completed');
  expect(result.output).toEqual({ answer: 'Both orders are on file.' });
  expect(assembledFrom).toContain('ord_1001 found');
  expect(assembledFrom).toContain('ord_1002 found');
  const roles = result.children.map((c) => `${c.role}#${c.attempt}:${c.outcome}`);
  expect(roles).toEqual(['plan#1:completed', 'facts-1001#1:completed', 'facts-1002#1:invalid_output', 'facts-1002#2:completed', 'assemble#1:completed']);
  // Usage and cost roll up from the children.
  const sum = result.children.reduce((total, c) => total + c.usage.costUsd, 0);
  expect(result.usage.costUsd).toBeCloseTo(sum, 10);
  expect(result.usage.toolCalls).toBe(result.children.reduce((total, c) => total + c.usage.toolCalls, 0));
  // The trace links parent and children; each child's own result names the parent.
  const trace = await run.trace();
  expect(trace.events.filter((e) => e.type === 'child_started').map((e) => e.type === 'child_started' && e.sessionId)).toEqual(result.children.map((c) => c.sessionId));
  const child = await suite.env.client.getSession(result.children[1]!.sessionId).result();
  expect(child.parentSessionId).toBe(run.sessionId);
  // The parent's trace is archived with the links to its children, like a session's.
  const archived = await new TraceStore(suite.env.db).get(run.sessionId);
  expect(archived).toMatchObject({ agent: 'supervisor', tenant: 'acme', outcome: 'completed' });
  expect(archived!.events.filter((e) => e.type === 'child_ended')).toHaveLength(5);
  await expectReplays(suite.env.temporal, run.sessionId);
});

test('supervisor: a plan whose message does not match the receiving agent is caught, and a re-plan fixes it', async () => {
  const tag = uniqueName('bad-message');
  let plans = 0;
  script(tag, {
    SupervisorPlan: () =>
      answer({
        subtasks: [
          // The first plan asks the researcher for an output it does not produce: a failure of the sender.
          { id: 'facts', agent: 'researcher', message: { task: `${tag} look up ord_1001`, expectedOutput: plans++ === 0 ? 'Invoice' : 'Findings' } },
        ],
      }),
    Findings: () => answer({ facts: ['ord_1001 found'] }),
    FinalAnswer: () => answer({ answer: 'done' }),
  });
  const run = await suite.env.client.startOrchestration({ pattern: 'supervisor', coordinator: 'coordinator', assembler: 'assembler', input: `${tag} go`, scope });
  const result = await run.result();
  expect(result.outcome).toBe('completed');
  const rejected = (await run.trace()).events.filter((e) => e.type === 'message_rejected');
  expect(rejected).toHaveLength(1);
  expect(rejected[0]).toMatchObject({ from: 'coordinator', issues: expect.stringContaining('expects output "Invoice" but agent "researcher" produces "Findings"') });

  // With no re-plan allowed, the invalid message ends the orchestration as invalid_message.
  const strictTag = uniqueName('bad-message-strict');
  script(strictTag, { SupervisorPlan: () => answer({ subtasks: [{ id: 'x', agent: 'nobody', message: { task: 'x', expectedOutput: 'Findings' } }] }) });
  const strict = await suite.env.client.startOrchestration({ pattern: 'supervisor', coordinator: 'coordinator', assembler: 'assembler', input: `${strictTag} go`, scope, maxReplans: 0 });
  const strictResult = await strict.result();
  expect(strictResult.outcome).toBe('invalid_message');
  expect(strictResult.error?.message).toContain('no agent "nobody"');
});

test('supervisor: a child\'s pending approval shows in the parent\'s status and is approved through the parent', async () => {
  const tag = uniqueName('child-approval');
  script(tag, {
    SupervisorPlan: () => answer({ subtasks: [{ id: 'refund', agent: 'refunder', message: { task: `${tag} refund ord_1001`, expectedOutput: 'RefundOutcome' } }] }),
    RefundOutcome: (ctx) =>
      ctx.turn === 0
        ? { text: 'Refunding the damaged manual.', toolCalls: [{ name: 'process_payment', input: { orderId: 'ord_1001', kind: 'refund', amountCents: 4900 } }] }
        : answer({ refunded: !ctx.toolResults[0]?.isError, orderId: 'ord_1001' }),
    FinalAnswer: () => answer({ answer: 'Refunded.' }),
  });
  const run = await suite.env.client.startOrchestration({
    pattern: 'supervisor',
    coordinator: 'coordinator',
    assembler: 'assembler',
    input: `${tag} please refund`,
    scope,
    approvers: ['maria'],
  });
  const status = await waitFor(async () => {
    const s = (await run.status()) as OrchestrationStatus;
    return s.pendingApprovals.length ? s : undefined;
  }, 'the child approval in the parent status');
  expect(status.state).toBe('awaiting_approval');
  const pending = status.pendingApprovals[0]!;
  expect(pending).toMatchObject({ tool: 'process_payment', input: { orderId: 'ord_1001', amountCents: 4900 }, sessionId: `${run.sessionId}.refund.1` });
  expect(status.children.find((c) => c.role === 'refund')).toMatchObject({ state: 'awaiting_approval' });
  // A non-approver is refused by the child; the approver's decision, sent to the parent, is forwarded.
  await expect(run.approve(pending.requestId, { key: testKey('mallory') })).rejects.toThrow(/"mallory" is not an approver/);
  // Signed for the child, sent to the parent as a signal (the way the Temporal CLI would): passed on.
  const { statement } = await run.statement('approve', pending.requestId, { key: testKey('maria'), note: 'ok' });
  await run.sendStatement('approve', statement, 'signal');
  const result = await run.result();
  expect(result.outcome).toBe('completed');
  const child = suite.env.client.getSession(pending.sessionId!);
  expect((await child.result()).data).toEqual({ refunded: true, orderId: 'ord_1001' });
  const childTrace = (await child.trace()).events;
  expect(childTrace.filter((e) => e.type === 'signal_refused')).toHaveLength(0); // a refused update is answered, not traced
  expect(childTrace.find((e) => e.type === 'approval_decided')).toMatchObject({ decision: 'approved', approver: 'maria' });
  expect((await run.trace()).events.filter((e) => e.type === 'signal_forwarded')).toHaveLength(1);
  await expectReplays(suite.env.temporal, run.sessionId);
});

test('budget: a child gets only what its parent has left, trips its own breaker, and the parent never exceeds its limits', async () => {
  const tag = uniqueName('budget');
  script(tag, {
    SupervisorPlan: () => answer({ subtasks: [{ id: 'loop', agent: 'looper', message: { task: `${tag} check forever`, expectedOutput: 'LoopOutcome' } }] }),
    // The looper never stops calling tools.
    LoopOutcome: (ctx) => ({ toolCalls: [{ name: 'get_order', input: { orderId: ctx.turn % 2 ? 'ord_1001' : 'ord_1002' } }] }),
  });
  const run = await suite.env.client.startOrchestration({
    pattern: 'supervisor',
    coordinator: 'coordinator',
    assembler: 'assembler',
    input: `${tag} go`,
    scope,
    limits: { maxToolCalls: 5 },
    escalation: { timeoutMs: 60_000, fallback: { action: 'end' } },
    humanTimeoutMs: 500,
    maxReplans: 0,
    approvers: ['maria'],
  });
  // The child's escalation shows in the parent's status, and a decision sent to the parent reaches the child.
  const escalated = await waitFor(async () => {
    const s = await run.status();
    return s.state === 'escalated' && s.children.some((c) => c.escalation) ? s : undefined;
  }, 'the child escalation in the parent status');
  expect(escalated.escalation).toMatchObject({ limit: 'maxToolCalls' });
  const escalatedChildId = escalated.children.find((c) => c.escalation)!.sessionId;
  await run.resolveEscalation('abort', { key: testKey('maria'), note: 'looping', sessionId: escalatedChildId });
  const result = await run.result();
  const loop = result.children.find((c) => c.role === 'loop')!;
  expect(loop.outcome).toBe('breaker_tripped');
  const loopResult = await suite.env.client.getSession(loop.sessionId).result();
  expect(loopResult.breaker).toMatchObject({ resolution: 'aborted', approver: 'maria' });
  const started = (await run.trace()).events.find((e) => e.type === 'child_started' && e.role === 'loop');
  expect(started).toMatchObject({ limits: { maxToolCalls: 5 } });
  expect(loop.usage.toolCalls).toBe(5);
  expect(result.usage.toolCalls).toBeLessThanOrEqual(5);
  expect(result.outcome).toBe('breaker_tripped');
  expect((await run.trace()).events.some((e) => e.type === 'orchestration_escalated' && e.reason === 'budget_exhausted')).toBe(true);
});

test('pipeline: validated before anything runs, independent branches in parallel, inputs built from upstream outputs', async () => {
  const tag = uniqueName('pipeline');
  const started: Record<string, number> = {};
  const seen: Record<string, string> = {};
  script(tag, {
    Extraction: () => answer({ customerId: 'cus_ada', issue: 'damaged manual' }),
    Category: (ctx) => {
      started.Category = Date.now();
      seen.Category = ctx.firstUserText;
      return { latencyMs: 800, ...answer({ category: 'refund' }) };
    },
    Sentiment: () => {
      started.Sentiment = Date.now();
      return { latencyMs: 800, ...answer({ score: -0.4 }) };
    },
    Draft: (ctx) => {
      seen.Draft = ctx.firstUserText;
      return answer({ reply: 'Sorry about the manual; a refund is on its way.' });
    },
  });
  const pipeline: PipelineSpecInput = {
    nodes: [
      { id: 'extract', agent: 'extractor', task: `${tag} extract`, from: { message: '$input' } },
      { id: 'classify', agent: 'classifier', task: `${tag} classify`, from: { issue: 'extract.issue' } },
      { id: 'feel', agent: 'sentiment', task: `${tag} sentiment`, from: { issue: 'extract.issue' } },
      { id: 'draft', agent: 'drafter', task: `${tag} draft`, from: { category: 'classify.category', sentiment: 'feel.score', customer: 'extract.customerId' } },
    ],
    output: 'draft',
  };
  const run = await suite.env.client.startOrchestration({ pattern: 'pipeline', pipeline, input: `${tag} my manual arrived damaged`, scope });
  const result = await run.result();
  expect(result.outcome).toBe('completed');
  expect(result.output).toEqual({ reply: 'Sorry about the manual; a refund is on its way.' });
  expect(seen.Category).toContain('damaged manual');
  expect(seen.Draft).toContain('"category": "refund"');
  expect(seen.Draft).toContain('"sentiment": -0.4');
  expect(seen.Draft).toContain('"customer": "cus_ada"');
  // The two branches overlapped.
  expect(Math.abs(started.Category! - started.Sentiment!)).toBeLessThan(700);
  await expectReplays(suite.env.temporal, run.sessionId);

  // A cycle or a missing node is refused by the client; a field that the upstream schema lacks, by the workflow.
  await expect(
    suite.env.client.startOrchestration({ pattern: 'pipeline', input: 'x', scope, pipeline: { nodes: [{ id: 'a', agent: 'extractor', task: 't', from: { x: 'b' } }, { id: 'b', agent: 'classifier', task: 't', from: { y: 'a' } }], output: 'b' } }),
  ).rejects.toThrow(/cycle/);
  await expect(suite.env.client.startOrchestration({ pattern: 'pipeline', input: 'x', scope, pipeline: { nodes: [{ id: 'a', agent: 'extractor', task: 't', from: { x: 'zzz' } }], output: 'a' } })).rejects.toThrow(/no node "zzz"/);
  const bad = await suite.env.client.startOrchestration({ pattern: 'pipeline', input: 'x', scope, pipeline: { nodes: [{ id: 'a', agent: 'extractor', task: 't' }, { id: 'b', agent: 'classifier', task: 't', from: { x: 'a.severity' } }], output: 'b' } });
  const failure = await bad.result().catch((error: unknown) => error);
  expect(failure).toMatchObject({ type: 'PipelineValidationError', message: expect.stringContaining('Extraction of "a" has no field "severity"') });
  expect((await bad.status()).children).toEqual([]);
});

test('debate: debaters analyse in parallel, the judge gives a typed consensus with agreement and dissent', async () => {
  const tag = uniqueName('debate');
  let judgeSaw = '';
  script(tag, {
    Position: (ctx) => answer({ position: JSON.stringify(ctx.request.system).includes('upside') ? 'ship it' : 'wait a week' }),
    Consensus: (ctx) => {
      judgeSaw = ctx.firstUserText;
      return answer({ consensus: 'ship behind a flag', agreements: ['the feature is ready'], dissents: [{ point: 'timing', agents: ['skeptic'] }] });
    },
  });
  const run = await suite.env.client.startOrchestration({ pattern: 'debate', debaters: ['optimist', 'skeptic'], judge: 'judge', input: `${tag} should we ship?`, scope });
  const result = await run.result();
  expect(result.outcome).toBe('completed');
  expect(result.output).toEqual({ consensus: 'ship behind a flag', agreements: ['the feature is ready'], dissents: [{ point: 'timing', agents: ['skeptic'] }] });
  expect(result.children.map((c) => c.role)).toEqual(['debater-1', 'debater-2', 'judge']);
  expect(judgeSaw).toContain('"optimist": {\n');
  expect(judgeSaw).toContain('ship it');
  expect(judgeSaw).toContain('wait a week');
  await expectReplays(suite.env.temporal, run.sessionId);

  const wrongJudge = await suite.env.client.startOrchestration({ pattern: 'debate', debaters: ['optimist', 'skeptic'], judge: 'assembler', input: `${tag} again`, scope });
  await expect(wrongJudge.result()).rejects.toThrow(/judge "assembler": its output is "FinalAnswer", not "Consensus"/);
});

test('cancelling the parent cancels its children', async () => {
  const tag = uniqueName('cancel');
  script(tag, {
    SupervisorPlan: () => answer({ subtasks: [{ id: 'refund', agent: 'refunder', message: { task: `${tag} refund ord_1002`, expectedOutput: 'RefundOutcome' } }] }),
    RefundOutcome: () => ({ text: 'Refund.', toolCalls: [{ name: 'process_payment', input: { orderId: 'ord_1002', kind: 'refund', amountCents: 100 } }] }),
  });
  const run = await suite.env.client.startOrchestration({ pattern: 'supervisor', coordinator: 'coordinator', assembler: 'assembler', input: `${tag} go`, scope });
  const childId = await waitFor(async () => ((await run.status()) as OrchestrationStatus).pendingApprovals[0]?.sessionId, 'the child waiting for approval');
  await run.cancel();
  await expect(run.result()).rejects.toBeInstanceOf(WorkflowFailedError);
  const child = await waitFor(async () => {
    const d = await suite.env.temporal.workflow.getHandle(childId).describe();
    return d.status.name === 'RUNNING' ? undefined : d;
  }, 'the child to stop');
  expect(child.status.name).toBe('CANCELLED');
  expect((await suite.env.temporal.workflow.getHandle(run.sessionId).describe()).status.name).toBe('CANCELLED');
});

describe('the orchestration example', () => {
  const example = sessionSuite('orchestration-example', exampleOrchestrationAgents);
  beforeAll(() => {
    for (const scenario of exampleOrchestrationScenarios()) example.model.addScenario(scenario);
  });
  test.each(['supervisor', 'pipeline', 'debate'] as const)('%s runs end to end with the scripted model', async (pattern) => {
    const lines: string[] = [];
    const result = await runOrchestrationExample(example.env.client, pattern, (line) => lines.push(line), testKey('maria'));
    expect(result.outcome).toBe('completed');
    if (pattern === 'supervisor') {
      expect(result.output).toEqual({ reply: 'Sorry about the torn pages: order ord_1001 (€49.00) is refunded in full.' });
      expect(lines.some((l) => l.includes('asks to run process_payment'))).toBe(true);
    }
    if (pattern === 'debate') expect(result.output).toMatchObject({ consensus: 'Refund ord_1001 in full.' });
    if (pattern === 'pipeline') expect(result.children.map((c) => c.role).sort()).toEqual(['issue', 'order', 'policy', 'reply']);
  });

  test('keel pipeline, keel debate and keel supervise start each pattern; approvals of a child are signed for the child', async () => {
    const cli = async (...args: string[]) => {
      const lines: string[] = [];
      const code = await runCli([...args, '--address', testServer().address, '--task-queue', example.env.taskQueue], (l) => lines.push(l));
      return { code, lines };
    };
    const dag = join(mkdtempSync(join(tmpdir(), 'keel-dag-')), 'dag.json');
    const pipelineRequest = exampleRequest('pipeline');
    writeFileSync(dag, JSON.stringify(pipelineRequest.pattern === 'pipeline' ? pipelineRequest.pipeline : null));
    const piped = await cli('pipeline', '--file', dag, '--tenant', 'acme', '--subject', 'cus_ada', '--input', EXAMPLE_INPUT, '--wait');
    expect(piped.code).toBe(0);
    expect(piped.lines[0]).toMatch(/^started pipeline-/);
    expect(JSON.parse(piped.lines.slice(1).join('\n'))).toMatchObject({ pattern: 'pipeline', outcome: 'completed' });

    const debated = await cli('debate', '--debater', 'fraud-analyst', '--debater', 'customer-advocate', '--judge', 'refund-judge', '--tenant', 'acme', '--input', EXAMPLE_INPUT, '--wait');
    expect(JSON.parse(debated.lines.slice(1).join('\n'))).toMatchObject({ outcome: 'completed', output: { consensus: 'Refund ord_1001 in full.' } });

    const started = await cli('supervise', '--coordinator', 'triage-coordinator', '--assembler', 'reply-writer', '--tenant', 'acme', '--subject', 'cus_ada', '--input', EXAMPLE_INPUT, '--approver', 'maria');
    const parentId = started.lines[0]!.replace('started ', '');
    const parent = example.env.client.getOrchestration(parentId);
    const pending = await waitFor(async () => (await parent.status()).pendingApprovals[0], 'the refund approval');
    const approved = await cli('approve', parentId, pending.requestId, '--key', testKeyFile('maria', testServer().dir));
    expect(approved).toEqual({ code: 0, lines: [`accepted: approve ${pending.requestId} by maria`] });
    expect((await parent.result()).outcome).toBe('completed');
    await expect(cli('pipeline', '--tenant', 'acme', '--input', 'x')).rejects.toThrow(/needs --file/);
  });
});
