/**
 * Failure types of Keel, as they appear as `ApplicationFailure.type` in Temporal's history and in
 * `SessionResult.error.type`. Each names a failure a caller can act on.
 */
export const FailureType = {
  /** The session request does not satisfy its schema (not retryable: fix the request). */
  InvalidSessionRequest: 'InvalidSessionRequestError',
  /** No agent of that name is registered on the worker (not retryable). */
  UnknownAgent: 'UnknownAgentError',
  /** The model rejected the request (a 4xx other than 408/409/429; not retryable). */
  ModelRequest: 'ModelRequestError',
  /** The model is rate-limited (429), overloaded (529), failing (5xx) or unreachable (retried). */
  ModelUnavailable: 'ModelUnavailableError',
  /** The agent's final answer failed its output schema after every repair turn (outcome `invalid_output`). */
  InvalidOutput: 'InvalidOutputError',
  /** A transcript or content reference that the store does not hold. */
  ContentNotFound: 'ContentNotFoundError',
  /** A write_critical call reached a worker without an approval for its exact input (never run). */
  UnapprovedCriticalCall: 'UnapprovedCriticalCallError',
  /** An agent with write_critical tools was started without approvers and declares no automatic approval (not retryable). */
  ApproversRequired: 'ApproversRequiredError',
  /** A decision (approve, reject, resolveEscalation) was refused: the message says why (not retryable). */
  DecisionRefused: 'DecisionRefusedError',
  /** Another attempt holds the idempotency claim of this call; retried after its lease. */
  IdempotencyClaimHeld: 'IdempotencyClaimHeldError',
  /** A tool failed with a transient error (retried, then given to the model). */
  ToolTransient: 'ToolTransientError',
  /** A content guardrail blocked the final answer (outcome `guardrail_blocked`): the message names what it found. */
  GuardrailBlocked: 'GuardrailBlockedError',
  /** A pipeline that fails validation (a cycle, an unknown node, agent or field): nothing ran (not retryable). */
  InvalidPipeline: 'PipelineValidationError',
  /** A message between agents failed its contract after every re-plan (orchestration outcome `invalid_message`). */
  InvalidMessage: 'InvalidMessageError',
  /** An orchestration's child failed beyond repair and nobody resumed it (outcome `failed`). */
  ChildFailed: 'ChildSessionFailedError',
  /** An orchestration's budget cannot fund its next child (outcome `breaker_tripped`). */
  BudgetExhausted: 'BudgetExhaustedError',
  /** The evaluation request does not satisfy its schema (not retryable: fix the schedule's arguments). */
  InvalidEvaluationRequest: 'InvalidEvaluationRequestError',
  /** The judge's answer was not a valid verdict after every repair turn (not retryable; that session is reported as failed). */
  InvalidVerdict: 'InvalidVerdictError',
  /** The trace store has no archived trace of the session to judge (not retryable). */
  TraceNotFound: 'TraceNotFoundError',
  /** The worker has no database, so it keeps no traces or scores to evaluate (not retryable: give the worker a database). */
  EvaluationUnavailable: 'EvaluationUnavailableError',
} as const;

/** One of Keel's failure types. */
export type FailureTypeName = (typeof FailureType)[keyof typeof FailureType];
