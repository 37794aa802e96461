import { z } from 'zod';
import { lazySchema } from './lazy-schema';

/**
 * Circuit-breaker limits of one session. Every limit is checked in the workflow before each
 * model call and each tool call; a trip halts the loop and escalates.
 */
export const LimitsSchema = lazySchema(() =>
  z.strictObject({
    /** Tool calls the session may make. @default 50 */
    maxToolCalls: z.number().int().positive().default(50),
    /**
     * Agent time in milliseconds: the running time of the session's model, tool and guardrail
     * activities as their workers measure it. Waiting for a worker, retry backoff, attempts lost with
     * a worker and waiting for a human are not counted (see `core/breaker.ts`). @default 120000
     */
    maxElapsedMs: z.number().int().positive().default(120_000),
    /** Model tokens, input plus output, summed over all model calls. @default 100000 */
    maxTokens: z.number().int().positive().default(100_000),
    /**
     * Consecutive tool errors that are identical (same tool, same error kind, same message)
     * before the breaker trips. @default 3
     */
    maxConsecutiveIdenticalErrors: z.number().int().positive().default(3),
  }),
);

/** Resolved limits (every default applied). */
export type Limits = z.output<typeof LimitsSchema>;
/** Limits as a caller writes them: every field optional. */
export type LimitsInput = z.input<typeof LimitsSchema>;

/** The default limits, spelled out once. */
export const DEFAULT_LIMITS: Limits = LimitsSchema.parse({});

/** Names of the four limits; a breaker trip names the one that tripped. */
export type LimitName = keyof Limits;

/** Budget that a human adds when resuming a tripped session. */
export const ExtraBudgetSchema = lazySchema(() =>
  z.strictObject({
    toolCalls: z.number().int().nonnegative().optional(),
    elapsedMs: z.number().int().nonnegative().optional(),
    tokens: z.number().int().nonnegative().optional(),
  }),
);

/** Budget added on resume; the consecutive-error count always restarts from zero. */
export type ExtraBudget = z.output<typeof ExtraBudgetSchema>;
