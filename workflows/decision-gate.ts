import { isAllowedApprover, type Approver } from '../core/approval';
import {
  DECISION_LIMITS,
  DecisionEnvelopeSchema,
  readStatement,
  signatureVerifies,
  StatementRefused,
  type DecisionClaims,
  type DecisionKind,
  type TrustedKey,
} from '../core/decision-statement';

/** The three decisions a person sends, by signal or update name. */
export type DecisionName = 'approve' | 'reject' | 'resolveEscalation';

/** Statement decisions each name accepts. */
const KINDS: Record<DecisionName, readonly DecisionKind[]> = { approve: ['approve'], reject: ['reject'], resolveEscalation: ['resume', 'abort'] };

/** Refused decisions kept in a run's trace; later ones are only counted. */
export const KEPT_REFUSALS = 20;
/**
 * Signatures checked in one workflow task (workflow time stands still within a task). A flood of
 * forged statements cannot keep a task busy past the SDK's deadlock detector: the rest of that
 * task's are refused unchecked ("send it again").
 */
const SIGNATURES_PER_TASK = 64;

/**
 * A statement naming a key the loaded keys lack reloads them, but not more often than this (nor
 * more often than the session's key refresh interval): a flood of statements under made-up keys
 * costs one reload per interval.
 */
const UNKNOWN_KEY_RELOAD_MS = 30_000;

/** A decision whose statement verified and fits what is pending. */
export interface VerifiedDecision {
  claims: DecisionClaims;
  kid: string;
  /** The Temporal identity the sender reported (a claim, kept for the audit). */
  sender?: string;
  /** The compact statement, passed on to the worker that runs an approved call. */
  statement: string;
}

/** A refused decision: why, who it claimed to be from, and who sent it (all bounded). */
export interface RefusedDecision {
  reason: string;
  approver: string;
  sender?: string;
}

/** What a session is (for the statement's binding) and who may decide for it. */
export interface GateSession {
  sessionId: string;
  /** The first run id of the session: statements are bound to it. */
  execution: string;
  tenant: string;
  approvers: readonly Approver[] | undefined;
  /** How old the loaded keys may be when a decision is checked (rotation takes effect within this). */
  keyRefreshMs: number;
}

/**
 * Verifies decisions for one session: the statement's signature under a key the deployment trusts
 * for the tenant, its binding (session, execution, request, digest, expiry), the key's right to
 * the identity and roles it asserts, and the session's approvers. Pure and deterministic given the
 * loaded keys (which come from an activity, so they are in the history).
 */
export class DecisionGate {
  private keys: TrustedKey[] | null = null;
  private loadedAtMs = -Infinity;
  /** Signatures checked in the current workflow task, by handlers and (apart: they are not replayed) by update validators. */
  private readonly tasks = { handler: { atMs: -1, signatures: 0 }, validator: { atMs: -1, signatures: 0 } };
  /** Decisions refused so far in this run (kept or not). */
  refusedCount = 0;

  constructor(private readonly session: GateSession) {}

  /** Whether the keys should be (re)loaded before waiting at `nowMs`. */
  keysStale(nowMs: number): boolean {
    return this.keys === null || nowMs - this.loadedAtMs >= this.session.keyRefreshMs;
  }

  /**
   * Whether the keys should be reloaded before `raw` is checked at `nowMs`: something waits for a
   * decision (keys are loaded) and they are older than the refresh interval, or the statement names
   * a key they lack and they were not loaded in the last {@link UNKNOWN_KEY_RELOAD_MS}.
   */
  wantsKeys(raw: unknown, nowMs: number): boolean {
    if (this.keys === null) return false; // nothing waits: the check refuses it as it is
    const age = nowMs - this.loadedAtMs;
    if (age >= this.session.keyRefreshMs) return true;
    if (age < Math.min(this.session.keyRefreshMs, UNKNOWN_KEY_RELOAD_MS)) return false;
    const kid = kidOf(raw);
    return kid !== undefined && !this.keys.some((k) => k.kid === kid);
  }

  /** How long until the keys are due for a reload. */
  refreshInMs(nowMs: number): number {
    return Math.max(1000, this.session.keyRefreshMs - (nowMs - this.loadedAtMs));
  }

  /** The loaded keys, to carry to the next run. */
  loaded(): { keys: TrustedKey[]; loadedAtMs: number } | undefined {
    return this.keys ? { keys: this.keys, loadedAtMs: this.loadedAtMs } : undefined;
  }

  setKeys(keys: TrustedKey[], nowMs: number): void {
    this.keys = keys;
    this.loadedAtMs = nowMs;
  }

  /**
   * Checks `raw` sent as `name` at workflow time `nowMs`. `fits` says why verified claims do not
   * fit what is pending (null when they do). Returns the verified decision or the refusal.
   * `caller` keeps the signature budget of update validators apart, since they never run on replay.
   */
  check(
    name: DecisionName,
    raw: unknown,
    nowMs: number,
    fits: (claims: DecisionClaims) => string | null,
    caller: 'handler' | 'validator' = 'handler',
  ): VerifiedDecision | RefusedDecision {
    const sender = senderOf(raw);
    const refuse = (reason: string, approver = ''): RefusedDecision => ({ reason: reason.slice(0, 500), approver: approver.slice(0, DECISION_LIMITS.identityChars), ...(sender ? { sender } : {}) });
    if (typeof (raw as { statement?: unknown } | null | undefined)?.statement !== 'string') {
      return refuse(`malformed ${name}: decisions are signed statements, { "statement": "<JWS>" } (see "keel statement")`);
    }
    const envelope = DecisionEnvelopeSchema.safeParse(raw);
    if (!envelope.success) {
      const issue = envelope.error.issues[0];
      return refuse(`malformed ${name}: ${issue?.path.length ? issue.path.join('.') : 'payload'}: ${issue?.message ?? 'invalid'}`);
    }
    let read;
    try {
      read = readStatement(envelope.data.statement);
    } catch (error) {
      if (error instanceof StatementRefused) return refuse(error.message, error.claimedApprover);
      throw error;
    }
    const { header, claims } = read;
    const claimed = claims.approver;
    if (!KINDS[name].includes(claims.decision)) return refuse(`a "${claims.decision}" statement cannot be sent as ${name}`, claimed);
    if (claims.session !== this.session.sessionId) return refuse(`the statement is for session "${claims.session.slice(0, 256)}", not this one`, claimed);
    if (claims.execution !== this.session.execution) return refuse('the statement is for an earlier session with this id', claimed);
    if (claims.expiresAtMs <= nowMs) return refuse(`the statement expired at ${new Date(claims.expiresAtMs).toISOString()}`, claimed);
    if (claims.issuedAtMs > nowMs + DECISION_LIMITS.clockSkewMs) return refuse('the statement is issued in the future', claimed);
    if (claims.expiresAtMs - claims.issuedAtMs > DECISION_LIMITS.maxLifetimeMs) return refuse('the statement is valid for longer than 24 hours', claimed);
    if (this.keys === null) return refuse('nothing in this session is waiting for a decision', claimed);
    const key = this.keys.find((k) => k.kid === header.kid);
    if (!key) return refuse(`key "${header.kid}" is not trusted for tenant "${this.session.tenant}"`, claimed);
    if ((key.notBeforeMs !== undefined && nowMs < key.notBeforeMs) || (key.notAfterMs !== undefined && nowMs >= key.notAfterMs)) {
      return refuse(`key "${key.kid}" is not valid now`, claimed);
    }
    if (!key.issuer && key.identity !== claims.approver) return refuse(`key "${key.kid}" does not sign for "${claimed}"`, claimed);
    const unheld = claims.roles.filter((role) => (key.roles ? !key.roles.includes(role) : !key.issuer));
    if (unheld.length) return refuse(`key "${key.kid}" does not hold role ${unheld.map((r) => `"${r}"`).join(', ')}`, claimed);
    const misfit = fits(claims);
    if (misfit) return refuse(misfit, claimed);
    if (!isAllowedApprover(this.session.approvers, claims.approver, claims.roles)) {
      return refuse(`"${claimed}"${claims.roles.length ? ` (roles ${claims.roles.join(', ')})` : ''} is not an approver of this session`, claimed);
    }
    const task = this.tasks[caller];
    if (task.atMs !== nowMs) Object.assign(task, { atMs: nowMs, signatures: 0 });
    if (task.signatures >= SIGNATURES_PER_TASK) return refuse('too many decisions arrived at once; send it again', claimed);
    task.signatures += 1;
    if (!signatureVerifies(read.signed, read.signature, key.publicKey)) return refuse(`the signature does not verify under key "${key.kid}"`, claimed);
    return { claims, kid: key.kid, statement: envelope.data.statement, ...(sender ? { sender } : {}) };
  }
}

/** Whether a check's result is a refusal. */
export function isRefused(result: VerifiedDecision | RefusedDecision): result is RefusedDecision {
  return 'reason' in result;
}

/** The key id a decision's statement names, when it reads as a statement. */
function kidOf(raw: unknown): string | undefined {
  const statement = (raw as { statement?: unknown } | null | undefined)?.statement;
  if (typeof statement !== 'string') return undefined;
  try {
    return readStatement(statement).header.kid;
  } catch {
    return undefined;
  }
}

function senderOf(raw: unknown): string | undefined {
  const sender = (raw as { sender?: unknown } | null | undefined)?.sender;
  return typeof sender === 'string' && sender.length > 0 ? sender.slice(0, DECISION_LIMITS.senderChars) : undefined;
}
