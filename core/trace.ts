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
      /** Served from the session's tool-result cache: no activity ran. */
      cacheHit?: boolean;
      ok: boolean;
      error?: { kind: string; message: string };
      outputRef?: string;
      outputBytes: number;
      outputPreview: string;
      latencyMs: number;
    }
  | { type: 'approval_requested'; atMs: number; requestId: string; tool: string; input: unknown; digest: string; reason: string }
  | { type: 'approval_decided'; atMs: number; requestId: string; tool: string; decision: 'approved' | 'rejected' | 'timeout'; approver?: string; note?: string }
  | { type: 'scope_violation'; atMs: number; tool: string; input: unknown; message: string }
  | { type: 'output_rejected'; atMs: number; issues: string; repairTurn: number }
  | { type: 'breaker_tripped'; atMs: number; limit: string; detail: string }
  | {
      type: 'escalation_resolved';
      atMs: number;
      approver?: string;
      action: 'resume' | 'abort' | 'timeout';
      extraBudget?: Record<string, number | undefined>;
      note?: string;
    }
  | { type: 'signal_refused'; atMs: number; signal: string; approver: string; reason: string }
  | { type: 'continued_as_new'; atMs: number; run: number; historyEvents: number }
  | { type: 'session_ended'; atMs: number; outcome: string; error?: { type: string; message: string } };
