import { ed25519 } from '@noble/curves/ed25519';
import { z } from 'zod';
import { ExtraBudgetSchema } from './limits';
import { lazySchema } from './lazy-schema';

/**
 * A decision statement: what a person decided about one request of one session, signed with a key
 * that the deployment trusts for the session's tenant. It travels as a JWS in compact form
 * (`header.payload.signature`, base64url, `alg: EdDSA`), so any language with an Ed25519 library
 * can make one. Verification is pure (no I/O, no Node modules): workflow code runs it in signal and
 * update handlers, and replay gives the same answer.
 */

/** Size limits of everything a decision carries. A larger field is refused before anything else is read. */
export const DECISION_LIMITS = {
  /** The whole compact JWS. */
  statementChars: 8192,
  /** The approver's identity. */
  identityChars: 256,
  roleChars: 64,
  roles: 16,
  /** A note on an approval, or the reason of a rejection. */
  noteChars: 4096,
  /** The Temporal sender identity a client reports beside the statement (a claim, kept for the audit). */
  senderChars: 256,
  keyIdChars: 128,
  sessionIdChars: 256,
  requestIdChars: 200,
  /** The longest a statement may be valid, from issue to expiry. */
  maxLifetimeMs: 24 * 3_600_000,
  /** How far in the future a statement's issue time may be (clock skew between signer and Temporal). */
  clockSkewMs: 5 * 60_000,
} as const;

/** What a statement decides. `approve`/`reject` answer an approval request, `resume`/`abort` an escalation. */
export const DecisionKindSchema = lazySchema(() => z.enum(['approve', 'reject', 'resume', 'abort']));
export type DecisionKind = z.output<typeof DecisionKindSchema>;

/** The signed claims of a decision statement (the JWS payload). Unknown keys are refused. */
export const DecisionClaimsSchema = lazySchema(() =>
  z.strictObject({
    /** Statement format version. */
    v: z.literal(1),
    /** The session (workflow id). */
    session: z.string().min(1).max(DECISION_LIMITS.sessionIdChars),
    /** The session's first run id: a statement never carries over to a later session that reuses the id. */
    execution: z.string().min(1).max(64),
    /** The approval request id, or the escalation id. */
    request: z.string().min(1).max(DECISION_LIMITS.requestIdChars),
    /** For `approve`/`reject`: SHA-256 of the pending call's canonical validated input. */
    digest: z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 hex digest').optional(),
    decision: DecisionKindSchema,
    /** Who decided (an identity the key holds, or any when the key is an issuer's). */
    approver: z.string().min(1).max(DECISION_LIMITS.identityChars),
    /** Roles the approver acts in (each one held by the key). */
    roles: z.array(z.string().min(1).max(DECISION_LIMITS.roleChars)).max(DECISION_LIMITS.roles).default([]),
    /** A note on an approval or escalation decision; the reason of a rejection (required there). */
    note: z.string().max(DECISION_LIMITS.noteChars).optional(),
    /** For `resume`: budget added to the tripped limits. */
    extraBudget: ExtraBudgetSchema.optional(),
    issuedAtMs: z.number().int().nonnegative(),
    expiresAtMs: z.number().int().nonnegative(),
  }),
);
/** Claims as a signer writes them (roles optional). */
export type DecisionClaimsInput = z.input<typeof DecisionClaimsSchema>;
export type DecisionClaims = z.output<typeof DecisionClaimsSchema>;

/** The protected header of a decision statement. */
export const DecisionHeaderSchema = lazySchema(() =>
  z.strictObject({
    alg: z.literal('EdDSA'),
    kid: z.string().min(1).max(DECISION_LIMITS.keyIdChars),
    typ: z.literal('keel-decision+jws').optional(),
  }),
);

/**
 * The payload of the `approve`, `reject` and `resolveEscalation` signals and updates: a signed
 * statement (which names its session: an orchestration passes a child's on to the child) and the
 * Temporal identity that sent it (a claim, recorded beside the verified approver).
 */
export const DecisionEnvelopeSchema = lazySchema(() =>
  z.strictObject({
    statement: z.string().min(1).max(DECISION_LIMITS.statementChars),
    sender: z.string().max(DECISION_LIMITS.senderChars).optional(),
  }),
);
export type DecisionEnvelope = z.input<typeof DecisionEnvelopeSchema>;

/** A public key the deployment trusts to sign decisions. */
export const TrustedKeySchema = lazySchema(() =>
  z.strictObject({
    /** Key id, named in each statement's header (rotation: add the new key, then retire the old id). */
    kid: z.string().min(1).max(DECISION_LIMITS.keyIdChars),
    /** The raw 32-byte Ed25519 public key, base64url. */
    publicKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'a raw Ed25519 public key (32 bytes, base64url)'),
    /** Tenants whose sessions the key may decide for; `*` for all. */
    tenants: z.array(z.string().min(1).max(256)).min(1).max(1000),
    /** The one identity this key signs for (required unless `issuer`). */
    identity: z
      .string()
      .min(1)
      .max(DECISION_LIMITS.identityChars)
      .refine((s) => !s.startsWith('role:'), 'an identity cannot start with "role:"')
      .optional(),
    /** Roles the key may assert (an issuer may assert any when absent). @default [] */
    roles: z.array(z.string().min(1).max(DECISION_LIMITS.roleChars)).max(64).optional(),
    /** An issuer's key (e.g. the approval inbox) signs for the people it has signed in: any identity. @default false */
    issuer: z.boolean().optional(),
    /** Not valid before / after these times (epoch ms). */
    notBeforeMs: z.number().int().optional(),
    notAfterMs: z.number().int().optional(),
  }).refine((k) => k.issuer || k.identity, { message: 'a key that is not an issuer\'s needs an identity', path: ['identity'] }),
);
export type TrustedKey = z.output<typeof TrustedKeySchema>;

/** The file of trusted approver keys (`KEEL_APPROVER_KEYS`). */
export const TrustedKeyFileSchema = lazySchema(() => z.strictObject({ keys: z.array(TrustedKeySchema).max(10_000) }));

/** Keys a session loads for its tenant, at most this many. */
export const MAX_KEYS_PER_TENANT = 256;

/** The keys of `keys` that may decide for `tenant`. */
export function keysForTenant(keys: readonly TrustedKey[], tenant: string): TrustedKey[] {
  return keys.filter((k) => k.tenants.includes('*') || k.tenants.includes(tenant)).slice(0, MAX_KEYS_PER_TENANT);
}

/** A statement whose signature and claims check out. */
export interface VerifiedStatement {
  claims: DecisionClaims;
  kid: string;
}

/** Why a statement was refused (a sentence for the trace and the caller) and who it claimed to be from. */
export class StatementRefused extends Error {
  override readonly name = 'StatementRefused';
  constructor(
    message: string,
    /** The approver the statement claims (bounded), for the trace; empty when unreadable. */
    readonly claimedApprover = '',
  ) {
    super(message);
  }
}

/** The bytes a signer signs: `base64url(header) + '.' + base64url(payload)`. */
export function signingInput(header: object, claims: object): string {
  return `${base64UrlEncode(new TextEncoder().encode(JSON.stringify(header)))}.${base64UrlEncode(new TextEncoder().encode(JSON.stringify(claims)))}`;
}

/** Reads a compact JWS without checking its signature: header, claims and what was signed. Throws {@link StatementRefused}. */
export function readStatement(statement: string): { header: z.output<typeof DecisionHeaderSchema>; claims: DecisionClaims; signed: string; signature: Uint8Array } {
  if (statement.length > DECISION_LIMITS.statementChars) throw new StatementRefused(`statement longer than ${DECISION_LIMITS.statementChars} characters`);
  const parts = statement.split('.');
  if (parts.length !== 3) throw new StatementRefused('not a signed statement (expected a compact JWS: header.payload.signature)');
  const [h, p, s] = parts as [string, string, string];
  const header = DecisionHeaderSchema.safeParse(parseJsonPart(h, 'header'));
  if (!header.success) throw new StatementRefused(`statement header: ${issuesOf(header.error)}`);
  const raw = parseJsonPart(p, 'payload');
  const claimed = typeof (raw as { approver?: unknown })?.approver === 'string' ? String((raw as { approver: string }).approver).slice(0, DECISION_LIMITS.identityChars) : '';
  const claims = DecisionClaimsSchema.safeParse(raw);
  if (!claims.success) throw new StatementRefused(`statement claims: ${issuesOf(claims.error)}`, claimed);
  const signature = base64UrlDecode(s);
  if (!signature || signature.length !== 64) throw new StatementRefused('statement signature is not 64 bytes of base64url', claimed);
  return { header: header.data, claims: claims.data, signed: `${h}.${p}`, signature };
}

/** Whether `signature` over `signed` verifies under the raw Ed25519 public key `publicKey` (base64url). */
export function signatureVerifies(signed: string, signature: Uint8Array, publicKey: string): boolean {
  const key = base64UrlDecode(publicKey);
  if (!key || key.length !== 32) return false;
  try {
    return ed25519.verify(signature, new TextEncoder().encode(signed), key);
  } catch {
    return false;
  }
}

function parseJsonPart(part: string, what: string): unknown {
  const bytes = base64UrlDecode(part);
  if (!bytes) throw new StatementRefused(`statement ${what} is not base64url`);
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new StatementRefused(`statement ${what} is not UTF-8 JSON`);
  }
}

function issuesOf(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : '(statement)'}: ${i.message}`)
    .join('; ')
    .slice(0, 500);
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const LOOKUP = new Map([...ALPHABET].map((c, i) => [c, i]));

/** base64url without padding (pure: no Buffer in workflow code). */
export function base64UrlEncode(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += ALPHABET[(n >> 18) & 63]! + ALPHABET[(n >> 12) & 63]!;
    if (i + 1 < bytes.length) out += ALPHABET[(n >> 6) & 63]!;
    if (i + 2 < bytes.length) out += ALPHABET[n & 63]!;
  }
  return out;
}

/** Decodes base64url without padding; null when it is not. */
export function base64UrlDecode(text: string): Uint8Array | null {
  if (text.length % 4 === 1) return null;
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let bits = 0;
  let value = 0;
  let o = 0;
  for (const c of text) {
    const v = LOOKUP.get(c);
    if (v === undefined) return null;
    value = (value << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (value >> bits) & 0xff;
    }
  }
  return out.subarray(0, o);
}
