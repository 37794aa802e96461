import type { z } from 'zod';

/**
 * The robust two-sided Gaussian CUSUM that the drift detector's level metrics and the score drift
 * detector share: evidence in nats of a shift by a design amount up or down, z-scores clipped so
 * that one outlier cannot alert, a robust baseline level and spread, a quarantine that new values
 * wait in before they join the baseline (longer while suspicious), and an alert when one direction
 * has gathered `threshold` nats over at least `sustain` observations. Pure and deterministic; its
 * state is plain JSON, carried by monitor workflows across continue-as-new as is.
 */

/** One direction's CUSUM and the run of observations over which it built up. */
export interface Cusum {
  /** Accumulated evidence, in nats (never negative). */
  evidence: number;
  /** Index of the observation where the current run began; 0 when `evidence` is 0. */
  since: number;
  /** Observations in the run. */
  sessions: number;
  /** Sum of the run's clipped values. */
  sum: number;
}

/** The two directions of a CUSUM. */
export interface TwoSidedCusum {
  up: Cusum;
  down: Cusum;
}

/**
 * Math functions bound once: inside a `vm` context (Temporal's workflow sandbox, jest), each lookup
 * of a global such as `Math` costs more than the function itself.
 */
const { floor, max, min, sqrt } = Math;

/** σ of a normal sample per unit of its 10 %-winsorized standard deviation. */
const WINSORIZED_SD_TO_SIGMA = 1.214;
/** How much longer than `quarantine` a suspicious metric's values wait. */
const SUSPICIOUS_QUARANTINE_FACTOR = 5;

/** A CUSUM with no evidence. */
export function emptyCusum(): Cusum {
  return { evidence: 0, since: 0, sessions: 0, sum: 0 };
}

/** Adds one observation's evidence (nats) and its value to a CUSUM; the evidence never falls below 0. */
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
 * Adds one observation `value` (number `index`) to both directions, against a baseline of
 * `baselineSize` values with level `mean` and spread `sigma`: the value is clipped to ±`clip`
 * spreads, and each direction gains the Gaussian log-likelihood ratio of a shift by `shift`,
 * measured from the near edge of the level (its standard error). Returns the clipped value.
 */
export function observeCusum(cusum: TwoSidedCusum, level: { mean: number; sigma: number }, value: number, index: number, tuning: { clip: number; shift: number; baselineSize: number }): number {
  const { mean, sigma } = level;
  const clipped = min(mean + tuning.clip * sigma, max(mean - tuning.clip * sigma, value));
  const z = (clipped - mean) / sigma;
  const delta = tuning.shift / sigma;
  const margin = 1 / sqrt(tuning.baselineSize); // standard error of the baseline's level, in σ
  accumulate(cusum.up, delta * (z - margin - delta / 2), index, clipped);
  accumulate(cusum.down, delta * (-z - margin - delta / 2), index, clipped);
  return clipped;
}

/** How many values wait before joining the baseline: `quarantine`, five times as many while either direction holds half the evidence of an alert. */
export function quarantineLength(cusum: TwoSidedCusum, threshold: number, quarantine: number): number {
  return max(cusum.up.evidence, cusum.down.evidence) >= threshold / 2 ? SUSPICIOUS_QUARANTINE_FACTOR * quarantine : quarantine;
}

/** The direction that alerts (`threshold` nats over at least `sustain` observations), up first, or null. */
export function alertingDirection(cusum: TwoSidedCusum, threshold: number, sustain: number): 'up' | 'down' | null {
  const alerting = (c: Cusum) => c.evidence >= threshold && c.sessions >= sustain;
  return alerting(cusum.up) ? 'up' : alerting(cusum.down) ? 'down' : null;
}

/**
 * Robust level and spread of a baseline, in two steps. First a rough center and spread that
 * outliers cannot move: the 20 %-trimmed mean and the 10 %-winsorized standard deviation (scaled to
 * a normal σ). Then every value is clipped to ±`clip` spreads of that center, and the mean and
 * standard deviation of the clipped values are the level and spread that the CUSUM uses: each value
 * has bounded influence, and on the baseline itself the scores average exactly 0 with unit
 * variance, whatever the skew or discreteness of the values. Both spreads are floored at `least`,
 * so a perfectly steady metric still needs several observations of change before an alert.
 */
export function robustLevel(values: readonly number[], clip: number, least: number): { mean: number; sigma: number } {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  const trim = floor(n * 0.2);
  let sum = 0;
  for (let i = trim; i < n - trim; i++) sum += sorted[i]!;
  const center = sum / (n - 2 * trim);
  const cut = floor(n * 0.1);
  const lo = sorted[cut]!;
  const hi = sorted[n - 1 - cut]!;
  const winsorized = meanAndDeviation(sorted, center, lo - center, hi - center);
  const spread = max(least, WINSORIZED_SD_TO_SIGMA * winsorized.sd);
  const clipped = meanAndDeviation(sorted, center, -clip * spread, clip * spread);
  return { mean: center + clipped.mean, sigma: max(least, clipped.sd) };
}

/** Mean and standard deviation of the values' deviations from `center`, each bounded to [low, high]. */
function meanAndDeviation(values: Float64Array, center: number, low: number, high: number): { mean: number; sd: number } {
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

/**
 * A detector's options parsed with `schema`, or an `OptionsError` whose message names each bad
 * option and the value it got, e.g. `invalid drift options: threshold: must exceed clip²/2 (got 2)`.
 */
export function parseDetectorOptions<S extends z.ZodType>(schema: S, options: object, what: string, OptionsError: new (message: string) => Error): z.output<S> {
  const parsed = schema.safeParse(options);
  if (parsed.success) return parsed.data;
  const given = options as Record<string, unknown>;
  const problems = parsed.error.issues.map((issue) => {
    const name = issue.path.join('.');
    const value = name in given ? ` (got ${String(given[name])})` : '';
    return `${name || 'options'}: ${issue.message}${value}`;
  });
  throw new OptionsError(`invalid ${what} options: ${problems.join('; ')}`);
}
