import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import { z } from 'zod';
import { DecisionRefusedError, type KeelClient } from '../client/keel-client';
import type { ApproverKeyFile } from '../client/approver-key';
import { DECISION_LIMITS } from '../core/decision-statement';
import { ApprovalQueue, mayDecide, type RequestFate, type TenantSet } from './approval-queue';
import type { LocalUsers } from './local-users';
import type { OidcSignIn } from './oidc-sign-in';
import { decisionPage, INBOX_CSS, listPage, loginPage, messagePage, requestPage, type ListFilter, type PageContext } from './pages';
import {
  csrfMatches,
  endWebSession,
  loginCsrfToken,
  readLoginCookie,
  readWebSession,
  startWebSession,
  writeLoginCookie,
  type CookiePolicy,
  type SignedInUser,
} from './web-session';
import { WebhookNotifier } from './webhook-notifier';

/** Everything the inbox needs; defaults are spelled out in {@link INBOX_DEFAULTS}. */
export interface InboxOptions {
  /** A connected client on the sessions' task queue. */
  client: KeelClient;
  /** The deployment's issuer key (`keel keys create --issuer`): it signs each decision for the signed-in person. */
  issuerKey: ApproverKeyFile;
  /** Secret that signs the inbox's cookies (at least 32 characters); changing it signs everyone out. */
  sessionSecret: string;
  /** Local users with passwords (`KEEL_INBOX_USERS`). At least one of `users` and `oidc`. */
  users?: LocalUsers;
  /** Single sign-on with an OpenID Connect provider. */
  oidc?: OidcSignIn;
  /** @default 8787 (0: any free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** The address people reach the inbox at, for links in webhook messages and the OIDC redirect. @default http://HOST:PORT */
  publicUrl?: string;
  /** @default 'http://127.0.0.1:8233' */
  temporalUiUrl?: string;
  /** POST a Slack-compatible message when a request waits and when it is decided or times out. */
  webhookUrl?: string;
  /** How often the webhook notifier polls. @default 10000 */
  webhookPollMs?: number;
  /** How long one query of a session (its status, its trace) may take before a page says it could not read it. @default 5000 */
  queryTimeoutMs?: number;
  /** Cookies with `Secure` (and the `__Host-` prefix). Browsers accept them on https:// and on http://localhost. @default true */
  secureCookies?: boolean;
  /** How long a sign-in lasts. @default 28800000 (8 hours) */
  sessionTtlMs?: number;
  /** How long a decision statement the inbox signs is valid. @default 300000 (5 minutes) */
  statementTtlMs?: number;
  /** Trust `X-Forwarded-*` from a reverse proxy in front. @default false */
  trustProxy?: boolean;
  /** Where the inbox tells what went wrong. @default console.error */
  log?: (line: string) => void;
}

/** The defaults of {@link InboxOptions}. */
export const INBOX_DEFAULTS = {
  port: 8787,
  host: '127.0.0.1',
  temporalUiUrl: 'http://127.0.0.1:8233',
  webhookPollMs: 10_000,
  secureCookies: true,
  sessionTtlMs: 8 * 3_600_000,
  statementTtlMs: 5 * 60_000,
} as const;

/** Failed sign-ins of one identity within {@link LOGIN_WINDOW_MS} before it is refused for the rest of the window. */
const MAX_LOGIN_FAILURES = 10;
const LOGIN_WINDOW_MS = 15 * 60_000;

/** A running inbox. */
export interface Inbox {
  /** Where it listens, e.g. `http://127.0.0.1:8787`. */
  url: string;
  app: FastifyInstance;
  notifier?: WebhookNotifier;
  close(): Promise<void>;
}

/** An inbox options object that cannot work. */
export class InboxConfigurationError extends Error {
  override readonly name = 'InboxConfigurationError';
}

const DecideFormSchema = z.strictObject({
  _csrf: z.string(),
  session: z.string().min(1).max(DECISION_LIMITS.sessionIdChars),
  request: z.string().min(1).max(DECISION_LIMITS.requestIdChars),
  digest: z.string().regex(/^[0-9a-f]{64}$/),
  decision: z.enum(['approve', 'reject']),
  note: z.string().max(DECISION_LIMITS.noteChars).optional(),
});

const LoginFormSchema = z.strictObject({
  _csrf: z.string(),
  identity: z.string().min(1).max(DECISION_LIMITS.identityChars),
  password: z.string().min(1).max(1024),
  returnTo: z.string().max(2000).optional(),
});

/** Starts the inbox's web server (and its webhook notifier when a webhook is set). */
export async function startInbox(options: InboxOptions): Promise<Inbox> {
  if (options.issuerKey.identity) {
    throw new InboxConfigurationError(`the inbox key "${options.issuerKey.kid}" signs for ${options.issuerKey.identity} only: the inbox needs an issuer's key (keel keys create --issuer)`);
  }
  if (options.sessionSecret.length < 32) throw new InboxConfigurationError('the session secret needs at least 32 characters (KEEL_INBOX_SESSION_SECRET)');
  if (!options.users && !options.oidc) throw new InboxConfigurationError('nobody could sign in: configure local users (KEEL_INBOX_USERS) or OpenID Connect (KEEL_INBOX_OIDC_ISSUER)');
  for (const [name, value, max] of [
    ['queryTimeoutMs', options.queryTimeoutMs, 600_000],
    ['webhookPollMs', options.webhookPollMs, 3_600_000],
    ['sessionTtlMs', options.sessionTtlMs, 30 * 86_400_000],
    ['statementTtlMs', options.statementTtlMs, 86_400_000],
  ] as const) {
    if (value !== undefined && !(Number.isInteger(value) && value >= 100 && value <= max)) {
      throw new InboxConfigurationError(`${name} must be a whole number of milliseconds from 100 to ${max}, not ${String(value)}`);
    }
  }
  const log = options.log ?? ((line: string) => console.error(line));
  const policy: CookiePolicy = { secure: options.secureCookies ?? INBOX_DEFAULTS.secureCookies, sessionTtlMs: options.sessionTtlMs ?? INBOX_DEFAULTS.sessionTtlMs };
  const namespace = options.client.temporal.options.namespace;
  const temporalUi = `${(options.temporalUiUrl ?? INBOX_DEFAULTS.temporalUiUrl).replace(/\/+$/, '')}/namespaces/${encodeURIComponent(namespace)}`;
  const queue = new ApprovalQueue(options.client, { taskQueue: options.client.taskQueue, ...(options.queryTimeoutMs ? { queryTimeoutMs: options.queryTimeoutMs } : {}) });
  const failures = new Map<string, { count: number; sinceMs: number }>();

  const app = Fastify({ logger: false, bodyLimit: 64 * 1024, trustProxy: options.trustProxy ?? false });
  await app.register(fastifyCookie, { secret: options.sessionSecret, hook: 'onRequest' });
  await app.register(fastifyFormbody);

  app.addHook('onSend', async (_request, reply) => {
    reply.header('content-security-policy', "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'same-origin'); // not no-referrer: browsers then send `Origin: null` with forms
    reply.header('cache-control', 'no-store');
  });
  app.setErrorHandler(async (error, _request, reply) => {
    log(`inbox: ${(error as Error).stack ?? String(error)}`);
    const status = (error as { statusCode?: number }).statusCode;
    const code = status && status >= 400 && status < 500 ? status : 500;
    return reply.code(code).type('text/html; charset=utf-8').send(messagePage({ user: null, csrf: '' }, code === 500 ? 'Something went wrong' : 'Bad request', code === 500 ? 'The inbox could not do that; try again, and tell the operators if it persists.' : 'The inbox could not read that request.'));
  });
  app.setNotFoundHandler(async (_request, reply) => reply.code(404).type('text/html; charset=utf-8').send(messagePage({ user: null, csrf: '' }, 'Not found', 'There is no such page.', { href: '/', text: 'The requests waiting for you' })));

  /** The signed-in person with their current tenants and roles, or null. */
  const signedIn = (request: FastifyRequest): (SignedInUser & { csrf: string }) | null => {
    const session = readWebSession(request, policy);
    if (!session) return null;
    if (session.via === 'oidc') return options.oidc ? session : null;
    const user = options.users?.find(session.identity);
    return user ? { ...session, name: user.name ?? user.identity, tenants: user.tenants, roles: user.roles } : null; // a removed user is signed out
  };
  /** Roles a decision is signed in: the person's, as far as the issuer key may assert them. */
  const signableRoles = (user: SignedInUser) => (options.issuerKey.roles.length ? user.roles.filter((r) => options.issuerKey.roles.includes(r)) : user.roles).slice(0, DECISION_LIMITS.roles);
  const tenantsOf = (user: SignedInUser): TenantSet => (user.tenants.includes('*') ? '*' : user.tenants);
  const page = (reply: FastifyReply, body: string, code = 200) => reply.code(code).type('text/html; charset=utf-8').send(body);
  const context = (user: SignedInUser & { csrf: string }): PageContext => ({ user, csrf: user.csrf, temporalUi, nowMs: Date.now() });
  /** Forms come from the inbox's own pages: a cross-site POST is refused before its token is even read. */
  const crossSite = (request: FastifyRequest) => {
    if (request.headers['sec-fetch-site'] === 'cross-site') return true;
    const origin = request.headers.origin;
    if (!origin || origin === 'null') return origin === 'null';
    try {
      return new URL(origin).host !== request.headers.host;
    } catch {
      return true;
    }
  };
  const forbidden = (reply: FastifyReply, user: (SignedInUser & { csrf: string }) | null, why: string) =>
    page(reply, messagePage({ user, csrf: user?.csrf ?? '' }, 'Refused', why, { href: '/', text: 'Back to the inbox' }), 403);

  app.get('/inbox.css', async (_request, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'max-age=3600').send(INBOX_CSS));
  app.get('/healthz', async (_request, reply) => reply.type('text/plain').send('ok'));

  app.get('/login', async (request, reply) => {
    if (signedIn(request)) return reply.redirect('/', 303);
    const returnTo = safeReturnTo((request.query as { returnTo?: unknown }).returnTo);
    return page(reply, loginPage({ csrf: loginCsrfToken(request, reply, policy), returnTo, ...(options.oidc ? { oidcLabel: options.oidc.label } : {}) }));
  });

  app.post('/login', async (request, reply) => {
    const expected = readLoginCookie(request, policy);
    const form = LoginFormSchema.safeParse(request.body);
    const returnTo = safeReturnTo(form.success ? form.data.returnTo : undefined);
    const again = (error: string, code: number) =>
      page(reply, loginPage({ csrf: loginCsrfToken(request, reply, policy), error, returnTo, ...(options.oidc ? { oidcLabel: options.oidc.label } : {}) }), code);
    if (crossSite(request) || !expected || !csrfMatches(expected.csrf, (request.body as { _csrf?: unknown } | undefined)?._csrf)) {
      return again('The sign-in form expired or did not come from this page; please sign in again.', 403);
    }
    if (!form.success || !options.users) return again('Enter your identity and password.', 400);
    const { identity, password } = form.data;
    const seen = failures.get(identity);
    if (seen && Date.now() - seen.sinceMs < LOGIN_WINDOW_MS && seen.count >= MAX_LOGIN_FAILURES) return again('Too many failed sign-ins for this identity; try again later.', 429);
    const user = await options.users.authenticate(identity, password);
    if (!user) {
      const entry = seen && Date.now() - seen.sinceMs < LOGIN_WINDOW_MS ? seen : { count: 0, sinceMs: Date.now() };
      entry.count += 1;
      failures.set(identity, entry);
      if (failures.size > 10_000) failures.delete(failures.keys().next().value!);
      return again('Wrong identity or password.', 401);
    }
    failures.delete(identity);
    startWebSession(reply, policy, { identity: user.identity, name: user.name ?? user.identity, tenants: user.tenants, roles: user.roles, via: 'password' });
    return reply.redirect(returnTo, 303);
  });

  app.post('/logout', async (request, reply) => {
    const user = signedIn(request);
    if (!user) return reply.redirect('/login', 303);
    if (crossSite(request) || !csrfMatches(user.csrf, (request.body as { _csrf?: unknown } | undefined)?._csrf)) return forbidden(reply, user, 'The form did not carry this sign-in\'s token (CSRF); nothing was done.');
    endWebSession(reply, policy);
    return reply.redirect('/login', 303);
  });

  if (options.oidc) {
    const oidc = options.oidc;
    app.get('/auth/oidc', async (request, reply) => {
      const returnTo = safeReturnTo((request.query as { returnTo?: unknown }).returnTo);
      const started = await oidc.start();
      writeLoginCookie(reply, policy, { csrf: readLoginCookie(request, policy)?.csrf ?? started.state, oidc: { ...started.check, returnTo } });
      return reply.redirect(started.url, 303);
    });
    app.get('/auth/callback', async (request, reply) => {
      const pending = readLoginCookie(request, policy)?.oidc;
      if (!pending) return page(reply, messagePage({ user: null, csrf: '' }, 'Sign-in expired', 'The single sign-on took too long or did not start here; please sign in again.', { href: '/login', text: 'Sign in' }), 400);
      const result = await oidc.finish(new URL(request.url, oidc.redirectUri), pending);
      if ('error' in result) return page(reply, messagePage({ user: null, csrf: '' }, 'Sign-in refused', result.error, { href: '/login', text: 'Sign in' }), 403);
      startWebSession(reply, policy, { ...result.user, via: 'oidc' });
      return reply.redirect(pending.returnTo, 303);
    });
  }

  app.get('/', async (request, reply) => {
    const user = signedIn(request);
    if (!user) return reply.redirect(`/login?returnTo=${encodeURIComponent(request.url)}`, 303);
    const query = request.query as Record<string, unknown>;
    const text = (value: unknown) => (typeof value === 'string' && value.length > 0 && value.length <= 256 ? value : undefined);
    const filter: ListFilter = {
      ...(text(query.tenant) ? { tenant: text(query.tenant)! } : {}),
      ...(text(query.agent) ? { agent: text(query.agent)! } : {}),
      ...(text(query.tool) ? { tool: text(query.tool)! } : {}),
      order: query.order === 'oldest' ? 'oldest' : 'newest',
    };
    const roles = signableRoles(user);
    const requests = (await queue.waiting(tenantsOf(user))).filter((r) => mayDecide(r, user.identity, roles));
    return page(reply, listPage(context(user), requests, filter));
  });

  app.get('/request', async (request, reply) => {
    const user = signedIn(request);
    if (!user) return reply.redirect(`/login?returnTo=${encodeURIComponent(request.url)}`, 303);
    const { session, request: requestId } = request.query as { session?: unknown; request?: unknown };
    if (typeof session !== 'string' || typeof requestId !== 'string' || session.length > 256 || requestId.length > 200) return page(reply, messagePage(context(user), 'Not found', 'There is no such request.'), 404);
    const fate = visibleFate(await queue.fate(session, requestId, tenantsOf(user)), user.identity, signableRoles(user));
    return page(reply, requestPage(context(user), fate, { sessionId: session, requestId }), fate.kind === 'unknown' ? 404 : 200);
  });

  app.post('/decide', async (request, reply) => {
    const user = signedIn(request);
    if (!user) return page(reply, messagePage({ user: null, csrf: '' }, 'Not signed in', 'Sign in to decide; nothing was done.', { href: '/login', text: 'Sign in' }), 401);
    if (crossSite(request) || !csrfMatches(user.csrf, (request.body as { _csrf?: unknown } | undefined)?._csrf)) {
      return forbidden(reply, user, 'The form did not carry this sign-in\'s token (CSRF): nothing was decided. Open the request in the inbox and decide there.');
    }
    const form = DecideFormSchema.safeParse(request.body);
    if (!form.success) return page(reply, messagePage(context(user), 'Bad request', 'The decision form is incomplete or malformed; nothing was decided.', { href: '/', text: 'Back to the inbox' }), 400);
    const { session: sessionId, request: requestId, digest, decision } = form.data;
    const note = form.data.note?.trim() || undefined;
    const roles = signableRoles(user);
    const ctx = context(user);
    // Who may decide is checked here as well as by the session: another tenant's request reads as missing.
    const before = visibleFate(await queue.fate(sessionId, requestId, tenantsOf(user)), user.identity, roles);
    if (before.kind === 'unknown') return page(reply, decisionPage(ctx, { accepted: false, reason: 'there is no such request waiting for you', requestId, sessionId }), 404);
    if (decision === 'reject' && !note) return page(reply, decisionPage(ctx, { accepted: false, reason: 'a rejection needs a reason: write it in the note', requestId, sessionId }), 400);
    const signing = { key: options.issuerKey, approver: user.identity, roles, digest, ttlMs: options.statementTtlMs ?? INBOX_DEFAULTS.statementTtlMs, ...(note ? { note } : {}) };
    const handle = options.client.getSession(sessionId);
    try {
      const answer = decision === 'approve' ? await handle.approve(requestId, signing) : await handle.reject(requestId, note!, signing);
      return page(reply, decisionPage(ctx, { accepted: true, decision, requestId, sessionId, ...(answer?.quorum ? { quorum: answer.quorum } : {}) }));
    } catch (error) {
      const after = await queue.fate(sessionId, requestId, tenantsOf(user)).catch((): RequestFate => ({ kind: 'unknown' }));
      if (error instanceof DecisionRefusedError) return page(reply, decisionPage(ctx, { accepted: false, reason: error.reason, fate: after, requestId, sessionId }), 409);
      // A session that ended meanwhile takes no decision at all.
      const execution = await handle.workflow.describe().catch(() => null);
      if (execution && execution.status.name !== 'RUNNING') {
        return page(reply, decisionPage(ctx, { accepted: false, reason: `the session has ended (${execution.status.name.toLowerCase()})`, fate: after, requestId, sessionId }), 409);
      }
      throw error;
    }
  });

  await app.listen({ port: options.port ?? INBOX_DEFAULTS.port, host: options.host ?? INBOX_DEFAULTS.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port ?? INBOX_DEFAULTS.port;
  const host = options.host ?? INBOX_DEFAULTS.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let notifier: WebhookNotifier | undefined;
  if (options.webhookUrl) {
    notifier = new WebhookNotifier(queue, { url: options.webhookUrl, inboxUrl: options.publicUrl ?? url, pollIntervalMs: options.webhookPollMs ?? INBOX_DEFAULTS.webhookPollMs, log });
    notifier.start();
  }
  return {
    url,
    app,
    ...(notifier ? { notifier } : {}),
    async close() {
      notifier?.stop();
      await app.close();
    },
  };
}

/** A request the person may not decide reads the same as a missing one. */
function visibleFate(fate: RequestFate, identity: string, roles: readonly string[]): RequestFate {
  if ((fate.kind === 'waiting' || fate.kind === 're_proposed') && !mayDecide(fate.request, identity, roles)) return { kind: 'unknown' };
  return fate;
}

/** A path on this site to return to after signing in; anything else goes to the list. */
function safeReturnTo(value: unknown): string {
  return typeof value === 'string' && value.length <= 2000 && /^\/(?![/\\])[^\s]*$/.test(value) ? value : '/';
}
