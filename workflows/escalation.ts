import { setCurrentDetails } from '@temporalio/workflow';
import { approverLabel } from '../core/approval';
import { checkBreaker, grantExtraBudget, recordPause, type BreakerTrip } from '../core/breaker';
import type { BreakerResolution, SessionResult } from '../core/session';
import { escalationResolvedEvent, type EscalationDecision } from './human-gate';
import { finish } from './session-end';
import { keelMetrics, type Session } from './session-state';
import { awaitingEscalationDetails } from './waiting-details';

/**
 * Pauses the session for a person's `resolveEscalation` on `limit` (time waiting is not counted);
 * null when nobody decided in time.
 */
export async function awaitHuman(s: Session, limit: string, detail: string): Promise<EscalationDecision | null> {
  const { request } = s;
  const decision = await s.human.escalate(limit, detail, request.escalation.timeoutMs, {
    opened: (escalation, verified) => {
      s.setState('escalated');
      if (verified) setCurrentDetails(awaitingEscalationDetails(s.sessionId, escalation, request.approvers?.map(approverLabel)));
    },
    closed: (sinceMs, verified) => {
      if (verified) setCurrentDetails('');
      recordPause(s.breaker, Date.now() - sinceMs);
    },
  });
  keelMetrics.record({ kind: 'escalation_resolved', agent: request.agent, action: decision ? decision.action : 'timeout' });
  s.trace.push(escalationResolvedEvent(decision));
  return decision;
}

/** Waits for a person after a trip. Returns a result when the session ends, null when it resumes. */
async function escalate(s: Session, trip: BreakerTrip): Promise<SessionResult | null> {
  s.trace.push({ type: 'breaker_tripped', atMs: Date.now(), ...trip });
  keelMetrics.record({ kind: 'breaker_tripped', agent: s.request.agent, limit: trip.limit });
  const decision = await awaitHuman(s, trip.limit, trip.detail);
  if (!decision) {
    const breakerEnd: BreakerResolution = { ...trip, resolution: 'timeout' };
    const fallback = s.request.escalation.fallback;
    return fallback.action === 'answer' ? finish(s, 'fallback', { output: fallback.text, breaker: breakerEnd }) : finish(s, 'breaker_tripped', { breaker: breakerEnd });
  }
  if (decision.action === 'abort') {
    return finish(s, 'breaker_tripped', { breaker: { ...trip, resolution: 'aborted', approver: decision.approver } });
  }
  grantExtraBudget(s.breaker, decision.extraBudget ?? {}, Date.now());
  s.setState('running');
  return null;
}

/** Checks the breaker before a step until it lets the step run; a result means the session ended. */
export async function guardStep(s: Session, next: 'model' | 'tool'): Promise<SessionResult | null> {
  for (;;) {
    const trip = checkBreaker(s.breaker, next, Date.now());
    if (!trip) return null;
    const ended = await escalate(s, trip);
    if (ended) return ended;
  }
}
