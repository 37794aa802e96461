import { z } from 'zod';
import type { GuardrailVerdict } from './guardrails/policy';

const at = { atMs: z.number() };
const error = z.object({ kind: z.string(), message: z.string() });

/**
 * One event of a session trace, the single definition of its shape ({@link TraceEvent} is its type).
 * Events are compact (content goes by reference) so that the trace can live in workflow state; field
 * names follow the OpenTelemetry GenAI conventions where one exists. Exports are validated against it.
 */
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
    /** Why this model took the step, when the agent routes its steps. */
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
    /** The intent had been applied before; the stored result was returned. */
    replayed: z.boolean().optional(),
    /** Served from a tool-result cache: the tool did not run. */
    cacheHit: z.boolean().optional(),
    /** Which cache served it: `session` (workflow state, no activity ran) or `shared` (the store, one lookup activity). */
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
    /** The verified approver (from the signed statement). */
    approver: z.string().optional(),
    roles: z.array(z.string()).optional(),
    /** Id of the key that signed the statement. */
    kid: z.string().optional(),
    /** The Temporal identity the decision came with, as the sender reported it (a claim). */
    sender: z.string().optional(),
    /** How it arrived: a signal or an update. */
    via: z.enum(['signal', 'update']).optional(),
    note: z.string().optional(),
    /** For a tool that needs several approvers: this approval's count, e.g. `1 of 2` (the call runs at `2 of 2`). */
    quorum: z.string().optional(),
  }),
  z.object({ type: z.literal('scope_violation'), ...at, tool: z.string(), input: z.unknown(), message: z.string() }),
  z.object({ type: z.literal('output_rejected'), ...at, issues: z.string(), repairTurn: z.number().int() }),
  z.object({ type: z.literal('breaker_tripped'), ...at, limit: z.string(), detail: z.string() }),
  z.object({
    type: z.literal('escalation_resolved'),
    ...at,
    approver: z.string().optional(),
    roles: z.array(z.string()).optional(),
    kid: z.string().optional(),
    sender: z.string().optional(),
    via: z.enum(['signal', 'update']).optional(),
    action: z.enum(['resume', 'abort', 'timeout']),
    extraBudget: z.record(z.string(), z.number().optional()).optional(),
    note: z.string().optional(),
  }),
  /** A decision that was refused (bounded: the first of a run are kept, the rest counted in `refusedDecisions`). */
  z.object({ type: z.literal('signal_refused'), ...at, signal: z.string(), approver: z.string(), reason: z.string(), sender: z.string().optional() }),
  z.object({ type: z.literal('continued_as_new'), ...at, run: z.number().int(), historyEvents: z.number().int() }),
  z.object({ type: z.literal('session_ended'), ...at, outcome: z.string(), error: z.object({ type: z.string(), message: z.string() }).optional() }),
  /** A content guardrail's verdict on a tool output or a final answer: what it found and what was done (a `GuardrailVerdict`). */
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
  /** An orchestration started a child session (its trace is the child's own). */
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
  /** A message between agents failed its contract: a failure of its sender. */
  z.object({ type: z.literal('message_rejected'), ...at, from: z.string(), role: z.string(), issues: z.string() }),
  /** An orchestration passed a decision on to the child it belongs to. */
  z.object({ type: z.literal('signal_forwarded'), ...at, signal: z.string(), to: z.string(), approver: z.string(), requestId: z.string().optional() }),
  /** An orchestration waits for a human: a child failed beyond repair, or the budget is spent. */
  z.object({ type: z.literal('orchestration_escalated'), ...at, reason: z.enum(['child_failed', 'budget_exhausted']), detail: z.string() }),
]);

/** One event of a session trace (see {@link TraceEventSchema}, its single definition). */
export type TraceEvent = z.output<typeof TraceEventSchema>;

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Flat<T> = { [K in keyof T]: T[K] };
type Expect<T extends true> = T;
/** Fails to compile unless a `guardrail_verdict` event is exactly a `GuardrailVerdict` (core/guardrails/policy.ts) with `type` and `atMs`. */
export type GuardrailVerdictEventIsExact = Expect<Equal<Flat<Omit<Extract<TraceEvent, { type: 'guardrail_verdict' }>, 'type' | 'atMs'>>, Flat<GuardrailVerdict>>>;

/**
 * Version of the archived trace record's shape, written with every record the trace store saves.
 * Version 1 added the field itself; a record without it is version 0, which has the same fields
 * (test/fixtures/ keeps a record of each older version).
 */
export const TRACE_RECORD_SCHEMA_VERSION = 1;

/** Zod schema of a finished session's archived trace, as `keel trace --format json` exports it. */
export const SessionTraceRecordSchema = z.object({
  /** Version of the record's shape; records archived before versions existed have none and read as 0. */
  schemaVersion: z.union([z.literal(0), z.literal(TRACE_RECORD_SCHEMA_VERSION)]).default(0),
  sessionId: z.string(),
  agent: z.string(),
  tenant: z.string(),
  outcome: z.string(),
  startedAtMs: z.number(),
  endedAtMs: z.number(),
  result: z.record(z.string(), z.unknown()),
  events: z.array(TraceEventSchema),
});

/**
 * A finished session's archived trace. Its `schemaVersion` may be absent (version 0): producers
 * leave it to the trace store, which writes {@link TRACE_RECORD_SCHEMA_VERSION} and reads it back;
 * parsing with {@link SessionTraceRecordSchema} always gives one.
 */
export type SessionTraceRecord = z.input<typeof SessionTraceRecordSchema>;
