export {
  DecisionRefusedError,
  InvalidEvaluationRequestError,
  InvalidSessionRequestError,
  KeelClient,
  SessionFailedError,
  SessionHandle,
  type OrchestrationHandle,
  type EvaluationScheduleOptions,
  type DecisionOptions,
  type KeelClientOptions,
} from './keel-client';
export {
  ApproverKeyError,
  createApproverKey,
  readApproverKey,
  signDecision,
  trustApproverKey,
  writeApproverKey,
  type ApproverKeyFile,
  type CreatedApproverKey,
} from './approver-key';
export type { DecisionAccepted } from '../workflows/api';
export type { DecisionClaimsInput, DecisionEnvelope, TrustedKey } from '../core/decision-statement';
export {
  formatReplayReport,
  replaySession,
  SessionNotFoundError,
  type ReplayReport,
  type ReplaySessionOptions,
  type RunReplay,
} from './session-replay';
export type { SessionRequestInput, SessionResult, SessionStatus, SessionTrace } from '../core/session';
export type { EvaluationReport, EvaluationRequestInput } from '../core/evaluation';
