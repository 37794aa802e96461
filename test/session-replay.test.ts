import { join } from 'node:path';
import { replaySession, SessionNotFoundError } from '../tooling';
import { UsageError } from '../client/cli';
import { runKeelCli as runCli } from '../tooling/cli';
import { testServer, uniqueName, sessionSuite } from './support/environment';
import { createTestAgent } from './support/fixture-agents';

// Each replay against workflow code given as a path bundles it (several seconds): the tests below
// bundle four times in all, and use the run's prebuilt bundle where the code is Keel's own.
const scope = { tenant: 'acme', subjects: ['cus_ada'] };
const suite = sessionSuite('session-replay', (db) => [createTestAgent(db)]);
const nondeterministic = join(__dirname, 'support', 'nondeterministic-session.ts');

/** A finished session with a few tool calls (one run) and one long enough to continue as new. */
const recorded = { short: '', long: '', longRuns: [] as string[] };

beforeAll(async () => {
  const shortTag = uniqueName('replay-short');
  suite.model.addScenario({
    name: shortTag,
    match: shortTag,
    turns: [
      { toolCalls: [{ name: 'lookup_customer', input: { customer: 'ada@example.com' } }] },
      { toolCalls: [{ name: 'list_orders', input: { customerId: 'cus_ada' } }, { name: 'get_order', input: { orderId: 'ord_1002' } }] },
      { text: 'Your gear set has shipped.' },
    ],
  });
  const longTag = uniqueName('replay-long');
  suite.model.addScenario({
    name: longTag,
    match: longTag,
    turns: (ctx) => (ctx.turn < 40 ? { toolCalls: [{ name: 'get_order', input: { orderId: 'ord_1001' } }] } : { text: 'done' }),
  });
  const [short, long] = await Promise.all([
    suite.env.client.startSession({ agent: 'support', input: shortTag, scope }),
    suite.env.client.startSession({ agent: 'support', input: longTag, scope, maxHistoryEventsPerRun: 200, limits: { maxToolCalls: 45 } }),
  ]);
  const results = await Promise.all([short.result(), long.result()]);
  expect(results.map((r) => r.outcome)).toEqual(['completed', 'completed']);
  recorded.short = short.sessionId;
  recorded.long = long.sessionId;
  // The long session's run ids, first to last, as Temporal lists them.
  const executions = suite.env.temporal.workflow.list({ query: `WorkflowId = '${long.sessionId}'` });
  for await (const execution of executions) recorded.longRuns.push(execution.runId);
  expect(recorded.longRuns.length).toBeGreaterThan(1);
  expect((await long.status()).run).toBe(recorded.longRuns.length);
});

async function keel(...args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const code = await runCli([...args, '--address', testServer().address, '--task-queue', suite.env.taskQueue], (l) => lines.push(l));
  return { code, out: lines.join('\n') };
}

test('unchanged workflow code replays every run of a session, following continue-as-new', async () => {
  // Default: bundles Keel's current workflows.
  const long = await replaySession(suite.env.temporal, recorded.long);
  expect(long.ok).toBe(true);
  expect(long.sessionId).toBe(recorded.long);
  expect(long.runs.map((r) => r.runId).sort()).toEqual([...recorded.longRuns].sort());
  expect(long.runs.every((r) => r.ok && r.error === undefined)).toBe(true);
  // First run first: the last one is the run that describe() names.
  const latest = await suite.env.temporal.workflow.getHandle(recorded.long).describe();
  expect(long.runs.at(-1)!.runId).toBe(latest.runId);
  expect(long.runs[0]!.runId).toBe(latest.raw.workflowExecutionInfo?.firstRunId);

  const short = await replaySession(suite.env.temporal, recorded.short, { workflowBundle: { codePath: testServer().bundlePath } });
  expect(short).toEqual({ sessionId: recorded.short, ok: true, runs: [{ runId: expect.any(String), ok: true }] });
});

test('workflow code with another command sequence is reported as nondeterministic, run by run', async () => {
  const report = await replaySession(suite.env.temporal, recorded.long, { workflowsPath: nondeterministic });
  expect(report.ok).toBe(false);
  expect(report.runs).toHaveLength(recorded.longRuns.length);
  for (const run of report.runs) {
    expect(run.ok).toBe(false);
    expect(run.error?.type).toBe('nondeterminism');
    // The SDK's message names what the history holds that the new code (a timer first) did not do:
    // the session's first command is its baseline patch marker.
    expect(run.error?.message).toMatch(/nondeterminism/i);
    expect(run.error?.message).toMatch(/patch marker encountered for change session-baseline/i);
  }
});

test('keel replay prints one line per run and a verdict, and exits 1 on nondeterminism', async () => {
  const { code, out } = await keel('replay', recorded.short, '--workflows', nondeterministic);
  expect(code).toBe(1);
  const lines = out.split('\n');
  expect(lines[0]).toBe(`replaying session ${recorded.short} (1 run) against ${nondeterministic}`);
  // The run, then the mismatch as Temporal's core names it: the recorded patch marker the new code's timer did not match.
  expect(lines[1]).toMatch(/^  run 1 [0-9a-f-]{36}  NONDETERMINISM: \[TMPRL1100\] Nondeterminism error: Non-deprecated patch marker encountered for change session-baseline, but there is no corresponding change command!$/);
  expect(lines[2]).toMatch(/^NONDETERMINISM: 1 of 1 runs .* do not replay/);
  expect(lines).toHaveLength(3);
});

test('keel replay --json prints the report and exits 0 when every run replays', async () => {
  const { code, out } = await keel('replay', recorded.long, '--json');
  expect(code).toBe(0);
  const report = JSON.parse(out) as { sessionId: string; ok: boolean; runs: Array<{ runId: string; ok: boolean }> };
  expect(report).toMatchObject({ sessionId: recorded.long, ok: true });
  expect(report.runs.map((r) => r.runId).sort()).toEqual([...recorded.longRuns].sort());
});

test('keel replay refuses a missing session id, an unknown session and a missing workflows file', async () => {
  await expect(keel('replay')).rejects.toThrow(UsageError);
  await expect(keel('replay')).rejects.toThrow('"keel replay" needs a session id');
  const unknown = uniqueName('no-such-session');
  await expect(keel('replay', unknown)).rejects.toThrow(`no session "${unknown}" in namespace "default"`);
  await expect(replaySession(suite.env.temporal, unknown)).rejects.toThrow(SessionNotFoundError);
  await expect(keel('replay', recorded.short, '--workflows', 'no/such/workflows.ts')).rejects.toThrow('--workflows: no such file');
});
