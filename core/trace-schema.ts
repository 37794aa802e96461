import { z } from 'zod';

const at = { atMs: z.number() };
const error = z.object({ kind: z.string(), message: z.string() });

/** Zod schema of one trace event (see `TraceEvent`): exports are validated against it. */
export const TraceEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('model_call'),
    ...at,
    'gen_ai.request.model': z.string(),
    'gen_ai.response.model': z.string(),
    'gen_ai.usage.input_tokens': z.number().int().nonnegative(),
    'gen_ai.usage.output_tokens': z.number().int().nonnegative(),
    'gen_ai.usage.cache_read_input_tokens': z.number().int().nonnegative().optional(),
    'gen_ai.usage.cache_creation_input_tokens': z.number().int().nonnegative().optional(),
    'gen_ai.response.finish_reasons': z.array(z.string()),
    latencyMs: z.number().nonnegative(),
    costUsd: z.number().nonnegative(),
    toolCalls: z.array(z.string()),
    routing: z.object({ tier: z.enum(['small', 'frontier', 'pinned']), reason: z.string() }).optional(),
  }),
  z.object({
    type: z.literal('tool_call'),
    ...at,
    'gen_ai.tool.name': z.string(),
    'gen_ai.tool.call.id': z.string(),
    tier: z.string().optional(),
    input: z.unknown(),
    idempotencyKey: z.string().optional(),
    replayed: z.boolean().optional(),
    cacheHit: z.boolean().optional(),
    cache: z.enum(['session', 'shared']).optional(),
    ok: z.boolean(),
    error: error.optional(),
    outputRef: z.string().optional(),
    outputBytes: z.number().int().nonnegative(),
    outputPreview: z.string(),
    latencyMs: z.number().nonnegative(),
  }),
  z.object({ type: z.literal('approval_requested'), ...at, requestId: z.string(), tool: z.string(), input: z.unknown(), digest: z.string(), reason: z.string() }),
  z.object({
    type: z.literal('approval_decided'),
    ...at,
    requestId: z.string(),
    tool: z.string(),
    decision: z.enum(['approved', 'rejected', 'timeout']),
    approver: z.string().optional(),
    note: z.string().optional(),
  }),
  z.object({ type: z.literal('scope_violation'), ...at, tool: z.string(), input: z.unknown(), message: z.string() }),
  z.object({ type: z.literal('output_rejected'), ...at, issues: z.string(), repairTurn: z.number().int() }),
  z.object({ type: z.literal('breaker_tripped'), ...at, limit: z.string(), detail: z.string() }),
  z.object({
    type: z.literal('escalation_resolved'),
    ...at,
    approver: z.string().optional(),
    action: z.enum(['resume', 'abort', 'timeout']),
    extraBudget: z.record(z.string(), z.number().optional()).optional(),
    note: z.string().optional(),
  }),
  z.object({ type: z.literal('signal_refused'), ...at, signal: z.string(), approver: z.string(), reason: z.string() }),
  z.object({ type: z.literal('continued_as_new'), ...at, run: z.number().int(), historyEvents: z.number().int() }),
  z.object({ type: z.literal('session_ended'), ...at, outcome: z.string(), error: z.object({ type: z.string(), message: z.string() }).optional() }),
  z.object({
    type: z.literal('guardrail_verdict'),
    ...at,
    checkpoint: z.enum(['tool_output', 'final_answer']),
    tool: z.string().optional(),
    category: z.enum(['prompt_injection', 'pii', 'grounding', 'output_schema']).nullable(),
    score: z.number().min(0).max(1),
    action: z.enum(['block', 'redact', 'flag', 'escalate', 'repair', 'judge', 'pass']),
    findings: z.array(
      z.object({
        detector: z.string(),
        category: z.enum(['prompt_injection', 'pii', 'grounding', 'output_schema']),
        kind: z.string(),
        score: z.number(),
        span: z.object({ start: z.number().int(), end: z.number().int() }).optional(),
        message: z.string(),
      }),
    ),
  }),
  z.object({ type: z.literal('child_started'), ...at, sessionId: z.string(), agent: z.string(), role: z.string(), attempt: z.number().int(), limits: z.record(z.string(), z.number()) }),
  z.object({
    type: z.literal('child_ended'),
    ...at,
    sessionId: z.string(),
    agent: z.string(),
    role: z.string(),
    outcome: z.string(),
    costUsd: z.number().nonnegative(),
    error: z.object({ type: z.string(), message: z.string() }).optional(),
  }),
  z.object({ type: z.literal('message_rejected'), ...at, from: z.string(), role: z.string(), issues: z.string() }),
  z.object({ type: z.literal('signal_forwarded'), ...at, signal: z.string(), to: z.string(), approver: z.string(), requestId: z.string().optional() }),
  z.object({ type: z.literal('orchestration_escalated'), ...at, reason: z.enum(['child_failed', 'budget_exhausted']), detail: z.string() }),
]);

/** Zod schema of a finished session's archived trace, as `keel trace --format json` exports it. */
export const SessionTraceRecordSchema = z.object({
  sessionId: z.string(),
  agent: z.string(),
  tenant: z.string(),
  outcome: z.string(),
  startedAtMs: z.number(),
  endedAtMs: z.number(),
  result: z.record(z.string(), z.unknown()),
  events: z.array(TraceEventSchema),
});

/** A finished session's archived trace. */
export type SessionTraceRecord = z.output<typeof SessionTraceRecordSchema>;
