import { z } from 'zod';
import type { DriftAlert } from '../drift-detector';

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
export const ScoreDriftOptionsSchema = z
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
  .refine((o) => o.warmup <= o.baselineWindow, { message: 'must not exceed baselineWindow', path: ['warmup'] });
/** Resolved score drift options. */
export type ScoreDriftOptions = z.output<typeof ScoreDriftOptionsSchema>;

/** An alert on the judge score: `down` is a drop in quality. Its indices count scored sessions. */
export type ScoreDriftAlert = Omit<DriftAlert, 'metric'> & { metric: 'score' };

interface Cusum {
  evidence: number;
  since: number;
  sessions: number;
  sum: number;
}

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

const { floor, max, min, round, sqrt } = Math;
const WINSORIZED_SD_TO_SIGMA = 1.214;
const SUSPICIOUS_QUARANTINE_FACTOR = 5;

/** A fresh score drift detector; throws {@link ScoreDriftOptionsError} naming a bad option. */
export function createScoreDriftState(options: Partial<ScoreDriftOptions> = {}): ScoreDriftState {
  const parsed = ScoreDriftOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new ScoreDriftOptionsError(`invalid score drift options: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`).join('; ')}`);
  }
  return { version: 1, options: parsed.data, scores: 0, baseline: [], pending: [], up: emptyCusum(), down: emptyCusum() };
}

function emptyCusum(): Cusum {
  return { evidence: 0, since: 0, sessions: 0, sum: 0 };
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
  const clipped = min(mean + options.clip * sigma, max(mean - options.clip * sigma, x));
  const z = (clipped - mean) / sigma;
  const delta = options.shift / sigma;
  const margin = 1 / sqrt(state.baseline.length);
  accumulate(state.up, delta * (z - margin - delta / 2), state.scores, clipped);
  accumulate(state.down, delta * (-z - margin - delta / 2), state.scores, clipped);

  state.pending.push(x);
  const waiting = max(state.up.evidence, state.down.evidence) >= options.threshold / 2 ? SUSPICIOUS_QUARANTINE_FACTOR * options.quarantine : options.quarantine;
  while (state.pending.length > waiting) state.baseline.push(state.pending.shift()!);
  if (state.baseline.length > options.baselineWindow) state.baseline.splice(0, state.baseline.length - options.baselineWindow);

  const alerting = (c: Cusum) => c.evidence >= options.threshold && c.sessions >= options.sustain;
  const direction = alerting(state.up) ? 'up' : alerting(state.down) ? 'down' : null;
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

function accumulate(cusum: Cusum, llr: number, index: number, value: number): void {
  const evidence = cusum.evidence + llr;
  if (evidence <= 0) {
    Object.assign(cusum, emptyCusum());
    return;
  }
  if (cusum.evidence === 0) Object.assign(cusum, { since: index, sessions: 0, sum: 0 });
  cusum.evidence = evidence;
  cusum.sessions += 1;
  cusum.sum += value;
}

/**
 * Robust level and spread of the baseline: a 20 %-trimmed mean and a 10 %-winsorized deviation
 * (as a normal σ), then the mean and deviation of the values clipped at ±clip spreads of it; both
 * spreads floored at `least`, so a perfectly steady score still needs several sessions of change.
 */
function robustLevel(values: readonly number[], clip: number, least: number): { mean: number; sigma: number } {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  const trim = floor(n * 0.2);
  let sum = 0;
  for (let i = trim; i < n - trim; i++) sum += sorted[i]!;
  const center = sum / (n - 2 * trim);
  const cut = floor(n * 0.1);
  const w = deviation(sorted, center, sorted[cut]! - center, sorted[n - 1 - cut]! - center);
  const spread = max(least, WINSORIZED_SD_TO_SIGMA * w.sd);
  const c = deviation(sorted, center, -clip * spread, clip * spread);
  return { mean: center + c.mean, sigma: max(least, c.sd) };
}

function deviation(values: Float64Array, center: number, low: number, high: number): { mean: number; sd: number } {
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < values.length; i++) {
    const d = min(high, max(low, values[i]! - center));
    sum += d;
    squares += d * d;
  }
  const mean = sum / values.length;
  return { mean, sd: sqrt(max(0, squares / values.length - mean * mean)) };
}
