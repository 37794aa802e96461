import type { GuardrailVerdict } from './guardrails/policy';
/**
 * One event of a session trace. Events are compact (content goes by reference) so that the trace
 * can live in workflow state; field names follow the OpenTelemetry GenAI conventions where one exists.
 */
export type TraceEvent =
  | {
      type: 'model_call';
      atMs: number;
      'gen_ai.request.model': string;
      'gen_ai.response.model': string;
      'gen_ai.usage.input_tokens': number;
      'gen_ai.usage.output_tokens': number;
      'gen_ai.usage.cache_read_input_tokens'?: number;
      'gen_ai.usage.cache_creation_input_tokens'?: number;
      'gen_ai.response.finish_reasons': string[];
      latencyMs: number;
      costUsd: number;
      toolCalls: string[];
      /** Why this model took the step, when the agent routes its steps. */
      routing?: { tier: 'small' | 'frontier' | 'pinned'; reason: string };
    }
  | {
      type: 'tool_call';
      atMs: number;
      'gen_ai.tool.name': string;
      'gen_ai.tool.call.id': string;
      tier?: string;
      input: unknown;
      idempotencyKey?: string;
      /** The intent had been applied before; the stored result was returned. */
      replayed?: boolean;
      /** Served from a tool-result cache: the tool did not run. */
      cacheHit?: boolean;
      /** Which cache served it: `session` (workflow state, no activity ran) or `shared` (the store, one lookup activity). */
      cache?: 'session' | 'shared';
      ok: boolean;
      error?: { kind: string; message: string };
      outputRef?: string;
      outputBytes: number;
      outputPreview: string;
      latencyMs: number;
    }
  | { type: 'approval_requested'; atMs: number; requestId: string; tool: string; input: unknown; digest: string; reason: string }
  | {
      type: 'approval_decided';
      atMs: number;
      requestId: string;
      tool: string;
      decision: 'approved' | 'rejected' | 'timeout';
      /** The verified approver (from the signed statement). */
      approver?: string;
      roles?: string[];
      /** Id of the key that signed the statement. */
      kid?: string;
      /** The Temporal identity the decision came with, as the sender reported it (a claim). */
      sender?: string;
      /** How it arrived: a signal or an update. */
      via?: 'signal' | 'update';
      note?: string;
      /** For a tool that needs several approvers: this approval's count, e.g. `1 of 2` (the call runs at `2 of 2`). */
      quorum?: string;
    }
  | { type: 'scope_violation'; atMs: number; tool: string; input: unknown; message: string }
  | { type: 'output_rejected'; atMs: number; issues: string; repairTurn: number }
  | { type: 'breaker_tripped'; atMs: number; limit: string; detail: string }
  | {
      type: 'escalation_resolved';
      atMs: number;
      approver?: string;
      roles?: string[];
      kid?: string;
      sender?: string;
      via?: 'signal' | 'update';
      action: 'resume' | 'abort' | 'timeout';
      extraBudget?: Record<string, number | undefined>;
      note?: string;
    }
  /** A decision that was refused (bounded: the first of a run are kept, the rest counted in `refusedDecisions`). */
  | { type: 'signal_refused'; atMs: number; signal: string; approver: string; reason: string; sender?: string }
  | { type: 'continued_as_new'; atMs: number; run: number; historyEvents: number }
  | { type: 'session_ended'; atMs: number; outcome: string; error?: { type: string; message: string } }
  /** A content guardrail's verdict on a tool output or a final answer: what it found and what was done. */
  | ({ type: 'guardrail_verdict'; atMs: number } & GuardrailVerdict)
  /** An orchestration started a child session (its trace is the child's own). */
  | { type: 'child_started'; atMs: number; sessionId: string; agent: string; role: string; attempt: number; limits: Record<string, number> }
  | { type: 'child_ended'; atMs: number; sessionId: string; agent: string; role: string; outcome: string; costUsd: number; error?: { type: string; message: string } }
  /** A message between agents failed its contract: a failure of its sender. */
  | { type: 'message_rejected'; atMs: number; from: string; role: string; issues: string }
  /** An orchestration passed a decision on to the child it belongs to. */
  | { type: 'signal_forwarded'; atMs: number; signal: string; to: string; approver: string; requestId?: string }
  /** An orchestration waits for a human: a child failed beyond repair, or the budget is spent. */
  | { type: 'orchestration_escalated'; atMs: number; reason: 'child_failed' | 'budget_exhausted'; detail: string };
