import { z } from 'zod';
import { LimitsSchema } from './limits';
import { DecisionKindSchema } from './decision-statement';
import { TraceEventSchema } from './trace-schema';
import type { PendingApproval } from './approval';
import type { PendingEscalation, SessionResult, SessionStatus, SessionTrace, SessionUsage } from './session';

/**
 * Zod schemas of what sessions answer (status, trace, result, decision answers), so that the JSON
 * Schemas shipped for other languages come from one source. The TypeScript types in `session.ts`
 * stay the readable reference; the checks at the end of this file keep the two in step.
 */

export const SessionUsageSchema = z.object({
  modelCalls: z.number().int(),
  toolCalls: z.number().int(),
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  cacheReadTokens: z.number().int(),
  cacheWriteTokens: z.number().int(),
  elapsedMs: z.number(),
  costUsd: z.number(),
  scopeViolations: z.number().int(),
});

export const PendingApprovalSchema = z.object({
  requestId: z.string(),
  tool: z.string(),
  input: z.record(z.string(), z.unknown()),
  digest: z.string().describe('SHA-256 (hex) of the canonical JSON of the validated input: sign it in the statement'),
  reason: z.string().describe("the agent's reason: the model's own words, not verified"),
  requestedAtMs: z.number(),
  timeoutMs: z.number(),
  approvals: z.object({ required: z.number().int(), by: z.array(z.string()) }).optional().describe('quorum: how many distinct approvers, and who approved so far'),
  provenance: z
    .record(z.string(), z.string())
    .optional()
    .describe("where each sensitive argument came from: user, instructions, tool:<name> (trusted), untrusted:<name>, model (found in none)"),
  sessionId: z.string().optional().describe("in an orchestration's status: the child session the request belongs to"),
});

export const PendingEscalationSchema = z.object({
  requestId: z.string().optional(),
  limit: z.string(),
  detail: z.string(),
  sinceMs: z.number(),
  timeoutMs: z.number(),
  sessionId: z.string().optional(),
});

const StateSchema = z.enum(['starting', 'running', 'escalated', 'awaiting_approval', 'completed', 'breaker_tripped', 'fallback', 'invalid_output', 'guardrail_blocked', 'failed']);
const OutcomeSchema = z.enum(['completed', 'breaker_tripped', 'fallback', 'invalid_output', 'guardrail_blocked', 'failed']);

/** Answer of the `status` query. */
export const SessionStatusSchema = z.object({
  sessionId: z.string(),
  agent: z.string(),
  tenant: z.string(),
  state: StateSchema,
  usage: SessionUsageSchema,
  limits: LimitsSchema.required(),
  escalation: PendingEscalationSchema.nullable(),
  pendingApprovals: z.array(PendingApprovalSchema),
  run: z.number().int(),
  execution: z.string().optional().describe('the first run id: decision statements name it as "execution"'),
  refusedDecisions: z.number().int().optional(),
  approvers: z.array(z.string()).optional().describe('who may decide (identities, role:NAME); absent when any key trusted for the tenant may'),
  source: z.enum(['query', 'memo']).optional().describe('query: from a live worker; memo: the snapshot kept in the memo when no worker answered'),
  asOfMs: z.number().optional(),
  omittedApprovals: z.number().int().optional(),
});

/** The result of an `agentSession` workflow. */
export const SessionResultSchema = z.object({
  sessionId: z.string(),
  agent: z.string(),
  outcome: OutcomeSchema,
  output: z.string().nullable(),
  data: z.unknown().optional(),
  usage: SessionUsageSchema,
  breaker: z
    .object({ limit: z.string(), detail: z.string(), resolution: z.enum(['aborted', 'timeout']), approver: z.string().optional() })
    .optional(),
  error: z.object({ type: z.string(), message: z.string() }).optional(),
  transcriptRef: z.string().nullable(),
  parentSessionId: z.string().optional(),
});

/** Answer of the `trace` query. */
export const SessionTraceSchema = z.object({
  sessionId: z.string(),
  agent: z.string(),
  events: z.array(TraceEventSchema),
  earlierRuns: z.array(z.string()),
});

/** What an accepted decision update answers (a refused one fails with `DecisionRefusedError`). */
export const DecisionAcceptedSchema = z.object({
  accepted: z.literal(true),
  sessionId: z.string(),
  requestId: z.string(),
  decision: DecisionKindSchema,
  approver: z.string(),
});

// The same type exactly: a field added, dropped or changed on one side only fails to compile here.
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const inStep: [
  Same<z.output<typeof SessionUsageSchema>, SessionUsage>,
  Same<z.output<typeof PendingApprovalSchema>, PendingApproval>,
  Same<z.output<typeof PendingEscalationSchema>, PendingEscalation>,
  Same<z.output<typeof SessionStatusSchema>, SessionStatus>,
  Same<z.output<typeof SessionResultSchema>, SessionResult>,
  Same<z.output<typeof SessionTraceSchema>['earlierRuns'], SessionTrace['earlierRuns']>,
] = [true, true, true, true, true, true];
void inStep;
