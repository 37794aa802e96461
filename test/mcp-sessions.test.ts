import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SessionHandle } from '../client';
import { defineAgent, type AgentDescriptor } from '../core/agent';
import type { PendingApproval } from '../core/approval';
import type { SessionStatus } from '../core/session';
import type { TraceEvent } from '../core/trace';
import type { PinnedToolSet } from '../core/tool-source';
import type { TurnContext } from '../scripted-model';
import type { AuditEntry } from '../store';
import { mcpToolSource, type McpLogger, type McpToolSource } from '../tools/mcp';
import { testKey } from './support/approver-keys';
import { createTestEnvironment, expectReplays, sessionSuite, uniqueName } from './support/environment';
import { unmarked } from './support/marked-data';
import { everythingOverStdio, filesystemOverStdio } from './support/mcp-reference-servers';
import { ChangeableMcpServer, type TestMcpTool } from './support/mcp-test-server';
import { activityResult } from './support/history-activities';

// Sessions whose agents take their tools from real MCP servers: the reference filesystem and
// everything servers (npm, over stdio), and for the tool-list change a small SDK server of our own
// whose list the test changes while a session runs.

const quiet: McpLogger = { info: () => undefined, warn: () => undefined, debug: () => undefined };
const scope = { tenant: 'acme', subjects: [] as string[] };

let dir: string;
let files: McpToolSource;
let everything: McpToolSource;
let catalog: McpToolSource;
const catalogServer = new ChangeableMcpServer([]);

const objectOf = (properties: Record<string, unknown>) => ({ type: 'object', properties, required: Object.keys(properties), additionalProperties: false });
const LOOKUP: TestMcpTool = { name: 'lookup', description: 'Look an item up.', inputSchema: objectOf({ id: { type: 'string' } }), annotations: { readOnlyHint: true } };
const REPRICE_V1: TestMcpTool = { name: 'reprice', description: 'Price an item.', inputSchema: objectOf({ sku: { type: 'string' } }), annotations: { readOnlyHint: true } };
const REPRICE_V2: TestMcpTool = { ...REPRICE_V1, inputSchema: objectOf({ sku: { type: 'string' }, currency: { type: 'string' } }) };
const PLACE_ORDER: TestMcpTool = { name: 'place_order', description: 'Place an order (declares no annotations).', inputSchema: objectOf({ sku: { type: 'string' } }) };
const LOOKUP_V2: TestMcpTool = { name: 'lookup_v2', description: 'Look an item up, with its stock.', inputSchema: objectOf({ id: { type: 'string' } }), annotations: { readOnlyHint: true } };

// Registered before the suite's hooks: the sources exist when the suite's worker is created.
beforeAll(async () => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'keel-mcp-sessions-')));
  await catalogServer.setTools([LOOKUP, REPRICE_V1, PLACE_ORDER]);
  await catalogServer.start();
  [files, everything, catalog] = await Promise.all([
    mcpToolSource({ name: 'files', transport: filesystemOverStdio(dir), tools: ['read_text_file', 'write_file', 'move_file'], logger: quiet }),
    mcpToolSource({
      name: 'everything',
      transport: everythingOverStdio(),
      tools: ['echo', 'get-env', 'trigger-long-running-operation'],
      credentials: (s) => ({ env: { TENANT_TOKEN: `secret-token-of-${s.tenant}` } }),
      logger: quiet,
    }),
    mcpToolSource({ name: 'catalog', transport: { http: { url: catalogServer.url } }, logger: quiet }),
  ]);
});

const suite = sessionSuite('mcp-sessions', () => [
  defineAgent({ name: 'files', instructions: 'You manage files.', tools: [files] }),
  defineAgent({ name: 'everything', instructions: 'You run the test tools.', tools: [everything] }),
  defineAgent({ name: 'catalog', instructions: 'You order from the catalog.', tools: [catalog] }),
]);

afterAll(async () => {
  await Promise.allSettled([files, everything, catalog].filter(Boolean).map((s) => s.close()));
  await catalogServer.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A scripted conversation: turn i makes the calls `calls[i]`; after the last, an answer that lists the results. */
function script(tag: string, calls: Array<Array<{ name: string; input: Record<string, unknown> }>>, seen?: (ctx: TurnContext) => void) {
  suite.model.addScenario({
    name: tag,
    match: tag,
    turns: (ctx) => {
      seen?.(ctx);
      const results = ctx.toolResults.map((r) => (r.isError ? `error: ${unmarked(r.content)}` : `ok: ${unmarked(r.content)}`)).join(' | ');
      return ctx.turn < calls.length ? { text: `step ${ctx.turn}`, toolCalls: calls[ctx.turn]! } : { text: `results: ${results}` };
    },
  });
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const pendingOf = (session: SessionHandle): Promise<PendingApproval> =>
  waitFor('a pending approval', async () => {
    const status = await session.status().catch(() => undefined);
    return status?.state === 'awaiting_approval' ? status.pendingApprovals[0] : undefined;
  });

const stateOf = (session: SessionHandle, state: SessionStatus['state']): Promise<SessionStatus> =>
  waitFor(`state ${state}`, async () => {
    const status = await session.status().catch(() => undefined);
    return status?.state === state ? status : undefined;
  });

const toolCalls = (events: TraceEvent[]) => events.filter((e): e is Extract<TraceEvent, { type: 'tool_call' }> => e.type === 'tool_call');

/** The agent descriptor the session recorded in its history when it started (the `describeAgent` activity's result). */
async function recordedDescriptor(sessionId: string): Promise<AgentDescriptor> {
  const handle = suite.env.temporal.workflow.getHandle(sessionId);
  const history = await handle.fetchHistory();
  const converter = suite.env.temporal.options.loadedDataConverter.payloadConverter;
  return converter.fromPayload(activityResult(history.events!, 'describeAgent')!) as AgentDescriptor;
}

test('a destructive MCP tool (filesystem write_file) waits for a signed approval, then runs once, audited with its approver', async () => {
  const tag = uniqueName('write');
  const path = join(dir, `${tag}.txt`);
  let offered: Array<{ name: string; input_schema?: Record<string, unknown> }> = [];
  script(tag, [[{ name: 'write_file', input: { path, content: 'approved text' } }]], (ctx) => void (offered = ctx.request.tools ?? []));
  const session = await suite.env.client.startSession({ agent: 'files', input: tag, scope });
  const pending = await pendingOf(session);
  expect(pending).toMatchObject({ tool: 'write_file', input: { path, content: 'approved text' } });
  expect(existsSync(path)).toBe(false);
  // The model was offered the server's own schema.
  expect(offered.find((t) => t.name === 'write_file')?.input_schema).toEqual(files.current().find((t) => t.name === 'write_file')!.inputJsonSchema);

  await session.approve(pending.requestId, { key: testKey('alice') });
  const result = await session.result();
  // The filesystem server answers with structuredContent, which is what the model gets.
  expect(result).toMatchObject({ outcome: 'completed', output: `results: ok: ${JSON.stringify({ content: `Successfully wrote to ${path}` })}` });
  expect(readFileSync(path, 'utf8')).toBe('approved text');
  const [call] = toolCalls((await session.trace()).events);
  expect(call).toMatchObject({ 'gen_ai.tool.name': 'write_file', tier: 'write_critical', ok: true });
  const audit = readFileSync(suite.env.auditPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as AuditEntry).filter((e) => e.sessionId === session.sessionId);
  expect(audit).toEqual([expect.objectContaining({ tool: 'write_file', tier: 'write_critical', approvedBy: 'alice', input: { path, content: 'approved text' } })]);

  // The descriptor in the history pins each tool with its source, where its tier came from and its digest.
  const descriptor = await recordedDescriptor(session.sessionId);
  expect(descriptor.tools).toContainEqual({ name: 'write_file', tier: 'write_critical', scope: 'tenant', source: 'mcp:files', tierSource: 'annotation:destructiveHint', digest: files.current().find((t) => t.name === 'write_file')!.origin!.digest });
  const pinned = JSON.parse(await suite.env.store.get(descriptor.toolSet!, scope.tenant)) as PinnedToolSet;
  expect(pinned.tools.map((t) => t.name)).toEqual(['read_text_file', 'write_file', 'move_file']);
  await expectReplays(suite.env.temporal, session.sessionId);
});

test('idempotent: the same move_file twice in one session moves the file once; the second call replays the first result', async () => {
  const tag = uniqueName('move');
  const from = join(dir, `${tag}-a.txt`);
  const to = join(dir, `${tag}-b.txt`);
  writeFileSync(from, 'moved once');
  const move = { name: 'move_file', input: { source: from, destination: to } };
  script(tag, [[move], [move]]);
  const session = await suite.env.client.startSession({ agent: 'files', input: tag, scope });
  await session.approve((await pendingOf(session)).requestId, { key: testKey('alice') });
  await waitFor('the first move', () => (existsSync(to) ? true : undefined));
  // The same intent again: approved again, and not run again (a second move would fail: its source is gone).
  const second = await waitFor('the second approval', async () => {
    const status = await session.status();
    return status.pendingApprovals.find((p) => p.requestId !== undefined && p.requestId.startsWith('apr-2-'));
  });
  await session.approve(second.requestId, { key: testKey('alice') });
  const result = await session.result();
  expect(result.output).toBe(`results: ok: ${JSON.stringify({ content: `Successfully moved ${from} to ${to}` })}`);
  const calls = toolCalls((await session.trace()).events);
  expect(calls.map((c) => [c.ok, c.replayed ?? false])).toEqual([[true, false], [true, true]]);
  expect(calls[1]!.idempotencyKey).toBe(calls[0]!.idempotencyKey);
  expect([existsSync(from), readFileSync(to, 'utf8')]).toEqual([false, 'moved once']);
  const audit = readFileSync(suite.env.auditPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as AuditEntry).filter((e) => e.sessionId === session.sessionId);
  expect(audit).toHaveLength(1);
});

test('a server killed mid-call is a typed tool error; the next call reconnects; identical failures trip the breaker', async () => {
  const tag = uniqueName('killed');
  const slow = { name: 'trigger-long-running-operation', input: { duration: 30, steps: 30 } };
  script(tag, [[slow], [slow], [slow]]);
  const session = await suite.env.client.startSession({ agent: 'everything', input: tag, scope, limits: { maxConsecutiveIdenticalErrors: 2 }, approvers: ['oncall@acme'] });
  const killed: number[] = [];
  for (let i = 0; i < 2; i++) {
    const pid = await waitFor('a call in flight', () => everything.status().connections.find((c) => c.inFlight > 0 && c.pid !== null && !killed.includes(c.pid))?.pid ?? undefined);
    process.kill(pid, 'SIGKILL');
    killed.push(pid);
  }
  const status = await stateOf(session, 'escalated');
  expect(status.escalation).toMatchObject({ limit: 'maxConsecutiveIdenticalErrors' });
  const calls = toolCalls((await session.trace()).events);
  expect(calls).toHaveLength(2);
  for (const call of calls) {
    expect(call).toMatchObject({ ok: false, error: { kind: 'McpServerUnavailableError', message: 'MCP server "everything" is unavailable: the connection closed before it answered tool "trigger-long-running-operation"' } });
  }
  expect(new Set(killed).size).toBe(2); // the second call ran on a new server process
  await session.resolveEscalation('abort', { key: testKey('oncall'), note: 'the server keeps dying' });
  expect(await session.result()).toMatchObject({ outcome: 'breaker_tripped', breaker: { limit: 'maxConsecutiveIdenticalErrors', resolution: 'aborted' } });
  // The source serves the next session.
  const after = uniqueName('after-kill');
  script(after, [[{ name: 'echo', input: { message: 'back' } }]]);
  const next = await suite.env.client.startSession({ agent: 'everything', input: after, scope });
  expect((await next.result()).output).toBe('results: ok: Echo: back');
});

test("per-session credentials come from the session's scope, out of band: the server gets them, the model's requests never carry them", async () => {
  const outputs: Record<string, string> = {};
  for (const tenant of ['acme', 'globex']) {
    const tag = uniqueName(`credentials-${tenant}`);
    script(tag, [[{ name: 'get-env', input: {} }]]);
    const session = await suite.env.client.startSession({ agent: 'everything', input: tag, scope: { tenant, subjects: [] } });
    await session.result();
    outputs[tenant] = unmarked(String(await suite.env.store.get(toolCalls((await session.trace()).events)[0]!.outputRef!, tenant)));
    const requests = suite.model.requests.filter((r) => r.scenario === tag);
    expect(JSON.stringify(requests[0]!.body)).not.toMatch(/secret-token/); // before the call: neither prompt nor tool definitions
    expect(JSON.stringify(requests[1]!.body.messages.at(-2))).not.toMatch(/secret-token/); // the call's input
  }
  expect(JSON.parse(outputs.acme!)).toMatchObject({ TENANT_TOKEN: 'secret-token-of-acme' });
  expect(JSON.parse(outputs.globex!)).toMatchObject({ TENANT_TOKEN: 'secret-token-of-globex' });
});

test('a tool list change mid-session: the running session keeps its pinned list, the next session gets the new one', async () => {
  const first = uniqueName('pinned');
  const offeredTo: Record<string, Array<Array<{ name: string; input_schema?: Record<string, unknown> }>>> = { [first]: [] };
  script(
    first,
    [[{ name: 'place_order', input: { sku: 'a' } }], [{ name: 'lookup', input: { id: '1' } }, { name: 'reprice', input: { sku: 'a' } }, { name: 'lookup_v2', input: { id: '2' } }]],
    (ctx) => void offeredTo[first]!.push(ctx.request.tools ?? []),
  );
  const running = await suite.env.client.startSession({ agent: 'catalog', input: first, scope });
  const pending = await pendingOf(running); // place_order declares no annotations: write_critical, so the session waits here
  expect(pending.tool).toBe('place_order');

  // The server changes its tools while the session waits: lookup goes, reprice changes, lookup_v2 comes.
  await catalogServer.setTools([LOOKUP_V2, REPRICE_V2, PLACE_ORDER]);
  await waitFor('the source to follow the change', () => (catalog.current().some((t) => t.name === 'lookup_v2') ? true : undefined));

  // A session started now gets the new list.
  const second = uniqueName('new-list');
  offeredTo[second] = [];
  script(second, [[{ name: 'lookup_v2', input: { id: '3' } }]], (ctx) => void offeredTo[second]!.push(ctx.request.tools ?? []));
  const later = await suite.env.client.startSession({ agent: 'catalog', input: second, scope });
  const laterResult = await later.result();
  expect(laterResult.output).toBe('results: ok: {"tool":"lookup_v2","args":{"id":"3"}}');
  expect(offeredTo[second]![0]!.map((t) => t.name)).toEqual(['lookup_v2', 'reprice', 'place_order']);
  expect(offeredTo[second]![0]!.find((t) => t.name === 'reprice')!.input_schema).toEqual(REPRICE_V2.inputSchema);

  // The running session goes on with the list it started with.
  await running.approve(pending.requestId, { key: testKey('alice') });
  const result = await running.result();
  const offered = offeredTo[first]!;
  expect(offered).toHaveLength(3);
  for (const tools of offered) expect(tools.map((t) => t.name)).toEqual(['lookup', 'reprice', 'place_order']);
  expect(offered[2]!.find((t) => t.name === 'reprice')!.input_schema).toEqual(REPRICE_V1.inputSchema);
  const calls = toolCalls((await running.trace()).events);
  expect(calls.map((c) => [c['gen_ai.tool.name'], c.ok ? 'ok' : c.error!.kind])).toEqual([
    ['place_order', 'ok'],
    ['lookup', 'tool_removed'],
    ['reprice', 'tool_changed'],
    ['lookup_v2', 'unknown_tool'],
  ]);
  expect(calls[1]!.error!.message).toBe('tool "lookup" is no longer offered by mcp:catalog: it was removed after this session started, so this session cannot call it');
  expect(result.output).toContain('error: tool "reprice" of mcp:catalog changed after this session started');
  // Neither refused call reached the server.
  expect(catalogServer.calls.map((c) => c.tool)).toEqual(['lookup_v2', 'place_order']);

  const [before, after] = [await recordedDescriptor(running.sessionId), await recordedDescriptor(later.sessionId)];
  expect(before.tools.map((t) => t.name)).toEqual(['lookup', 'reprice', 'place_order']);
  expect(after.tools.map((t) => t.name)).toEqual(['lookup_v2', 'reprice', 'place_order']);
  expect(before.tools[1]!.digest).not.toBe(after.tools[1]!.digest);
  expect(before.tools[2]!.digest).toBe(after.tools[2]!.digest);
  await expectReplays(suite.env.temporal, running.sessionId);
});

test("a worker's shutdown closes its agents' MCP connections (stdio servers end)", async () => {
  const env = await createTestEnvironment('mcp-shutdown');
  const source = await mcpToolSource({ name: 'everything-shutdown', transport: everythingOverStdio(), tools: ['echo'], logger: quiet });
  try {
    await env.startWorker({ agents: [defineAgent({ name: 'echoer', instructions: 'Echo.', tools: [source] })], modelURL: suite.model.url });
    const tag = uniqueName('shutdown');
    script(tag, [[{ name: 'echo', input: { message: 'before shutdown' } }]]);
    const session = await env.client.startSession({ agent: 'echoer', input: tag, scope });
    expect((await session.result()).output).toBe('results: ok: Echo: before shutdown');
    const pid = source.status().connections[0]!.pid!;
    expect(alive(pid)).toBe(true);
    await env.close();
    await waitFor('the server process to end', () => (alive(pid) ? undefined : true), 10_000);
    expect(source.status().connections[0]!.connected).toBe(false);
  } finally {
    await source.close();
  }
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
