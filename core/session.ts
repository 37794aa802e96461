import { z } from 'zod';
import { ExtraBudgetSchema, LimitsSchema, type Limits } from './limits';
import { ApproversSchema, type PendingApproval } from './approval';
import type { TraceEvent } from './trace';
import { lazySchema } from './lazy-schema';

/** The data a session may touch. It travels to activities out of band, never through the model. */
/** Bounds of a session's scope: every store keys content, effects and caches by it. */
export const SCOPE_LIMITS = { tenantChars: 256, subjects: 1000, subjectChars: 256 } as const;

export const ScopeSchema = lazySchema(() =>
  z.strictObject({
    /** The tenant the session serves. */
    tenant: z.string().min(1).max(SCOPE_LIMITS.tenantChars),
    /** Subjects within the tenant the session may touch (customer ids, account ids, ...). */
    subjects: z.array(z.string().min(1).max(SCOPE_LIMITS.subjectChars)).max(SCOPE_LIMITS.subjects).default([]),
  }),
);
/** A session's scope. */
export type Scope = z.output<typeof ScopeSchema>;

/**
 * Attempts a model or tool call gets beyond its `modelMaxAttempts` / `toolMaxAttempts` for attempts
 * lost with their worker (a heartbeat or start-to-close timeout): those are Keel's infrastructure
 * failing, not the call, so they do not spend the call's own budget; a call that keeps losing its
 * worker (one that crashes it, say) still ends.
 */
export const LOST_CALL_ATTEMPTS = 10;

/** Timeouts and retries of the session's activities. */
export const TimeoutsSchema = lazySchema(() =>
  z.strictObject({
    /** Start-to-close timeout of one model call attempt. @default 120000 */
    modelCallMs: z.number().int().positive().default(120_000),
    /**
     * A model call whose worker stops heartbeating for this long (it heartbeats every 2 s while the
     * request is in flight) is retried on another worker. @default 10000
     */
    modelHeartbeatMs: z.number().int().positive().default(10_000),
    /**
     * Attempts of a model call before the session fails (429, 5xx and network errors are retried);
     * attempts lost with a worker are retried beyond it (up to {@link LOST_CALL_ATTEMPTS} more). @default 5
     */
    modelMaxAttempts: z.number().int().positive().default(5),
    /** First retry delay of a model call, doubled at each attempt up to 30 s. @default 1000 */
    modelRetryInitialMs: z.number().int().positive().default(1000),
    /** Start-to-close timeout of one tool call attempt. @default 60000 */
    toolCallMs: z.number().int().positive().default(60_000),
    /** A tool attempt whose worker stops heartbeating for this long is retried elsewhere. @default 15000 */
    toolHeartbeatMs: z.number().int().positive().default(15_000),
    /**
     * Attempts of a tool call that fails with a transient error; attempts lost with a worker are
     * retried beyond it (up to {@link LOST_CALL_ATTEMPTS} more). @default 3
     */
    toolMaxAttempts: z.number().int().positive().default(3),
  }),
);

/** What happens when an escalation is not resolved in time. */
export const EscalationSchema = lazySchema(() =>
  z.strictObject({
    /** How long a tripped session waits for `resolveEscalation`. @default 3600000 (1 hour) */
    timeoutMs: z.number().int().positive().default(3_600_000),
    /**
     * The fallback when nobody answers: `end` ends the session with outcome `breaker_tripped` and its
     * partial transcript; `answer` ends it with outcome `fallback` and the given text as output.
     * @default { action: 'end' }
     */
    fallback: z
      .discriminatedUnion('action', [
        z.strictObject({ action: z.literal('end') }),
        z.strictObject({ action: z.literal('answer'), text: z.string().min(1) }),
      ])
      .default({ action: 'end' }),
  }),
);

/** The one argument of the `agentSession` workflow. */
export const SessionRequestSchema = lazySchema(() =>
  z.strictObject({
    /** Name of an agent registered on the worker. */
    agent: z.string().min(1),
    /** The user's message that starts the session. */
    input: z.string().min(1),
    scope: ScopeSchema,
    limits: LimitsSchema.default(LimitsSchema.parse({})),
    /**
     * Who may approve write_critical calls and resolve escalations: `{ identity }` or `{ role }`
     * entries (as strings, `role:NAME` is a role, anything else an identity). A decision counts only
     * when its signed statement verifies under a key the deployment trusts for the tenant, and the
     * key holds the identity or role named here. Required when the agent has write_critical tools
     * (unless it declares automatic approval); absent otherwise: any trusted key of the tenant may
     * resolve an escalation.
     */
    approvers: ApproversSchema.optional(),
    /**
     * How old a session's copy of its tenant's approver keys may be when a decision is checked:
     * older keys are reloaded first, so an added or retired key takes effect within this. A waiting
     * session does nothing until a decision comes (no reloads on a timer). @default 300000 (5 minutes)
     */
    approverKeyRefreshMs: z.number().int().min(1000).default(300_000),
    /** How long a write_critical call waits for a decision; then it counts as rejected (`timeout`). @default 3600000 (1 hour) */
    approvalTimeoutMs: z.number().int().positive().default(3_600_000),
    /** Overrides the agent's model for every step (routing off), e.g. `claude-haiku-5-5`. */
    model: z.string().min(1).optional(),
    /**
     * Let the agent's routing policy pick each step's model (small for simple steps, frontier for
     * planning and after failures); false uses the agent's model for every step. @default true
     */
    routing: z.boolean().default(true),
    /** Mark the stable prompt prefix for the provider's prompt cache (cache reads cost a tenth). @default true */
    promptCaching: z.boolean().default(true),
    /**
     * Reuse results of cacheable read tools: within the session and, for tools that opt in, across
     * sessions of the same tenant (the shared cache). False runs every call; a write still invalidates
     * what it declares in the shared cache. @default true
     */
    toolResultCache: z.boolean().default(true),
    /** Max output tokens of one model call. @default 1024 */
    maxOutputTokens: z.number().int().positive().default(1024),
    timeouts: TimeoutsSchema.default(TimeoutsSchema.parse({})),
    escalation: EscalationSchema.default(EscalationSchema.parse({})),
    /**
     * History events after which a run continues as new (keeping transcript, usage and breaker), so a
     * long session stays far below Temporal's limits; Temporal's own suggestion also triggers it.
     * @default 4000
     */
    maxHistoryEventsPerRun: z.number().int().min(200).default(4000),
  }),
);

/** A session request as a caller writes it (defaults optional). */
export type SessionRequestInput = z.input<typeof SessionRequestSchema>;
/** A session request with every default applied. */
export type SessionRequest = z.output<typeof SessionRequestSchema>;

/** Why a request is invalid: the field path and zod's message, for every issue. */
export function describeRequestIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(request)'}: ${issue.message}`)
    .join('; ');
}

/** States a session goes through; also the value of the `KeelState` search attribute. */
export type SessionState =
  | 'starting'
  | 'running'
  | 'escalated'
  | 'awaiting_approval'
  | 'completed'
  | 'breaker_tripped'
  | 'fallback'
  | 'invalid_output'
  | 'guardrail_blocked'
  | 'failed';

/** How a session ended. */
export type SessionOutcome = 'completed' | 'breaker_tripped' | 'fallback' | 'invalid_output' | 'guardrail_blocked' | 'failed';

/** Token, call and time usage of a session. */
export interface SessionUsage {
  modelCalls: number;
  toolCalls: number;
  /** Prompt tokens at the base rate. */
  inputTokens: number;
  outputTokens: number;
  /** Prompt tokens read from the provider's prompt cache. */
  cacheReadTokens: number;
  /** Prompt tokens written to the provider's prompt cache. */
  cacheWriteTokens: number;
  /**
   * Agent time: the running time of the session's model, tool and guardrail activities (waiting for
   * a worker, retry backoff, calls lost with a worker and waiting for a human excluded; see
   * `core/breaker.ts`). Sessions recorded before it count workflow time minus human waits.
   */
  elapsedMs: number;
  costUsd: number;
  /** Tool calls that reached outside the session's scope (refused where the data lives). */
  scopeViolations: number;
}

/** A pending escalation as `status` shows it. */
export interface PendingEscalation {
  /** The escalation's id, which a `resume`/`abort` statement names (absent in sessions recorded before signed decisions). */
  requestId?: string;
  limit: string;
  detail: string;
  sinceMs: number;
  timeoutMs: number;
  /** In an orchestration's status: the child session whose escalation it is (decide it there). */
  sessionId?: string;
}

/** Answer of the `status` query. */
export interface SessionStatus {
  sessionId: string;
  agent: string;
  tenant: string;
  state: SessionState;
  usage: SessionUsage;
  limits: Limits;
  escalation: PendingEscalation | null;
  /** write_critical calls waiting for `approve` or `reject`. */
  pendingApprovals: PendingApproval[];
  /** Runs of this session so far (continue-as-new starts a new run). */
  run: number;
  /** The session's first run id: signed decisions name it (`execution`), so they never apply to a later session with the same id. */
  execution?: string;
  /** Decisions refused in this run (unsigned, wrongly signed, expired, not an approver, stale, malformed). */
  refusedDecisions?: number;
  /** Who may decide (identities, `role:NAME`); absent when any key trusted for the tenant may. */
  approvers?: string[];
  /**
   * Where the client read it: `query` from a live worker, or `memo` (no worker answered): the
   * snapshot the session kept in its memo at its last state change, as of `asOfMs`.
   */
  source?: 'query' | 'memo';
  /** For `source: 'memo'`: workflow time of the snapshot. */
  asOfMs?: number;
  /** For `source: 'memo'`: pending approvals left out of the bounded snapshot. */
  omittedApprovals?: number;
}

/** The end of a tripped breaker. */
export interface BreakerResolution {
  limit: string;
  detail: string;
  /** `aborted` by a human, or `timeout` when nobody resolved it and the fallback applied. */
  resolution: 'aborted' | 'timeout';
  approver?: string;
}

/** The typed result of an `agentSession` workflow. */
export interface SessionResult {
  sessionId: string;
  agent: string;
  outcome: SessionOutcome;
  /** The agent's final answer (or the fallback's text); null when it did not finish. */
  output: string | null;
  /** For an agent with an output schema: the final answer, parsed and validated. */
  data?: unknown;
  usage: SessionUsage;
  breaker?: BreakerResolution;
  /** For outcomes `failed` and `invalid_output`: the type of the failure and its message. */
  error?: { type: string; message: string };
  /** Reference of the full transcript in the content store. */
  transcriptRef: string | null;
  /** The orchestration this session ran in as a child, if any. */
  parentSessionId?: string;
}

/** Answer of the `trace` query. */
export interface SessionTrace {
  sessionId: string;
  agent: string;
  /** Events of the current run (all runs' when a client with a content store resolved them). */
  events: TraceEvent[];
  /** Content references of earlier runs' events, oldest first (empty once resolved). */
  earlierRuns: string[];
}
