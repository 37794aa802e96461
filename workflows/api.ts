import { defineQuery, defineSignal, type Sinks } from '@temporalio/workflow';
import type { SessionMetricEvent } from '../core/session-metrics';
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
