import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { ResolveEscalation, SessionStatus, SessionTrace } from '../core/session';

/** Workflow type of an agent session. */
export const AGENT_SESSION_WORKFLOW = 'agentSession';

/** Resolves a tripped circuit breaker: `resume` (with extra budget) or `abort`. */
export const resolveEscalationSignal = defineSignal<[ResolveEscalation]>('resolveEscalation');

/** The session's state, usage against limits and pending escalation. */
export const statusQuery = defineQuery<SessionStatus>('status');

/** The session's trace: every model call, tool call, breaker event and decision. */
export const traceQuery = defineQuery<SessionTrace>('trace');
