import { getExternalWorkflowHandle, proxySinks, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { JudgeUsage } from '../activities/session-activities';
import { usageElapsedMs, useAgentTime } from '../core/active-time';
import { toolsInScope, type AgentDescriptor } from '../core/agent';
import { approverLabel, type ApprovalDecision, type PendingApproval } from '../core/approval';
import { createBreaker, recordTokens, type BreakerState } from '../core/breaker';
import type { TrustedKey } from '../core/decision-statement';
import type { ToolCallRequest, ToolResultEntry, TranscriptAppend } from '../core/model-call';
import { costOf } from '../core/pricing';
import type { SessionRequest, SessionState, SessionStatus, SessionUsage } from '../core/session';
import type { TraceEvent } from '../core/trace';
import { childSessionUpdateSignal, KEEL_SEARCH_ATTRIBUTE_KEYS, type KeelMetricsSinks } from './api';
import { DecisionGate } from './decision-gate';
import { HumanGate } from './human-gate';
import { sessionApproverKeys, sessionApproverKeysForDecision } from './session-activities-proxies';
import { RunPatches } from './session-patches';
import { publishStatusMemo, STATUS_MEMO_PATCH } from './status-memo';

/** Patch id: runs recorded before it counted workflow time toward `maxElapsedMs`, not agent time (core/active-time.ts). */
const AGENT_TIME = 'agent-time';
/** Patch id: runs recorded before it left judge-model calls out of usage, cost and the token limit. */
const JUDGE_USAGE = 'judge-usage';

/** Cached results of read tools within a session, by `tool:canonical input`. */
export type ToolCache = Record<string, { callId: string; ref: string; bytes: number; preview: string; atMs: number }>;

/** A write_critical call's approval: the pending request, the call it belongs to and its decision. */
export interface ApprovalRecord extends PendingApproval {
  callId: string;
  decision?: ApprovalDecision;
}

/** Usage counted by the session itself (tool calls and time are the breaker's). */
export interface CountedUsage {
  modelCalls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  repairTurns: number;
  scopeViolations: number;
  toolErrors: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
}

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
  usage: CountedUsage;
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

/** The agent's tools as this session's scope offers them, with what each one needs. */
export interface OfferedTools {
  offered: AgentDescriptor['tools'];
  tiers: Map<string, AgentDescriptor['tools'][number]['tier']>;
  /** Approvals a quorum tool needs. */
  requiredApprovals: Map<string, number>;
  /** Session cache lifetime of cacheable read tools. */
  cacheTtl: Map<string, number>;
  /** Write tools with sensitive arguments (their sources are checked before they run). */
  sensitive: Set<string>;
}

const { keelMetrics } = proxySinks<KeelMetricsSinks>();
export { keelMetrics };

/** States of a session that has not ended. */
const LIVE_STATES: ReadonlySet<SessionState> = new Set(['starting', 'running', 'escalated', 'awaiting_approval']);

/**
 * One run of a session: its request and everything it decides on (state, usage against limits,
 * approvals, escalation, trace), restored from the previous run when it continued as new.
 */
export class Session {
  /** Asked first: whether this run settled its patches at its start (see `SESSION_BASELINE_PATCH`). */
  readonly patches = new RunPatches();
  readonly sessionId = workflowInfo().workflowId;
  readonly parent = workflowInfo().parent;
  readonly run: number;
  state: SessionState = 'starting';
  agent: AgentDescriptor | undefined;
  readonly trace: TraceEvent[];
  readonly breaker: BreakerState;
  readonly usage: CountedUsage;
  transcriptRef: string | null;
  approvals: ApprovalRecord[];
  approvalsIssued: number;
  toolCache: ToolCache;
  failuresInARow: number;
  groundingRepairs: number;
  readonly earlierTraces: string[];
  readonly gate: DecisionGate;
  readonly human: HumanGate;
  /** Set once the agent is known (see {@link offerTools}). */
  tools!: OfferedTools;
  private readonly statusMemo: boolean;

  constructor(readonly request: SessionRequest, carry?: SessionCarryOver) {
    this.agent = carry?.agent;
    this.trace = carry?.trace ?? [];
    this.breaker = carry?.breaker ?? createBreaker(request.limits, Date.now());
    if (this.patches.has(AGENT_TIME)) useAgentTime(this.breaker, Date.now());
    this.statusMemo = this.patches.has(STATUS_MEMO_PATCH);
    this.usage = carry?.usage ?? { modelCalls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, repairTurns: 0, scopeViolations: 0, toolErrors: 0 };
    this.transcriptRef = carry?.transcriptRef ?? null;
    this.run = carry?.run ?? 1;
    this.approvals = carry?.approvals ?? [];
    this.approvalsIssued = carry?.approvalsIssued ?? 0;
    this.toolCache = carry?.toolCache ?? {};
    this.failuresInARow = carry?.failuresInARow ?? 0;
    this.groundingRepairs = carry?.groundingRepairs ?? 0;
    this.earlierTraces = carry?.earlierTraces ?? [];
    this.gate = new DecisionGate({ sessionId: this.sessionId, execution: workflowInfo().firstExecutionRunId, tenant: request.scope.tenant, approvers: request.approvers, keyRefreshMs: request.approverKeyRefreshMs });
    if (carry?.approverKeys) this.gate.setKeys(carry.approverKeys.keys, carry.approverKeys.loadedAtMs);
    this.human = new HumanGate({
      gate: this.gate,
      tenant: request.scope.tenant,
      loadKeys: sessionApproverKeys,
      // A local activity before the baseline; since, scheduled: the check after it reads the workflow clock (see `SESSION_BASELINE_PATCH`).
      reloadKeysForDecision: this.patches.baseline ? sessionApproverKeys : sessionApproverKeysForDecision,
      keys: 'refreshing',
      escalationsIssued: carry?.escalationsIssued ?? 0,
      hasPatch: this.patches.has,
    });
  }

  /** Whether the session has ended: its outcome is set and only the record of its end may still run. */
  get ended(): boolean {
    return !LIVE_STATES.has(this.state);
  }

  /** The agent, once described (the session's start sets it before any step). */
  get described(): AgentDescriptor {
    return this.agent!;
  }

  /** Records the agent's tools in this session's scope. */
  offerTools(agent: AgentDescriptor): void {
    const offered = toolsInScope(agent.tools, this.request.scope);
    this.tools = {
      offered,
      tiers: new Map(offered.map((t) => [t.name, t.tier])),
      requiredApprovals: new Map(offered.filter((t) => t.approvals).map((t) => [t.name, t.approvals!.required])),
      cacheTtl: new Map(offered.filter((t) => t.cacheTtlMs).map((t) => [t.name, t.cacheTtlMs!])),
      sensitive: new Set(offered.filter((t) => t.sensitive?.length && t.tier !== 'read').map((t) => t.name)),
    };
  }

  usageNow(): SessionUsage {
    const { usage, breaker } = this;
    return {
      modelCalls: usage.modelCalls,
      toolCalls: breaker.toolCalls,
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
      cacheReadTokens: usage.cacheReadTokens ?? 0,
      cacheWriteTokens: usage.cacheWriteTokens ?? 0,
      elapsedMs: usageElapsedMs(breaker, Date.now(), this.human.escalation?.sinceMs),
      costUsd: usage.costUsd,
      scopeViolations: usage.scopeViolations ?? 0,
    };
  }

  /** Counts a judge-model call in usage, cost and the token limit (sessions recorded before it did not). */
  countJudge(judge: JudgeUsage | undefined): void {
    if (!judge || !this.patches.has(JUDGE_USAGE)) return;
    this.usage.inputTokens += judge.inputTokens;
    this.usage.outputTokens += judge.outputTokens;
    this.usage.costUsd += costOf(judge.model, judge);
    recordTokens(this.breaker, judge.inputTokens + judge.outputTokens);
  }

  status(): SessionStatus {
    const { request } = this;
    return {
      sessionId: this.sessionId,
      agent: request.agent,
      tenant: request.scope.tenant,
      state: this.state,
      usage: this.usageNow(),
      limits: this.breaker.limits,
      escalation: this.human.escalation,
      pendingApprovals: this.pendingApprovals(),
      run: this.run,
      execution: workflowInfo().firstExecutionRunId,
      refusedDecisions: this.gate.refusedCount,
      ...(request.approvers ? { approvers: request.approvers.map(approverLabel) } : {}),
    };
  }

  pendingApprovals(): PendingApproval[] {
    return this.approvals.filter((a) => !a.decision).map(({ callId: _c, decision: _d, ...pending }) => pending);
  }

  /** Moves to `next`: the search attribute, the status memo and a parent orchestration's view follow. */
  setState(next: SessionState): void {
    this.state = next;
    upsertSearchAttributes([{ key: KEEL_SEARCH_ATTRIBUTE_KEYS.state, value: next }]);
    if (this.statusMemo) publishStatusMemo(this.status(), Date.now());
    this.notifyParent();
  }

  /** A child of an orchestration keeps its parent's view of it current (state, usage, approvals, escalation). */
  private notifyParent(): void {
    if (!this.parent) return;
    getExternalWorkflowHandle(this.parent.workflowId)
      .signal(childSessionUpdateSignal, { sessionId: this.sessionId, state: this.state, usage: this.usageNow(), pendingApprovals: this.pendingApprovals(), escalation: this.human.escalation })
      .catch(() => undefined); // a parent that is gone has nobody to show it to
  }
}
