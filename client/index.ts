export {
  DecisionRefusedError,
  InvalidEvaluationRequestError,
  InvalidSessionRequestError,
  KeelClient,
  SessionFailedError,
  SessionHandle,
  TemporalUnreachableError,
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
export type { SessionRequestInput, SessionResult, SessionStatus, SessionTrace } from '../core/session';
export type { EvaluationReport, EvaluationRequestInput } from '../core/evaluation';
export {
  DeploymentNotFoundError,
  RolloutConflictError,
  RolloutError,
  RolloutRefusedError,
  TaskQueuesMissingError,
  VersionNotFoundError,
  WorkerRollout,
  type DeploymentStatus,
  type DeploymentVersionStatus,
  type RoutingChangeOptions,
} from './worker-rollout';
export { InvalidWorkerDeploymentError, type KeelWorkerDeployment, type KeelVersioningBehavior } from '../core/worker-deployment';
