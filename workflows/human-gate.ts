import { condition, patched } from '@temporalio/workflow';
import type { TrustedKey } from '../core/decision-statement';
import type { ExtraBudget } from '../core/limits';
import type { PendingEscalation } from '../core/session';
import type { TraceEvent } from '../core/trace';
import type { DecisionGate } from './decision-gate';
import { KEYS_ON_DEMAND_PATCH, VERIFIED_DECISIONS_PATCH } from './legacy-decisions';
import type { HasPatch } from './session-patches';

/** A person's decision on an escalation (verified, or from a history recorded before decisions were signed). */
export interface EscalationDecision {
  action: 'resume' | 'abort';
  approver: string;
  roles?: string[];
  kid?: string;
  sender?: string;
  via?: 'signal' | 'update';
  extraBudget?: ExtraBudget;
  note?: string;
}

/** Options of a {@link HumanGate}. */
export interface HumanGateOptions {
  /** Verifies decisions against the tenant's approver keys. */
  gate: DecisionGate;
  tenant: string;
  /** Loads the tenant's approver keys (an activity of the caller's preset). */
  loadKeys: (input: { tenant: string }) => Promise<TrustedKey[]>;
  /** Reloads them for a decision that has arrived ({@link HumanGate.keysFor}). @default loadKeys */
  reloadKeysForDecision?: (input: { tenant: string }) => Promise<TrustedKey[]>;
  /**
   * How a wait keeps the keys current. `refreshing` (sessions): reloaded before a wait when stale
   * and when a decision needs them (before: every few minutes during the wait, which older
   * histories replay).
   * `once` (orchestrations, as their histories were recorded): loaded when an escalation opens, then one timer.
   */
  keys: 'refreshing' | 'once';
  /** Escalations opened in earlier runs (ids stay unique across runs). @default 0 */
  escalationsIssued?: number;
  /** Whether the run has a patch (a session settles them at its start). @default `patched` */
  hasPatch?: HasPatch;
}

/** What the caller does when an escalation opens and when its wait ends (state, current details, the breaker's paused time). */
export interface EscalationHooks {
  opened(escalation: PendingEscalation, verified: boolean): void;
  closed(sinceMs: number, verified: boolean): void;
}

/**
 * The wait for a person, shared by sessions and orchestrations: an approval or an escalation is
 * decided by a verified statement (see {@link DecisionGate}) or times out. Holds the pending
 * escalation and its decision, which the decision handlers set.
 */
export class HumanGate {
  escalation: PendingEscalation | null = null;
  decision: EscalationDecision | null = null;
  escalationsIssued: number;
  private reloading: Promise<void> | undefined;
  private readonly hasPatch: HasPatch;

  constructor(private readonly options: HumanGateOptions) {
    this.escalationsIssued = options.escalationsIssued ?? 0;
    this.hasPatch = options.hasPatch ?? patched;
  }

  /** Loads the tenant's approver keys when they are missing or older than the refresh interval. */
  async refreshKeys(): Promise<void> {
    if (!this.options.gate.keysStale(Date.now())) return;
    await this.loadKeys();
  }

  /**
   * Before a decision is checked: reloads the keys when it needs them (see
   * `DecisionGate.wantsKeys`), once for every decision that arrives while a reload runs. Returns
   * why the decision cannot be checked when the keys could not be reloaded (the session goes on
   * waiting; the decision can be sent again).
   */
  async keysFor(raw: unknown): Promise<string | undefined> {
    if (this.options.keys !== 'refreshing' || !this.options.gate.wantsKeys(raw, Date.now())) return undefined;
    this.reloading ??= this.loadKeys(this.options.reloadKeysForDecision).finally(() => {
      this.reloading = undefined;
    });
    try {
      await this.reloading;
      return undefined;
    } catch (error) {
      const cause = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
      return `the approver keys could not be reloaded to check it (${cause.slice(0, 200)}); send it again`;
    }
  }

  /**
   * Waits until `done` or `untilMs`, on one timer: keys are reloaded when a decision needs them
   * ({@link keysFor}), so a waiting session costs its worker nothing. Histories recorded before
   * that reloaded the keys every `approverKeyRefreshMs` while waiting, and replay so.
   */
  async waitForPerson(done: () => boolean, untilMs: number, summary: string): Promise<boolean> {
    if (this.options.keys === 'once' || !this.hasPatch(VERIFIED_DECISIONS_PATCH)) return condition(done, Math.max(0, untilMs - Date.now()));
    if (this.hasPatch(KEYS_ON_DEMAND_PATCH)) {
      const left = untilMs - Date.now();
      if (done()) return true;
      return left > 0 && condition(done, left, { summary });
    }
    for (;;) {
      const left = untilMs - Date.now();
      if (done()) return true;
      if (left <= 0) return false;
      await this.refreshKeys();
      if (await condition(done, Math.min(left, this.options.gate.refreshInMs(Date.now())), { summary })) return true;
    }
  }

  /** Why verified claims do not fit the pending escalation (null when they do). */
  misfit(claims: { request: string }): string | null {
    if (!this.escalation || this.decision) return 'no escalation is pending';
    if (claims.request !== this.escalation.requestId) return `escalation "${claims.request}" is not the pending one ("${this.escalation.requestId}")`;
    return null;
  }

  /**
   * Opens an escalation for `limit` and waits up to `timeoutMs` for a person's `resolveEscalation`
   * (time waiting is the caller's to discount); null when nobody decided in time.
   */
  async escalate(limit: string, detail: string, timeoutMs: number, hooks: EscalationHooks): Promise<EscalationDecision | null> {
    const verified = this.hasPatch(VERIFIED_DECISIONS_PATCH);
    if (verified) await (this.options.keys === 'once' ? this.loadKeys() : this.refreshKeys());
    const sinceMs = Date.now();
    const requestId = verified ? `esc-${++this.escalationsIssued}-${limit.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 40)}` : undefined;
    this.escalation = { ...(requestId ? { requestId } : {}), limit, detail, sinceMs, timeoutMs };
    this.decision = null;
    hooks.opened(this.escalation, verified);
    const decided = await this.waitForPerson(() => this.decision !== null, sinceMs + timeoutMs, `escalation ${requestId ?? limit} times out`);
    hooks.closed(sinceMs, verified);
    this.escalation = null;
    const decision = this.decision as EscalationDecision | null;
    return decided && decision ? decision : null;
  }

  private async loadKeys(load = this.options.loadKeys): Promise<void> {
    const keys = await load({ tenant: this.options.tenant });
    this.options.gate.setKeys(keys, Date.now());
  }
}

/** The trace event of an escalation's end: who decided what, or the timeout. */
export function escalationResolvedEvent(decision: EscalationDecision | null): TraceEvent {
  if (!decision) return { type: 'escalation_resolved', atMs: Date.now(), action: 'timeout' };
  const { approver, roles, kid, sender, via } = decision;
  return {
    type: 'escalation_resolved',
    atMs: Date.now(),
    approver,
    ...(roles ? { roles } : {}),
    ...(kid ? { kid } : {}),
    ...(sender ? { sender } : {}),
    ...(via ? { via } : {}),
    action: decision.action,
    ...(decision.extraBudget ? { extraBudget: decision.extraBudget } : {}),
    ...(decision.note ? { note: decision.note } : {}),
  };
}
