import { proxyActivities, proxyLocalActivities, type ActivityOptions } from '@temporalio/workflow';
import type { ApproverKeyActivities } from '../activities/approver-keys';
import type { SessionActivities } from '../activities/session-activities';
import { FailureType } from '../core/errors';
import { LOST_CALL_ATTEMPTS, TimeoutsSchema, type SessionRequest } from '../core/session';
import type { RunPatches } from './session-patches';

// The activities of sessions and orchestrations, created once when the workflow module loads, with
// timeout presets named for what they guard. Every value below is what recorded histories carry in
// their ScheduleActivityTask commands: change one only for new sessions, knowing old ones keep theirs.

type SessionTimeouts = SessionRequest['timeouts'];

/**
 * A model call (the agent's turn, or a judge model reading a held tool output): the session
 * request's timeouts; the model's own failures stop at `modelMaxAttempts` (see the callModel
 * activity), attempts lost with a worker are retried beyond it.
 */
export function modelCall(timeouts: SessionTimeouts): ActivityOptions {
  return {
    startToCloseTimeout: timeouts.modelCallMs,
    heartbeatTimeout: timeouts.modelHeartbeatMs,
    retry: {
      initialInterval: timeouts.modelRetryInitialMs,
      backoffCoefficient: 2,
      maximumInterval: 30_000,
      maximumAttempts: timeouts.modelMaxAttempts + LOST_CALL_ATTEMPTS,
      nonRetryableErrorTypes: [FailureType.ModelRequest, FailureType.ContentNotFound],
    },
  };
}

/**
 * A tool call: the session request's timeouts; the tool's own transient failures stop at
 * `toolMaxAttempts` (see the runTool activity), attempts lost with a worker go beyond.
 */
export function toolCall(timeouts: SessionTimeouts): ActivityOptions {
  return {
    startToCloseTimeout: timeouts.toolCallMs,
    heartbeatTimeout: timeouts.toolHeartbeatMs,
    retry: { initialInterval: 1000, backoffCoefficient: 2, maximumInterval: 30_000, maximumAttempts: timeouts.toolMaxAttempts + LOST_CALL_ATTEMPTS },
  };
}

/** Reading the agent's registration on the worker: an unknown agent is final. */
const agentLookup: ActivityOptions = { startToCloseTimeout: 30_000, retry: { maximumAttempts: 5, nonRetryableErrorTypes: [FailureType.UnknownAgent] } };
/** The checks before a proposed call runs: its input against the tool's schema, where its arguments come from. */
const toolCheck: ActivityOptions = { startToCloseTimeout: 30_000, retry: { maximumAttempts: 5, nonRetryableErrorTypes: [FailureType.UnknownAgent] } };
/** Screening the final answer with the content guardrails (a judge model may be asked; 30 s bounds it). */
const screening: ActivityOptions = { startToCloseTimeout: 30_000, retry: { maximumAttempts: 5, nonRetryableErrorTypes: [FailureType.UnknownAgent] } };
/** Writing a session's trace to the content and trace stores. */
const traceArchive: ActivityOptions = { startToCloseTimeout: 30_000, retry: { maximumAttempts: 5, nonRetryableErrorTypes: [FailureType.UnknownAgent] } };
/** Loading the tenant's approver keys before a person's decision is awaited. */
const approverKeyLoad: ActivityOptions = { startToCloseTimeout: 30_000, retry: { initialInterval: 1000, backoffCoefficient: 2, maximumInterval: 30_000 } };

/** The session request's timeouts when it names none: the presets of the request-bound proxies. */
const DEFAULT_TIMEOUTS = TimeoutsSchema.parse({});

/** Model calls; each call sets its request's timeouts and a summary naming the model. */
export const modelActivities = proxyActivities<Pick<SessionActivities, 'callModel' | 'judgeToolOutput'>>(modelCall(DEFAULT_TIMEOUTS));
/** Tool calls; each call sets its request's timeouts and a summary naming the tool. */
export const toolActivities = proxyActivities<Pick<SessionActivities, 'runTool'>>(toolCall(DEFAULT_TIMEOUTS));
/** The agent's descriptor (summary: the agent's name); orchestrations and sessions recorded before {@link LOCAL_BOOKKEEPING_PATCH}. */
export const agentLookupActivities = proxyActivities<Pick<SessionActivities, 'describeAgent'>>(agentLookup);
/** Validation and information flow of a proposed call (summary: the tool's name). */
export const toolCheckActivities = proxyActivities<Pick<SessionActivities, 'prepareToolCall' | 'traceArgumentProvenance'>>(toolCheck);
/** The final-answer guardrails (sessions recorded before {@link LOCAL_BOOKKEEPING_PATCH}). */
const { checkFinalAnswer } = proxyActivities<Pick<SessionActivities, 'checkFinalAnswer'>>({ ...screening, summary: 'guardrails on the final answer' });
/** A finished run's trace segment (summary: the run). */
export const traceArchiveActivities = proxyActivities<Pick<SessionActivities, 'storeTraceSegment'>>(traceArchive);
/** A session's end: its archived trace and summary (sessions recorded before {@link LOCAL_BOOKKEEPING_PATCH}). */
const { recordSessionEnd } = proxyActivities<Pick<SessionActivities, 'recordSessionEnd'>>({ ...traceArchive, summary: 'record session end' });

/**
 * Patch id: sessions recorded before it ran their bookkeeping (the agent's descriptor, the
 * final-answer guardrails, the record of the end) as activities scheduled through the server.
 */
export const LOCAL_BOOKKEEPING_PATCH = 'local-bookkeeping';

/** A session's bookkeeping around its model and tool calls. */
export interface SessionBookkeeping {
  /** The agent's descriptor; the summary names the agent. */
  describeAgent(agent: string, tenant: string): ReturnType<SessionActivities['describeAgent']>;
  checkFinalAnswer: SessionActivities['checkFinalAnswer'];
  recordSessionEnd: SessionActivities['recordSessionEnd'];
}

const localAgentLookup = proxyLocalActivities<Pick<SessionActivities, 'describeAgent'>>(agentLookup);
const localScreening = proxyLocalActivities<Pick<SessionActivities, 'checkFinalAnswer'>>({ ...screening, summary: 'guardrails on the final answer' });
const localSessionEnd = proxyLocalActivities<Pick<SessionActivities, 'recordSessionEnd'>>({ ...traceArchive, summary: 'record session end' });
const localBookkeeping: SessionBookkeeping = {
  describeAgent: (agent, tenant) => localAgentLookup.describeAgent.executeWithOptions({ summary: `agent ${agent}` }, [agent, tenant]),
  checkFinalAnswer: (input) => localScreening.checkFinalAnswer(input),
  recordSessionEnd: (input) => localSessionEnd.recordSessionEnd(input),
};
const scheduledBookkeeping: SessionBookkeeping = {
  describeAgent: (agent, tenant) => agentLookupActivities.describeAgent.executeWithOptions({ summary: `agent ${agent}` }, [agent, tenant]),
  checkFinalAnswer,
  recordSessionEnd,
};

/**
 * Since the baseline: the agent's descriptor and the final-answer guardrails scheduled through the
 * server, the record of the end a local activity. Only a local activity whose continuation reads
 * nothing of its workflow task (clock, history length, patches, signals not yet handled) is safe
 * against a query answered while it runs (see `SESSION_BASELINE_PATCH`); after the record of the
 * end the session only returns.
 */
const baselineBookkeeping: SessionBookkeeping = { describeAgent: scheduledBookkeeping.describeAgent, checkFinalAnswer, recordSessionEnd: localBookkeeping.recordSessionEnd };

/**
 * The session's bookkeeping. Runs that recorded the baseline: {@link baselineBookkeeping}. Runs
 * recorded between {@link LOCAL_BOOKKEEPING_PATCH} and the baseline ran all three as local
 * activities (run by the worker within the session's workflow task), earlier runs as scheduled
 * activities; each replays as recorded.
 */
export function sessionBookkeeping(patches: RunPatches): SessionBookkeeping {
  if (patches.baseline) return baselineBookkeeping;
  return patches.has(LOCAL_BOOKKEEPING_PATCH) ? localBookkeeping : scheduledBookkeeping;
}
/** An orchestration's end (it always waited a minute for it). */
export const { recordSessionEnd: recordOrchestrationEnd } = proxyActivities<Pick<SessionActivities, 'recordSessionEnd'>>({
  ...traceArchive,
  startToCloseTimeout: 60_000,
  summary: 'record orchestration end',
});
/** A session's approver keys, retried with backoff. */
export const { approverKeys: sessionApproverKeys } = proxyActivities<ApproverKeyActivities>({ ...approverKeyLoad, summary: 'approver keys' });
/**
 * A session's approver keys reloaded for a decision that has just arrived, as a local activity: runs
 * recorded before the baseline (see `SESSION_BASELINE_PATCH`) replay it; later runs schedule {@link sessionApproverKeys}.
 */
export const { approverKeys: sessionApproverKeysForDecision } = proxyLocalActivities<ApproverKeyActivities>({ ...approverKeyLoad, summary: 'approver keys for a decision' });
/** An orchestration's approver keys (recorded with the SDK's default retry policy). */
export const { approverKeys: orchestrationApproverKeys } = proxyActivities<ApproverKeyActivities>({ startToCloseTimeout: 30_000, summary: 'approver keys' });
