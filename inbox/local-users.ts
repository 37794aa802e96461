import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { DECISION_LIMITS } from '../core/decision-statement';

/**
 * The inbox's local users (`KEEL_INBOX_USERS`): people who sign in with a password, the tenants
 * whose requests they see and the roles they decide in. Passwords are stored as scrypt hashes only
 * (`scrypt$N$r$p$salt$hash`, base64url), made by `npm run inbox -- add-user`.
 */

/** A tenant name the inbox can put in a visibility query: no quotes, backslashes or controls. `*` is every tenant. */
export const InboxTenantSchema = z.string().min(1).max(256).regex(/^[^'"\\\u0000-\u001f\u007f]+$/, 'a tenant name without quotes, backslashes or control characters');

/** A role name as statements carry it. */
export const InboxRoleSchema = z.string().min(1).max(DECISION_LIMITS.roleChars);

/** One local user. */
export const LocalUserSchema = z.strictObject({
  /** The identity decisions are signed for (what the audit log and the trace name). */
  identity: z
    .string()
    .min(1)
    .max(DECISION_LIMITS.identityChars)
    .refine((s) => !s.startsWith('role:') && !s.startsWith('policy:'), 'an identity cannot start with "role:" or "policy:"'),
  /** A name to greet the person by. @default the identity */
  name: z.string().min(1).max(200).optional(),
  passwordHash: z.string().regex(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/, 'a hash made by "npm run inbox -- add-user"'),
  /** Tenants whose requests the user sees and decides; `*` for all. */
  tenants: z.array(InboxTenantSchema).min(1).max(1000),
  /** Roles the user decides in (a session's `role:NAME` approvers). @default [] */
  roles: z.array(InboxRoleSchema).max(DECISION_LIMITS.roles).default([]),
});
export type LocalUser = z.output<typeof LocalUserSchema>;

export const LocalUsersFileSchema = z.strictObject({ users: z.array(LocalUserSchema).max(10_000) });

/** A users file that cannot be used. */
export class LocalUsersError extends Error {
  override readonly name = 'LocalUsersError';
}

/** scrypt cost: N = 2^15, r = 8, p = 1 (OWASP's minimum for scrypt), 32-byte key, 16-byte salt. */
const COST = { N: 32_768, r: 8, p: 1 } as const;
const KEY_BYTES = 32;
/** Hashes whose cost parameters exceed these are refused rather than computed (a planted hash could stall the server). */
const MAX_COST = { N: 1_048_576, r: 16, p: 4 } as const;
/** Shortest password `add-user` accepts. */
export const MIN_PASSWORD_CHARS = 12;

function scryptAsync(password: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, keylen, options, (error, key) => (error ? reject(error) : resolve(key))));
}

const maxmem = (o: { N: number; r: number; p: number }) => 128 * o.N * o.r * o.p + 16 * 1024 * 1024;

/** Hashes a password with scrypt and a random salt: `scrypt$N$r$p$salt$hash`. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password.normalize('NFKC'), salt, KEY_BYTES, { ...COST, maxmem: maxmem(COST) });
  return `scrypt$${COST.N}$${COST.r}$${COST.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** Whether `password` matches `hash` (constant time in the key comparison). */
export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  const parts = hash.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![N, r, p].every(Number.isInteger) || N > MAX_COST.N || r > MAX_COST.r || p > MAX_COST.p || N < 2 || (N & (N - 1)) !== 0) return false;
  const salt = Buffer.from(parts[4]!, 'base64url');
  const expected = Buffer.from(parts[5]!, 'base64url');
  if (expected.length < 16 || password.length > 1024) return false;
  const key = await scryptAsync(password.normalize('NFKC'), salt, expected.length, { N, r, p, maxmem: maxmem({ N, r, p }) });
  return timingSafeEqual(key, expected);
}

/** Compared against when the identity is unknown, so that an unknown name takes as long as a wrong password. */
let decoyHash: Promise<string> | undefined;

/** The users file, read again whenever it changes (adding or removing a user needs no restart). */
export class LocalUsers {
  private cached: { mtimeMs: number; size: number; users: Map<string, LocalUser> } | undefined;

  constructor(readonly path: string) {}

  /** Every user, by identity. Throws {@link LocalUsersError} when the file is missing or invalid. */
  users(): Map<string, LocalUser> {
    let info;
    try {
      info = statSync(this.path);
    } catch {
      throw new LocalUsersError(`no inbox users file at ${this.path} (create one with "npm run inbox -- add-user")`);
    }
    if (this.cached && this.cached.mtimeMs === info.mtimeMs && this.cached.size === info.size) return this.cached.users;
    const users = new Map(readUsersFile(this.path).users.map((u) => [u.identity, u]));
    this.cached = { mtimeMs: info.mtimeMs, size: info.size, users };
    return users;
  }

  /** The user, as the file has it now (a removed user's session ends at the next request). */
  find(identity: string): LocalUser | undefined {
    return this.users().get(identity);
  }

  /** The user whose password this is, or null; an unknown identity costs the same scrypt as a known one. */
  async authenticate(identity: string, password: string): Promise<LocalUser | null> {
    const user = this.users().get(identity);
    if (!user) {
      decoyHash ??= hashPassword(randomBytes(16).toString('hex'));
      await verifyPassword(await decoyHash, password);
      return null;
    }
    return (await verifyPassword(user.passwordHash, password)) ? user : null;
  }
}

function readUsersFile(path: string): z.output<typeof LocalUsersFileSchema> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new LocalUsersError(`${path} is not JSON: ${(error as Error).message}`);
  }
  const file = LocalUsersFileSchema.safeParse(parsed);
  if (!file.success) {
    throw new LocalUsersError(`${path} is not an inbox users file: ${file.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const seen = new Set<string>();
  for (const user of file.data.users) {
    if (seen.has(user.identity)) throw new LocalUsersError(`${path}: user "${user.identity}" appears twice`);
    seen.add(user.identity);
  }
  return file.data;
}

/**
 * Adds a user to the users file (created when missing, mode 600), or replaces the one with the
 * same identity. Throws {@link LocalUsersError} on a short password or an invalid entry.
 */
export async function addLocalUser(path: string, user: { identity: string; password: string; tenants: string[]; roles?: string[]; name?: string }): Promise<LocalUser> {
  if (user.password.length < MIN_PASSWORD_CHARS) throw new LocalUsersError(`the password needs at least ${MIN_PASSWORD_CHARS} characters`);
  const entry = LocalUserSchema.safeParse({
    identity: user.identity,
    ...(user.name ? { name: user.name } : {}),
    passwordHash: await hashPassword(user.password),
    tenants: user.tenants,
    roles: user.roles ?? [],
  });
  if (!entry.success) throw new LocalUsersError(entry.error.issues.map((i) => `${i.path.join('.') || 'user'}: ${i.message}`).join('; '));
  const current = existsSync(path) ? readUsersFile(path) : { users: [] };
  const users = [...current.users.filter((u) => u.identity !== entry.data.identity), entry.data];
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify({ users }, null, 2)}\n`, { mode: 0o600 });
  return entry.data;
}
