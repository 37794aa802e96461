import { z } from 'zod';
import { alertingDirection, emptyCusum, observeCusum, parseDetectorOptions, quarantineLength, robustLevel, type Cusum } from '../cusum';
import type { DriftAlert } from '../drift-detector';
import { lazySchema } from '../lazy-schema';

/**
 * Drift of an agent's judge scores: the quality counterpart of the drift detector's cost and token
 * metrics, run by the same durable monitor, so a drop in quality alerts like a rise in cost.
 *
 * It follows the drift detector's rules of evidence (a two-sided Gaussian CUSUM in nats, an alert at
 * `threshold` over at least `sustain` scored sessions, z-scores clipped at `clip` so that one
 * outlier cannot alert, a robust baseline that new values join after a quarantine, re-baselining
 * after an alert), with one difference: scores are bounded (0..1), so a change is measured in score
 * points, not relatively on a log scale. Pure and deterministic, state bounded by the options: it
 * runs inside the monitor workflow and is carried across continue-as-new as is.
 */

/** Options of the score drift detector; every one has a default. */
export const ScoreDriftOptionsSchema = lazySchema(() =>
  z
    .strictObject({
      /** Scored sessions the baseline must hold before an alert (scores are sampled, so fewer than sessions). @default 30 */
      warmup: z.number().int().min(10).default(30),
      /** Evidence, in nats, of an alert; must exceed clip²/2. @default 12 */
      threshold: z.number().positive().max(100).default(12),
      /** Scored sessions the change must span before an alert. @default 5 */
      sustain: z.number().int().min(1).max(100).default(5),
      /** Change of the mean score (0..1 points) that the CUSUM is tuned to; about half of it is ignored. @default 0.15 */
      shift: z.number().positive().max(1).default(0.15),
      /** Clip of a score's z-score. @default 3 */
      clip: z.number().min(1).max(10).default(3),
      /** Recent scores that form the baseline. @default 200 */
      baselineWindow: z.number().int().min(10).max(2000).default(200),
      /** Scores that wait before joining the baseline (five times as many while suspicious). @default 20 */
      quarantine: z.number().int().min(1).max(400).default(20),
    })
    .refine((o) => o.threshold > (o.clip * o.clip) / 2, { message: 'must exceed clip²/2, the most evidence one score can add', path: ['threshold'] })
    .refine((o) => o.warmup <= o.baselineWindow, { message: 'must not exceed baselineWindow', path: ['warmup'] }),
);
/** Resolved score drift options. */
export type ScoreDriftOptions = z.output<typeof ScoreDriftOptionsSchema>;

/** An alert on the judge score: `down` is a drop in quality. Its indices count scored sessions. */
export type ScoreDriftAlert = Omit<DriftAlert, 'metric'> & { metric: 'score' };

/** The score drift detector's whole state: plain JSON, bounded by `baselineWindow` and `quarantine`. */
export interface ScoreDriftState {
  version: 1;
  options: ScoreDriftOptions;
  /** Scores observed. */
  scores: number;
  baseline: number[];
  pending: number[];
  up: Cusum;
  down: Cusum;
}

/** Options that the score drift detector cannot use; the message names the option. */
export class ScoreDriftOptionsError extends Error {
  override readonly name = 'ScoreDriftOptionsError';
}

const { round } = Math;

/** A fresh score drift detector; throws {@link ScoreDriftOptionsError} naming a bad option. */
export function createScoreDriftState(options: Partial<ScoreDriftOptions> = {}): ScoreDriftState {
  const parsed = parseDetectorOptions(ScoreDriftOptionsSchema, options, 'score drift', ScoreDriftOptionsError);
  return { version: 1, options: parsed, scores: 0, baseline: [], pending: [], up: emptyCusum(), down: emptyCusum() };
}

/**
 * Feeds one judged session's overall score (0..1): updates `state` in place and returns the alerts
 * it raised (usually none). A value outside 0..1 is counted and otherwise ignored.
 */
export function observeScore(state: ScoreDriftState, score: number): ScoreDriftAlert[] {
  state.scores += 1;
  if (!(typeof score === 'number' && score >= 0 && score <= 1)) return [];
  const { options } = state;
  const x = round(score * 1e6) / 1e6;
  if (state.baseline.length < options.warmup) {
    state.baseline.push(x);
    return [];
  }
  const { mean, sigma } = robustLevel(state.baseline, options.clip, options.shift / options.clip);
  observeCusum(state, { mean, sigma }, x, state.scores, { clip: options.clip, shift: options.shift, baselineSize: state.baseline.length });

  state.pending.push(x);
  const waiting = quarantineLength(state, options.threshold, options.quarantine);
  while (state.pending.length > waiting) state.baseline.push(state.pending.shift()!);
  if (state.baseline.length > options.baselineWindow) state.baseline.splice(0, state.baseline.length - options.baselineWindow);

  const direction = alertingDirection(state, options.threshold, options.sustain);
  if (!direction) return [];
  const run = state[direction];
  const current = run.sum / run.sessions;
  const changeRatio = mean > 0 ? current / mean - 1 : 0;
  const detail =
    `score ${direction} ${changeRatio >= 0 ? '+' : ''}${(changeRatio * 100).toFixed(0)}%: judge score ${current.toFixed(2)} over the ${run.sessions} scored sessions ` +
    `since scored session ${run.since}, against ${mean.toFixed(2)} before (evidence ${run.evidence.toFixed(1)} nats, threshold ${options.threshold}); ` +
    `re-baselined on the new level, the next score alert needs ${options.warmup} scored sessions of it`;
  const alert: ScoreDriftAlert = { metric: 'score', direction, baseline: mean, current, changeRatio, session: state.scores, since: run.since, evidence: run.evidence, detail };
  state.baseline = state.pending.slice(-run.sessions);
  state.pending = [];
  state.up = emptyCusum();
  state.down = emptyCusum();
  return [alert];
}
