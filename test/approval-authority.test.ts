import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@temporalio/client';
import { DecisionRefusedError, KeelClient, SessionFailedError, type SessionHandle } from '../client';
import { createApproverKey, signDecision, trustApproverKey } from '../client/approver-key';
import { createSupportAgent } from '../agents';
import { defineAgent } from '../core/agent';
import type { PendingApproval } from '../core/approval';
import { base64UrlDecode, base64UrlEncode } from '../core/decision-statement';
import { ApproverKeyFile, TraceStore, type AuditEntry } from '../store';
import { testIssuerKey, testKey } from './support/approver-keys';
import { createTestEnvironment, expectReplays, testServer, uniqueName, sessionSuite, type SessionSuite } from './support/environment';
import { createTestAgent } from './support/fixture-agents';
import { localActivityTypes } from './support/history-activities';
import { eventually } from './support/inbox-fixtures';
import { unmarked } from './support/marked-data';

// Every attack here goes through a public interface: the Temporal CLI, raw signals and updates of a
// Temporal client, KeelClient or the keel command line.
const run = promisify(execFile);
const scope = { tenant: 'acme', subjects: ['cus_ada'] };
const suite = sessionSuite('approval-authority', (db) => {
  const support = createSupportAgent(db);
  return [
    createTestAgent(db),
    defineAgent({
      name: 'autopay',
      instructions: 'Refund what the user asks for.',
      tools: support.tools.filter((t) => t.name === 'process_payment'),
      automaticApproval: { reason: 'refunds under the test policy need no person' },
    }),
  ];
});

const refund = (orderId: string, amountCents: number) => ({ name: 'process_payment', input: { orderId, kind: 'refund', amountCents } });

function proposes(tag: string, calls: Array<{ name: string; input: Record<string, unknown>; id?: string }>, after?: (seen: string) => string) {
  suite.model.addScenario({
    name: tag,
    match: tag,
    turns: (ctx) =>
      ctx.turn === 0
        ? { text: 'Refunding it.', toolCalls: calls }
        : { text: after ? after(JSON.stringify(ctx.request.messages.at(-1))) : `results: ${ctx.toolResults.map((r) => (r.isError ? `error: ${unmarked(r.content)}` : 'ok')).join(' | ')}` },
  });
}

async function paymentsFor(sessionId: string) {
  const { rows } = await suite.env.db.transaction(async (tx) => {
    await tx.query(`SELECT set_config('keel.tenant', 'acme', true)`);
    return tx.query(`SELECT order_id AS "orderId", amount_cents AS "amountCents" FROM payments WHERE idempotency_key LIKE $1`, [`${sessionId}:%`]);
  });
  return rows;
}

async function pendingOf(session: SessionHandle): Promise<PendingApproval> {
  for (let i = 0; i < 300; i++) {
    const status = await session.status().catch(() => undefined);
    if (status?.state === 'awaiting_approval' && status.pendingApprovals[0]) return status.pendingApprovals[0];
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no pending approval');
}

async function temporal(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { address, cliPath } = testServer();
  try {
    const { stdout, stderr } = await run(cliPath, [...args, '--address', address], { maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A statement whose payload was changed after signing (the signature stays). */
function tampered(statement: string, change: (claims: Record<string, unknown>) => void): string {
  const [h, p, s] = statement.split('.') as [string, string, string];
  const claims = JSON.parse(new TextDecoder().decode(base64UrlDecode(p)!)) as Record<string, unknown>;
  change(claims);
  return `${h}.${base64UrlEncode(new TextEncoder().encode(JSON.stringify(claims)))}.${s}`;
}

test('forged, claimed and misbound approvals are refused through the Temporal CLI and raw updates; the signed one runs the call once', async () => {
  const tag = uniqueName('forged');
  proposes(tag, [refund('ord_1001', 4900)]);
  const identified = new Client({ connection: suite.env.temporal.connection, namespace: 'default', identity: 'backend-7@acme' });
  const client = await KeelClient.connect({ client: identified, taskQueue: suite.env.taskQueue });
  const session = await client.startSession({ agent: 'support', input: tag, scope, approvers: ['alice', 'role:support-lead'] });
  const pending = await pendingOf(session);
  const id = session.sessionId;
  const signal = (input: unknown, identity = 'mallory@evil.com') =>
    temporal('workflow', 'signal', '--workflow-id', id, '--name', 'approve', '--identity', identity, '--input', JSON.stringify(input));

  // 1. The approver's name, as the payload claims it, with Temporal's --identity set to anything.
  expect((await signal({ requestId: pending.requestId, approver: 'alice' })).code).toBe(0);
  // 2. A claimed role.
  expect((await signal({ requestId: pending.requestId, approver: 'mallory', roles: ['support-lead'] })).code).toBe(0);
  // 3. Through an update, the Temporal CLI is told at once, and nothing is written to the history.
  const forgedUpdate = await temporal('workflow', 'update', 'execute', '--workflow-id', id, '--name', 'approve', '--input', JSON.stringify({ requestId: pending.requestId, approver: 'alice' }));
  expect(forgedUpdate.code).not.toBe(0);
  expect(forgedUpdate.stderr + forgedUpdate.stdout).toMatch(/refused: malformed approve: decisions are signed statements/);

  const alice = testKey('alice');
  const good = (await session.statement('approve', pending.requestId, { key: alice })).statement;
  const refusedWith = async (statement: string, reason: RegExp) => {
    await expect(session.sendStatement('approve', statement)).rejects.toThrow(reason);
    await expect(session.sendStatement('approve', statement)).rejects.toBeInstanceOf(DecisionRefusedError);
  };
  // 4. A real key that does not hold the role it claims; a trusted key that is not an approver.
  await refusedWith((await session.statement('approve', pending.requestId, { key: testKey('mallory'), roles: ['support-lead'] })).statement, /key "test-mallory" does not hold role "support-lead"/);
  await refusedWith((await session.statement('approve', pending.requestId, { key: testKey('mallory') })).statement, /"mallory" is not an approver/);
  // 5. An approver literally named "role:support-lead" (signed by an issuer's key) is an identity, never the role.
  await refusedWith((await session.statement('approve', pending.requestId, { key: testIssuerKey(), approver: 'role:support-lead', roles: [] })).statement, /"role:support-lead" is not an approver/);
  // 6. A key trusted for another tenant only.
  await refusedWith((await session.statement('approve', pending.requestId, { key: testKey('eve') })).statement, /key "test-eve" is not trusted for tenant "acme"/);
  // 7. Alice's statement, changed after signing; expired; for another session; for an earlier session with this id; another input.
  await refusedWith(tampered(good, (c) => (c.note = 'sneaky')), /signature does not verify/);
  await refusedWith(signDecision(alice, { session: id, execution: (await session.status()).execution!, request: pending.requestId, digest: pending.digest, decision: 'approve', issuedAtMs: Date.now() - 7_200_000, expiresAtMs: Date.now() - 3_600_000 }), /expired/);
  await refusedWith(signDecision(alice, { session: 'another-session', execution: 'x', request: pending.requestId, digest: pending.digest, decision: 'approve' }), /for session "another-session"/);
  await refusedWith(signDecision(alice, { session: id, execution: 'an-earlier-run', request: pending.requestId, digest: pending.digest, decision: 'approve' }), /earlier session with this id/);
  await refusedWith((await session.statement('approve', pending.requestId, { key: alice, digest: 'f'.repeat(64) })).statement, /digest f+ does not match/);
  // 8. An approve statement sent as a reject, and unsigned text.
  await expect(session.sendStatement('reject', good)).rejects.toThrow(/cannot be sent as reject/);
  await expect(session.sendStatement('approve', 'not-a-statement')).rejects.toThrow(/not a signed statement/);
  expect(await paymentsFor(id)).toHaveLength(0);

  // The signed approval, sent by a client whose Temporal identity is backend-7@acme: accepted at once.
  expect(await session.sendStatement('approve', good)).toMatchObject({ accepted: true, approver: 'alice', requestId: pending.requestId });
  expect(await session.result()).toMatchObject({ outcome: 'completed', output: 'results: ok' });
  expect(await paymentsFor(id)).toEqual([{ orderId: 'ord_1001', amountCents: 4900 }]);

  const { events } = await session.trace();
  const refused = events.filter((e) => e.type === 'signal_refused');
  expect(refused).toHaveLength(2); // the two signals; refused updates were answered, not recorded
  expect(refused[0]).toMatchObject({ signal: 'approve', reason: expect.stringMatching(/^malformed approve: decisions are signed statements/) });
  expect(events.find((e) => e.type === 'approval_decided')).toMatchObject({ decision: 'approved', approver: 'alice', kid: 'test-alice', sender: 'backend-7@acme', via: 'update' });
  // The audit log names the verified approver beside the Temporal identity the approval came with.
  const audited = readFileSync(suite.env.auditPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as AuditEntry).filter((e) => e.sessionId === id);
  expect(audited).toEqual([expect.objectContaining({ tool: 'process_payment', approvedBy: 'alice', approvalSender: 'backend-7@acme' })]);
  // Accepted decisions are told apart in the history: each one changes the memo; the refused ones do not.
  const history = await session.workflow.fetchHistory();
  const memoChanges = history.events!.filter((e) => e.workflowPropertiesModifiedEventAttributes?.upsertedMemo?.fields?.lastDecision);
  expect(memoChanges).toHaveLength(1);
  await expectReplays(suite.env.temporal, id);
  await client.close();
});

test('an agent with write_critical tools cannot start without approvers, unless it declares automatic approval', async () => {
  const open = await KeelClient.connect({ client: suite.env.temporal, taskQueue: suite.env.taskQueue }); // no default approvers
  const tag = uniqueName('closed');
  proposes(tag, [refund('ord_1001', 100)]);
  const session = await open.startSession({ agent: 'support', input: tag, scope });
  const failure = await session.result().catch((e: unknown) => e);
  expect(failure).toBeInstanceOf(SessionFailedError);
  expect(failure).toMatchObject({ type: 'ApproversRequiredError', message: expect.stringContaining('"process_payment"') });
  expect(await paymentsFor(session.sessionId)).toHaveLength(0);

  const auto = uniqueName('automatic');
  proposes(auto, [refund('ord_1002', 200)]);
  const automatic = await open.startSession({ agent: 'autopay', input: auto, scope });
  expect(await automatic.result()).toMatchObject({ outcome: 'completed', output: 'results: ok' });
  expect((await automatic.trace()).events.find((e) => e.type === 'approval_decided')).toMatchObject({ approver: 'policy:automatic', note: expect.stringContaining('test policy') });
  expect(await paymentsFor(automatic.sessionId)).toHaveLength(1);
});

test('a flood of refused decisions (1,000 signals, 1.5 MB payloads, 1.5 MB updates) leaves the session bounded; it completes and is archived', async () => {
  const tag = uniqueName('flood');
  proposes(tag, [refund('ord_1001', 300)]);
  const session = await suite.env.client.startSession({ agent: 'support', input: tag, scope, approvers: ['alice'] });
  const pending = await pendingOf(session);
  const raw = suite.env.temporal.workflow.getHandle(session.sessionId);
  const huge = 'x'.repeat(1_500_000);
  // Three 1.5 MB approvers, one through the Temporal CLI from a file, and a real approver's 1.5 MB note.
  const file = join(mkdtempSync(join(testServer().dir, 'flood-')), 'approve.json');
  writeFileSync(file, JSON.stringify({ requestId: pending.requestId, approver: huge }));
  expect((await temporal('workflow', 'signal', '--workflow-id', session.sessionId, '--name', 'approve', '--input-file', file)).code).toBe(0);
  await raw.signal('approve', { requestId: pending.requestId, approver: huge });
  await raw.signal('approve', { statement: huge });
  await expect(session.approve(pending.requestId, { key: testKey('alice'), note: huge, via: 'signal' })).rejects.toThrow(/note/); // the client refuses to sign it
  await raw.signal('approve', { statement: `${huge.slice(0, 5000)}.${'y'.repeat(5000)}` });
  // 1.5 MB updates are refused by the validator: never in the history.
  for (let i = 0; i < 5; i++) {
    await expect(raw.executeUpdate('approve', { args: [{ statement: huge }] })).rejects.toMatchObject({ cause: { message: expect.stringMatching(/^refused: malformed approve: statement: /) } });
  }
  // A thousand small forged decisions.
  const forged = signDecision(testKey('mallory'), { session: session.sessionId, execution: 'x', request: pending.requestId, digest: pending.digest, decision: 'approve' });
  for (let batch = 0; batch < 20; batch++) {
    await Promise.all(Array.from({ length: 50 }, (_, i) => raw.signal('approve', { statement: forged, sender: `flood-${batch}-${i}` })));
  }
  const status = await session.status();
  expect(status.refusedDecisions).toBe(1004);
  expect(status.state).toBe('awaiting_approval');

  await session.approve(pending.requestId, { key: testKey('alice') });
  expect(await session.result()).toMatchObject({ outcome: 'completed', output: 'results: ok' });
  const { events } = await session.trace();
  const refused = events.filter((e) => e.type === 'signal_refused');
  expect(refused).toHaveLength(20);
  for (const entry of refused) expect(JSON.stringify(entry).length).toBeLessThan(2000);
  // The session's end was recorded: its trace is in the trace store, small.
  const archived = await new TraceStore(suite.env.db).get(session.sessionId);
  expect(archived?.outcome).toBe('completed');
  expect(JSON.stringify(archived).length).toBeLessThan(200_000);
}, 300_000);

test('duplicate tool_use ids in one model turn are invalid output: nothing runs, the model gets a repair turn', async () => {
  const tag = uniqueName('duplicate-ids');
  proposes(tag, [{ ...refund('ord_1001', 4900), id: 'toolu_same' }, { ...refund('ord_1002', 12900), id: 'toolu_same' }], (seen) => `seen: ${seen}`);
  const session = await suite.env.client.startSession({ agent: 'support', input: tag, scope });
  const result = await session.result();
  expect(result.outcome).toBe('completed');
  expect(result.output).toContain('tool_use id \\"toolu_same\\" is used by more than one tool call');
  const { events } = await session.trace();
  expect(events.some((e) => e.type === 'approval_requested' || e.type === 'tool_call')).toBe(false);
  expect(events).toContainEqual(expect.objectContaining({ type: 'output_rejected', repairTurn: 1 }));
  expect(await paymentsFor(session.sessionId)).toHaveLength(0);
  await expectReplays(suite.env.temporal, session.sessionId);
});

test('while a session waits, the Temporal UI shows what for and how to decide; the timer is named; handlers are described', async () => {
  const tag = uniqueName('ui');
  proposes(tag, [refund('ord_1001', 700)]);
  const session = await suite.env.client.startSession({ agent: 'support', input: tag, scope, approvers: ['alice'] });
  const pending = await pendingOf(session);
  const metadata = (await session.workflow.query('__temporal_workflow_metadata')) as {
    currentDetails?: string;
    definition?: { signalDefinitions?: Array<{ name: string; description?: string }>; updateDefinitions?: Array<{ name: string; description?: string }> };
  };
  expect(metadata.currentDetails).toContain('process_payment');
  expect(metadata.currentDetails).toContain(pending.digest);
  expect(metadata.currentDetails).toContain("the model's own words");
  expect(metadata.currentDetails).toContain(`keel approve ${session.sessionId} ${pending.requestId}`);
  for (const list of [metadata.definition?.signalDefinitions, metadata.definition?.updateDefinitions]) {
    expect(list?.find((d) => d.name === 'approve')?.description).toMatch(/signed/);
  }
  const history = await session.workflow.fetchHistory();
  const timers = history.events!.filter((e) => e.timerStartedEventAttributes);
  const summaries = timers.map((e) => Buffer.from(e.userMetadata?.summary?.data ?? new Uint8Array()).toString());
  expect(summaries.some((s) => s.includes(`approval ${pending.requestId} times out`))).toBe(true);
  await session.reject(pending.requestId, 'not now', { key: testKey('alice') });
  expect(await session.result()).toMatchObject({ outcome: 'completed' });
});

describe('approver keys rotate while a session waits', () => {
  let rotating: SessionSuite;
  let keyFilePath: string;
  const oldKey = createApproverKey({ kid: 'alice-2025', identity: 'alice', tenants: ['acme'] });
  const newKey = createApproverKey({ kid: 'alice-2026', identity: 'alice', tenants: ['acme'] });
  beforeAll(async () => {
    keyFilePath = join(mkdtempSync(join(testServer().dir, 'keys-')), 'approver-keys.json');
    trustApproverKey(keyFilePath, oldKey.trusted);
    rotating = { model: suite.model, env: await createTestEnvironment('rotation') };
    await rotating.env.startWorker({ agents: [createTestAgent(rotating.env.db)], modelURL: suite.model.url, approverKeys: new ApproverKeyFile(keyFilePath) });
  });
  afterAll(() => rotating.env.close());

  test('a key added during the wait is taken when a statement names it (keys reloaded on demand, not on a timer); the retired one is refused', async () => {
    const tag = uniqueName('rotation');
    proposes(tag, [refund('ord_1001', 800)]);
    const session = await rotating.env.client.startSession({ agent: 'support', input: tag, scope, approvers: ['alice'], approverKeyRefreshMs: 1000 });
    const pending = await pendingOf(session);
    // Rotate: the new key replaces the old one in the file the workers read.
    writeFileSync(keyFilePath, JSON.stringify({ keys: [newKey.trusted] }));
    let answer: unknown;
    for (let i = 0; i < 200; i++) {
      answer = await session.approve(pending.requestId, { key: newKey.privateKey }).catch((e: unknown) => e);
      if (!(answer instanceof DecisionRefusedError)) break;
      expect((answer as DecisionRefusedError).reason).toMatch(/key "alice-2026" is not trusted/); // until the session reloads its keys
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(answer).toMatchObject({ accepted: true, approver: 'alice' });
    expect(await session.result()).toMatchObject({ outcome: 'completed', output: 'results: ok' });
    // The session did nothing while it waited: one timer for the whole approval timeout, and keys
    // loaded twice, however long it took: when the wait began, and when a statement named a key they
    // lacked (both scheduled activities: see SESSION_BASELINE_PATCH for why not a local one).
    const events = (await session.workflow.fetchHistory()).events ?? [];
    const timers = events.filter((e) => e.timerStartedEventAttributes);
    expect(timers.map((e) => Buffer.from(e.userMetadata?.summary?.data ?? new Uint8Array()).toString())).toEqual([expect.stringContaining(`approval ${pending.requestId} times out`)]);
    expect(Number(timers[0]!.timerStartedEventAttributes!.startToFireTimeout!.seconds)).toBeGreaterThan(3000); // the approval's hour, not the 1 s refresh
    expect(events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'approverKeys')).toHaveLength(2);
    expect(localActivityTypes(events)).toEqual(['recordSessionEnd']);
    await expectReplays(rotating.env.temporal, session.sessionId);
  });

  test("a key retired during the wait is refused once the session's copy of the keys is older than approverKeyRefreshMs", async () => {
    const tag = uniqueName('retired-during-wait');
    proposes(tag, [refund('ord_1003', 700)]);
    writeFileSync(keyFilePath, JSON.stringify({ keys: [oldKey.trusted, newKey.trusted] }));
    const session = await rotating.env.client.startSession({ agent: 'support', input: tag, scope, approvers: ['alice'], approverKeyRefreshMs: 1000 });
    const pending = await pendingOf(session);
    writeFileSync(keyFilePath, JSON.stringify({ keys: [newKey.trusted] }));
    // The session's copy of the keys is dated by the workflow task that took them (the first task
    // after the approverKeys activity completed). Send the decision once the workflow clock (the
    // server's, on this host) is past that date plus the refresh interval: later only makes them older.
    const loadedAt = await eventually('the session loaded its approver keys', async () => {
      const events = (await session.workflow.fetchHistory()).events ?? [];
      const scheduled = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'approverKeys')?.eventId;
      const completed = events.findIndex((e) => scheduled !== undefined && String(e.activityTaskCompletedEventAttributes?.scheduledEventId) === String(scheduled));
      const taken = completed < 0 ? undefined : events.slice(completed).find((e) => e.workflowTaskStartedEventAttributes);
      return taken?.eventTime ? Number(taken.eventTime.seconds) * 1000 + Math.floor((taken.eventTime.nanos ?? 0) / 1e6) : undefined;
    });
    await eventually('the keys are older than approverKeyRefreshMs', async () => (Date.now() > loadedAt + 1000 ? true : undefined));
    await expect(session.approve(pending.requestId, { key: oldKey.privateKey })).rejects.toThrow(/key "alice-2025" is not trusted for tenant "acme"/);
    expect(await session.approve(pending.requestId, { key: newKey.privateKey })).toMatchObject({ accepted: true, approver: 'alice' });
    expect(await session.result()).toMatchObject({ outcome: 'completed' });
    await expectReplays(rotating.env.temporal, session.sessionId);
  });

  test('a retired key is refused', async () => {
    const tag = uniqueName('retired');
    proposes(tag, [refund('ord_1002', 900)]);
    writeFileSync(keyFilePath, JSON.stringify({ keys: [newKey.trusted] }));
    const session = await rotating.env.client.startSession({ agent: 'support', input: tag, scope, approvers: ['alice'] });
    const pending = await pendingOf(session);
    await expect(session.approve(pending.requestId, { key: oldKey.privateKey })).rejects.toThrow(/key "alice-2025" is not trusted for tenant "acme"/);
    await session.reject(pending.requestId, 'rotated', { key: newKey.privateKey });
    expect((await session.result()).output).toContain('alice rejected it: rotated');
  });
});

test('a trusted key cannot hold an identity that looks like a role', () => {
  expect(() => createApproverKey({ kid: 'k', identity: 'role:support-lead', tenants: ['acme'] })).toThrow(/cannot start with "role:"/);
});
