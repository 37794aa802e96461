import { defineQuery, defineSignal, type Sinks } from '@temporalio/workflow';
import type { SessionMetricEvent } from '../core/session-metrics';
import type { DriftAlert, SessionSummary } from '../core/drift-detector';
import type { Approve, Reject } from '../core/approval';
import type { ResolveEscalation, SessionStatus, SessionTrace } from '../core/session';

/** Workflow type of an agent session. */
export const AGENT_SESSION_WORKFLOW = 'agentSession';

/** Resolves a tripped circuit breaker: `resume` (with extra budget) or `abort`. */
export const resolveEscalationSignal = defineSignal<[ResolveEscalation]>('resolveEscalation');

/** Approves one pending write_critical call, by its request id (and optionally its input digest). */
export const approveSignal = defineSignal<[Approve]>('approve');

/** Rejects one pending write_critical call; the model is told why. */
export const rejectSignal = defineSignal<[Reject]>('reject');

/** The session's state, usage against limits and pending escalation. */
export const statusQuery = defineQuery<SessionStatus>('status');

/** The session's trace: every model call, tool call, breaker event and decision. */
export const traceQuery = defineQuery<SessionTrace>('trace');

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
  /** The most recent alerts, newest last (at most {@link KEPT_ALERTS}). */
  alerts: Array<DriftAlert & { sessionId: string; atMs: number }>;
}

/** The monitor's status and recent alerts. */
export const monitorStatusQuery = defineQuery<MonitorStatus>('monitorStatus');

/** Alerts kept in a monitor's state for `keel alerts`. */
export const KEPT_ALERTS = 100;
