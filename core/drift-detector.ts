import { z } from 'zod';

/**
 * Drift detection on an agent's behaviour: a pure, deterministic monitor that is fed each finished
 * session's summary and raises an alert when a metric has moved away from its recent normal level
 * for a sustained run of sessions.
 *
 * It is built to run inside a Temporal workflow (a durable monitor per agent): no randomness, no
 * clock, no I/O; its whole state is plain JSON data of bounded size, carried across
 * continue-as-new as is.
 *
 * Method, per metric and direction: a CUSUM of log-likelihood ratios ("evidence", in nats) that
 * the metric has shifted by a design amount from a robust baseline, with an alert when the evidence
 * reaches {@link DriftOptions.threshold}.
 * - Level metrics (`toolCalls`, `tokens`, `costUsd`, `latencyMs`) are watched on a log scale
 *   (`ln(1 + value/unit)`), where their heavy right tails become roughly symmetric and a change is
 *   relative. The baseline is the median of the last {@link DriftOptions.baselineWindow} values, its
 *   spread 1.4826 × their MAD; each session's robust z-score is clipped at ±{@link DriftOptions.clip},
 *   so one session adds at most clip²/2 nats and a single outlier can never raise an alert.
 * - Rate metrics (`errorRate`: tool errors per tool call; `successRate`: share of sessions whose
 *   outcome is `completed`) use a binomial CUSUM against an exponentially weighted baseline rate
 *   (memory {@link DriftOptions.rateMemory} sessions), tuned to detect the odds of the bad (or good)
 *   event moving by {@link DriftOptions.oddsRatio}.
 * - Each direction compares with the near edge of the baseline's uncertainty (median ± its standard
 *   error; the rate's Wilson bound at one standard error), so a young, small baseline is automatically
 *   cautious instead of raising false alerts.
 * - A value joins the baseline only after a quarantine of {@link DriftOptions.quarantine} sessions, so
 *   a change is not absorbed while it is being detected.
 * - After an alert the metric is re-baselined on the sessions that raised it: the new level becomes
 *   normal, both directions restart from zero evidence, and the metric stays silent until its new
 *   baseline again holds {@link DriftOptions.warmup} sessions. A change is reported once; a further
 *   change (or a return to the old level) is reported again.
 */

/** What the drift detector needs to know of one finished session. */
export interface SessionSummary {
  /** How the session ended (a `SessionOutcome`); `completed` counts as a success. */
  outcome: string;
  /** Tool calls made. */
  toolCalls: number;
  /** Model tokens, input plus output. */
  tokens: number;
  /** Cost in US dollars. */
  costUsd: number;
  /** Wall time of the session in milliseconds. */
  latencyMs: number;
  /** Tool calls that failed (at most `toolCalls`; more is counted as `toolCalls`). */
  toolErrors: number;
}

/** The metrics that the drift detector watches, every one in both directions. */
export const DRIFT_METRICS = ['toolCalls', 'tokens', 'costUsd', 'latencyMs', 'errorRate', 'successRate'] as const;
/** A metric that the drift detector watches. */
export type DriftMetric = (typeof DRIFT_METRICS)[number];

/** Options of the drift detector; every one has a default. */
export const DriftOptionsSchema = z
  .object({
    /**
     * Sessions a metric's baseline must hold before that metric can raise an alert: at the start,
     * and again after each alert (when the metric is re-baselined). @default 50
     */
    warmup: z.number().int().min(10).default(50),
    /** Recent sessions whose values form a level metric's baseline (median and MAD). @default 200 */
    baselineWindow: z.number().int().min(10).max(2000).default(200),
    /**
     * Memory of a rate metric's baseline, in sessions: the weight of a session halves about every
     * 0.69 × rateMemory sessions. @default 1000
     */
    rateMemory: z.number().int().min(10).default(1000),
    /**
     * Sessions a value waits before it joins the baseline, so that a change is not absorbed into
     * the baseline while its evidence builds up. @default 30
     */
    quarantine: z.number().int().min(1).max(500).default(30),
    /**
     * Evidence, in nats (natural log of the likelihood ratio), that a metric must accumulate in one
     * direction before an alert. On stable data a false alert comes about once per e^threshold
     * sessions per metric and direction at most (Wald's bound); each extra nat delays a detection by
     * about 1/KL sessions (KL: the information per session, in nats, of the change). @default 13
     */
    threshold: z.number().positive().max(100).default(13),
    /**
     * Relative change that the level metrics are tuned to detect, as a fraction (0.3 = 30 % up, or
     * down to 1/1.3). Much smaller changes are ignored; larger ones are detected faster. @default 0.3
     */
    relativeChange: z.number().positive().max(10).default(0.3),
    /**
     * Change of odds that the rate metrics are tuned to detect: 3 means that the odds of a tool error
     * (or of a session not completing) grow or shrink threefold. @default 3
     */
    oddsRatio: z.number().gt(1).max(100).default(3),
    /**
     * Clip of a session's robust z-score (level metrics); no single session adds more than clip²/2
     * nats of evidence to any metric, so with `threshold` above that, no single outlier raises an
     * alert. @default 3
     */
    clip: z.number().min(1).max(10).default(3),
  })
  .strict()
  .refine((o) => o.threshold > (o.clip * o.clip) / 2, {
    message: 'threshold must exceed clip²/2, the most evidence one session can add (else a single outlier could alert)',
    path: ['threshold'],
  })
  .refine((o) => o.warmup <= o.baselineWindow, { message: 'warmup must not exceed baselineWindow', path: ['warmup'] });

/** Resolved options of the drift detector. */
export type DriftOptions = z.output<typeof DriftOptionsSchema>;

/** The default options, spelled out once. */
export const DEFAULT_DRIFT_OPTIONS: DriftOptions = DriftOptionsSchema.parse({});

/** Options that the drift detector cannot use; the message names the option. */
export class DriftOptionsError extends Error {
  override readonly name = 'DriftOptionsError';
}

/** An alert: one metric has moved in one direction, for a sustained run of sessions. */
export interface DriftAlert {
  metric: DriftMetric;
  direction: 'up' | 'down';
  /** The normal level before: median (level metrics) or rate (rate metrics), in the metric's units. */
  baseline: number;
  /** The level over the run of sessions that raised the alert (geometric mean, or rate). */
  current: number;
  /** `current / baseline - 1`, e.g. 0.4 for 40 % up. */
  changeRatio: number;
  /** 1-based index of the session that raised the alert. */
  session: number;
  /** 1-based index of the first session of the run that raised it: where the change most likely began. */
  since: number;
  /** The alert for a human. */
  detail: string;
}

/** One direction's CUSUM and the run of sessions over which its evidence built up. */
export interface DriftCusum {
  /** Accumulated evidence, in nats (never negative). */
  evidence: number;
  /** Session index where the current run began; 0 when `evidence` is 0. */
  since: number;
  /** Sessions in the run. */
  sessions: number;
  /** Level metrics: sum of the run's log values; rate metrics: events of the run. */
  sum: number;
  /** Rate metrics: trials of the run (0 for level metrics). */
  trials: number;
}

/** State of a level metric (tool calls, tokens, cost, latency). */
export interface LevelMetricState {
  kind: 'level';
  /** Log values (`ln(1 + value/unit)`) of the baseline, oldest first; at most `baselineWindow`. */
  baseline: number[];
  /** Log values waiting to join the baseline, oldest first; at most `quarantine`. */
  pending: number[];
  up: DriftCusum;
  down: DriftCusum;
}

/** State of a rate metric (error rate, success rate); the event counted is the bad one. */
export interface RateMetricState {
  kind: 'rate';
  /** Exponentially weighted events and trials of the baseline. */
  events: number;
  trials: number;
  /** Sessions in the baseline (capped at `rateMemory`; counts toward `warmup`). */
  sessions: number;
  /** `[events, trials]` of the sessions waiting to join the baseline, oldest first; at most `quarantine`. */
  pending: Array<[number, number]>;
  /** The CUSUM of the bad event becoming more frequent. */
  up: DriftCusum;
  /** The CUSUM of the bad event becoming less frequent. */
  down: DriftCusum;
}

/**
 * The whole state of a drift monitor: plain JSON data (carried across continue-as-new as is),
 * bounded in size by the options, not by the number of sessions seen.
 */
export interface DriftState {
  /** Version of this shape, for state carried by long-running workflows. */
  version: 1;
  options: DriftOptions;
  /** Sessions observed. */
  sessions: number;
  metrics: {
    toolCalls: LevelMetricState;
    tokens: LevelMetricState;
    costUsd: LevelMetricState;
    latencyMs: LevelMetricState;
    errorRate: RateMetricState;
    successRate: RateMetricState;
  };
}

type LevelMetric = 'toolCalls' | 'tokens' | 'costUsd' | 'latencyMs';
type RateMetric = 'errorRate' | 'successRate';

/** Unit of each level metric on its log scale `ln(1 + value/unit)`: about the smallest value that matters. */
const LEVEL_UNITS: Record<LevelMetric, number> = { toolCalls: 1, tokens: 1, costUsd: 1e-6, latencyMs: 1 };

/** σ of a normal sample per unit of its 10 %-winsorized standard deviation. */
const WINSORIZED_SD_TO_SIGMA = 1.214;
/** Standard error of a normal sample's 20 %-trimmed mean, per σ/√n. */
const TRIMMED_MEAN_SE = 1.06;
/** How much longer than `quarantine` values wait while a metric is suspicious (see `pendingLimit`). */
const FROZEN_QUARANTINE_FACTOR = 5;
/** Log values are stored rounded to this many decimals (1e-6 relative): smaller state, exact JSON. */
const STORED_DECIMALS = 1e6;

/**
 * A fresh drift monitor. Throws {@link DriftOptionsError}, naming the option, when an option is
 * invalid.
 */
export function createDriftState(options: Partial<DriftOptions> = {}): DriftState {
  const parsed = DriftOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'options'}: ${issue.message}`);
    throw new DriftOptionsError(`invalid drift options: ${problems.join('; ')}`);
  }
  const level = (): LevelMetricState => ({ kind: 'level', baseline: [], pending: [], up: emptyCusum(), down: emptyCusum() });
  const rate = (): RateMetricState => ({ kind: 'rate', events: 0, trials: 0, sessions: 0, pending: [], up: emptyCusum(), down: emptyCusum() });
  return {
    version: 1,
    options: parsed.data,
    sessions: 0,
    metrics: { toolCalls: level(), tokens: level(), costUsd: level(), latencyMs: level(), errorRate: rate(), successRate: rate() },
  };
}

/**
 * Feeds one finished session to the monitor: updates `state` in place and returns the alerts that
 * this session raised (usually none). A value that is not a finite non-negative number is skipped
 * for its metric (the session still counts), so a malformed summary never fails a workflow.
 */
export function observeSession(state: DriftState, summary: SessionSummary): DriftAlert[] {
  state.sessions += 1;
  const alerts: DriftAlert[] = [];
  const push = (alert: DriftAlert | null) => {
    if (alert) alerts.push(alert);
  };
  for (const metric of ['toolCalls', 'tokens', 'costUsd', 'latencyMs'] as const) {
    const value = summary[metric];
    if (isCount(value)) push(observeLevel(state, metric, value));
  }
  if (isCount(summary.toolCalls) && summary.toolCalls > 0 && isCount(summary.toolErrors)) {
    push(observeRate(state, 'errorRate', Math.min(summary.toolErrors, summary.toolCalls), summary.toolCalls));
  }
  push(observeRate(state, 'successRate', summary.outcome === 'completed' ? 0 : 1, 1));
  return alerts;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function emptyCusum(): DriftCusum {
  return { evidence: 0, since: 0, sessions: 0, sum: 0, trials: 0 };
}

/** Adds one session's evidence (nats) and its value to a CUSUM; evidence never falls below 0. */
function accumulate(cusum: DriftCusum, llr: number, session: number, sum: number, trials: number): void {
  const evidence = cusum.evidence + llr;
  if (evidence <= 0) {
    Object.assign(cusum, emptyCusum());
    return;
  }
  if (cusum.evidence === 0) Object.assign(cusum, { since: session, sessions: 0, sum: 0, trials: 0 });
  cusum.evidence = evidence;
  cusum.sessions += 1;
  cusum.sum += sum;
  cusum.trials += trials;
}

// ---------------------------------------------------------------------------------------------
// Level metrics

function observeLevel(state: DriftState, metric: LevelMetric, value: number): DriftAlert | null {
  const { options } = state;
  const m = state.metrics[metric];
  const x = Math.round(Math.log1p(value / LEVEL_UNITS[metric]) * STORED_DECIMALS) / STORED_DECIMALS;
  if (m.baseline.length < options.warmup) {
    // Learning: no detection yet, the value joins the baseline at once.
    m.baseline.push(x);
    return null;
  }
  const design = Math.log1p(options.relativeChange);
  const { mean, sigma } = clippedLevel(m.baseline, options.clip, design);
  const clip = (v: number) => Math.min(mean + options.clip * sigma, Math.max(mean - options.clip * sigma, v));
  const se = sigma / Math.sqrt(m.baseline.length);
  const delta = design / sigma;
  const z = (clip(x) - mean) / sigma;
  accumulate(m.up, delta * (z - se / sigma - delta / 2), state.sessions, clip(x), 0);
  accumulate(m.down, delta * (-z - se / sigma - delta / 2), state.sessions, clip(x), 0);

  m.pending.push(x);
  for (let n = pendingLimit(m, options); m.pending.length > n; ) m.baseline.push(m.pending.shift()!);
  if (m.baseline.length > options.baselineWindow) m.baseline.splice(0, m.baseline.length - options.baselineWindow);

  const direction = m.up.evidence >= options.threshold ? 'up' : m.down.evidence >= options.threshold ? 'down' : null;
  if (!direction) return null;
  const run = m[direction];
  const fromLog = (v: number) => LEVEL_UNITS[metric] * Math.expm1(v);
  const baseline = fromLog(mean);
  const current = fromLog(run.sum / run.sessions);
  const alert = makeAlert(state, metric, direction, baseline, current, run, formatLevel(metric, baseline), formatLevel(metric, current), 'geometric mean');
  // Re-baseline on the run that raised the alert (those of its values still in quarantine).
  m.baseline = m.pending.slice(-run.sessions);
  m.pending = [];
  m.up = emptyCusum();
  m.down = emptyCusum();
  return alert;
}

/**
 * Robust level and spread of a baseline of log values, in two steps. First a rough center and spread
 * that outliers cannot move: the 20 %-trimmed mean and the 10 %-winsorized standard deviation (scaled
 * to a normal σ). Then every value is clipped to ±`clip` spreads of that center, and the mean and
 * standard deviation of the clipped values are the level and spread that the CUSUM uses: bounded
 * influence per value, and on the baseline itself the scores average exactly 0 with unit variance,
 * whatever the skew or discreteness of the metric (log counts have a long left tail). The spread is
 * floored at `design / clip`, so a perfectly steady metric still needs several sessions of change.
 */
function clippedLevel(values: readonly number[], clip: number, design: number): { mean: number; sigma: number } {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  const trim = Math.floor(n * 0.2);
  let sum = 0;
  for (let i = trim; i < n - trim; i++) sum += sorted[i]!;
  const center = sum / (n - 2 * trim);
  const cut = Math.floor(n * 0.1);
  const lo = sorted[cut]!;
  const hi = sorted[n - 1 - cut]!;
  let wSum = 0;
  let wSquares = 0;
  for (let i = 0; i < n; i++) {
    const d = Math.min(hi, Math.max(lo, sorted[i]!)) - center;
    wSum += d;
    wSquares += d * d;
  }
  const spread = Math.max(design / clip, WINSORIZED_SD_TO_SIGMA * Math.sqrt(Math.max(0, wSquares / n - (wSum / n) ** 2)));
  let cSum = 0;
  let cSquares = 0;
  for (let i = 0; i < n; i++) {
    const d = Math.min(clip * spread, Math.max(-clip * spread, sorted[i]! - center));
    cSum += d;
    cSquares += d * d;
  }
  const offset = cSum / n;
  return { mean: center + offset, sigma: Math.max(design / clip, Math.sqrt(Math.max(0, cSquares / n - offset * offset))) };
}

/**
 * How many values may wait in quarantine: `quarantine` normally; while either direction holds at
 * least half the evidence of an alert, the baseline is frozen and up to 5 × `quarantine` values wait,
 * so a change that takes long to prove is not absorbed meanwhile.
 */
function pendingLimit(m: { up: DriftCusum; down: DriftCusum }, options: DriftOptions): number {
  const suspicious = Math.max(m.up.evidence, m.down.evidence) >= options.threshold * Number(process.env.FT ?? 0.5);
  return suspicious ? FROZEN_QUARANTINE_FACTOR * options.quarantine : options.quarantine;
}

function clamp(z: number, limit: number): number {
  return Math.max(-limit, Math.min(limit, z));
}

// ---------------------------------------------------------------------------------------------
// Rate metrics

function observeRate(state: DriftState, metric: RateMetric, events: number, trials: number): DriftAlert | null {
  const { options } = state;
  const m = state.metrics[metric];
  if (m.sessions < options.warmup) {
    addToRateBaseline(m, events, trials, options.rateMemory);
    return null;
  }
  const { lower, upper } = wilsonBounds(m.events, m.trials);
  const maxStep = (options.clip * options.clip) / 2;
  // Up: the bad event against the upper edge of its baseline rate; down: against the lower edge.
  const upTarget = withOdds(upper, options.oddsRatio);
  accumulate(m.up, Math.min(maxStep, binomialLlr(events, trials, upper, upTarget)), state.sessions, events, trials);
  if (lower > 0) {
    const downTarget = withOdds(lower, 1 / options.oddsRatio);
    accumulate(m.down, Math.min(maxStep, binomialLlr(events, trials, lower, downTarget)), state.sessions, events, trials);
  }

  m.pending.push([events, trials]);
  for (let n = pendingLimit(m, options); m.pending.length > n; ) {
    const [e, t] = m.pending.shift()!;
    addToRateBaseline(m, e, t, options.rateMemory);
  }

  const eventDirection = m.up.evidence >= options.threshold ? 'up' : m.down.evidence >= options.threshold ? 'down' : null;
  if (!eventDirection) return null;
  const run = m[eventDirection];
  const baselineRate = (m.events + 0.5) / (m.trials + 1);
  const currentRate = run.sum / run.trials;
  // The success rate moves opposite to its bad event (a session not completing).
  const success = metric === 'successRate';
  const direction = success ? (eventDirection === 'up' ? 'down' : 'up') : eventDirection;
  const baseline = success ? 1 - baselineRate : baselineRate;
  const current = success ? 1 - currentRate : currentRate;
  const alert = makeAlert(state, metric, direction, baseline, current, run, formatPercent(baseline), formatPercent(current), 'rate');
  // Re-baseline on the run that raised the alert.
  const recent = m.pending.slice(-run.sessions);
  m.events = 0;
  m.trials = 0;
  m.sessions = 0;
  m.pending = [];
  for (const [e, t] of recent) addToRateBaseline(m, e, t, options.rateMemory);
  m.up = emptyCusum();
  m.down = emptyCusum();
  return alert;
}

function addToRateBaseline(m: RateMetricState, events: number, trials: number, memory: number): void {
  const keep = 1 - 1 / memory;
  m.events = m.events * keep + events;
  m.trials = m.trials * keep + trials;
  m.sessions = Math.min(memory, m.sessions + 1);
}

/** Wilson score interval at one standard error around `events / trials`. */
function wilsonBounds(events: number, trials: number): { lower: number; upper: number } {
  if (trials <= 0) return { lower: 0, upper: 1 };
  const p = events / trials;
  const z = Number(process.env.WZ ?? 1); const z2 = z * z;
  const denominator = 1 + z2 / trials;
  const center = (p + z2 / (2 * trials)) / denominator;
  const half = z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials)) / denominator;
  return { lower: Math.max(0, center - half), upper: Math.min(1, center + half) };
}

/** The probability whose odds are `ratio` times those of `p`. */
function withOdds(p: number, ratio: number): number {
  const odds = (p / (1 - p)) * ratio;
  return odds / (1 + odds);
}

/** Log-likelihood ratio of `events` in `trials` under rate `p1` against rate `p0`. */
function binomialLlr(events: number, trials: number, p0: number, p1: number): number {
  const bounded = (p: number) => Math.min(1 - 1e-9, Math.max(1e-9, p));
  const q0 = bounded(p0);
  const q1 = bounded(p1);
  return events * Math.log(q1 / q0) + (trials - events) * Math.log((1 - q1) / (1 - q0));
}

// ---------------------------------------------------------------------------------------------
// Alerts

function makeAlert(
  state: DriftState,
  metric: DriftMetric,
  direction: 'up' | 'down',
  baseline: number,
  current: number,
  run: DriftCusum,
  baselineText: string,
  currentText: string,
  measure: string,
): DriftAlert {
  const changeRatio = baseline > 0 ? current / baseline - 1 : 0;
  const change = `${changeRatio >= 0 ? '+' : ''}${(changeRatio * 100).toFixed(0)}%`;
  const detail =
    `${metric} ${direction} ${change}: ${measure} ${currentText} over the ${run.sessions} sessions since session ${run.since}, ` +
    `baseline ${baselineText}; evidence ${run.evidence.toFixed(1)} nats (threshold ${state.options.threshold}). ` +
    `Re-baselined on the new level; the next alert on ${metric} needs ${state.options.warmup} sessions of it.`;
  return { metric, direction, baseline, current, changeRatio, session: state.sessions, since: run.since, detail };
}

function formatLevel(metric: LevelMetric, value: number): string {
  if (metric === 'costUsd') return `$${value.toPrecision(3)}`;
  if (metric === 'latencyMs') return `${Math.round(value)} ms`;
  if (metric === 'toolCalls') return value.toFixed(1);
  return String(Math.round(value));
}

function formatPercent(rate: number): string {
  return `${(rate * 100).toFixed(1)}%`;
}
