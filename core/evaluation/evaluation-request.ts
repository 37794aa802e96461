import { z } from 'zod';
import { DEFAULT_MODEL } from '../agent';
import { RubricSchema } from './rubric';
import { SamplingOptionsSchema, type SampleReason, type SampleStratum } from './sampling';
import { lazySchema } from '../lazy-schema';

/** The judge model unless an evaluation names another. */
export const DEFAULT_JUDGE_MODEL = DEFAULT_MODEL;

/** How the judge model is called. */
export const JudgeOptionsSchema = lazySchema(() =>
  z.strictObject({
    /** @default {@link DEFAULT_JUDGE_MODEL} */
    model: z.string().min(1).default(DEFAULT_JUDGE_MODEL),
    /** @default 1024 */
    maxOutputTokens: z.number().int().positive().max(16_384).default(1024),
    /** Times an answer that is not a valid verdict is sent back to the judge to correct. @default 2 */
    maxRepairTurns: z.number().int().min(0).max(5).default(2),
  }),
);
/** Judge options with defaults applied. */
export type JudgeOptions = z.output<typeof JudgeOptionsSchema>;

/** The one argument of the `sessionEvaluation` workflow (what a schedule passes each run). */
export const EvaluationRequestSchema = lazySchema(() =>
  z.strictObject({
    /** The rubric. @default `DEFAULT_RUBRIC` (then it is not copied into the history) */
    rubric: RubricSchema.optional(),
    sampling: SamplingOptionsSchema.default(SamplingOptionsSchema.parse({})),
    judge: JudgeOptionsSchema.default(JudgeOptionsSchema.parse({})),
    /**
     * Sessions that ended in this window before the run are candidates. Give it the schedule's
     * interval (or a little more: already scored sessions are skipped). @default 3600000 (1 hour)
     */
    lookbackMs: z.number().int().positive().default(3_600_000),
    /** Sessions judged at the same time. @default 4 */
    concurrency: z.number().int().min(1).max(32).default(4),
    /** Send each session's scores to its agent's behaviour monitor (score drift alerts). @default true */
    feedMonitor: z.boolean().default(true),
  }),
);
/** An evaluation request as written (defaults optional). */
export type EvaluationRequestInput = z.input<typeof EvaluationRequestSchema>;
/** An evaluation request with defaults applied. */
export type EvaluationRequest = z.output<typeof EvaluationRequestSchema>;

/** One judged session in an evaluation report. */
export interface JudgedSessionResult {
  sessionId: string;
  agent: string;
  outcome: string;
  reason: SampleReason;
  /** Weighted score on 0..1. */
  overall: number;
  /** Each dimension's score on 0..1. */
  dimensions: Record<string, number>;
  /** Whether the session went to the human review queue. */
  queued: boolean;
}

/** What one run of the `sessionEvaluation` workflow did. */
export interface EvaluationReport {
  rubricId: string;
  window: { sinceMs: number; untilMs: number };
  /** Finished sessions in the window (of the selected agents). */
  candidates: number;
  strata: SampleStratum[];
  /** Sampled sessions that were scored by an earlier run (skipped). */
  alreadyScored: number;
  /** Sampled sessions dropped by `maxSessions`. */
  capped: number;
  judged: JudgedSessionResult[];
  /** Sessions that could not be judged (invalid verdicts after every repair, a model that refused, ...). */
  failed: Array<{ sessionId: string; agent: string; error: { type: string; message: string } }>;
  queuedForReview: number;
}
