import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { InboxRoleSchema, InboxTenantSchema } from './local-users';

/**
 * The signed-in person, kept in a cookie signed with `KEEL_INBOX_SESSION_SECRET` (HMAC-SHA256,
 * `@fastify/cookie`): HttpOnly, SameSite=Lax, Secure, expiring. It carries the CSRF token that every
 * form of the session repeats. A local user's tenants and roles are read from the users file again
 * on each request; a single-sign-on user's come from the identity provider's claims at sign-in.
 */

/** Who is signed in, and what they may see and decide. */
export interface SignedInUser {
  identity: string;
  name: string;
  tenants: string[];
  roles: string[];
  /** How they signed in. */
  via: 'password' | 'oidc';
}

const SessionCookieSchema = z.strictObject({
  v: z.literal(1),
  sub: z.string().min(1).max(256),
  name: z.string().max(200),
  tenants: z.array(InboxTenantSchema).max(1000),
  roles: z.array(InboxRoleSchema).max(64),
  via: z.enum(['password', 'oidc']),
  csrf: z.string().regex(/^[A-Za-z0-9_-]{32,64}$/),
  exp: z.number().int(),
});
type SessionCookie = z.output<typeof SessionCookieSchema>;

/** Cookie settings of the inbox. */
export interface CookiePolicy {
  /** Send cookies with `Secure` (browsers keep them on https:// pages and on http://localhost). */
  secure: boolean;
  /** How long a sign-in lasts. */
  sessionTtlMs: number;
}

/** Names of the inbox's cookies (`__Host-`: only from this host, path `/`, Secure). */
export function cookieNames(policy: CookiePolicy): { session: string; login: string } {
  return policy.secure ? { session: '__Host-keel-inbox', login: '__Host-keel-inbox-login' } : { session: 'keel-inbox', login: 'keel-inbox-login' };
}

const cookieOptions = (policy: CookiePolicy, maxAgeSeconds: number) =>
  ({ signed: true, httpOnly: true, sameSite: 'lax', secure: policy.secure, path: '/', maxAge: maxAgeSeconds }) as const;

/** A random token for CSRF checks and OIDC state. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Signs the person in: sets the session cookie (a new CSRF token with it) and drops the sign-in cookie. */
export function startWebSession(reply: FastifyReply, policy: CookiePolicy, user: SignedInUser): void {
  const names = cookieNames(policy);
  const cookie: SessionCookie = { v: 1, sub: user.identity, name: user.name, tenants: user.tenants, roles: user.roles, via: user.via, csrf: randomToken(), exp: Date.now() + policy.sessionTtlMs };
  reply.setCookie(names.session, Buffer.from(JSON.stringify(cookie)).toString('base64url'), cookieOptions(policy, Math.floor(policy.sessionTtlMs / 1000)));
  reply.clearCookie(names.login, { path: '/', secure: policy.secure, httpOnly: true, sameSite: 'lax' });
}

/** Signs the person out. */
export function endWebSession(reply: FastifyReply, policy: CookiePolicy): void {
  reply.clearCookie(cookieNames(policy).session, { path: '/', secure: policy.secure, httpOnly: true, sameSite: 'lax' });
}

/** The session cookie's content when it is there, signed with the secret, well-formed and not expired. */
export function readWebSession(request: FastifyRequest, policy: CookiePolicy): (SignedInUser & { csrf: string }) | null {
  const raw = request.cookies[cookieNames(policy).session];
  if (!raw || raw.length > 16_384) return null;
  const unsigned = request.unsignCookie(raw);
  if (!unsigned.valid || unsigned.value === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(unsigned.value, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const cookie = SessionCookieSchema.safeParse(parsed);
  if (!cookie.success || cookie.data.exp <= Date.now()) return null;
  const { sub, name, tenants, roles, via, csrf } = cookie.data;
  return { identity: sub, name, tenants, roles, via, csrf };
}

/**
 * The CSRF token of the sign-in form (before anyone is signed in): a signed cookie that the form
 * repeats, made on first use.
 */
export function loginCsrfToken(request: FastifyRequest, reply: FastifyReply, policy: CookiePolicy): string {
  const existing = readLoginCookie(request, policy);
  if (existing) return existing.csrf;
  const csrf = randomToken();
  writeLoginCookie(reply, policy, { csrf });
  return csrf;
}

/** What the sign-in cookie holds: the sign-in form's CSRF token and, during single sign-on, the flow's state. */
export interface LoginCookie {
  csrf: string;
  oidc?: { state: string; nonce: string; verifier: string; returnTo: string };
}

export function writeLoginCookie(reply: FastifyReply, policy: CookiePolicy, value: LoginCookie): void {
  reply.setCookie(cookieNames(policy).login, Buffer.from(JSON.stringify(value)).toString('base64url'), cookieOptions(policy, 600));
}

export function readLoginCookie(request: FastifyRequest, policy: CookiePolicy): LoginCookie | null {
  const raw = request.cookies[cookieNames(policy).login];
  if (!raw || raw.length > 4096) return null;
  const unsigned = request.unsignCookie(raw);
  if (!unsigned.valid || unsigned.value === null) return null;
  try {
    const value = JSON.parse(Buffer.from(unsigned.value, 'base64url').toString('utf8')) as LoginCookie;
    return typeof value?.csrf === 'string' ? value : null;
  } catch {
    return null;
  }
}

/** Whether a form's CSRF token is the expected one (constant time). */
export function csrfMatches(expected: string, given: unknown): boolean {
  if (typeof given !== 'string' || given.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}
