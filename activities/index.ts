export { ModelClient, toModelFailure, type ModelEndpoint } from './model';
export { createSessionActivities, type SessionActivities, type SessionActivityDeps } from './session-activities';
export { DEFAULT_CONTEXT_WINDOW, loadTranscript, type ContextWindow, type StoredMessage } from './transcript';
export {
  createEvaluationActivities,
  InvalidVerdictError,
  judgeWithModel,
  sessionInput,
  type EvaluationActivities,
  type EvaluationActivityDeps,
  type EvaluationSample,
  type JudgeResult,
} from './evaluation-activities';
export { createApproverKeyActivities, type ApproverKeyActivities, type ApproverKeysInput } from './approver-keys';
