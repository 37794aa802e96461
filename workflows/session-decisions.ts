import { ApplicationFailure, setHandler, upsertMemo } from '@temporalio/workflow';
import { isAllowedApprover } from '../core/approval';
import type { DecisionClaims } from '../core/decision-statement';
import { FailureType } from '../core/errors';
import { describeRequestIssues } from '../core/session';
import {
  approveSignal,
  approveUpdate,
  rejectSignal,
  rejectUpdate,
  resolveEscalationSignal,
  resolveEscalationUpdate,
  statusQuery,
  traceQuery,
  type DecisionAccepted,
} from './api';
import { isRefused, KEPT_REFUSALS, type DecisionName, type RefusedDecision, type VerifiedDecision } from './decision-gate';
import type { EscalationDecision } from './human-gate';
import { KEYS_ON_DEMAND_PATCH, LegacyApproveSchema, LegacyRejectSchema, LegacyResolveEscalationSchema, VERIFIED_DECISIONS_PATCH } from './legacy-decisions';
import { keelMetrics, type Session } from './session-state';

/** Handler descriptions, shown in the Temporal UI. */
const DECISION_DESCRIPTIONS: Record<DecisionName, string> = {
  approve: 'Approve a pending write_critical call: { "statement": "<JWS signed by a trusted approver key>" } naming the request id and input digest (see "keel statement approve").',
  reject: 'Reject a pending write_critical call: { "statement": "<JWS>" } with the reason in its note; the model is told why.',
  resolveEscalation: 'Resume (with extra budget) or abort an escalated session: { "statement": "<JWS>" } naming the escalation id.',
};

/**
 * The session's queries (`status`, `trace`) and its decisions (`approve`, `reject`,
 * `resolveEscalation`) as signals and as updates with validators. A decision takes effect only
 * when its statement verifies (see DecisionGate) and fits what is pending; histories recorded
 * before signed decisions replay their decisions as they were taken then.
 */
export function installSessionHandlers(s: Session): void {
  const { request, sessionId, trace, gate } = s;
  setHandler(statusQuery, () => s.status(), { description: 'State, usage against limits, pending approvals (tool, input, digest, the agent\'s reason) and escalation.' });
  setHandler(traceQuery, () => ({ sessionId, agent: request.agent, events: trace, earlierRuns: s.earlierTraces }), {
    description: "This run's trace: model calls, tool calls, breaker events, decisions (earlier runs' by content reference).",
  });

  /** Why verified claims do not fit the pending approval they name (null when they do). */
  const approvalMisfit = (claims: DecisionClaims): string | null => {
    const record = s.approvals.find((a) => a.requestId === claims.request);
    if (!record) return `no approval request "${claims.request}" in this session`;
    if (record.decision) return `approval request "${record.requestId}" was already decided (${record.decision.decision})`;
    if (claims.digest !== record.digest) return `digest ${claims.digest ?? '(none)'} does not match the pending call's input (${record.digest})`;
    if (claims.decision === 'approve' && record.approvals?.by.includes(claims.approver)) return `already approved by ${claims.approver} (${record.approvals.by.length} of ${record.approvals.required}): another approver must approve`;
    if (claims.decision === 'reject' && !claims.note) return 'a rejection needs a reason (the statement\'s note)';
    return null;
  };
  const misfit = (name: DecisionName) => (name === 'resolveEscalation' ? (claims: DecisionClaims) => s.human.misfit(claims) : approvalMisfit);
  const refused = (name: DecisionName, via: 'signal' | 'update', refusal: RefusedDecision): void => {
    keelMetrics.record({ kind: 'decision_refused', agent: request.agent, decision: name, via });
    if (via === 'update') return; // a refused update is answered to its caller and never enters the history
    gate.refusedCount += 1;
    if (gate.refusedCount <= KEPT_REFUSALS) trace.push({ type: 'signal_refused', atMs: Date.now(), signal: name, ...refusal });
  };
  /** Applies a verified decision; every accepted decision also shows in the history as a memo change. */
  const apply = (name: DecisionName, via: 'signal' | 'update', verified: VerifiedDecision): DecisionAccepted => {
    const { claims } = verified;
    const who = { approver: claims.approver, ...(claims.roles.length ? { roles: claims.roles } : {}), kid: verified.kid, ...(verified.sender ? { sender: verified.sender } : {}) };
    let quorum: string | undefined;
    if (name === 'resolveEscalation') {
      s.human.decision = { action: claims.decision === 'abort' ? 'abort' : 'resume', ...who, ...(claims.extraBudget ? { extraBudget: claims.extraBudget } : {}), ...(claims.note ? { note: claims.note } : {}), via } as EscalationDecision;
    } else {
      const record = s.approvals.find((a) => a.requestId === claims.request)!;
      // Quorum: each distinct approver counts (see approvalMisfit); the call is approved once `required` have approved.
      quorum = record.approvals && claims.decision === 'approve' ? `${record.approvals.by.push(claims.approver)} of ${record.approvals.required}` : undefined;
      if (!quorum || record.approvals!.by.length >= record.approvals!.required) {
        record.decision =
          claims.decision === 'reject'
            ? { decision: 'rejected', ...who, reason: claims.note! }
            : { decision: 'approved', ...who, ...(claims.note ? { note: claims.note } : {}), statement: verified.statement };
        keelMetrics.record({ kind: 'approval_decided', agent: request.agent, tool: record.tool, decision: record.decision.decision });
      }
      trace.push({ type: 'approval_decided', atMs: Date.now(), requestId: record.requestId, tool: record.tool, decision: record.decision?.decision ?? 'approved', ...who, via, ...(claims.note ? { note: claims.note } : {}), ...(quorum ? { quorum } : {}) });
    }
    upsertMemo({ lastDecision: `${claims.decision} ${claims.request}${quorum ? ` (${quorum})` : ''} by ${claims.approver} (key ${verified.kid}, via ${via})` });
    return { accepted: true, sessionId, requestId: claims.request, decision: claims.decision, approver: claims.approver, ...(quorum ? { quorum } : {}) };
  };
  const refusedFailure = (refusal: RefusedDecision) => ApplicationFailure.create({ type: FailureType.DecisionRefused, message: `refused: ${refusal.reason}`, nonRetryable: true });
  /**
   * A decision after the end is refused as it arrives, without reloading keys (before the baseline
   * it could reload them): nothing runs after the record of the end, a local activity (see `SESSION_BASELINE_PATCH`).
   */
  const afterEnd = (): RefusedDecision | undefined => (s.patches.baseline && s.ended ? { reason: `the session has ended (${s.state})`, approver: '' } : undefined);
  const onSignal = (name: DecisionName) => async (raw: unknown) => {
    if (!s.patches.has(VERIFIED_DECISIONS_PATCH)) return legacyDecision(s, name, raw);
    const ended = afterEnd();
    if (ended) return refused(name, 'signal', ended);
    const unchecked = s.patches.has(KEYS_ON_DEMAND_PATCH) ? await s.human.keysFor(raw) : undefined;
    if (unchecked) return refused(name, 'signal', { reason: unchecked, approver: '' });
    const checked = gate.check(name, raw, Date.now(), misfit(name));
    if (isRefused(checked)) return refused(name, 'signal', checked);
    apply(name, 'signal', checked);
  };
  const onUpdate = (name: DecisionName) => ({
    validator: (raw: unknown) => {
      const ended = afterEnd();
      if (ended) {
        refused(name, 'update', ended);
        throw refusedFailure(ended);
      }
      // Keys due for a reload: the handler reloads them and checks it (refusing there if need be).
      if (gate.wantsKeys(raw, Date.now())) return;
      const checked = gate.check(name, raw, Date.now(), misfit(name), 'validator');
      if (isRefused(checked)) {
        refused(name, 'update', checked);
        throw refusedFailure(checked);
      }
    },
    handler: async (raw: unknown): Promise<DecisionAccepted> => {
      const ended = afterEnd();
      const unchecked = ended ? undefined : s.patches.has(KEYS_ON_DEMAND_PATCH) ? await s.human.keysFor(raw) : undefined;
      const checked: VerifiedDecision | RefusedDecision = ended ?? (unchecked ? { reason: unchecked, approver: '' } : gate.check(name, raw, Date.now(), misfit(name)));
      if (isRefused(checked)) {
        refused(name, 'update', checked); // counted (the validator let it through: keys were due, or what was pending changed)
        throw refusedFailure(checked);
      }
      return apply(name, 'update', checked);
    },
  });
  for (const [name, signal, update] of [
    ['approve', approveSignal, approveUpdate],
    ['reject', rejectSignal, rejectUpdate],
    ['resolveEscalation', resolveEscalationSignal, resolveEscalationUpdate],
  ] as const) {
    setHandler(signal, onSignal(name), { description: DECISION_DESCRIPTIONS[name] });
    const { validator, handler } = onUpdate(name);
    setHandler(update, handler, { validator, description: DECISION_DESCRIPTIONS[name] });
  }
}

/** Decisions in histories recorded before decisions were signed: replayed as they were taken then. */
function legacyDecision(s: Session, name: DecisionName, raw: unknown): void {
  const { request, sessionId, trace } = s;
  const approver = String((raw as { approver?: unknown } | undefined)?.approver ?? '').slice(0, 256);
  const refuse = (reason: string) => void trace.push({ type: 'signal_refused', atMs: Date.now(), signal: name, approver, reason: reason.slice(0, 500) });
  if (name === 'resolveEscalation') {
    const decision = LegacyResolveEscalationSchema.safeParse(raw);
    if (!decision.success) return refuse(`malformed decision: ${describeRequestIssues(decision.error)}`);
    if (decision.data.sessionId && decision.data.sessionId !== sessionId) return refuse(`addressed to session ${decision.data.sessionId}`);
    if (!s.human.escalation || s.human.decision) return refuse('no escalation is pending');
    if (!isAllowedApprover(request.approvers, approver, decision.data.roles ?? [])) return refuse(`"${approver}" is not an approver of this session`);
    s.human.decision = decision.data;
    return;
  }
  const parsed = name === 'approve' ? LegacyApproveSchema.safeParse(raw) : LegacyRejectSchema.safeParse(raw);
  if (!parsed.success) return refuse(`malformed ${name}: ${describeRequestIssues(parsed.error)}`);
  const data = parsed.data;
  if (data.sessionId && data.sessionId !== sessionId) return refuse(`addressed to session ${data.sessionId}`);
  const record = s.approvals.find((a) => a.requestId === data.requestId);
  if (!record) return refuse(`no approval request "${data.requestId}" in this session`);
  if (record.decision) return refuse(`approval request "${data.requestId}" was already decided (${record.decision.decision})`);
  if (data.digest !== undefined && data.digest !== record.digest) return refuse(`digest ${data.digest} does not match the pending call's input (${record.digest})`);
  if (!isAllowedApprover(request.approvers, data.approver, data.roles ?? [])) return refuse(`"${data.approver}" is not an approver of this session`);
  const note = 'reason' in data ? data.reason : 'note' in data ? data.note : undefined;
  record.decision = 'reason' in data ? { decision: 'rejected', approver: data.approver, reason: data.reason } : { decision: 'approved', approver: data.approver, ...(note ? { note } : {}) };
  keelMetrics.record({ kind: 'approval_decided', agent: request.agent, tool: record.tool, decision: record.decision.decision });
  trace.push({ type: 'approval_decided', atMs: Date.now(), requestId: record.requestId, tool: record.tool, decision: record.decision.decision, approver: data.approver, ...(note ? { note } : {}) });
}
