import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync } from 'node:fs';
import type { AuditEntry } from '../store';
import { join } from 'node:path';
import { DecisionRefusedError, KeelClient } from '../client';
import { defineTool, ToolDefinitionError } from '../core/tool';
import { describeAgent } from '../core/agent';
import { z } from 'zod';
import { InboxConfigurationError, startInbox, type Inbox } from '../inbox/inbox-server';
import { LocalUsers, verifyPassword, hashPassword } from '../inbox/local-users';
import { escapeHtml } from '../inbox/html';
import { userFromClaims } from '../inbox/openid-connect';
import type { WebhookMessage } from '../inbox/webhook-notifier';
import { testIssuerKey, testKey } from './support/approver-keys';
import { expectReplays, reportSlow, sessionSuite, testServer, uniqueName } from './support/environment';
import { eventually, INBOX_APPROVERS, INBOX_PASSWORD, inboxAgents, inboxExecutions, pendingOf, proposes, writeInboxUsers } from './support/inbox-fixtures';

const suite = sessionSuite('inbox', () => inboxAgents());
const scope = { tenant: 'acme', subjects: [] };
let inbox: Inbox;
let client: KeelClient;
let receiver: Server;
const received: WebhookMessage[] = [];

beforeAll(async () => {
  const dir = mkdtempSync(join(testServer().dir, 'inbox-'));
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      received.push(JSON.parse(body) as WebhookMessage);
      response.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
  const address = receiver.address() as { port: number };
  client = await reportSlow('inbox: client', () => KeelClient.connect({ client: suite.env.temporal, taskQueue: suite.env.taskQueue, approvers: INBOX_APPROVERS }));
  const users = new LocalUsers(await reportSlow('inbox: users file', () => writeInboxUsers(dir)));
  inbox = await reportSlow('inbox: server start', () => startInbox({
    client,
    issuerKey: testIssuerKey(),
    sessionSecret: 'a test secret of at least thirty-two characters',
    users,
    port: 0,
    webhookUrl: `http://127.0.0.1:${address.port}/hook`,
    webhookPollMs: 300,
    queryTimeoutMs: 60_000, // what a page shows is under test here, not how fast a busy machine answers
    log: () => undefined,
  }));
});

afterAll(async () => {
  await inbox?.close();
  await new Promise((done) => receiver?.close(done));
});

/** A browser-less person: keeps the inbox's cookies, follows nothing by itself. */
class Person {
  private readonly cookies = new Map<string, string>();
  lastSetCookie: string[] = [];

  async get(path: string): Promise<{ status: number; body: string; location: string | null }> {
    return this.send(path, { method: 'GET' });
  }

  async post(path: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<{ status: number; body: string; location: string | null }> {
    return this.send(path, { method: 'POST', body: new URLSearchParams(form).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });
  }

  async signIn(identity: string, password = INBOX_PASSWORD): Promise<number> {
    const form = await this.get('/login');
    return (await this.post('/login', { _csrf: csrfOf(form.body), identity, password, returnTo: '/' })).status;
  }

  private async send(path: string, init: { method: string; body?: string; headers?: Record<string, string> }) {
    const response = await fetch(`${inbox.url}${path}`, {
      ...init,
      redirect: 'manual',
      headers: { ...init.headers, cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    this.lastSetCookie = response.headers.getSetCookie();
    for (const line of this.lastSetCookie) {
      const [pair] = line.split(';');
      const [name, ...value] = pair!.split('=');
      if (/expires=Thu, 01 Jan 1970/i.test(line) || /max-age=0/i.test(line)) this.cookies.delete(name!);
      else this.cookies.set(name!, value.join('='));
    }
    return { status: response.status, body: await response.text(), location: response.headers.get('location') };
  }
}

function csrfOf(body: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(body)?.[1];
  if (!token) throw new Error('no CSRF token in the page');
  return token;
}

/** The decision form's fields of one request, as the page has them. */
function formOf(body: string, requestId: string): Record<string, string> {
  const start = body.indexOf(`name="request" value="${requestId}"`);
  if (start < 0) throw new Error(`request ${requestId} is not on the page`);
  const form = body.slice(body.lastIndexOf('<form class="decide"', start), body.indexOf('</form>', start));
  return Object.fromEntries([...form.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!]));
}

async function listed(person: Person, requestId: string): Promise<string> {
  return eventually(`request ${requestId} on the list`, async () => {
    const page = await person.get('/');
    return page.body.includes(`name="request" value="${requestId}"`) ? page.body : undefined;
  });
}

test('only signed-in people with a token decide: unauthenticated requests, wrong passwords and POSTs without a CSRF token are refused', async () => {
  const tag = uniqueName('refused');
  proposes(suite.model, tag, 'The customer asked for it.', [{ name: 'refund_order', input: { orderId: 'ord_1', amountCents: 900 } }]);
  const session = await client.startSession({ agent: 'desk', input: tag, scope });
  const pending = await pendingOf(session);
  const fields = { session: session.sessionId, request: pending.requestId, digest: pending.digest, decision: 'approve' };

  const stranger = new Person();
  const list = await stranger.get('/');
  expect(list.status).toBe(303);
  expect(list.location).toMatch(/^\/login\?returnTo=/);
  expect((await stranger.get(`/request?session=${session.sessionId}&request=${pending.requestId}`)).status).toBe(303);
  const anonymous = await stranger.post('/decide', { ...fields, _csrf: 'x'.repeat(43) });
  expect(anonymous.status).toBe(401);
  expect(anonymous.body).toContain('Sign in to decide; nothing was done.');
  // A forged session cookie (not signed with the secret) is nobody.
  const forged = await fetch(`${inbox.url}/`, { redirect: 'manual', headers: { cookie: `__Host-keel-inbox=${Buffer.from(JSON.stringify({ v: 1, sub: 'alice@acme.com' })).toString('base64url')}` } });
  expect(forged.status).toBe(303);

  const alice = new Person();
  expect(await alice.signIn('alice@acme.com', 'wrong password, long enough')).toBe(401);
  expect(await alice.signIn('nobody@acme.com')).toBe(401);
  // The sign-in form has its own token too.
  expect((await alice.post('/login', { identity: 'alice@acme.com', password: INBOX_PASSWORD })).status).toBe(403);
  expect(await alice.signIn('alice@acme.com')).toBe(303);
  const session_cookie = alice.lastSetCookie.find((c) => c.startsWith('__Host-keel-inbox='))!;
  expect(session_cookie).toMatch(/HttpOnly/);
  expect(session_cookie).toMatch(/SameSite=Lax/);
  expect(session_cookie).toMatch(/Secure/);
  expect(session_cookie).toMatch(/Path=\//);

  const page = await listed(alice, pending.requestId);
  const form = formOf(page, pending.requestId);
  expect(form).toEqual({ session: fields.session, request: fields.request, digest: fields.digest, _csrf: expect.any(String) });
  const { _csrf, ...withoutToken } = form;
  const noToken = await alice.post('/decide', { ...withoutToken, decision: 'approve' });
  expect(noToken.status).toBe(403);
  expect(noToken.body).toContain('CSRF');
  expect((await alice.post('/decide', { ...form, _csrf: `${_csrf!.slice(0, -2)}xx`, decision: 'approve' })).status).toBe(403);
  // A cross-site form carries the right token only if it was stolen: refused on its origin all the same.
  expect((await alice.post('/decide', { ...form, decision: 'approve' }, { origin: 'https://evil.example' })).status).toBe(403);
  const status = await session.status();
  expect(status.pendingApprovals.map((p) => p.requestId)).toEqual([pending.requestId]);
  expect(inboxExecutions.filter((e) => e.sessionId === session.sessionId)).toHaveLength(0);

  const accepted = await alice.post('/decide', { ...form, decision: 'approve', note: 'ok by me' });
  expect(accepted.status).toBe(200);
  expect(accepted.body).toContain('Approved: the call runs');
  expect(await session.result()).toMatchObject({ outcome: 'completed', output: 'results: ok' });
  // The trace and the audit name the person the inbox signed for, with the inbox's issuer key.
  expect((await session.trace()).events.find((e) => e.type === 'approval_decided')).toMatchObject({ decision: 'approved', approver: 'alice@acme.com', kid: 'test-issuer', note: 'ok by me' });

  // Signing out ends the session cookie's use.
  const signedOut = await alice.post('/logout', { _csrf: csrfOf(page) });
  expect(signedOut.status).toBe(303);
  expect((await alice.get('/')).status).toBe(303);
});

test('what a page shows is escaped and bounded; people see only their tenants and the sessions they may decide', async () => {
  const tag = uniqueName('escaped');
  const reason = 'Refund now. <img src=x onerror="alert(1)"> </blockquote><form action="https://evil.example"> \u202Eevil';
  proposes(suite.model, tag, reason, [{ name: 'refund_order', input: { orderId: '<script>alert("x")</script>', amountCents: 1200, memo: 'y'.repeat(30_000) } }]);
  const session = await client.startSession({ agent: 'desk', input: tag, scope });
  const pending = await pendingOf(session);
  const alice = new Person();
  await alice.signIn('alice@acme.com');
  const page = await listed(alice, pending.requestId);
  expect(page).not.toContain('<script>alert');
  expect(page).not.toContain('<img src=x');
  expect(page).not.toContain('<form action="https://evil.example"');
  expect(page).toContain('&lt;script&gt;alert(\\&quot;x\\&quot;)&lt;/script&gt;');
  expect(page).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;');
  expect(page).toContain('&lt;U+202E&gt;evil');
  expect(page).toContain("The agent's reason — the model's own words, not verified");
  expect(page).toMatch(/more characters not shown/);
  expect(page.length).toBeLessThan(60_000);
  expect(page).toContain(`href="http://127.0.0.1:8233/namespaces/default/workflows/${session.sessionId}"`);
  expect(escapeHtml('a&b"\'`')).toBe('a&amp;b&quot;&#39;&#96;');

  // Gina holds tenant globex only; Carol holds acme but is no approver of this session.
  for (const identity of ['gina@globex.com', 'carol@acme.com']) {
    const other = new Person();
    await other.signIn(identity);
    const theirs = await other.get('/');
    expect(theirs.status).toBe(200);
    expect(theirs.body).not.toContain(pending.requestId);
    const direct = await other.get(`/request?session=${session.sessionId}&request=${pending.requestId}`);
    expect(direct.status).toBe(404);
    expect(direct.body).toContain('There is no such request waiting for you.');
    expect(direct.body).not.toContain(pending.digest);
    const late = await other.post('/decide', { ...formOf(page, pending.requestId), _csrf: csrfOf(theirs.body), decision: 'approve' });
    expect(late.status).toBe(404);
    expect(late.body).toContain('there is no such request waiting for you');
  }
  // Maria is an approver through her role.
  const maria = new Person();
  await maria.signIn('maria@acme.com');
  await listed(maria, pending.requestId);
  await session.cancel();
});

test('a stale form is refused with the session\'s reason: decided elsewhere, re-proposed with another input', async () => {
  const tag = uniqueName('stale');
  proposes(suite.model, tag, 'Refund the whole order.', [{ name: 'refund_order', input: { orderId: 'ord_7', amountCents: 9900 } }], { orderId: 'ord_7', amountCents: 4900 });
  const session = await client.startSession({ agent: 'desk', input: tag, scope });
  const first = await pendingOf(session);
  const alice = new Person();
  const bob = new Person();
  await alice.signIn('alice@acme.com');
  await bob.signIn('bob@acme.com');
  const bobsForm = formOf(await listed(bob, first.requestId), first.requestId);
  const alicesForm = formOf(await listed(alice, first.requestId), first.requestId);

  // A rejection needs a reason.
  expect((await alice.post('/decide', { ...alicesForm, decision: 'reject' })).body).toContain('a rejection needs a reason');
  const rejected = await alice.post('/decide', { ...alicesForm, decision: 'reject', note: 'too much; refund half' });
  expect(rejected.body).toContain('Rejected: the agent is told your reason');

  // The model proposes the call again with another amount: Bob's late approval of the old input is refused.
  const second = await pendingOf(session, first.requestId);
  expect(second.digest).not.toBe(first.digest);
  const late = await bob.post('/decide', { ...bobsForm, decision: 'approve' });
  expect(late.status).toBe(409);
  expect(late.body).toContain(`Refused: no approval request &quot;${first.requestId}&quot; in this session`);
  expect(late.body).toContain('It was already rejected by alice@acme.com');
  expect(late.body).toContain(`The agent has since proposed refund_order again with another input (request ${second.requestId}`);
  expect(late.body).toContain(`See the new request ${second.requestId}`);
  const oldPage = await bob.get(`/request?session=${session.sessionId}&request=${first.requestId}`);
  expect(oldPage.body).toContain('no longer waits');
  expect(oldPage.body).toContain('proposed refund_order again with another input');
  // A form whose digest is not the pending input's is refused by the session too.
  const forgedDigest = await bob.post('/decide', { ...formOf(await listed(bob, second.requestId), second.requestId), digest: first.digest, decision: 'approve' });
  expect(forgedDigest.body).toContain(`does not match the pending call&#39;s input`);

  const approved = await bob.post('/decide', { ...formOf(await listed(bob, second.requestId), second.requestId), decision: 'approve' });
  expect(approved.body).toContain('Approved: the call runs');
  expect(await session.result()).toMatchObject({ outcome: 'completed' });
  expect(inboxExecutions.filter((e) => e.sessionId === session.sessionId).map((e) => e.input)).toEqual([{ orderId: 'ord_7', amountCents: 4900 }]);
  // Decided elsewhere first: the page says by whom.
  const after = await alice.get(`/request?session=${session.sessionId}&request=${second.requestId}`);
  expect(after.body).toContain('It was already approved by bob@acme.com');
  await expectReplays(suite.env.temporal, session.sessionId);
});

test('quorum: a tool that needs two approvers waits for two distinct ones; the same person twice is refused', async () => {
  expect(() => defineTool({ name: 'x', description: 'x', tier: 'write_critical', approvals: { required: 0 }, input: z.object({}), run: async () => ({}) })).toThrow(ToolDefinitionError);
  expect(() => defineTool({ name: 'x', description: 'x', tier: 'read', approvals: { required: 2 }, input: z.object({}), run: async () => ({}) })).toThrow(/only write_critical tools need approvals/);
  expect(describeAgent(inboxAgents()[1]!).tools).toEqual([{ name: 'wire_transfer', tier: 'write_critical', scope: 'tenant', approvals: { required: 2 } }]);
  expect(describeAgent(inboxAgents()[0]!).tools[0]).not.toHaveProperty('approvals');

  const tag = uniqueName('quorum');
  proposes(suite.model, tag, 'Invoice 42 is due.', [{ name: 'wire_transfer', input: { iban: 'DE89370400440532013000', amountCents: 250_000 } }]);
  const session = await client.startSession({ agent: 'treasury', input: tag, scope });
  const pending = await pendingOf(session);
  expect(pending.approvals).toEqual({ required: 2, by: [] });
  const first = await session.approve(pending.requestId, { key: testIssuerKey(), approver: 'alice@acme.com', roles: [] });
  expect(first).toMatchObject({ accepted: true, approver: 'alice@acme.com', quorum: '1 of 2' });
  expect((await session.status()).pendingApprovals[0]!.approvals).toEqual({ required: 2, by: ['alice@acme.com'] });
  await expect(session.approve(pending.requestId, { key: testIssuerKey(), approver: 'alice@acme.com', roles: [] })).rejects.toThrow(/already approved by alice@acme.com \(1 of 2\)/);
  await expect(session.approve(pending.requestId, { key: testIssuerKey(), approver: 'alice@acme.com', roles: [] })).rejects.toBeInstanceOf(DecisionRefusedError);
  expect(inboxExecutions.filter((e) => e.sessionId === session.sessionId)).toHaveLength(0);
  expect(await session.approve(pending.requestId, { key: testKey('maria') })).toMatchObject({ accepted: true, approver: 'maria', quorum: '2 of 2' });
  expect(await session.result()).toMatchObject({ outcome: 'completed', output: 'results: ok' });
  expect(inboxExecutions.filter((e) => e.sessionId === session.sessionId)).toHaveLength(1);
  const decided = (await session.trace()).events.filter((e) => e.type === 'approval_decided');
  expect(decided).toEqual([expect.objectContaining({ approver: 'alice@acme.com', quorum: '1 of 2' }), expect.objectContaining({ approver: 'maria', quorum: '2 of 2' })]);
  // The audit log names both approvers.
  const audited = readFileSync(suite.env.auditPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as AuditEntry).filter((e) => e.sessionId === session.sessionId);
  expect(audited).toEqual([expect.objectContaining({ tool: 'wire_transfer', approvedBy: 'alice@acme.com, maria' })]);
  await expectReplays(suite.env.temporal, session.sessionId);

  // A rejection by any approver rejects, whoever approved before.
  const tag2 = uniqueName('quorum-reject');
  proposes(suite.model, tag2, 'Invoice 43 is due.', [{ name: 'wire_transfer', input: { iban: 'DE89370400440532013000', amountCents: 100 } }]);
  const rejected = await client.startSession({ agent: 'treasury', input: tag2, scope });
  const waiting = await pendingOf(rejected);
  await rejected.approve(waiting.requestId, { key: testIssuerKey(), approver: 'alice@acme.com', roles: [] });
  await rejected.reject(waiting.requestId, 'not our invoice', { key: testKey('maria') });
  expect(await rejected.result()).toMatchObject({ outcome: 'completed', output: expect.stringContaining('maria rejected it: not our invoice') });
  expect(inboxExecutions.filter((e) => e.sessionId === rejected.sessionId)).toHaveLength(0);
});

test('the webhook announces a waiting request with a link to it, its decision and a timeout', async () => {
  const tag = uniqueName('webhook');
  proposes(suite.model, tag, 'Customer is upset.', [{ name: 'refund_order', input: { orderId: 'ord_9', amountCents: 500 } }]);
  const session = await client.startSession({ agent: 'desk', input: tag, scope });
  const pending = await pendingOf(session);
  const link = `${inbox.url}/request?session=${session.sessionId}&request=${pending.requestId}`;
  const waiting = await eventually('the waiting message', async () => received.find((m) => m.text.includes(session.sessionId) && m.text.startsWith('Approval waiting')));
  expect(waiting.text).toContain(`Decide: ${link}`);
  expect(waiting.text).toContain('refund_order');
  expect(JSON.stringify(waiting.blocks)).toContain(link);
  expect(JSON.stringify(waiting.blocks)).toContain("The agent's reason (the model's own words)");

  // The link opens the request (after signing in).
  const alice = new Person();
  await alice.signIn('alice@acme.com');
  const opened = await alice.get(link.slice(inbox.url.length));
  expect(opened.body).toContain(`name="request" value="${pending.requestId}"`);
  await alice.post('/decide', { ...formOf(opened.body, pending.requestId), decision: 'approve' });
  const decided = await eventually('the decision message', async () => received.find((m) => m.text.includes(session.sessionId) && m.text.startsWith('Approved by')));
  expect(decided.text).toContain('Approved by alice@acme.com: refund_order');

  const tag2 = uniqueName('webhook-timeout');
  proposes(suite.model, tag2, 'Refund it.', [{ name: 'refund_order', input: { orderId: 'ord_10', amountCents: 700 } }]);
  const timing = await client.startSession({ agent: 'desk', input: tag2, scope, approvalTimeoutMs: 4000 });
  await pendingOf(timing);
  await eventually('the waiting message of the second session', async () => received.find((m) => m.text.includes(timing.sessionId) && m.text.startsWith('Approval waiting')));
  expect(await timing.result()).toMatchObject({ outcome: 'completed', output: expect.stringContaining('timeout') });
  const timedOut = await eventually('the timeout message', async () => received.find((m) => m.text.includes(timing.sessionId) && m.text.startsWith('Timed out')));
  expect(timedOut.text).toContain('counts as a rejection');
  // Every message is Slack-compatible: text, and blocks of known types.
  for (const message of received) {
    expect(typeof message.text).toBe('string');
    for (const block of message.blocks ?? []) expect(['section', 'actions', 'context']).toContain(block.type);
  }
});

test('local users: scrypt hashes; OpenID Connect claims give identity, tenants and roles', async () => {
  const hash = await hashPassword('a long enough password');
  expect(hash).toMatch(/^scrypt\$32768\$8\$1\$/);
  expect(await verifyPassword(hash, 'a long enough password')).toBe(true);
  expect(await verifyPassword(hash, 'a long enough passworD')).toBe(false);
  expect(await verifyPassword(hash.replace('$32768$', '$1073741824$'), 'a long enough password')).toBe(false); // a planted huge cost is refused, not computed
  expect(userFromClaims({ email: 'olga@acme.com', email_verified: true, name: 'Olga', keel_tenants: ['acme'], keel_roles: 'support-lead finance' }, { identity: 'email', tenants: 'keel_tenants', roles: 'keel_roles' })).toEqual({
    user: { identity: 'olga@acme.com', name: 'Olga', tenants: ['acme'], roles: ['support-lead', 'finance'] },
  });
  expect(userFromClaims({ email: 'olga@acme.com', email_verified: false, keel_tenants: ['acme'] }, { identity: 'email', tenants: 'keel_tenants', roles: 'keel_roles' })).toEqual({ error: expect.stringContaining('not verified') });
  expect(userFromClaims({ email: 'olga@acme.com', keel_tenants: ["a' OR 1=1"] }, { identity: 'email', tenants: 'keel_tenants', roles: 'keel_roles' })).toEqual({ error: expect.stringContaining('holds no Keel tenant') });
});

test('an inbox configured with a timing out of range is refused, naming the option', async () => {
  const base = { client, issuerKey: testIssuerKey(), sessionSecret: 'a test secret of at least thirty-two characters', users: new LocalUsers(join(testServer().dir, 'none.json')), port: 0, log: () => undefined };
  for (const [option, value] of [['queryTimeoutMs', 0], ['queryTimeoutMs', Number.NaN], ['webhookPollMs', 10 ** 9], ['sessionTtlMs', -1], ['statementTtlMs', 1.5]] as const) {
    const refused = startInbox({ ...base, [option]: value }).then(
      (started) => started.close().then(() => 'started'),
      (error: Error) => error,
    );
    await expect(refused).resolves.toBeInstanceOf(InboxConfigurationError);
    await expect(refused).resolves.toHaveProperty('message', expect.stringContaining(option));
  }
});
