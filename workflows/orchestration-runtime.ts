import {
  ActivityFailure,
  ApplicationFailure,
  ChildWorkflowFailure,
  getExternalWorkflowHandle,
  patched,
  setHandler,
  startChild,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { AgentDescriptor } from '../core/agent';
import { isAllowedApprover } from '../core/approval';
import { readStatement } from '../core/decision-statement';
import { DecisionGate, isRefused, KEPT_REFUSALS, type DecisionName } from './decision-gate';
import { LegacyApproveSchema, LegacyRejectSchema, LegacyResolveEscalationSchema, VERIFIED_DECISIONS_PATCH } from './legacy-decisions';
import { FailureType } from '../core/errors';
import {
  addUsage,
  carveLimits,
  emptyUsage,
  OrchestrationRequestSchema,
  renderTaskMessage,
  tokensOf,
  type BudgetLeft,
  type ChildSessionView,
  type OrchestrationOutcome,
  type OrchestrationPattern,
  type OrchestrationRequest,
  type OrchestrationResult,
  type OrchestrationStatus,
  type TaskMessage,
} from '../core/orchestration';
import type { ExtraBudget, Limits } from '../core/limits';
import { describeRequestIssues, type SessionRequestInput, type SessionResult, type SessionState } from '../core/session';
import type { TraceEvent } from '../core/trace';
import { KEEL_SEARCH_ATTRIBUTE_KEYS, approveSignal, childSessionUpdateSignal, rejectSignal, resolveEscalationSignal, resolveEscalationUpdate, statusQuery, traceQuery, type DecisionAccepted } from './api';
import { escalationResolvedEvent, HumanGate } from './human-gate';
import { agentLookupActivities, orchestrationApproverKeys, recordOrchestrationEnd } from './session-activities-proxies';

/** Patch id: orchestrations recorded before it ended without archiving their trace. */
const RECORD_ORCHESTRATION_END = 'orchestration-record-end';

/** How one child session ended, as the pattern sees it. */
export interface ChildRun {
  view: ChildSessionView;
  /** The child's result; null when the child workflow failed or could not start. */
  result: SessionResult | null;
  /** Why the child did not complete (absent when it completed). */
  failure?: string;
  /** The child could not start: the budget had nothing left for it. */
  unfunded?: boolean;
}

interface ChildRecord extends ChildSessionView {
  /** Limits reserved for it while it runs; its usage counts once it ended. */
  running: boolean;
}

/**
 * What the three orchestration patterns share: the parsed request, child sessions started with
 * limits carved from what is left of the budget, their views kept current by their own updates,
 * decisions forwarded to the child they belong to, the aggregated status, the trace and the result.
 */
export class Orchestration {
  readonly request: OrchestrationRequest;
  readonly sessionId = workflowInfo().workflowId;
  private readonly startedAtMs = Date.now();
  readonly trace: TraceEvent[] = [];
  private readonly children: ChildRecord[] = [];
  private state: SessionState = 'running';
  private limits: Limits;
  private gate!: DecisionGate;
  /** The orchestration's own escalations (its children wait for people in their own sessions). */
  private human!: HumanGate;
  private readonly agents = new Map<string, AgentDescriptor | null>();

  constructor(raw: unknown, pattern: OrchestrationPattern) {
    const parsed = OrchestrationRequestSchema.safeParse(raw);
    if (!parsed.success || parsed.data.pattern !== pattern) {
      const why = parsed.success ? `pattern: expected "${pattern}", got "${parsed.data.pattern}"` : describeRequestIssues(parsed.error);
      throw ApplicationFailure.create({ type: FailureType.InvalidSessionRequest, message: `invalid ${pattern} request: ${why}`, nonRetryable: true });
    }
    this.request = parsed.data;
    this.limits = { ...this.request.limits };
    upsertSearchAttributes([
      { key: KEEL_SEARCH_ATTRIBUTE_KEYS.agent, value: pattern },
      { key: KEEL_SEARCH_ATTRIBUTE_KEYS.tenant, value: this.request.scope.tenant },
      { key: KEEL_SEARCH_ATTRIBUTE_KEYS.state, value: 'running' },
    ]);
    upsertMemo({ purpose: this.request.input.slice(0, 200), pattern });
    this.installHandlers();
  }

  /** The descriptor of an agent registered on the worker, or null when there is none. */
  async agent(name: string): Promise<AgentDescriptor | null> {
    if (!this.agents.has(name)) {
      try {
        this.agents.set(name, await agentLookupActivities.describeAgent.executeWithOptions({ summary: `agent ${name}` }, [name, this.request.scope.tenant]));
      } catch (error) {
        const cause = error instanceof ActivityFailure ? error.cause : undefined;
        if (!(cause instanceof ApplicationFailure && cause.type === FailureType.UnknownAgent)) throw error;
        this.agents.set(name, null);
      }
    }
    return this.agents.get(name)!;
  }

  /**
   * Runs children together (in parallel), each with an equal share of what the budget has left,
   * and waits for all of them.
   */
  runChildren(specs: ReadonlyArray<{ agent: string; role: string; message: TaskMessage; limits?: Partial<Limits> }>): Promise<ChildRun[]> {
    const left = this.left();
    return Promise.all(specs.map((spec) => this.runChild(spec, left, specs.length)));
  }

  /** Runs one child session: limits carved from the budget, the message rendered as its input. */
  async runChild(spec: { agent: string; role: string; message: TaskMessage; limits?: Partial<Limits> }, left = this.left(), share = 1): Promise<ChildRun> {
    const attempt = this.children.filter((c) => c.role === spec.role).length + 1;
    const limits = carveLimits(this.limits, left, share, spec.limits);
    const sessionId = `${this.sessionId}.${spec.role}.${attempt}`;
    const record: ChildRecord = {
      sessionId,
      agent: spec.agent,
      role: spec.role,
      attempt,
      state: 'starting',
      limits: limits ?? { ...this.limits, maxToolCalls: 0, maxTokens: 0 },
      usage: emptyUsage(),
      pendingApprovals: [],
      escalation: null,
      running: false,
    };
    if (!limits) {
      const detail = `nothing left of the budget for ${spec.role} (${left.toolCalls} tool calls, ${left.tokens} tokens, ${left.elapsedMs} ms for ${share})`;
      return { view: record, result: null, failure: detail, unfunded: true };
    }
    this.children.push(record);
    record.running = true;
    this.trace.push({ type: 'child_started', atMs: Date.now(), sessionId, agent: spec.agent, role: spec.role, attempt, limits });
    const request: SessionRequestInput = {
      agent: spec.agent,
      input: renderTaskMessage(spec.message),
      scope: this.request.scope,
      limits,
      ...(this.request.approvers ? { approvers: this.request.approvers } : {}),
      approvalTimeoutMs: this.request.approvalTimeoutMs,
      escalation: this.request.escalation,
    };
    let result: SessionResult | null = null;
    let error: { type: string; message: string } | undefined;
    try {
      const handle = await startChild('agentSession', { workflowId: sessionId, args: [request] });
      result = (await handle.result()) as SessionResult;
    } catch (failure) {
      if (!(failure instanceof ChildWorkflowFailure)) throw failure; // cancellation goes up
      const cause = failure.cause;
      error = { type: cause instanceof ApplicationFailure && cause.type ? cause.type : 'ChildWorkflowFailure', message: cause?.message ?? failure.message };
    }
    record.running = false;
    record.outcome = result?.outcome ?? 'failed';
    record.state = result?.outcome ?? 'failed';
    record.pendingApprovals = [];
    record.escalation = null;
    if (result) record.usage = result.usage;
    error ??= result?.error;
    this.trace.push({
      type: 'child_ended',
      atMs: Date.now(),
      sessionId,
      agent: spec.agent,
      role: spec.role,
      outcome: record.outcome,
      costUsd: record.usage.costUsd,
      ...(error ? { error } : {}),
    });
    const completed = result?.outcome === 'completed';
    const failure = completed ? undefined : error ? `${error.type}: ${error.message}` : `ended ${record.outcome}${result?.breaker ? ` (${result.breaker.limit}: ${result.breaker.detail})` : ''}`;
    return { view: record, result, ...(failure ? { failure } : {}) };
  }

  /** What the budget has left for new children: limits minus ended children's usage and running ones' reservations. */
  left(): BudgetLeft {
    let toolCalls = 0;
    let tokens = 0;
    let elapsedMs = 0;
    for (const c of this.children) {
      toolCalls += c.running ? c.limits.maxToolCalls : c.usage.toolCalls;
      tokens += c.running ? c.limits.maxTokens : tokensOf(c.usage);
      elapsedMs += c.running ? c.limits.maxElapsedMs : c.usage.elapsedMs;
    }
    return {
      toolCalls: Math.max(0, this.limits.maxToolCalls - toolCalls),
      tokens: Math.max(0, this.limits.maxTokens - tokens),
      elapsedMs: Math.max(0, this.limits.maxElapsedMs - elapsedMs),
    };
  }

  /**
   * Waits for a human after a child failed beyond repair or the budget ran out: `resume` (with extra
   * budget, added to the orchestration's limits) returns true, `abort` or the timeout false.
   */
  async askHuman(reason: 'child_failed' | 'budget_exhausted', detail: string): Promise<boolean> {
    this.trace.push({ type: 'orchestration_escalated', atMs: Date.now(), reason, detail });
    const decision = await this.human.escalate(reason, detail, this.request.humanTimeoutMs, { opened: () => this.setState('escalated'), closed: () => undefined });
    // The orchestration's trace names the approver alone (who signed with which key is in the memo).
    const { approver, action, extraBudget, note } = decision ?? {};
    this.trace.push(escalationResolvedEvent(decision && { approver: approver!, action: action!, ...(extraBudget ? { extraBudget } : {}), ...(note ? { note } : {}) }));
    if (!decision) return false;
    if (decision.action === 'abort') return false;
    const extra = decision.extraBudget ?? {};
    this.limits = {
      ...this.limits,
      maxToolCalls: this.limits.maxToolCalls + (extra.toolCalls ?? 0),
      maxTokens: this.limits.maxTokens + (extra.tokens ?? 0),
      maxElapsedMs: this.limits.maxElapsedMs + (extra.elapsedMs ?? 0),
    };
    this.setState('running');
    return true;
  }

  /**
   * Ends the orchestration with its result (the usage sums every child's); its trace, with the
   * links to its children, is archived in the trace store like a session's.
   */
  async finish(outcome: OrchestrationOutcome, output: unknown, error?: { type: string; message: string }): Promise<OrchestrationResult> {
    this.setState(outcome === 'invalid_message' ? 'failed' : outcome);
    this.trace.push({ type: 'session_ended', atMs: Date.now(), outcome, ...(error ? { error } : {}) });
    const result = this.result(outcome, output, error);
    if (patched(RECORD_ORCHESTRATION_END)) {
      const usage = result.usage;
      await recordOrchestrationEnd(
        {
          record: {
            sessionId: this.sessionId,
            agent: this.request.pattern,
            tenant: this.request.scope.tenant,
            outcome,
            startedAtMs: this.startedAtMs,
            endedAtMs: Date.now(),
            result: result as unknown as Record<string, unknown>,
            events: this.trace,
            earlierTraces: [],
          },
          summary: {
            outcome,
            toolCalls: usage.toolCalls,
            tokens: tokensOf(usage),
            costUsd: usage.costUsd,
            latencyMs: Date.now() - this.startedAtMs,
            toolErrors: 0,
          },
        },
      );
    }
    return result;
  }

  private result(outcome: OrchestrationOutcome, output: unknown, error?: { type: string; message: string }): OrchestrationResult {
    return {
      sessionId: this.sessionId,
      pattern: this.request.pattern,
      outcome,
      output,
      children: this.children.map((c) => ({ sessionId: c.sessionId, agent: c.agent, role: c.role, attempt: c.attempt, outcome: c.outcome ?? 'failed', usage: c.usage })),
      usage: this.usage(),
      ...(error ? { error } : {}),
    };
  }

  /** The children's usage summed. */
  usage() {
    return this.children.reduce((total, c) => addUsage(total, c.usage), emptyUsage());
  }

  private setState(next: SessionState): void {
    this.state = next;
    upsertSearchAttributes([{ key: KEEL_SEARCH_ATTRIBUTE_KEYS.state, value: next }]);
  }

  private status(): OrchestrationStatus {
    const waiting = this.children.find((c) => c.running && (c.escalation || c.pendingApprovals.length > 0));
    const state: SessionState = this.state === 'running' && waiting ? (waiting.escalation ? 'escalated' : 'awaiting_approval') : this.state;
    return {
      sessionId: this.sessionId,
      agent: this.request.pattern,
      tenant: this.request.scope.tenant,
      pattern: this.request.pattern,
      state,
      usage: this.usage(),
      limits: this.limits,
      escalation: this.human.escalation ?? (waiting?.escalation ? { ...waiting.escalation, sessionId: waiting.sessionId } : null),
      pendingApprovals: this.children.flatMap((c) => c.pendingApprovals.map((p) => ({ ...p, sessionId: c.sessionId }))),
      run: 1,
      execution: workflowInfo().firstExecutionRunId,
      refusedDecisions: this.gate.refusedCount,
      children: this.children.map(({ running: _r, ...view }) => view),
    };
  }

  private installHandlers(): void {
    setHandler(statusQuery, () => this.status());
    setHandler(traceQuery, () => ({ sessionId: this.sessionId, agent: this.request.pattern, events: this.trace, earlierRuns: [] }));
    setHandler(childSessionUpdateSignal, (update) => {
      const child = this.children.find((c) => c.sessionId === update.sessionId && c.running);
      if (!child) return;
      child.state = update.state;
      child.usage = update.usage;
      child.pendingApprovals = update.pendingApprovals;
      child.escalation = update.escalation;
    });
    this.gate = new DecisionGate({ sessionId: this.sessionId, execution: workflowInfo().firstExecutionRunId, tenant: this.request.scope.tenant, approvers: this.request.approvers, keyRefreshMs: 300_000 });
    this.human = new HumanGate({ gate: this.gate, tenant: this.request.scope.tenant, loadKeys: orchestrationApproverKeys, keys: 'once' });
    const refuse = (signal: string, approver: string, reason: string, sender?: string) => {
      this.gate.refusedCount += 1;
      if (this.gate.refusedCount <= KEPT_REFUSALS) this.trace.push({ type: 'signal_refused', atMs: Date.now(), signal, approver: approver.slice(0, 256), reason: reason.slice(0, 500), ...(sender ? { sender } : {}) });
    };
    const escalationMisfit = (claims: { request: string }) => this.human.misfit(claims);
    const applyOwn = (claims: { decision: string; approver: string; extraBudget?: ExtraBudget; note?: string; request: string }): DecisionAccepted => {
      this.human.decision = { action: claims.decision === 'abort' ? 'abort' : 'resume', approver: claims.approver, ...(claims.extraBudget ? { extraBudget: claims.extraBudget } : {}), ...(claims.note ? { note: claims.note } : {}) };
      upsertMemo({ lastDecision: `${claims.decision} ${claims.request} by ${claims.approver}` });
      return { accepted: true, sessionId: this.sessionId, requestId: claims.request, decision: claims.decision as DecisionAccepted['decision'], approver: claims.approver };
    };
    /**
     * A signed decision sent to the orchestration: a statement for one of its children is passed on
     * as it is (the child verifies it); one for the orchestration's own escalation is verified here.
     */
    const onSignal = (name: DecisionName) => (raw: unknown) => {
      if (!patched(VERIFIED_DECISIONS_PATCH)) return legacy(name, raw);
      const statement = (raw as { statement?: unknown } | null | undefined)?.statement;
      let target: string | undefined;
      try {
        target = typeof statement === 'string' ? readStatement(statement).claims.session : undefined;
      } catch {
        target = undefined;
      }
      const child = target && target !== this.sessionId ? this.children.find((c) => c.running && c.sessionId === target) : undefined;
      if (child) {
        this.trace.push({ type: 'signal_forwarded', atMs: Date.now(), signal: name, to: child.sessionId, approver: '' });
        const signal = name === 'approve' ? approveSignal : name === 'reject' ? rejectSignal : resolveEscalationSignal;
        void getExternalWorkflowHandle(child.sessionId).signal(signal, raw as never).catch(() => refuse(name, '', `child ${child.sessionId} could not be signalled`));
        return;
      }
      if (target && target !== this.sessionId) return refuse(name, '', `no running child session "${target.slice(0, 256)}"`);
      const checked = this.gate.check(name, raw, Date.now(), escalationMisfit);
      if (isRefused(checked)) return refuse(name, checked.approver, checked.reason, checked.sender);
      applyOwn(checked.claims);
    };
    setHandler(approveSignal, onSignal('approve'), { description: 'Approve a child session\'s pending call: a signed statement, passed on to the child.' });
    setHandler(rejectSignal, onSignal('reject'), { description: 'Reject a child session\'s pending call: a signed statement, passed on to the child.' });
    setHandler(resolveEscalationSignal, onSignal('resolveEscalation'), { description: 'Resume or abort: a signed statement for the orchestration\'s own escalation, or one of a child (passed on).' });
    setHandler(
      resolveEscalationUpdate,
      (raw) => {
        const checked = this.gate.check('resolveEscalation', raw, Date.now(), escalationMisfit);
        if (isRefused(checked)) throw ApplicationFailure.create({ type: FailureType.DecisionRefused, message: `refused: ${checked.reason}`, nonRetryable: true });
        return applyOwn(checked.claims);
      },
      {
        validator: (raw) => {
          const checked = this.gate.check('resolveEscalation', raw, Date.now(), escalationMisfit, 'validator');
          if (isRefused(checked)) throw ApplicationFailure.create({ type: FailureType.DecisionRefused, nonRetryable: true, message: `refused: ${checked.reason}${/not the pending|no escalation/.test(checked.reason) ? ' (a child\'s escalation: send the decision to the child session)' : ''}` });
        },
        description: "Resume or abort the orchestration's own escalation with a signed statement (a child's: update the child).",
      },
    );

    /** Decisions in histories recorded before decisions were signed: replayed as they were taken then. */
    const legacy = (name: DecisionName, raw: unknown): void => {
      const approver = String((raw as { approver?: unknown } | undefined)?.approver ?? '');
      if (name !== 'resolveEscalation') {
        const parsed = name === 'approve' ? LegacyApproveSchema.safeParse(raw) : LegacyRejectSchema.safeParse(raw);
        if (!parsed.success) return refuse(name, approver, `malformed ${name}: ${describeRequestIssues(parsed.error)}`);
        const data = parsed.data;
        const owners = this.children.filter(
          (c) => c.running && (data.sessionId ? c.sessionId === data.sessionId : c.pendingApprovals.some((p) => p.requestId === data.requestId)),
        );
        if (owners.length !== 1) {
          const why = owners.length > 1 ? `request "${data.requestId}" is pending in several children: name the session (sessionId)` : `no running child has request "${data.requestId}"`;
          return refuse(name, data.approver, why);
        }
        const child = owners[0]!;
        this.trace.push({ type: 'signal_forwarded', atMs: Date.now(), signal: name, to: child.sessionId, approver: data.approver, requestId: data.requestId });
        getExternalWorkflowHandle(child.sessionId)
          .signal(name === 'approve' ? approveSignal : rejectSignal, { ...data, sessionId: child.sessionId } as never)
          .catch(() => refuse(name, data.approver, `child ${child.sessionId} could not be signalled`));
        return;
      }
      const parsed = LegacyResolveEscalationSchema.safeParse(raw);
      if (!parsed.success) return refuse('resolveEscalation', approver, `malformed decision: ${describeRequestIssues(parsed.error)}`);
      const data = parsed.data;
      const escalated = this.children.filter((c) => c.running && c.escalation && (!data.sessionId || c.sessionId === data.sessionId));
      if ((data.sessionId && data.sessionId !== this.sessionId) || (!this.human.escalation && escalated.length === 1)) {
        const child = escalated[0];
        if (!child) return refuse('resolveEscalation', data.approver, `no escalated child session "${data.sessionId}"`);
        this.trace.push({ type: 'signal_forwarded', atMs: Date.now(), signal: 'resolveEscalation', to: child.sessionId, approver: data.approver });
        getExternalWorkflowHandle(child.sessionId)
          .signal(resolveEscalationSignal, (data.sessionId ? data : { ...data, sessionId: child.sessionId }) as never)
          .catch(() => refuse('resolveEscalation', data.approver, `child ${child.sessionId} could not be signalled`));
        return;
      }
      if (!this.human.escalation || this.human.decision) return refuse('resolveEscalation', data.approver, escalated.length > 1 ? 'several children are escalated: name the session (sessionId)' : 'no escalation is pending');
      if (!isAllowedApprover(this.request.approvers, data.approver, data.roles ?? [])) {
        return refuse('resolveEscalation', data.approver, `"${data.approver}" is not an approver of this session`);
      }
      this.human.decision = data;
    };
  }
}
