export {
  InvalidEvaluationRequestError,
  InvalidSessionRequestError,
  KeelClient,
  SessionFailedError,
  SessionHandle,
  type OrchestrationHandle,
  type EvaluationScheduleOptions,
  type KeelClientOptions,
} from './keel-client';
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
