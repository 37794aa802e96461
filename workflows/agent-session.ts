import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  patched,
  proxySinks,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { JudgeUsage, SessionActivities } from '../activities/session-activities';
import type { ApproverKeyActivities } from '../activities/approver-keys';
import { toolsInScope, type AgentDescriptor } from '../core/agent';
import { approverLabel, AUTOMATIC_APPROVER, isAllowedApprover, type ApprovalDecision, type PendingApproval } from '../core/approval';
import type { DecisionClaims, TrustedKey } from '../core/decision-statement';
import { DecisionGate, isRefused, KEPT_REFUSALS, type DecisionName, type RefusedDecision, type VerifiedDecision } from './decision-gate';
import { LegacyApproveSchema, LegacyRejectSchema, LegacyResolveEscalationSchema, VERIFIED_DECISIONS_PATCH } from './legacy-decisions';
import { awaitingApprovalDetails, awaitingEscalationDetails } from './waiting-details';
import { publishStatusMemo, STATUS_MEMO_PATCH } from './status-memo';
import { addAgentTime, usageElapsedMs, useAgentTime } from '../core/active-time';
import {
  checkBreaker,
  createBreaker,
  grantExtraBudget,
  recordPause,
  recordTokens,
  recordToolCall,
  type BreakerState,
  type BreakerTrip,
} from '../core/breaker';
import { FailureType } from '../core/errors';
import { canonicalJson, intentKey, sha256Hex } from '../core/intent';
import type { ModelCallResult, ToolCallRequest, ToolResultEntry, TranscriptAppend } from '../core/model-call';
import type { ToolCallResult } from '../core/tool-call';
import { groundingRepairMessage, type GuardrailVerdict } from '../core/guardrails/policy';
import { costOf } from '../core/pricing';
import { routeStep, type RoutingDecision, type RoutingStep } from '../core/routing';
import {
  describeRequestIssues,
  LOST_CALL_ATTEMPTS,
  SessionRequestSchema,
  type BreakerResolution,
  type PendingEscalation,
  type SessionOutcome,
  type SessionRequest,
  type SessionResult,
  type SessionState,
  type SessionStatus,
  type SessionUsage,
} from '../core/session';
import type { TraceEvent } from '../core/trace';
import type { z } from 'zod';
import {
  approveSignal,
  approveUpdate,
  childSessionUpdateSignal,
  KEEL_SEARCH_ATTRIBUTE_KEYS,
  rejectSignal,
  rejectUpdate,
  resolveEscalationSignal,
  resolveEscalationUpdate,
  statusQuery,
  traceQuery,
  type DecisionAccepted,
  type KeelMetricsSinks,
} from './api';

/** State a session carries from one run to the next when it continues as new. */
export interface SessionCarryOver {
  run: number;
  agent: AgentDescriptor;
  transcriptRef: string | null;
  /** What the next model call appends to the transcript. */
  append: TranscriptAppend;
  /** Tool calls of the last model turn that have not run yet. */
  pendingCalls: ToolCallRequest[];
  /** Results of that turn's calls that did run. */
  pendingResults: ToolResultEntry[];
  breaker: BreakerState;
  /** write_critical calls of the current turn with their approval state. */
  approvals: ApprovalRecord[];
  /** Approval requests issued so far (request ids stay unique across runs). */
  approvalsIssued: number;
  /** Results of cacheable read tools, by tool and canonical input. */
  toolCache?: ToolCache;
  usage: { modelCalls: number; inputTokens: number; outputTokens: number; costUsd: number; repairTurns: number; scopeViolations: number; toolErrors: number; cacheReadTokens?: number; cacheWriteTokens?: number };
  /** This run's trace events (earlier runs' are in the content store, see `earlierTraces`). */
  trace: TraceEvent[];
  /** Content references of earlier runs' trace events, oldest first. */
  earlierTraces?: string[];
  /** Failures in a row (tool errors, rejections, answers failing their schema), for model routing. */
  failuresInARow?: number;
  /** Repair turns given for answers that contradicted the tools. */
  groundingRepairs?: number;
  /** The approver keys of the tenant, as last loaded (so a pending decision can be verified at once in the next run). */
  approverKeys?: { keys: TrustedKey[]; loadedAtMs: number };
  /** Escalations opened so far (escalation ids stay unique across runs). */
  escalationsIssued?: number;
}

const PREVIEW_NOTICE_LIMIT = 2000;

const { keelMetrics } = proxySinks<KeelMetricsSinks>();

/** Patch id: runs recorded before it carried the whole trace to the next run (they still replay). */
const TRACE_BY_REFERENCE = 'trace-by-reference';
/** Patch id: runs recorded before it delivered final answers without the content guardrails. */
const GUARDRAILS = 'guardrails-final-answer';
/** Patch id: runs recorded before it ended without recording their end (trace archive, monitor). */
const RECORD_SESSION_END = 'record-session-end';
/** Patch id: runs recorded before it keyed their effects by session id alone, without tenant and first run. */
const TENANT_BOUND_KEYS = 'tenant-bound-keys';
/** Patch id: runs recorded before it counted workflow time toward `maxElapsedMs`, not agent time (core/active-time.ts). */
const AGENT_TIME = 'agent-time';
/** Patch id: runs recorded before it let write calls with sensitive arguments from untrusted content run unchecked (core/information-flow.ts). */
const INFORMATION_FLOW = 'information-flow';
/** Patch id: runs recorded before it left judge-model calls out of usage, cost and the token limit. */
const JUDGE_USAGE = 'judge-usage';
/** The "approver" of a call the information-flow policy blocked. */
const INFORMATION_FLOW_APPROVER = 'policy:information-flow';
/** Most characters of the user's request that the information-flow check compares with. */
const FLOW_USER_INPUT_CHARS = 65_536;

/** A person's decision on an escalation (verified, or from a history recorded before decisions were signed). */
interface EscalationDecision {
  action: 'resume' | 'abort';
  approver: string;
  roles?: string[];
  kid?: string;
  sender?: string;
  extraBudget?: z.output<typeof LegacyResolveEscalationSchema>['extraBudget'];
  note?: string;
}

const { approverKeys: loadApproverKeys } = proxyActivities<ApproverKeyActivities>({
  startToCloseTimeout: 30_000,
  retry: { initialInterval: 1000, backoffCoefficient: 2, maximumInterval: 30_000 },
});

/** Handler descriptions, shown in the Temporal UI. */
const DECISION_DESCRIPTIONS: Record<DecisionName, string> = {
  approve: 'Approve a pending write_critical call: { "statement": "<JWS signed by a trusted approver key>" } naming the request id and input digest (see "keel statement approve").',
  reject: 'Reject a pending write_critical call: { "statement": "<JWS>" } with the reason in its note; the model is told why.',
  resolveEscalation: 'Resume (with extra budget) or abort an escalated session: { "statement": "<JWS>" } naming the escalation id.',
};

/** Cached results of read tools within a session, by `tool:canonical input`. */
type ToolCache = Record<string, { callId: string; ref: string; bytes: number; preview: string; atMs: number }>;

/** A write_critical call's approval: the pending request, the call it belongs to and its decision. */
interface ApprovalRecord extends PendingApproval {
  callId: string;
  decision?: ApprovalDecision;
}

/**
 * An agent session: model call, tool calls, model call ... until the model gives a final answer,
 * with the circuit breaker checked before every step. Takes one {@link SessionRequest}; the second
 * argument is only passed by continue-as-new.
 */
export async function agentSession(rawRequest: unknown, carry?: SessionCarryOver): Promise<SessionResult> {
  const parsed = SessionRequestSchema.safeParse(rawRequest);
  if (!parsed.success) {
    keelMetrics.record({ kind: 'session_failed_at_start', agent: '(none)', reason: 'invalid_request' });
    throw ApplicationFailure.create({
      type: FailureType.InvalidSessionRequest,
      message: `invalid session request: ${describeRequestIssues(parsed.error)}`,
      nonRetryable: true,
    });
  }
  const request = parsed.data;
  const sessionId = workflowInfo().workflowId;
  const acts = sessionActivities(request);

  let state: SessionState = 'starting';
  let agent = carry?.agent;
  const trace: TraceEvent[] = carry?.trace ?? [];
  const breaker = carry?.breaker ?? createBreaker(request.limits, Date.now());
  if (patched(AGENT_TIME)) useAgentTime(breaker, Date.now());
  const statusMemo = patched(STATUS_MEMO_PATCH);
  const usage = carry?.usage ?? { modelCalls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, repairTurns: 0, scopeViolations: 0, toolErrors: 0 };
  let transcriptRef = carry?.transcriptRef ?? null;
  let escalation: PendingEscalation | null = null;
  let escalationDecision: EscalationDecision | null = null;
  const run = carry?.run ?? 1;
  let approvals: ApprovalRecord[] = carry?.approvals ?? [];
  let approvalsIssued = carry?.approvalsIssued ?? 0;
  let toolCache: ToolCache = carry?.toolCache ?? {};
  let failuresInARow = carry?.failuresInARow ?? 0;
  let groundingRepairs = carry?.groundingRepairs ?? 0;

  const currentUsage = (): SessionUsage => ({
    modelCalls: usage.modelCalls,
    toolCalls: breaker.toolCalls,
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    cacheReadTokens: usage.cacheReadTokens ?? 0,
    cacheWriteTokens: usage.cacheWriteTokens ?? 0,
    elapsedMs: usageElapsedMs(breaker, Date.now(), escalation?.sinceMs),
    costUsd: usage.costUsd,
    scopeViolations: usage.scopeViolations ?? 0,
  });

  /** Counts a judge-model call in usage, cost and the token limit (sessions recorded before it did not). */
  const countJudge = (judge: JudgeUsage | undefined): void => {
    if (!judge || !patched(JUDGE_USAGE)) return;
    usage.inputTokens += judge.inputTokens;
    usage.outputTokens += judge.outputTokens;
    usage.costUsd += costOf(judge.model, judge);
    recordTokens(breaker, judge.inputTokens + judge.outputTokens);
  };

  const currentStatus = (): SessionStatus => ({
    sessionId,
    agent: request.agent,
    tenant: request.scope.tenant,
    state,
    usage: currentUsage(),
    limits: breaker.limits,
    escalation,
    pendingApprovals: pendingApprovals(),
    run,
    execution: workflowInfo().firstExecutionRunId,
    refusedDecisions: gate.refusedCount,
    ...(request.approvers ? { approvers: request.approvers.map(approverLabel) } : {}),
  });
  setHandler(statusQuery, currentStatus, { description: 'State, usage against limits, pending approvals (tool, input, digest, the agent\'s reason) and escalation.' });
  const earlierTraces = carry?.earlierTraces ?? [];
  setHandler(traceQuery, () => ({ sessionId, agent: request.agent, events: trace, earlierRuns: earlierTraces }), {
    description: "This run's trace: model calls, tool calls, breaker events, decisions (earlier runs' by content reference).",
  });
  const gate = new DecisionGate({ sessionId, execution: workflowInfo().firstExecutionRunId, tenant: request.scope.tenant, approvers: request.approvers, keyRefreshMs: request.approverKeyRefreshMs });
  if (carry?.approverKeys) gate.setKeys(carry.approverKeys.keys, carry.approverKeys.loadedAtMs);
  let escalationsIssued = carry?.escalationsIssued ?? 0;

  /** Why verified claims do not fit the pending approval they name (null when they do). */
  const approvalMisfit = (claims: DecisionClaims): string | null => {
    const record = approvals.find((a) => a.requestId === claims.request);
    if (!record) return `no approval request "${claims.request}" in this session`;
    if (record.decision) return `approval request "${record.requestId}" was already decided (${record.decision.decision})`;
    if (claims.digest !== record.digest) return `digest ${claims.digest ?? '(none)'} does not match the pending call's input (${record.digest})`;
    if (claims.decision === 'approve' && record.approvals?.by.includes(claims.approver)) return `already approved by ${claims.approver} (${record.approvals.by.length} of ${record.approvals.required}): another approver must approve`;
    if (claims.decision === 'reject' && !claims.note) return 'a rejection needs a reason (the statement\'s note)';
    return null;
  };
  const escalationMisfit = (claims: DecisionClaims): string | null => {
    if (!escalation || escalationDecision) return 'no escalation is pending';
    if (claims.request !== escalation.requestId) return `escalation "${claims.request}" is not the pending one ("${escalation.requestId}")`;
    return null;
  };
  const checkDecision = (name: DecisionName, raw: unknown) =>
    gate.check(name, raw, Date.now(), name === 'resolveEscalation' ? escalationMisfit : approvalMisfit);
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
      escalationDecision = { action: claims.decision === 'abort' ? 'abort' : 'resume', ...who, ...(claims.extraBudget ? { extraBudget: claims.extraBudget } : {}), ...(claims.note ? { note: claims.note } : {}), via } as EscalationDecision;
    } else {
      const record = approvals.find((a) => a.requestId === claims.request)!;
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
  const onSignal = (name: DecisionName) => (raw: unknown) => {
    if (!patched(VERIFIED_DECISIONS_PATCH)) return legacyDecision(name, raw);
    const checked = checkDecision(name, raw);
    if (isRefused(checked)) return refused(name, 'signal', checked);
    apply(name, 'signal', checked);
  };
  const onUpdate = (name: DecisionName) => ({
    validator: (raw: unknown) => {
      const checked = gate.check(name, raw, Date.now(), name === 'resolveEscalation' ? escalationMisfit : approvalMisfit, 'validator');
      if (isRefused(checked)) {
        refused(name, 'update', checked);
        throw ApplicationFailure.create({ type: FailureType.DecisionRefused, message: `refused: ${checked.reason}`, nonRetryable: true });
      }
    },
    handler: (raw: unknown): DecisionAccepted => {
      const checked = checkDecision(name, raw);
      if (isRefused(checked)) throw ApplicationFailure.create({ type: FailureType.DecisionRefused, message: `refused: ${checked.reason}`, nonRetryable: true });
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

  /** Decisions in histories recorded before decisions were signed: replayed as they were taken then. */
  const legacyDecision = (name: DecisionName, raw: unknown): void => {
    const approver = String((raw as { approver?: unknown } | undefined)?.approver ?? '').slice(0, 256);
    const refuse = (reason: string) => void trace.push({ type: 'signal_refused', atMs: Date.now(), signal: name, approver, reason: reason.slice(0, 500) });
    if (name === 'resolveEscalation') {
      const decision = LegacyResolveEscalationSchema.safeParse(raw);
      if (!decision.success) return refuse(`malformed decision: ${describeRequestIssues(decision.error)}`);
      if (decision.data.sessionId && decision.data.sessionId !== sessionId) return refuse(`addressed to session ${decision.data.sessionId}`);
      if (!escalation || escalationDecision) return refuse('no escalation is pending');
      if (!isAllowedApprover(request.approvers, approver, decision.data.roles ?? [])) return refuse(`"${approver}" is not an approver of this session`);
      escalationDecision = decision.data;
      return;
    }
    const parsed = name === 'approve' ? LegacyApproveSchema.safeParse(raw) : LegacyRejectSchema.safeParse(raw);
    if (!parsed.success) return refuse(`malformed ${name}: ${describeRequestIssues(parsed.error)}`);
    const data = parsed.data;
    if (data.sessionId && data.sessionId !== sessionId) return refuse(`addressed to session ${data.sessionId}`);
    const record = approvals.find((a) => a.requestId === data.requestId);
    if (!record) return refuse(`no approval request "${data.requestId}" in this session`);
    if (record.decision) return refuse(`approval request "${data.requestId}" was already decided (${record.decision.decision})`);
    if (data.digest !== undefined && data.digest !== record.digest) return refuse(`digest ${data.digest} does not match the pending call's input (${record.digest})`);
    if (!isAllowedApprover(request.approvers, data.approver, data.roles ?? [])) return refuse(`"${data.approver}" is not an approver of this session`);
    const note = 'reason' in data ? data.reason : 'note' in data ? data.note : undefined;
    record.decision = 'reason' in data ? { decision: 'rejected', approver: data.approver, reason: data.reason } : { decision: 'approved', approver: data.approver, ...(note ? { note } : {}) };
    keelMetrics.record({ kind: 'approval_decided', agent: request.agent, tool: record.tool, decision: record.decision.decision });
    trace.push({ type: 'approval_decided', atMs: Date.now(), requestId: record.requestId, tool: record.tool, decision: record.decision.decision, approver: data.approver, ...(note ? { note } : {}) });
  };

  /** Loads the tenant's approver keys when they are missing or older than the refresh interval. */
  const refreshKeys = async (): Promise<void> => {
    if (!gate.keysStale(Date.now())) return;
    const keys = await loadApproverKeys.executeWithOptions({ summary: 'approver keys' }, [{ tenant: request.scope.tenant }]);
    gate.setKeys(keys, Date.now());
  };
  /**
   * Waits until `done` or `untilMs`, reloading the approver keys every few minutes so a rotated
   * key takes effect during a long wait. Histories from before signed decisions wait on one timer.
   */
  const waitForPerson = async (done: () => boolean, untilMs: number, summary: string): Promise<boolean> => {
    if (!patched(VERIFIED_DECISIONS_PATCH)) return condition(done, Math.max(0, untilMs - Date.now()));
    for (;;) {
      const left = untilMs - Date.now();
      if (done()) return true;
      if (left <= 0) return false;
      await refreshKeys();
      if (await condition(done, Math.min(left, gate.refreshInMs(Date.now())), { summary })) return true;
    }
  };

  const pendingApprovals = () => approvals.filter((a) => !a.decision).map(({ callId: _c, decision: _d, ...pending }) => pending);
  const parent = workflowInfo().parent;
  /** A child of an orchestration keeps its parent's view of it current (state, usage, approvals, escalation). */
  const notifyParent = () => {
    if (!parent) return;
    getExternalWorkflowHandle(parent.workflowId)
      .signal(childSessionUpdateSignal, { sessionId, state, usage: currentUsage(), pendingApprovals: pendingApprovals(), escalation })
      .catch(() => undefined); // a parent that is gone has nobody to show it to
  };
  const setState = (next: SessionState) => {
    state = next;
    upsertSearchAttributes([{ key: KEEL_SEARCH_ATTRIBUTE_KEYS.state, value: next }]);
    if (statusMemo) publishStatusMemo(currentStatus(), Date.now());
    notifyParent();
  };

  const finish = async (outcome: SessionOutcome, extra: Partial<SessionResult> = {}): Promise<SessionResult> => {
    setState(outcome);
    trace.push({ type: 'session_ended', atMs: Date.now(), outcome, ...(extra.error ? { error: extra.error } : {}) });
    const final = currentUsage();
    keelMetrics.record({
      kind: 'session_ended',
      agent: request.agent,
      model: request.model ?? agent?.model ?? 'unknown',
      outcome,
      toolCalls: final.toolCalls,
      tokens: final.inputTokens + final.cacheReadTokens + final.cacheWriteTokens + final.outputTokens,
      costUsd: final.costUsd,
      durationMs: final.elapsedMs,
    });
    const result: SessionResult = { sessionId, agent: request.agent, outcome, output: null, usage: final, transcriptRef, ...(parent ? { parentSessionId: parent.workflowId } : {}), ...extra };
    if (patched(RECORD_SESSION_END)) {
      await acts.recordSessionEnd.executeWithOptions({ ...acts.describeOptions, summary: 'record session end' }, [
        {
          record: {
            sessionId,
            agent: request.agent,
            tenant: request.scope.tenant,
            outcome,
            startedAtMs: breaker.startedAtMs,
            endedAtMs: Date.now(),
            result: result as unknown as Record<string, unknown>,
            events: trace,
            earlierTraces,
          },
          summary: {
            outcome,
            toolCalls: final.toolCalls,
            tokens: final.inputTokens + final.cacheReadTokens + final.cacheWriteTokens + final.outputTokens,
            costUsd: final.costUsd,
            latencyMs: final.elapsedMs,
            toolErrors: usage.toolErrors ?? 0,
          },
        },
      ]);
    }
    return result;
  };

  /** Pauses for a human's `resolveEscalation` (time waiting is not counted); null when nobody decided in time. */
  const awaitHuman = async (limit: string, detail: string): Promise<EscalationDecision | null> => {
    const verified = patched(VERIFIED_DECISIONS_PATCH);
    if (verified) await refreshKeys();
    const sinceMs = Date.now();
    escalation = { ...(verified ? { requestId: `esc-${++escalationsIssued}-${limit.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 40)}` } : {}), limit, detail, sinceMs, timeoutMs: request.escalation.timeoutMs };
    escalationDecision = null;
    setState('escalated');
    if (verified) setCurrentDetails(awaitingEscalationDetails(sessionId, escalation, request.approvers?.map(approverLabel)));
    const decided = await waitForPerson(() => escalationDecision !== null, sinceMs + request.escalation.timeoutMs, `escalation ${escalation.requestId ?? limit} times out`);
    if (verified) setCurrentDetails('');
    recordPause(breaker, Date.now() - sinceMs);
    escalation = null;
    const decision = escalationDecision as EscalationDecision | null;
    keelMetrics.record({ kind: 'escalation_resolved', agent: request.agent, action: decided && decision ? decision.action : 'timeout' });
    if (!decided || !decision) {
      trace.push({ type: 'escalation_resolved', atMs: Date.now(), action: 'timeout' });
      return null;
    }
    const { approver, roles, kid, sender, via } = decision as EscalationDecision & { via?: 'signal' | 'update' };
    trace.push({
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
    });
    return decision;
  };

  /** Waits for a human after a trip. Returns a result when the session ends, null when it resumes. */
  const escalate = async (trip: BreakerTrip): Promise<SessionResult | null> => {
    trace.push({ type: 'breaker_tripped', atMs: Date.now(), ...trip });
    keelMetrics.record({ kind: 'breaker_tripped', agent: request.agent, limit: trip.limit });
    const decision = await awaitHuman(trip.limit, trip.detail);
    if (!decision) {
      const breakerEnd: BreakerResolution = { ...trip, resolution: 'timeout' };
      const fallback = request.escalation.fallback;
      return fallback.action === 'answer'
        ? finish('fallback', { output: fallback.text, breaker: breakerEnd })
        : finish('breaker_tripped', { breaker: breakerEnd });
    }
    if (decision.action === 'abort') {
      return finish('breaker_tripped', { breaker: { ...trip, resolution: 'aborted', approver: decision.approver } });
    }
    grantExtraBudget(breaker, decision.extraBudget ?? {}, Date.now());
    setState('running');
    return null;
  };

  /** Checks the breaker before a step until it lets the step run; a result means the session ended. */
  const guard = async (next: 'model' | 'tool'): Promise<SessionResult | null> => {
    for (;;) {
      const trip = checkBreaker(breaker, next, Date.now());
      if (!trip) return null;
      const ended = await escalate(trip);
      if (ended) return ended;
    }
  };

  const failed = (error: unknown): Promise<SessionResult> => {
    const cause = error instanceof ActivityFailure ? error.cause : error;
    const type = cause instanceof ApplicationFailure && cause.type ? cause.type : (cause as Error)?.name ?? 'Error';
    return finish('failed', { error: { type, message: (cause as Error)?.message ?? String(cause) } });
  };

  if (!agent) {
    upsertSearchAttributes([
      { key: KEEL_SEARCH_ATTRIBUTE_KEYS.agent, value: request.agent },
      { key: KEEL_SEARCH_ATTRIBUTE_KEYS.tenant, value: request.scope.tenant },
    ]);
    upsertMemo({ purpose: request.input.slice(0, 200) });
    try {
      agent = await acts.describeAgent.executeWithOptions(
        { ...acts.describeOptions, summary: `agent ${request.agent}` },
        [request.agent, request.scope.tenant],
      );
    } catch (error) {
      const cause = error instanceof ActivityFailure ? error.cause : undefined;
      if (cause instanceof ApplicationFailure && cause.type === FailureType.UnknownAgent) {
        setState('failed');
        keelMetrics.record({ kind: 'session_failed_at_start', agent: '(none)', reason: 'unknown_agent' });
        throw ApplicationFailure.create({ type: FailureType.UnknownAgent, message: cause.message, nonRetryable: true });
      }
      throw error;
    }
    if (!request.approvers && !agent.automaticApproval && patched(VERIFIED_DECISIONS_PATCH)) {
      const critical = toolsInScope(agent.tools, request.scope).filter((t) => t.tier === 'write_critical');
      if (critical.length > 0) {
        setState('failed');
        keelMetrics.record({ kind: 'session_failed_at_start', agent: request.agent, reason: 'approvers_required' });
        throw ApplicationFailure.create({
          type: FailureType.ApproversRequired,
          message:
            `agent "${request.agent}" has write_critical tool${critical.length > 1 ? 's' : ''} ${critical.map((t) => `"${t.name}"`).join(', ')}: ` +
            'name approvers in the session request (approvers: ["alice@example.com", "role:support-lead"]) or declare automatic approval on the agent',
          nonRetryable: true,
        });
      }
    }
  }
  setState('running');
  const pinnedModel = request.model ?? agent.model;
  const routing = !request.model && request.routing ? agent.routing : undefined;
  const offeredTools = toolsInScope(agent.tools, request.scope);
  const toolTiers = new Map(offeredTools.map((t) => [t.name, t.tier]));
  const requiredApprovals = new Map(offeredTools.filter((t) => t.approvals).map((t) => [t.name, t.approvals!.required]));
  const cacheTtl = new Map(offeredTools.filter((t) => t.cacheTtlMs).map((t) => [t.name, t.cacheTtlMs!]));
  const sensitiveTools = new Set(offeredTools.filter((t) => t.sensitive?.length && t.tier !== 'read').map((t) => t.name));

  let append: TranscriptAppend = carry?.append ?? { kind: 'user_text', text: request.input };
  let pendingCalls: ToolCallRequest[] = carry?.pendingCalls ?? [];
  let pendingResults: ToolResultEntry[] = carry?.pendingResults ?? [];

  for (;;) {
    // Tool calls of the last model turn.
    while (pendingCalls.length > 0) {
      if (shouldContinueAsNew(request)) {
        return continueSession(request, acts, { run, agent, transcriptRef, append, pendingCalls, pendingResults, breaker, approvals, approvalsIssued, toolCache, usage, trace, earlierTraces, failuresInARow, groundingRepairs, escalationsIssued, ...(gate.loaded() ? { approverKeys: gate.loaded()! } : {}) });
      }
      const ended = await guard('tool');
      if (ended) return ended;
      const call = pendingCalls[0]!;
      pendingResults.push(await runTool(call));
      pendingCalls = pendingCalls.slice(1);
    }
    if (pendingResults.length > 0) {
      append = { kind: 'tool_results', results: pendingResults };
      const failedCalls = pendingResults.filter((r) => r.isError).length;
      failuresInARow = failedCalls > 0 ? failuresInARow + failedCalls : 0;
      pendingResults = [];
    }

    if (shouldContinueAsNew(request)) {
      return continueSession(request, acts, { run, agent, transcriptRef, append, pendingCalls, pendingResults, breaker, approvals, approvalsIssued, toolCache, usage, trace, earlierTraces, failuresInARow, groundingRepairs, escalationsIssued, ...(gate.loaded() ? { approverKeys: gate.loaded()! } : {}) });
    }
    const ended = await guard('model');
    if (ended) return ended;

    const route: RoutingDecision | undefined = routing ? routeStep(routing, routingStep(append)) : undefined;
    const model = route?.model ?? pinnedModel;
    let reply: ModelCallResult;
    try {
      reply = await acts.callModel.executeWithOptions({ ...acts.modelOptions, summary: `model ${model}${route ? ` (${route.tier})` : ''}` }, [
        {
          sessionId,
          agent: request.agent,
          tenant: request.scope.tenant,
          model,
          maxOutputTokens: request.maxOutputTokens,
          transcriptRef,
          append,
          tools: offeredTools.map((t) => t.name),
          ...(agent.toolSet ? { toolSet: agent.toolSet } : {}),
          promptCaching: request.promptCaching,
          maxAttempts: request.timeouts.modelMaxAttempts,
        },
      ]);
    } catch (error) {
      return failed(error);
    }
    transcriptRef = reply.transcriptRef;
    addAgentTime(breaker, reply.activityMs ?? reply.latencyMs);
    const costUsd = costOf(reply.model, reply);
    usage.modelCalls += 1;
    const cacheWrite = (reply.cacheWrite5mTokens ?? 0) + (reply.cacheWrite1hTokens ?? 0);
    usage.inputTokens += reply.inputTokens;
    usage.outputTokens += reply.outputTokens;
    usage.cacheReadTokens = (usage.cacheReadTokens ?? 0) + (reply.cacheReadTokens ?? 0);
    usage.cacheWriteTokens = (usage.cacheWriteTokens ?? 0) + cacheWrite;
    usage.costUsd += costUsd;
    recordTokens(breaker, reply.inputTokens + (reply.cacheReadTokens ?? 0) + cacheWrite + reply.outputTokens);
    trace.push({
      type: 'model_call',
      atMs: Date.now(),
      'gen_ai.request.model': model,
      'gen_ai.response.model': reply.model,
      'gen_ai.usage.input_tokens': reply.inputTokens,
      'gen_ai.usage.output_tokens': reply.outputTokens,
      ...(reply.cacheReadTokens || cacheWrite ? { 'gen_ai.usage.cache_read_input_tokens': reply.cacheReadTokens ?? 0, 'gen_ai.usage.cache_creation_input_tokens': cacheWrite } : {}),
      'gen_ai.response.finish_reasons': [reply.stopReason],
      latencyMs: reply.latencyMs,
      costUsd,
      toolCalls: reply.toolCalls.map((c) => c.name),
      ...(route ? { routing: { tier: route.tier, reason: route.reason } } : {}),
    });
    if (reply.invalidToolCalls) {
      // Invalid model output (e.g. one tool_use id on two calls): nothing ran; a bounded repair turn.
      trace.push({ type: 'output_rejected', atMs: Date.now(), issues: reply.invalidToolCalls, repairTurn: usage.repairTurns + 1 });
      failuresInARow += 1;
      if (usage.repairTurns >= (agent.structuredOutput?.maxRepairTurns ?? 2)) {
        return finish('invalid_output', { error: { type: FailureType.InvalidOutput, message: `invalid tool calls after ${usage.repairTurns} repair turns: ${reply.invalidToolCalls}` } });
      }
      usage.repairTurns += 1;
      append = { kind: 'user_text', text: `Your last reply was not carried out: ${reply.invalidToolCalls}. Give every tool call its own id and send the calls again.` };
      continue;
    }
    if (reply.toolCalls.length === 0) {
      const checked = reply.finalOutput;
      if (!agent.structuredOutput || !checked || checked.ok) {
        const data = checked?.ok ? { data: checked.value } : {};
        const guarded = await guardFinalAnswer(reply.text, data.data);
        if (guarded.kind === 'repair') {
          append = { kind: 'user_text', text: guarded.message };
          continue;
        }
        if (guarded.kind === 'end') return guarded.result;
        return finish('completed', { output: guarded.output, ...(guarded.data !== undefined ? { data: guarded.data } : data) });
      }
      trace.push({ type: 'output_rejected', atMs: Date.now(), issues: checked.issues, repairTurn: usage.repairTurns + 1 });
      failuresInARow += 1;
      if (usage.repairTurns >= agent.structuredOutput.maxRepairTurns) {
        const message = `the final answer failed its schema after ${usage.repairTurns} repair turns: ${checked.issues}`;
        return finish('invalid_output', { error: { type: FailureType.InvalidOutput, message } });
      }
      usage.repairTurns += 1;
      append = {
        kind: 'user_text',
        text: `Your final answer does not satisfy the required schema: ${checked.issues}. Reply again with only the corrected JSON.`,
      };
      continue;
    }
    pendingCalls = reply.toolCalls;
    approvals = await requestApprovals(reply.toolCalls, reply.text);
  }

  /**
   * The final-answer guardrail (sessions recorded before it existed skip it): delivers the answer,
   * redacted, after a repair turn, or ends the session `guardrail_blocked`.
   */
  async function guardFinalAnswer(
    text: string,
    data: unknown,
  ): Promise<{ kind: 'deliver'; output: string; data?: unknown } | { kind: 'repair'; message: string } | { kind: 'end'; result: SessionResult }> {
    const policy = agent!.guardrails;
    if (!policy?.enabled || !patched(GUARDRAILS)) return { kind: 'deliver', output: text, ...(data !== undefined ? { data } : {}) };
    const toolOutputs = trace
      .flatMap((e) => (e.type === 'tool_call' && e.ok && e.outputRef ? [{ tool: e['gen_ai.tool.name'], ref: e.outputRef }] : []))
      .slice(-50);
    const checked = await acts.checkFinalAnswer.executeWithOptions({ ...acts.describeOptions, summary: 'guardrails on the final answer' }, [
      { sessionId, agent: request.agent, tenant: request.scope.tenant, text, ...(data !== undefined ? { data } : {}), subjects: request.scope.subjects, toolOutputs, repairsSoFar: groundingRepairs },
    ]);
    addAgentTime(breaker, checked.activityMs);
    countJudge(checked.judgeUsage);
    const verdict = checked.verdict;
    if (!verdict) return { kind: 'deliver', output: text, ...(data !== undefined ? { data } : {}) };
    trace.push({ type: 'guardrail_verdict', atMs: Date.now(), ...verdict });
    switch (verdict.action) {
      case 'repair':
        groundingRepairs += 1;
        failuresInARow += 1;
        return { kind: 'repair', message: groundingRepairMessage(verdict.findings) };
      case 'redact':
        return { kind: 'deliver', output: checked.redactedText ?? text, ...(checked.redactedData !== undefined ? { data: checked.redactedData } : data !== undefined ? { data } : {}) };
      case 'block':
        return { kind: 'end', result: await finish('guardrail_blocked', { error: { type: FailureType.GuardrailBlocked, message: verdictSummary(verdict) } }) };
      case 'escalate': {
        const decision = await awaitHuman(`guardrail:${verdict.category}`, verdictSummary(verdict));
        if (decision?.action === 'resume') {
          setState('running');
          return { kind: 'deliver', output: text, ...(data !== undefined ? { data } : {}) };
        }
        return { kind: 'end', result: await finish('guardrail_blocked', { error: { type: FailureType.GuardrailBlocked, message: verdictSummary(verdict) } }) };
      }
      default:
        return { kind: 'deliver', output: text, ...(data !== undefined ? { data } : {}) };
    }
  }

  /**
   * What the model may read of a tool output that a guardrail held back: the judge's or a human's
   * decision lets the output through, otherwise the notice stays.
   */
  async function releaseHeldOutput(result: ToolCallResult, tool: string): Promise<string> {
    const verdict = result.guardrail!;
    const policy = agent!.guardrails!;
    let action = verdict.action;
    if (action === 'judge' && policy.injectionJudge) {
      const judged = await acts.judgeToolOutput.executeWithOptions({ ...acts.modelOptions, summary: `judge output of ${tool}` }, [
        { agent: request.agent, tenant: request.scope.tenant, model: policy.injectionJudge.model, heldRef: result.heldRef!, maxAttempts: request.timeouts.modelMaxAttempts },
      ]);
      addAgentTime(breaker, judged.activityMs);
      countJudge(judged.judgeUsage);
      action = judged.injection ? policy.promptInjection : 'pass';
      trace.push({
        type: 'guardrail_verdict',
        atMs: Date.now(),
        ...verdict,
        action,
        findings: [...verdict.findings, { detector: 'injection.judge', category: 'prompt_injection', kind: judged.injection ? 'judged_injection' : 'judged_benign', score: judged.injection ? 1 : 0, message: judged.reason.slice(0, 300) }],
      });
    }
    if (action === 'pass' || action === 'flag') return result.heldRef!;
    if (action === 'escalate') {
      const decision = await awaitHuman(`guardrail:${verdict.category}`, `${tool}: ${verdictSummary(verdict)}`);
      setState('running');
      if (decision?.action === 'resume') return result.heldRef!;
    }
    return result.contentRef;
  }

  /** What the router needs to know of the step that reads `next`. */
  function routingStep(next: TranscriptAppend): RoutingStep {
    const step: RoutingStep = { turn: usage.modelCalls, follows: 'other', failuresInARow };
    if (next.kind === 'tool_results') {
      const tiers = lastTurnTiers(next.results);
      const resultBytes = next.results.reduce((sum, r) => sum + ('bytes' in r.content ? r.content.bytes : r.content.text.length), 0);
      return { ...step, follows: 'tool_results', toolTiers: tiers, resultBytes };
    }
    if (next.kind === 'user_text') return { ...step, follows: usage.modelCalls > 0 ? 'repair' : 'user_input' };
    return step;
  }

  /** Tiers of the tools whose results are in `results` (unknown tools count as reads). */
  function lastTurnTiers(results: readonly ToolResultEntry[]): string[] {
    return results.map((r) => {
      const event = trace.find((e) => e.type === 'tool_call' && e['gen_ai.tool.call.id'] === r.toolUseId);
      return event && event.type === 'tool_call' && event.tier ? event.tier : 'read';
    });
  }

  /** Opens an approval request for every valid write_critical call of a turn, all at once. */
  async function requestApprovals(calls: ToolCallRequest[], reason: string): Promise<ApprovalRecord[]> {
    const records: ApprovalRecord[] = [];
    for (const call of calls) {
      const tier = toolTiers.get(call.name);
      // Information flow: a write call with sensitive arguments has their sources checked first.
      const checksFlow = tier !== undefined && tier !== 'read' && sensitiveTools.has(call.name) && patched(INFORMATION_FLOW);
      if (tier !== 'write_critical' && !checksFlow) continue;
      const prepared = await acts.prepareToolCall.executeWithOptions({ ...acts.describeOptions, summary: `validate ${call.name}` }, [
        { agent: request.agent, tenant: request.scope.tenant, call, ...(agent!.toolSet ? { toolSet: agent!.toolSet } : {}) },
      ]);
      if (!prepared.ok) continue; // the tool call itself reports the invalid input to the model
      const flow = checksFlow ? await traceFlow(call.name, prepared.input) : undefined;
      const policy = agent!.informationFlow?.untrustedSensitive ?? 'escalate';
      const held = flow !== undefined && flow.untrusted.length > 0 && policy !== 'allow';
      if (tier !== 'write_critical' && !held) continue;
      const blocked = held && policy === 'block'
        ? `its ${flow.untrusted.map((arg) => `"${arg}" (${flow.provenance[arg]})`).join(', ')} come${flow.untrusted.length > 1 ? '' : 's'} from untrusted content, not from the user's request (information-flow policy)`
        : undefined;
      approvalsIssued += 1;
      const automatic = held ? undefined : agent!.automaticApproval; // a call held by the flow policy needs a person
      const record: ApprovalRecord = {
        requestId: `apr-${approvalsIssued}-${call.name}`,
        callId: call.id,
        tool: call.name,
        input: prepared.input,
        digest: sha256Hex(canonicalJson(prepared.input)),
        reason: reason.slice(0, 1000),
        requestedAtMs: Date.now(),
        timeoutMs: request.approvalTimeoutMs,
        ...(flow ? { provenance: flow.provenance } : {}),
        ...(blocked
          ? { decision: { decision: 'rejected', approver: INFORMATION_FLOW_APPROVER, reason: blocked } }
          : automatic
            ? { decision: { decision: 'approved', approver: AUTOMATIC_APPROVER, note: automatic.reason } }
            : requiredApprovals.has(call.name)
              ? { approvals: { required: requiredApprovals.get(call.name)!, by: [] } }
              : {}),
      };
      records.push(record);
      trace.push({ type: 'approval_requested', atMs: Date.now(), requestId: record.requestId, tool: record.tool, input: record.input, digest: record.digest, reason: record.reason });
      if (blocked) trace.push({ type: 'approval_decided', atMs: Date.now(), requestId: record.requestId, tool: record.tool, decision: 'rejected', approver: INFORMATION_FLOW_APPROVER, note: blocked });
      if (automatic) trace.push({ type: 'approval_decided', atMs: Date.now(), requestId: record.requestId, tool: record.tool, decision: 'approved', approver: AUTOMATIC_APPROVER, note: automatic.reason });
    }
    // Keys before the requests become visible, so a decision can be verified as soon as it comes.
    if (records.some((r) => !r.decision) && patched(VERIFIED_DECISIONS_PATCH)) await refreshKeys();
    return records;
  }

  /**
   * Where the sensitive arguments of a proposed write call come from, decided by an activity that
   * reads the session's tool outputs (this run's and the earlier runs' traces) from the content
   * store; its result is in the history, so a replay decides the same.
   */
  async function traceFlow(tool: string, input: Record<string, unknown>) {
    const refs = new Set<string>();
    const outputs: Array<{ tool: string; ref: string }> = [];
    for (const e of trace) {
      if (e.type === 'tool_call' && e.outputRef && !refs.has(e.outputRef)) refs.add(e.outputRef), outputs.push({ tool: e['gen_ai.tool.name'], ref: e.outputRef });
    }
    const traced = await acts.traceArgumentProvenance.executeWithOptions({ ...acts.describeOptions, summary: `information flow of ${tool}` }, [
      { agent: request.agent, tenant: request.scope.tenant, tool, input, userInput: request.input.slice(0, FLOW_USER_INPUT_CHARS), outputs: outputs.slice(-64), earlierTraces: earlierTraces.slice(-8) },
    ]);
    addAgentTime(breaker, traced.activityMs);
    return traced;
  }

  /** Waits for the decision on a write_critical call; a timeout counts as a rejection. */
  async function awaitDecision(record: ApprovalRecord): Promise<ApprovalDecision> {
    if (!record.decision) {
      setState('awaiting_approval');
      const since = Date.now();
      const verified = patched(VERIFIED_DECISIONS_PATCH);
      if (verified) setCurrentDetails(awaitingApprovalDetails(sessionId, record, pendingApprovals().length, request.approvers?.map(approverLabel)));
      await waitForPerson(() => record.decision !== undefined, record.requestedAtMs + record.timeoutMs, `approval ${record.requestId} times out`);
      if (verified) setCurrentDetails('');
      recordPause(breaker, Date.now() - since);
      if (!record.decision) {
        record.decision = { decision: 'timeout' };
        keelMetrics.record({ kind: 'approval_decided', agent: request.agent, tool: record.tool, decision: 'timeout' });
        trace.push({ type: 'approval_decided', atMs: Date.now(), requestId: record.requestId, tool: record.tool, decision: 'timeout' });
      }
      setState('running');
    }
    return record.decision;
  }

  async function runTool(proposed: ToolCallRequest): Promise<ToolResultEntry> {
    let call = proposed;
    const atMs = Date.now();
    const base = {
      type: 'tool_call' as const,
      atMs,
      'gen_ai.tool.name': call.name,
      'gen_ai.tool.call.id': call.id,
      ...(toolTiers.has(call.name) ? { tier: toolTiers.get(call.name)! } : {}),
      input: call.input,
    };
    if (!toolTiers.has(call.name)) {
      const message = `unknown tool "${call.name}"; this agent's tools are: ${[...toolTiers.keys()].join(', ') || '(none)'}`;
      recordToolCall(breaker, { tool: call.name, kind: 'unknown_tool', message });
      trace.push({ ...base, ok: false, error: { kind: 'unknown_tool', message }, outputBytes: 0, outputPreview: '', latencyMs: 0 });
      return { toolUseId: call.id, isError: true, content: { text: message } };
    }
    const cacheKey = request.toolResultCache && cacheTtl.has(call.name) ? `${call.name}:${canonicalJson(call.input)}` : undefined;
    const cached = cacheKey ? toolCache[cacheKey] : undefined;
    if (cached && Date.now() - cached.atMs < cacheTtl.get(call.name)!) {
      recordToolCall(breaker, null);
      trace.push({ ...base, ok: true, cacheHit: true, cache: 'session', outputRef: cached.ref, outputBytes: cached.bytes, outputPreview: cached.preview, latencyMs: 0 });
      keelMetrics.record({ kind: 'tool_cache_hit', agent: request.agent, tool: call.name, level: 'session' });
      // The result is already in the conversation: point at it instead of pasting it again.
      return { toolUseId: call.id, isError: false, content: { text: `Same result as tool call ${cached.callId} above (unchanged).` } };
    }
    if (toolTiers.get(call.name) !== 'read') toolCache = {}; // a write may change what was read
    const approval = approvals.find((a) => a.callId === call.id);
    let approvedBy: { requestId: string; digest: string; approver: string; statement?: string; sender?: string } | undefined;
    if (approval) {
      const decision = await awaitDecision(approval);
      if (decision.decision !== 'approved') {
        const why = decision.decision === 'timeout' ? 'nobody approved it in time (timeout)' : `${decision.approver} rejected it: ${decision.reason}`;
        const message = `This action was not carried out: ${why}. Do not retry it unchanged; tell the user or choose another way.`;
        recordToolCall(breaker, { tool: call.name, kind: 'approval_rejected', message });
        trace.push({ ...base, ok: false, error: { kind: 'approval_rejected', message }, outputBytes: 0, outputPreview: '', latencyMs: 0 });
        return { toolUseId: call.id, isError: true, content: { text: message } };
      }
      approvedBy = {
        requestId: approval.requestId,
        digest: approval.digest,
        approver: approval.approvals ? approval.approvals.by.join(', ') : decision.approver, // a quorum: every approver, for the audit
        ...(decision.statement ? { statement: decision.statement } : {}),
        ...(decision.sender ? { sender: decision.sender } : {}),
      };
      call = { ...call, input: approval.input };
    }
    const idempotencyKey = patched(TENANT_BOUND_KEYS)
      ? intentKey(sessionId, call.name, call.input, { tenant: request.scope.tenant, firstRunId: workflowInfo().firstExecutionRunId })
      : intentKey(sessionId, call.name, call.input);
    try {
      const result = await acts.runTool.executeWithOptions({ ...acts.toolOptions, summary: `tool ${call.name}` }, [
        {
          sessionId,
          agent: request.agent,
          call,
          idempotencyKey,
          scope: request.scope,
          ...(agent!.toolSet ? { toolSet: agent!.toolSet } : {}),
          ...(approvedBy ? { approval: approvedBy } : {}),
          ...(request.toolResultCache ? {} : { toolResultCache: false }),
          maxAttempts: request.timeouts.toolMaxAttempts,
        },
      ]);
      recordToolCall(breaker, result.error ? { tool: call.name, ...result.error } : null);
      addAgentTime(breaker, result.latencyMs);
      if (!result.ok) usage.toolErrors = (usage.toolErrors ?? 0) + 1;
      if (result.error?.kind === 'ScopeViolationError') {
        usage.scopeViolations += 1;
        trace.push({ type: 'scope_violation', atMs: Date.now(), tool: call.name, input: call.input, message: result.error.message });
      }
      trace.push({
        ...base,
        idempotencyKey,
        ...(result.replayed ? { replayed: true } : {}),
        ...(result.cache ? { cacheHit: true, cache: result.cache } : {}),
        ok: result.ok,
        ...(result.error ? { error: result.error } : {}),
        outputRef: result.contentRef,
        outputBytes: result.bytes,
        outputPreview: result.preview,
        latencyMs: result.latencyMs,
      });
      let deliverRef = result.contentRef;
      if (result.guardrail) {
        trace.push({ type: 'guardrail_verdict', atMs: Date.now(), ...result.guardrail });
        if (result.heldRef) deliverRef = await releaseHeldOutput(result, call.name);
      }
      if (cacheKey && result.ok) toolCache[cacheKey] = { callId: call.id, ref: deliverRef, bytes: result.bytes, preview: result.preview, atMs: Date.now() };
      return { toolUseId: call.id, isError: !result.ok, content: { ref: deliverRef, bytes: result.bytes } };
    } catch (error) {
      const cause = error instanceof ActivityFailure ? error.cause : error;
      const kind = cause instanceof ApplicationFailure && cause.type ? cause.type : 'activity_failure';
      const message = `the tool failed after retries: ${((cause as Error)?.message ?? String(cause)).slice(0, PREVIEW_NOTICE_LIMIT)}`;
      recordToolCall(breaker, { tool: call.name, kind, message });
      usage.toolErrors = (usage.toolErrors ?? 0) + 1;
      trace.push({ ...base, ok: false, error: { kind, message }, outputBytes: 0, outputPreview: '', latencyMs: Date.now() - atMs });
      return { toolUseId: call.id, isError: true, content: { text: message } };
    }
  }
}

function shouldContinueAsNew(request: SessionRequest): boolean {
  const info = workflowInfo();
  return (info.continueAsNewSuggested || info.historyLength >= request.maxHistoryEventsPerRun) && allHandlersFinished();
}

/**
 * Continues the session as a new run. The trace of the run that ends goes to the content store, so
 * what passes to the next run stays small however long the session gets.
 */
async function continueSession(request: SessionRequest, acts: ReturnType<typeof sessionActivities>, carry: SessionCarryOver): Promise<never> {
  await condition(allHandlersFinished);
  carry.trace.push({ type: 'continued_as_new', atMs: Date.now(), run: carry.run + 1, historyEvents: workflowInfo().historyLength });
  if (!patched(TRACE_BY_REFERENCE)) return continueAsNew<typeof agentSession>(request, { ...carry, run: carry.run + 1 });
  const segment = await acts.storeTraceSegment.executeWithOptions({ ...acts.describeOptions, summary: `trace of run ${carry.run}` }, [
    carry.trace,
    request.scope.tenant,
  ]);
  return continueAsNew<typeof agentSession>(request, {
    ...carry,
    run: carry.run + 1,
    trace: [],
    earlierTraces: [...(carry.earlierTraces ?? []), segment],
  });
}

function sessionActivities(request: SessionRequest) {
  const { timeouts } = request;
  const modelOptions = {
    startToCloseTimeout: timeouts.modelCallMs,
    heartbeatTimeout: timeouts.modelHeartbeatMs,
    retry: {
      initialInterval: timeouts.modelRetryInitialMs,
      backoffCoefficient: 2,
      maximumInterval: 30_000,
      maximumAttempts: timeouts.modelMaxAttempts + LOST_CALL_ATTEMPTS, // the model's own failures stop at modelMaxAttempts (see callModel)
      nonRetryableErrorTypes: [FailureType.ModelRequest, FailureType.ContentNotFound],
    },
  };
  const toolOptions = {
    startToCloseTimeout: timeouts.toolCallMs,
    heartbeatTimeout: timeouts.toolHeartbeatMs,
    // The tool's own transient failures stop at toolMaxAttempts (see runTool); lost attempts go beyond.
    retry: { initialInterval: 1000, backoffCoefficient: 2, maximumInterval: 30_000, maximumAttempts: timeouts.toolMaxAttempts + LOST_CALL_ATTEMPTS },
  };
  const describeOptions = { startToCloseTimeout: 30_000, retry: { maximumAttempts: 5, nonRetryableErrorTypes: [FailureType.UnknownAgent] } };
  const proxy = proxyActivities<SessionActivities>({ startToCloseTimeout: 60_000 });
  return {
    callModel: proxy.callModel,
    runTool: proxy.runTool,
    describeAgent: proxy.describeAgent,
    prepareToolCall: proxy.prepareToolCall,
    storeTraceSegment: proxy.storeTraceSegment,
    recordSessionEnd: proxy.recordSessionEnd,
    checkFinalAnswer: proxy.checkFinalAnswer,
    judgeToolOutput: proxy.judgeToolOutput,
    traceArgumentProvenance: proxy.traceArgumentProvenance,
    modelOptions,
    toolOptions,
    describeOptions,
  };
}

/** One line about a guardrail verdict, for a human and the session's error. */
function verdictSummary(verdict: GuardrailVerdict): string {
  const kinds = [...new Set(verdict.findings.map((f) => f.kind))].join(', ');
  return `${verdict.category ?? 'guardrail'} (${kinds}): ${verdict.findings.map((f) => f.message).slice(0, 3).join('; ')}`;
}
