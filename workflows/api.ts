import { defineQuery, defineSignal, defineUpdate, type Sinks } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { KEEL_SEARCH_ATTRIBUTES } from '../core/search-attributes';
import type { SessionMetricEvent } from '../core/session-metrics';
import type { DriftAlert, SessionSummary } from '../core/drift-detector';
import type { ScoreDriftAlert, ScoreDriftOptions } from '../core/evaluation/score-drift';
import type { DecisionEnvelope, DecisionKind } from '../core/decision-statement';
import type { SessionRequestInput, SessionResult, SessionStatus, SessionTrace } from '../core/session';
import type { ChildSessionUpdate, OrchestrationRequestInput, OrchestrationResult } from '../core/orchestration';

/** Keel's search attributes as typed keys (all Keyword), for workflows and clients alike. */
export const KEEL_SEARCH_ATTRIBUTE_KEYS = {
  agent: defineSearchAttributeKey(KEEL_SEARCH_ATTRIBUTES.agent, SearchAttributeType.KEYWORD),
  tenant: defineSearchAttributeKey(KEEL_SEARCH_ATTRIBUTES.tenant, SearchAttributeType.KEYWORD),
  state: defineSearchAttributeKey(KEEL_SEARCH_ATTRIBUTES.state, SearchAttributeType.KEYWORD),
} as const;

/** Workflow type of an agent session. */
export const AGENT_SESSION_WORKFLOW = 'agentSession';

/** The signature of the `agentSession` workflow, for starting it by typed reference. */
export type AgentSessionWorkflow = (request: SessionRequestInput) => Promise<SessionResult>;
/** The signature of the orchestration workflows (`supervisorSession`, `pipelineSession`, `debateSession`). */
export type OrchestrationWorkflow = (request: OrchestrationRequestInput) => Promise<OrchestrationResult>;

/**
 * Decisions are signed statements ({@link DecisionEnvelope}): each takes effect only when its
 * signature verifies under a key the deployment trusts for the session's tenant and the statement
 * names an allowed identity or role. Each is a signal (fire and forget; a refusal is traced) and an
 * update of the same name (the caller is told at once: accepted, or refused with the reason).
 */
export const resolveEscalationSignal = defineSignal<[DecisionEnvelope]>('resolveEscalation');

/** Approves one pending write_critical call (the statement names its request id and input digest). */
export const approveSignal = defineSignal<[DecisionEnvelope]>('approve');

/** Rejects one pending write_critical call; the model is told the statement's note as the reason. */
export const rejectSignal = defineSignal<[DecisionEnvelope]>('reject');

/** What an accepted decision update answers. A refused one fails with the reason. */
export interface DecisionAccepted {
  accepted: true;
  sessionId: string;
  requestId: string;
  decision: DecisionKind;
  /** The verified approver. */
  approver: string;
  /** For a tool that needs several approvers: approvals so far, e.g. `1 of 2` (the call waits until `2 of 2`). */
  quorum?: string;
}

/** {@link approveSignal} as an update. */
export const approveUpdate = defineUpdate<DecisionAccepted, [DecisionEnvelope]>('approve');
/** {@link rejectSignal} as an update. */
export const rejectUpdate = defineUpdate<DecisionAccepted, [DecisionEnvelope]>('reject');
/** {@link resolveEscalationSignal} as an update. */
export const resolveEscalationUpdate = defineUpdate<DecisionAccepted, [DecisionEnvelope]>('resolveEscalation');

/** The session's state, usage against limits and pending escalation (an orchestration answers an `OrchestrationStatus`). */
export const statusQuery = defineQuery<SessionStatus>('status');

/** The session's trace: every model call, tool call, breaker event and decision. */
export const traceQuery = defineQuery<SessionTrace>('trace');

/** Workflow types of the orchestration patterns. */
export const ORCHESTRATION_WORKFLOWS = { supervisor: 'supervisorSession', pipeline: 'pipelineSession', debate: 'debateSession' } as const;

/** A child session tells its parent orchestration its state, usage, pending approvals and escalation. */
export const childSessionUpdateSignal = defineSignal<[ChildSessionUpdate]>('childSessionUpdate');

/** The sink through which the session workflow reports metrics (not called during replay). */
export interface KeelMetricsSinks extends Sinks {
  keelMetrics: { record(event: SessionMetricEvent): void };
}

/** Workflow type of the per-agent behaviour monitor. */
export const AGENT_MONITOR_WORKFLOW = 'agentMonitor';

/** Workflow id of an agent's monitor: one durable monitor per agent and task queue, running on that queue. */
export function monitorWorkflowId(agent: string, taskQueue: string): string {
  return `keel-monitor-${agent}@${taskQueue}`;
}

/** A finished session's summary, as sessions report it to their agent's monitor. */
export type MonitoredSession = SessionSummary & { sessionId: string };

/** Delivers one finished session's summary to the monitor (sent with signal-with-start). */
export const sessionSummarySignal = defineSignal<[MonitoredSession]>('sessionSummary');

/** What `keel alerts` shows of a monitor. */
export interface MonitorStatus {
  agent: string;
  sessionsObserved: number;
  /** The most recent alerts, newest last (at most {@link KEPT_ALERTS}); `score` alerts come from judge scores. */
  alerts: Array<(DriftAlert | ScoreDriftAlert) & { sessionId: string; atMs: number }>;
  /** Judge scores observed (sessions sampled and scored by the online evaluation). */
  scoresObserved?: number;
}

/** The monitor's status and recent alerts. */
export const monitorStatusQuery = defineQuery<MonitorStatus>('monitorStatus');

/** Alerts kept in a monitor's state for `keel alerts`. */
export const KEPT_ALERTS = 100;

/** A judged session's scores, as the online evaluation reports them to the agent's monitor. */
export interface ScoredSession {
  sessionId: string;
  rubricId: string;
  /** Overall judge score on 0..1. */
  overall: number;
  /** Each dimension's score on 0..1. */
  dimensions: Record<string, number>;
  /** Options of the monitor's score drift detector, used when it sees its first score. @default the detector's defaults */
  detector?: MonitorScoreOptions;
}

/**
 * Delivers one judged session's scores to its agent's monitor (sent with signal-with-start), which
 * watches them for drift: a drop in quality alerts like a rise in cost. A repeated delivery of the
 * same session and rubric is ignored.
 */
export const sessionScoreSignal = defineSignal<[ScoredSession]>('sessionScore');

/** Options of the monitor's score drift detector, for the monitor's input. */
export type MonitorScoreOptions = Partial<ScoreDriftOptions>;

/** Workflow type of the online evaluation (one run samples, judges, stores and queues; a Schedule repeats it). */
export const SESSION_EVALUATION_WORKFLOW = 'sessionEvaluation';

/** Id of the Schedule that runs the online evaluation of a task queue unless another is given. */
export function evaluationScheduleId(taskQueue: string): string {
  return `keel-evaluation@${taskQueue}`;
}
