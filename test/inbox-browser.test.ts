import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer, { type Browser, type BrowserContext, type Page } from 'puppeteer-core';
import { KeelClient, writeApproverKey } from '../client';
import { findFreePort } from '../devserver';
import { testIssuerKey } from './support/approver-keys';
import { sessionSuite, testServer, uniqueName } from './support/environment';
import { eventually, INBOX_APPROVERS, INBOX_PASSWORD, inboxAgents, inboxExecutions, pendingOf, proposes, writeInboxUsers } from './support/inbox-fixtures';

// The inbox runs as `npm run inbox` does (its own process, configured from the environment), and
// Debian's Chromium, driven by puppeteer-core, is the person. Single sign-on goes through a real
// OpenID Connect provider (oidc-provider) in a process of its own.
const ROOT = join(__dirname, '..');
const SCREENSHOTS = join(ROOT, 'docs', 'inbox');
const CHROMIUM = process.env.KEEL_CHROMIUM_PATH ?? '/usr/bin/chromium';

const suite = sessionSuite('inbox-browser', () => inboxAgents());
const scope = { tenant: 'acme', subjects: [] };
const processes: ChildProcess[] = [];
let client: KeelClient;
let inboxUrl: string;
let browser: Browser;

/** Starts a process and resolves when a line of its output matches `ready`. */
function startProcess(command: string, args: string[], env: NodeJS.ProcessEnv, ready: RegExp): Promise<ChildProcess> {
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  processes.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} did not start within 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (ready.test(output)) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited with ${code}:\n${output}`));
    });
  });
}

beforeAll(async () => {
  const dir = mkdtempSync(join(testServer().dir, 'inbox-browser-'));
  const keyPath = join(dir, 'inbox-key.json');
  writeApproverKey(keyPath, testIssuerKey());
  const [inboxPort, oidcPort] = [await findFreePort(), await findFreePort()];
  inboxUrl = `http://127.0.0.1:${inboxPort}`;
  const oidcSecret = 'a client secret for the test provider';
  await startProcess(process.execPath, [join(ROOT, 'test', 'support', 'oidc-provider.mjs'), String(oidcPort), oidcSecret, `${inboxUrl}/auth/callback`], { ...process.env }, /oidc provider listening/);
  await startProcess(
    join(ROOT, 'node_modules', '.bin', 'tsx'),
    ['inbox/main.ts'],
    {
      ...process.env,
      TEMPORAL_ADDRESS: testServer().address,
      TEMPORAL_NAMESPACE: 'default',
      KEEL_TASK_QUEUE: suite.env.taskQueue,
      KEEL_INBOX_PORT: String(inboxPort),
      KEEL_INBOX_USERS: await writeInboxUsers(dir),
      KEEL_INBOX_ISSUER_KEY: keyPath,
      KEEL_INBOX_SESSION_SECRET: 'the browser test secret, thirty-two characters or more',
      KEEL_INBOX_OIDC_ISSUER: `http://127.0.0.1:${oidcPort}`,
      KEEL_INBOX_OIDC_CLIENT_ID: 'keel-inbox',
      KEEL_INBOX_OIDC_CLIENT_SECRET: oidcSecret,
      KEEL_INBOX_OIDC_LABEL: 'Test IdP',
    },
    /keel inbox: listening on/,
  );
  client = await KeelClient.connect({ client: suite.env.temporal, taskQueue: suite.env.taskQueue, approvers: INBOX_APPROVERS });
  browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  mkdirSync(SCREENSHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  for (const child of processes) child.kill('SIGTERM');
});

/** A person in their own browser context (own cookies), on a page of the inbox. */
async function person(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.setViewport({ width: 1100, height: 900 });
  return { context, page };
}

async function submit(page: Page, selector: string): Promise<void> {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(selector)]);
}

async function signIn(page: Page, identity: string): Promise<void> {
  await page.goto(`${inboxUrl}/`, { waitUntil: 'load' });
  expect(new URL(page.url()).pathname).toBe('/login');
  await page.type('input[name=identity]', identity);
  await page.type('input[name=password]', INBOX_PASSWORD);
  await submit(page, '.login form button[type=submit]');
  expect(new URL(page.url()).pathname).toBe('/');
}

/** Reloads the list until the request shows (visibility follows the session within moments). */
async function seeOnList(page: Page, requestId: string): Promise<void> {
  await eventually(`request ${requestId} in the browser`, async () => {
    await page.goto(`${inboxUrl}/`, { waitUntil: 'load' });
    return (await page.$(`article[data-request="${requestId}"]`)) ? true : undefined;
  });
}

const card = (sessionId: string) => `article[data-session="${sessionId}"]`;

test('sign in, see the request, approve it: the session completes (screenshots of the list and of a request)', async () => {
  const tag = uniqueName('browser-approve');
  proposes(suite.model, tag, 'The customer says the parcel arrived damaged; the order is within the refund window, so I am refunding it in full.', [
    { name: 'refund_order', input: { orderId: 'ord_1042', amountCents: 12_900, memo: 'damaged in transit' } },
  ]);
  const session = await client.startSession({ agent: 'desk', input: `${tag} My parcel arrived broken.`, scope });
  const pending = await pendingOf(session);
  // A second request on the list, for the screenshot: a wire transfer that needs two approvers.
  const other = uniqueName('browser-screenshot');
  proposes(suite.model, other, 'Invoice INV-2291 from Northwind Logistics is due today.', [{ name: 'wire_transfer', input: { iban: 'DE89370400440532013000', amountCents: 480_000 } }]);
  const wire = await client.startSession({ agent: 'treasury', input: other, scope });
  await pendingOf(wire);

  const { context, page } = await person();
  await signIn(page, 'alice@acme.com');
  await seeOnList(page, pending.requestId);
  await eventually('both requests on the list', async () => {
    await page.goto(`${inboxUrl}/?order=oldest`, { waitUntil: 'load' });
    return (await page.$(card(wire.sessionId))) ? true : undefined;
  });
  const shown = await page.$eval(card(session.sessionId), (el) => (el as unknown as { innerText: string }).innerText);
  expect(shown).toContain('refund_order');
  expect(shown).toContain('"orderId": "ord_1042"');
  expect(shown).toContain(pending.digest);
  expect(shown).toContain("The agent's reason — the model's own words, not verified");
  expect(shown).toContain('arrived damaged');
  expect(shown).toMatch(/Times out\s+in \d+ (min|h)/);
  expect(await page.$eval(`${card(session.sessionId)} dd a`, (a) => (a as unknown as { href: string }).href)).toBe(`http://127.0.0.1:8233/namespaces/default/workflows/${session.sessionId}`);
  expect(await page.$eval(card(wire.sessionId), (el) => (el as unknown as { innerText: string }).innerText)).toContain('0 of 2 approvals');
  await page.screenshot({ path: join(SCREENSHOTS, 'list.png'), fullPage: true });

  // Filter by tool: only the refund.
  await page.goto(`${inboxUrl}/?tool=refund_order`, { waitUntil: 'load' });
  expect(await page.$(card(wire.sessionId))).toBeNull();
  expect(await page.$(card(session.sessionId))).not.toBeNull();

  await submit(page, `${card(session.sessionId)} h2 a`);
  expect(page.url()).toContain('/request?session=');
  await page.screenshot({ path: join(SCREENSHOTS, 'request.png'), fullPage: true });
  await page.type(`${card(session.sessionId)} textarea[name=note]`, 'photos of the damage are in the ticket');
  await submit(page, `${card(session.sessionId)} button.approve`);
  expect(await page.$eval('main', (el) => (el as unknown as { innerText: string }).innerText)).toContain('Approved: the call runs');
  expect(await session.result()).toMatchObject({ outcome: 'completed', output: 'results: ok' });
  expect(inboxExecutions.filter((e) => e.sessionId === session.sessionId)).toEqual([expect.objectContaining({ tool: 'refund_order', input: { orderId: 'ord_1042', amountCents: 12_900, memo: 'damaged in transit' } })]);
  expect((await session.trace()).events.find((e) => e.type === 'approval_decided')).toMatchObject({ approver: 'alice@acme.com', kid: 'test-issuer', note: 'photos of the damage are in the ticket' });
  await wire.cancel();
  await context.close();
});

test('a user of another tenant does not see the request, nor open it by its address', async () => {
  const tag = uniqueName('browser-tenant');
  proposes(suite.model, tag, 'Refund it.', [{ name: 'refund_order', input: { orderId: 'ord_2001', amountCents: 300 } }]);
  const session = await client.startSession({ agent: 'desk', input: tag, scope });
  const pending = await pendingOf(session);
  const alice = await person();
  await signIn(alice.page, 'alice@acme.com');
  await seeOnList(alice.page, pending.requestId); // visible to acme by now

  const gina = await person();
  await signIn(gina.page, 'gina@globex.com');
  expect(await gina.page.$eval('main', (el) => (el as unknown as { innerText: string }).innerText)).toContain('Nothing waits for you');
  expect(await gina.page.$(card(session.sessionId))).toBeNull();
  const direct = await gina.page.goto(`${inboxUrl}/request?session=${session.sessionId}&request=${pending.requestId}`, { waitUntil: 'load' });
  expect(direct?.status()).toBe(404);
  expect(await gina.page.$eval('main', (el) => (el as unknown as { innerText: string }).innerText)).toContain('There is no such request waiting for you.');
  await session.cancel();
  await alice.context.close();
  await gina.context.close();
});

test('a stale decision (decided elsewhere first) is refused with a clear message', async () => {
  const tag = uniqueName('browser-stale');
  // Two refunds in one turn: after the first is decided the session still runs, waiting on the second.
  proposes(suite.model, tag, 'Refund both orders.', [
    { name: 'refund_order', input: { orderId: 'ord_3001', amountCents: 4_500 } },
    { name: 'refund_order', input: { orderId: 'ord_3002', amountCents: 2_500 } },
  ]);
  const session = await client.startSession({ agent: 'desk', input: tag, scope });
  const pending = await pendingOf(session);
  const alice = await person();
  const bob = await person();
  await signIn(alice.page, 'alice@acme.com');
  await signIn(bob.page, 'bob@acme.com');
  await seeOnList(alice.page, pending.requestId);
  await seeOnList(bob.page, pending.requestId);
  const first = `article[data-request="${pending.requestId}"]`;

  await submit(alice.page, `${first} button.approve`);
  expect(await alice.page.$eval('main', (el) => (el as unknown as { innerText: string }).innerText)).toContain('Approved: the call runs');
  // Bob's page still shows the request: his late click is refused by the session, and he is told why.
  await submit(bob.page, `${first} button.approve`);
  const refused = await bob.page.$eval('main', (el) => (el as unknown as { innerText: string }).innerText);
  expect(refused).toContain('Your decision was not applied');
  expect(refused).toContain(`Refused: approval request "${pending.requestId}" was already decided (approved)`);
  expect(refused).toContain('It was already approved by alice@acme.com');
  // Its own page says so too.
  await bob.page.goto(`${inboxUrl}/request?session=${session.sessionId}&request=${pending.requestId}`, { waitUntil: 'load' });
  expect(await bob.page.$eval('main', (el) => (el as unknown as { innerText: string }).innerText)).toContain(`Request ${pending.requestId} no longer waits`);
  // The first refund ran once and the session waits on the second.
  await eventually('the session waiting on the second refund', async () => {
    const status = await session.status();
    return status.state === 'awaiting_approval' && status.pendingApprovals.length === 1 ? status : undefined;
  });
  expect(inboxExecutions.filter((e) => e.sessionId === session.sessionId).map((e) => e.input)).toEqual([{ orderId: 'ord_3001', amountCents: 4_500 }]);
  await session.cancel();
  await alice.context.close();
  await bob.context.close();
});

test('an unauthenticated request and a form without its CSRF token are refused', async () => {
  const tag = uniqueName('browser-csrf');
  proposes(suite.model, tag, 'Refund it.', [{ name: 'refund_order', input: { orderId: 'ord_4001', amountCents: 800 } }]);
  const session = await client.startSession({ agent: 'desk', input: tag, scope });
  const pending = await pendingOf(session);

  const stranger = await person();
  const list = await stranger.page.goto(`${inboxUrl}/`, { waitUntil: 'load' });
  expect(new URL(stranger.page.url()).pathname).toBe('/login');
  expect(list?.status()).toBe(200);
  const requestPage = await stranger.page.goto(`${inboxUrl}/request?session=${session.sessionId}&request=${pending.requestId}`, { waitUntil: 'load' });
  expect(new URL(stranger.page.url()).pathname).toBe('/login');
  expect(await requestPage?.text()).not.toContain(pending.digest);

  const alice = await person();
  await signIn(alice.page, 'alice@acme.com');
  await seeOnList(alice.page, pending.requestId);
  // The form as the page has it, less its CSRF token.
  await alice.page.$eval(`${card(session.sessionId)} input[name=_csrf]`, (input) => input.remove());
  await submit(alice.page, `${card(session.sessionId)} button.approve`);
  expect(await alice.page.$eval('main', (el) => (el as unknown as { innerText: string }).innerText)).toContain('The form did not carry this sign-in\'s token (CSRF): nothing was decided.');
  // The whole form, token included, posted without Alice's session cookie: nobody is signed in.
  await alice.page.goto(`${inboxUrl}/`, { waitUntil: 'load' });
  const form = await alice.page.$eval(`${card(session.sessionId)} form.decide`, (f) =>
    Object.fromEntries([...f.querySelectorAll('input[type=hidden]')].map((i) => [(i as unknown as { name: string }).name, (i as unknown as { value: string }).value])),
  );
  expect(form).toHaveProperty('_csrf');
  const anonymous = await fetch(`${inboxUrl}/decide`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ ...form, decision: 'approve' }).toString() });
  expect(anonymous.status).toBe(401);
  expect((await session.status()).pendingApprovals.map((p) => p.requestId)).toEqual([pending.requestId]);
  expect(inboxExecutions.filter((e) => e.sessionId === session.sessionId)).toHaveLength(0);
  await session.cancel();
  await stranger.context.close();
  await alice.context.close();
});

test('quorum: the inbox shows "1 of 2" and the call runs after a second, distinct approver', async () => {
  const tag = uniqueName('browser-quorum');
  proposes(suite.model, tag, 'Invoice INV-3310 is due.', [{ name: 'wire_transfer', input: { iban: 'GB33BUKB20201555555555', amountCents: 990_000 } }]);
  const session = await client.startSession({ agent: 'treasury', input: tag, scope });
  const pending = await pendingOf(session);
  const alice = await person();
  await signIn(alice.page, 'alice@acme.com');
  await seeOnList(alice.page, pending.requestId);
  expect(await alice.page.$eval(card(session.sessionId), (el) => (el as unknown as { innerText: string }).innerText)).toContain('0 of 2 approvals');
  await submit(alice.page, `${card(session.sessionId)} button.approve`);
  expect(await alice.page.$eval('main', (el) => (el as unknown as { innerText: string }).innerText)).toContain('Approval recorded (1 of 2): the call waits for another approver');
  await alice.page.goto(`${inboxUrl}/`, { waitUntil: 'load' });
  const after = await alice.page.$eval(card(session.sessionId), (el) => (el as unknown as { innerText: string }).innerText);
  expect(after).toContain('1 of 2 approvals (alice@acme.com)');
  expect(after).toContain('You approved this; it waits for another approver.');
  expect(await alice.page.$(`${card(session.sessionId)} button.approve`)).toBeNull();
  expect(inboxExecutions.filter((e) => e.sessionId === session.sessionId)).toHaveLength(0);

  // Maria decides through her role (support-lead, which the inbox's issuer key may assert).
  const maria = await person();
  await signIn(maria.page, 'maria@acme.com');
  await seeOnList(maria.page, pending.requestId);
  expect(await maria.page.$eval(card(session.sessionId), (el) => (el as unknown as { innerText: string }).innerText)).toContain('1 of 2 approvals (alice@acme.com)');
  await submit(maria.page, `${card(session.sessionId)} button.approve`);
  expect(await maria.page.$eval('main', (el) => (el as unknown as { innerText: string }).innerText)).toContain('Approved (2 of 2): the call runs');
  expect(await session.result()).toMatchObject({ outcome: 'completed', output: 'results: ok' });
  expect(inboxExecutions.filter((e) => e.sessionId === session.sessionId)).toHaveLength(1);
  const decided = (await session.trace()).events.filter((e) => e.type === 'approval_decided');
  expect(decided).toEqual([
    expect.objectContaining({ approver: 'alice@acme.com', quorum: '1 of 2' }),
    expect.objectContaining({ approver: 'maria@acme.com', roles: ['support-lead'], quorum: '2 of 2' }),
  ]);
  await alice.context.close();
  await maria.context.close();
});

test('single sign-on: a person signs in at a real OpenID Connect provider and decides with the roles its claims give', async () => {
  const tag = uniqueName('browser-oidc');
  proposes(suite.model, tag, 'Refund it.', [{ name: 'refund_order', input: { orderId: 'ord_5001', amountCents: 1_500 } }]);
  const session = await client.startSession({ agent: 'desk', input: tag, scope });
  const pending = await pendingOf(session);
  const olga = await person();
  await olga.page.goto(`${inboxUrl}/`, { waitUntil: 'load' });
  await submit(olga.page, 'a.button[href^="/auth/oidc"]');
  // The provider's own sign-in and consent pages.
  await olga.page.waitForSelector('input[name=login]');
  await olga.page.type('input[name=login]', 'olga@acme.com');
  await olga.page.type('input[name=password]', 'anything');
  await submit(olga.page, 'button[type=submit]');
  if (await olga.page.$('input[name=prompt][value=consent]')) await submit(olga.page, 'button[type=submit]');
  expect(page0(olga.page.url())).toBe(`${inboxUrl}/`);
  expect(await olga.page.$eval('header', (el) => (el as unknown as { innerText: string }).innerText)).toContain('Signed in as Olga Olsen (olga@acme.com) · tenants acme · roles support-lead');
  await seeOnList(olga.page, pending.requestId);
  await submit(olga.page, `${card(session.sessionId)} button.approve`);
  expect(await olga.page.$eval('main', (el) => (el as unknown as { innerText: string }).innerText)).toContain('Approved: the call runs');
  expect(await session.result()).toMatchObject({ outcome: 'completed' });
  expect((await session.trace()).events.find((e) => e.type === 'approval_decided')).toMatchObject({ approver: 'olga@acme.com', roles: ['support-lead'], kid: 'test-issuer' });
  await olga.context.close();
});

function page0(url: string): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
}
