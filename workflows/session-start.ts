import { ActivityFailure, ApplicationFailure, upsertMemo, upsertSearchAttributes } from '@temporalio/workflow';
import { toolsInScope, type AgentDescriptor } from '../core/agent';
import { FailureType } from '../core/errors';
import { KEEL_SEARCH_ATTRIBUTE_KEYS } from './api';
import { VERIFIED_DECISIONS_PATCH } from './legacy-decisions';
import { sessionBookkeeping } from './session-activities-proxies';
import { keelMetrics, type Session } from './session-state';

/**
 * The first run's start: the session's search attributes and purpose, then the agent's
 * descriptor from the worker. An unknown agent, or write_critical tools with nobody to approve
 * them, fail the session at once with a non-retryable error.
 */
export async function describeSessionAgent(s: Session): Promise<AgentDescriptor> {
  const { request } = s;
  upsertSearchAttributes([
    { key: KEEL_SEARCH_ATTRIBUTE_KEYS.agent, value: request.agent },
    { key: KEEL_SEARCH_ATTRIBUTE_KEYS.tenant, value: request.scope.tenant },
  ]);
  upsertMemo({ purpose: request.input.slice(0, 200) });
  let agent: AgentDescriptor;
  try {
    agent = await sessionBookkeeping(s.patches).describeAgent(request.agent, request.scope.tenant);
  } catch (error) {
    // A scheduled activity's failure comes wrapped in an ActivityFailure, a local activity's as it is.
    const cause = error instanceof ActivityFailure ? error.cause : error;
    if (cause instanceof ApplicationFailure && cause.type === FailureType.UnknownAgent) {
      s.setState('failed');
      keelMetrics.record({ kind: 'session_failed_at_start', agent: '(none)', reason: 'unknown_agent' });
      throw ApplicationFailure.create({ type: FailureType.UnknownAgent, message: cause.message, nonRetryable: true });
    }
    throw error;
  }
  s.agent = agent;
  if (!request.approvers && !agent.automaticApproval && s.patches.has(VERIFIED_DECISIONS_PATCH)) {
    const critical = toolsInScope(agent.tools, request.scope).filter((t) => t.tier === 'write_critical');
    if (critical.length > 0) {
      s.setState('failed');
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
  return agent;
}
