import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import {
  DecisionClaimsSchema,
  signingInput,
  TrustedKeyFileSchema,
  TrustedKeySchema,
  type DecisionClaimsInput,
  type TrustedKey,
} from '../core/decision-statement';

/** An approver's private key file (`keel keys create`): keep it to yourself, like an SSH key. */
export const ApproverKeyFileSchema = z.strictObject({
  kid: z.string().min(1),
  /** The identity the key signs for (absent for an issuer's key, which names one per statement). */
  identity: z.string().min(1).optional(),
  roles: z.array(z.string().min(1)).default([]),
  /** PKCS#8 PEM of the Ed25519 private key. */
  privateKeyPem: z.string().min(1),
});
export type ApproverKeyFile = z.output<typeof ApproverKeyFileSchema>;

/** A key file that cannot be used: missing, unreadable or not an Ed25519 key. */
export class ApproverKeyError extends Error {
  override readonly name = 'ApproverKeyError';
}

/** What {@link createApproverKey} makes: the private key file's content and the entry the deployment trusts. */
export interface CreatedApproverKey {
  privateKey: ApproverKeyFile;
  trusted: TrustedKey;
}

/**
 * Makes an Ed25519 key pair for an approver (or an issuer such as the inbox). `seed` (32 bytes)
 * makes the same pair every time, for fixtures shared between processes; leave it out otherwise.
 */
export function createApproverKey(options: { kid: string; identity?: string; roles?: string[]; tenants: string[]; issuer?: boolean; seed?: Uint8Array }): CreatedApproverKey {
  const { publicKey, privateKey } = options.seed ? keyPairFromSeed(options.seed) : generateKeyPairSync('ed25519');
  const x = publicKey.export({ format: 'jwk' }).x;
  if (!x) throw new ApproverKeyError('the Ed25519 public key has no raw form');
  const trusted = TrustedKeySchema.safeParse({
    kid: options.kid,
    publicKey: x,
    tenants: options.tenants,
    ...(options.identity ? { identity: options.identity } : {}),
    ...(options.roles?.length ? { roles: options.roles } : {}),
    ...(options.issuer ? { issuer: true } : {}),
  });
  if (!trusted.success) throw new ApproverKeyError(`key "${options.kid}": ${trusted.error.issues.map((i) => `${i.path.join('.') || 'key'}: ${i.message}`).join('; ')}`);
  return {
    privateKey: {
      kid: options.kid,
      ...(options.identity ? { identity: options.identity } : {}),
      roles: options.roles ?? [],
      privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    },
    trusted: trusted.data,
  };
}

/** PKCS#8 DER prefix of an Ed25519 private key; the 32-byte seed follows. */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

function keyPairFromSeed(seed: Uint8Array): { publicKey: KeyObject; privateKey: KeyObject } {
  if (seed.length !== 32) throw new ApproverKeyError('an Ed25519 seed has 32 bytes');
  const privateKey = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

/** Writes a private key file readable by its owner only. */
export function writeApproverKey(path: string, key: ApproverKeyFile): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(key, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
}

/** Reads a private key file. Throws {@link ApproverKeyError} naming the file and what is wrong. */
export function readApproverKey(path: string): ApproverKeyFile {
  if (!existsSync(path)) throw new ApproverKeyError(`no approver key at ${path} (create one with "keel keys create")`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ApproverKeyError(`${path} is not JSON: ${(error as Error).message}`);
  }
  const key = ApproverKeyFileSchema.safeParse(parsed);
  if (!key.success) throw new ApproverKeyError(`${path} is not an approver key: ${key.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return key.data;
}

/** Adds `key` to the trusted key file at `path` (created when missing); an existing entry with its kid is replaced. */
export function trustApproverKey(path: string, key: TrustedKey): void {
  const current = existsSync(path) ? TrustedKeyFileSchema.parse(JSON.parse(readFileSync(path, 'utf8'))) : { keys: [] };
  const keys = [...current.keys.filter((k) => k.kid !== key.kid), key];
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify({ keys }, null, 2)}\n`);
}

/** Statement validity unless given. */
export const DEFAULT_STATEMENT_TTL_MS = 15 * 60_000;

/**
 * Signs a decision statement with an approver's key: a compact JWS (`alg: EdDSA`) over the claims.
 * `approver` defaults to the key's identity and `roles` to the key's roles.
 */
export function signDecision(
  key: ApproverKeyFile,
  claims: Omit<DecisionClaimsInput, 'v' | 'approver' | 'issuedAtMs' | 'expiresAtMs'> & { approver?: string; issuedAtMs?: number; expiresAtMs?: number },
): string {
  const now = Date.now();
  const approver = claims.approver ?? key.identity;
  if (!approver) throw new ApproverKeyError(`key "${key.kid}" is an issuer's key: name the approver`);
  const full = DecisionClaimsSchema.parse({
    v: 1,
    ...claims,
    approver,
    roles: claims.roles ?? key.roles,
    issuedAtMs: claims.issuedAtMs ?? now,
    expiresAtMs: claims.expiresAtMs ?? now + DEFAULT_STATEMENT_TTL_MS,
  });
  const signed = signingInput({ alg: 'EdDSA', kid: key.kid, typ: 'keel-decision+jws' }, full);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(key.privateKeyPem);
  } catch (error) {
    throw new ApproverKeyError(`key "${key.kid}" has an unreadable private key: ${(error as Error).message}`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new ApproverKeyError(`key "${key.kid}" is not an Ed25519 key`);
  return `${signed}.${sign(null, Buffer.from(signed), privateKey).toString('base64url')}`;
}
