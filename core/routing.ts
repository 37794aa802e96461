import { z } from 'zod';
import { lazySchema } from './lazy-schema';

/**
 * Model routing: which model takes each step of a session. Simple steps (classification,
 * extraction, a short follow-up on read results) go to a small model; planning and hard reasoning
 * (the first turn unless the agent says otherwise, the turn after a write, an error or a rejection)
 * go to a frontier model; and a step that keeps failing moves up. Pure: the workflow decides, and
 * each decision and its reason go into the trace.
 */
export const RoutingPolicySchema = lazySchema(() =>
  z
    .object({
      /** Model of simple steps, e.g. `claude-haiku-4-5`. */
      small: z.string().min(1),
      /** Model of planning and hard reasoning, e.g. `claude-sonnet-4-5`. */
      frontier: z.string().min(1),
      /**
       * Who takes the first turn: `frontier` for agents that plan, `small` for agents whose job is a
       * classification or an extraction. @default 'frontier'
       */
      firstTurn: z.enum(['small', 'frontier']).default('frontier'),
      /**
       * A follow-up on read results is simple while the results of the last turn total at most this
       * many bytes; larger results need the frontier model to read them. @default 16384
       */
      followUpMaxBytes: z.number().int().positive().default(16_384),
      /**
       * Failures in a row (a tool error, a rejected approval, an answer that failed its schema) after
       * which steps go to the frontier model until one succeeds. @default 1
       */
      moveUpAfterFailures: z.number().int().min(1).default(1),
    })
    .strict(),
);

/** An agent's routing policy as written (defaults optional). */
export type RoutingPolicyInput = z.input<typeof RoutingPolicySchema>;
/** An agent's routing policy with its defaults. */
export type RoutingPolicy = z.output<typeof RoutingPolicySchema>;

/** What the router knows of the step about to run. */
export interface RoutingStep {
  /** Model turns the session has taken so far. */
  turn: number;
  /** What the model is about to read. */
  follows: 'user_input' | 'tool_results' | 'repair' | 'other';
  /** Tiers of the tools whose results it reads (for `tool_results`). */
  toolTiers?: readonly string[];
  /** Bytes of those results. */
  resultBytes?: number;
  /** Failures in a row just before this step. */
  failuresInARow: number;
}

/** The model of a step and why. */
export interface RoutingDecision {
  model: string;
  tier: 'small' | 'frontier' | 'pinned';
  reason: string;
}

/** Picks the model of a step under `policy`. */
export function routeStep(policy: RoutingPolicy, step: RoutingStep): RoutingDecision {
  const small = (reason: string): RoutingDecision => ({ model: policy.small, tier: 'small', reason });
  const frontier = (reason: string): RoutingDecision => ({ model: policy.frontier, tier: 'frontier', reason });
  if (step.failuresInARow >= policy.moveUpAfterFailures) {
    return frontier(`moved up: ${step.failuresInARow} failure${step.failuresInARow === 1 ? '' : 's'} in a row`);
  }
  switch (step.follows) {
    case 'user_input':
      return step.turn === 0 && policy.firstTurn === 'small' ? small('first turn of a classification or extraction agent') : frontier('plans the task');
    case 'tool_results': {
      const writes = (step.toolTiers ?? []).filter((tier) => tier !== 'read');
      if (writes.length > 0) return frontier('follows a write: decides what comes next');
      const bytes = step.resultBytes ?? 0;
      if (bytes > policy.followUpMaxBytes) return frontier(`reads ${bytes} bytes of results (over ${policy.followUpMaxBytes})`);
      return small('short follow-up on read results');
    }
    case 'repair':
      return frontier('repairs an answer that failed its schema');
    default:
      return frontier('other step');
  }
}
