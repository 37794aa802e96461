/**
 * What the session workflow reports to metrics, through the SDK's sink mechanism (not called during
 * replay, so a replayed session is never counted twice).
 */
export type SessionMetricEvent =
  | {
      kind: 'session_ended';
      agent: string;
      model: string;
      outcome: string;
      toolCalls: number;
      tokens: number;
      costUsd: number;
      durationMs: number;
    }
  /**
   * A session that failed when it started, before its first step (it throws right after): counted in
   * `keel_sessions_total` with the reason as outcome; `agent` is "(none)" unless the agent is known.
   */
  | { kind: 'session_failed_at_start'; agent: string; reason: 'invalid_request' | 'unknown_agent' | 'approvers_required' }
  | { kind: 'breaker_tripped'; agent: string; limit: string }
  | { kind: 'escalation_resolved'; agent: string; action: string }
  | { kind: 'approval_decided'; agent: string; tool: string; decision: string }
  /** A decision (approve, reject, resolveEscalation) refused: unsigned, wrongly signed, not an approver, stale... */
  | { kind: 'decision_refused'; agent: string; decision: string; via: 'signal' | 'update' }
  /** A tool call served from the session's tool-result cache (shared hits are counted by the worker that looked them up). */
  | { kind: 'tool_cache_hit'; agent: string; tool: string; level: 'session' };
