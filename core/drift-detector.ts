import { z } from 'zod';
import { alertingDirection, emptyCusum, observeCusum, parseDetectorOptions, quarantineLength, robustLevel, type Cusum } from './cusum';
import { lazySchema } from './lazy-schema';

/**
 * Drift detection on an agent's behaviour: a pure, deterministic monitor that is fed each finished
 * session's summary and raises an alert when a metric has moved away from its recent normal level
 * for a sustained run of sessions, not on one outlier.
 *
 * It is built to run inside a Temporal workflow (a durable monitor per agent): no randomness, no
 * clock, no I/O; its whole state is plain JSON data whose size is bounded by the options, not by the
 * number of sessions seen, and is carried across continue-as-new as is.
 *
 * Both kinds of metric weigh their evidence the same way: as a log-likelihood ratio, in nats, of
 * "the metric changed" against "it did not", with an alert when it reaches
 * {@link DriftOptions.threshold} over a run of at least {@link DriftOptions.sustain} sessions.
 *
 * Level metrics (`toolCalls`, `tokens`, `costUsd`, `latencyMs`): a two-sided CUSUM.
 * - Values are watched on a log scale (`ln(1 + value/unit)`), where heavy right tails shrink and a
 *   change is relative.
 * - Tokens, cost and latency are judged against the session's workload: a slope on
 *   `ln(1 + toolCalls)` fitted on the baseline takes out what more tool calls explain
 *   ({@link DriftOptions.adjustForWork}), so the CUSUM sees the model's own change, on less noise.
 * - The baseline is the last {@link DriftOptions.baselineWindow} values; its level and spread are
 *   robust (trimmed mean and winsorized deviation, then the mean and deviation of values clipped at
 *   ±{@link DriftOptions.clip} spreads). Each session's z-score is clipped the same way, so one session
 *   adds at most clip²/2 nats: with the threshold above that, a single outlier can never alert.
 * - Each direction's CUSUM is tuned to a shift of {@link DriftOptions.relativeChange} and compares
 *   with the near edge of the baseline level's standard error, so a young baseline is cautious.
 * - A value joins the baseline only after a quarantine of {@link DriftOptions.quarantine} sessions
 *   (five times longer while either direction holds half the evidence of an alert), so a change is
 *   not absorbed into the baseline while its evidence builds up.
 *
 * Rate metrics (`errorRate`: tool errors per tool call; `successRate`: share of sessions whose
 * outcome is `completed`): a binomial change-point test. Their events are rare (a few percent), so the
 * baseline's own uncertainty matters as much as the recent sessions'; a two-sample generalized
 * likelihood ratio accounts for both exactly. The last {@link DriftOptions.rateWindow} sessions are
 * kept one by one, older ones as exponentially weighted counts; every split of the window into
 * "before" and "after" (with at least `warmup` sessions before) is tested, and the best split is
 * the evidence. A session counts at most the tool errors that alone would be clip²/2 nats of
 * evidence, so one session whose every call failed cannot alert either.
 *
 * After an alert the metric is re-baselined on the sessions that raised it (the run of the CUSUM,
 * the "after" of the split): the new level becomes normal, the evidence restarts from zero, and the
 * metric stays silent until its new baseline again holds {@link DriftOptions.warmup} sessions. So a
 * change is reported once, and a further change, or a return to the old level, is reported again.
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
export const DriftOptionsSchema = lazySchema(() =>
  z
    .object({
      /**
       * Sessions a metric's baseline must hold before that metric can raise an alert: at the start,
       * and again after each alert on it (when it is re-baselined). @default 50
       */
      warmup: z.number().int().min(10).default(50),
      /**
       * Evidence, in nats (natural log of a likelihood ratio), that a metric must gather before an
       * alert. On stable data false alerts come roughly once per e^threshold sessions per metric and
       * direction; each extra nat delays a detection by about 1/KL sessions, KL being the information
       * per session (in nats) of the change. Must exceed clip²/2, the most one session can add.
       * @default 12
       */
      threshold: z.number().positive().max(100).default(12),
      /**
       * Sessions that the change must span before an alert (the CUSUM's run, the "after" of a rate's
       * split), on top of the evidence: a burst of a few wild sessions is not a drift. @default 5
       */
      sustain: z.number().int().min(1).max(100).default(5),
      /**
       * Relative change that the level metrics' CUSUMs are tuned to, as a fraction: 0.3 means up by
       * 30 % or down to 1/1.3. Changes under about half of it are ignored; larger ones are detected
       * faster. @default 0.3
       */
      relativeChange: z.number().positive().max(10).default(0.3),
      /**
       * Clip of a session's z-score (level metrics, and the tool errors a session counts): no single
       * session adds more than clip²/2 nats to a level metric, so no single outlier raises an alert.
       * @default 3
       */
      clip: z.number().min(1).max(10).default(3),
      /** Recent sessions whose values form a level metric's baseline. @default 200 */
      baselineWindow: z.number().int().min(10).max(2000).default(200),
      /**
       * Sessions a level metric's value waits before it joins the baseline; five times as many while
       * the metric is suspicious (half the evidence of an alert), so that a change is not absorbed
       * while its evidence builds up. @default 30
       */
      quarantine: z.number().int().min(1).max(400).default(30),
      /**
       * Recent sessions that a rate metric keeps one by one and searches for a change point: a change
       * in a rate should be detected within this many sessions, after which it starts to blend into
       * the baseline. @default 400
       */
      rateWindow: z.number().int().min(10).max(2000).default(400),
      /**
       * Memory of a rate metric's older sessions (those past `rateWindow`), in sessions: their weight
       * halves about every 0.69 × rateMemory sessions. @default 1000
       */
      rateMemory: z.number().int().min(10).default(1000),
      /**
       * Judge tokens, cost and latency against the session's workload: their log values are adjusted
       * by a slope on `ln(1 + toolCalls)` fitted on the baseline, so a session that made more tool
       * calls is not mistaken for drift, and the spread left to the CUSUM is the model's own. A rise in
       * tool calls is reported by the `toolCalls` metric. States created before this option existed
       * lack it and keep judging raw values. @default true
       */
      adjustForWork: z.boolean().default(true),
    })
    .strict()
    .refine((o) => o.threshold > (o.clip * o.clip) / 2, {
      message: 'must exceed clip²/2, the most evidence one session can add (else a single outlier could alert)',
      path: ['threshold'],
    })
    .refine((o) => o.warmup <= o.baselineWindow && o.warmup < o.rateWindow, {
      message: 'must not exceed baselineWindow and must be less than rateWindow',
      path: ['warmup'],
    })
    .refine((o) => o.sustain < o.rateWindow, { message: 'must be less than rateWindow', path: ['sustain'] }),
);

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
  /** The normal level before, in the metric's units: robust geometric mean, or rate. */
  baseline: number;
  /** The level over the sessions that raised the alert (since `since`), same measure. */
  current: number;
  /** `current / baseline - 1`, e.g. 0.4 for 40 % up. */
  changeRatio: number;
  /** 1-based index of the session that raised the alert. */
  session: number;
  /** 1-based index of the first session of the change, as estimated by the detector. */
  since: number;
  /** Evidence of the change, in nats (at least the threshold). */
  evidence: number;
  /** The alert for a human. */
  detail: string;
}

/** One direction's CUSUM of a level metric (see `core/cusum.ts`); its sum is of clipped log values. */
export type DriftCusum = Cusum;

/** State of a level metric (tool calls, tokens, cost, latency). */
export interface LevelMetricState {
  kind: 'level';
  /** Log values (`ln(1 + value/unit)`) of the baseline, oldest first; at most `baselineWindow`. */
  baseline: number[];
  /** Log values waiting to join the baseline, oldest first; at most 5 × `quarantine`. */
  pending: number[];
  /**
   * Workload (`ln(1 + toolCalls)`) of each baseline and pending session, aligned with `baseline`
   * and `pending`, for the metrics adjusted for work (absent in states made before it existed).
   */
  baselineWork?: number[];
  pendingWork?: number[];
  up: DriftCusum;
  down: DriftCusum;
}

/** State of a rate metric (error rate, success rate); the event counted is the bad one. */
export interface RateMetricState {
  kind: 'rate';
  /** Exponentially weighted events and trials of the sessions older than the window. */
  events: number;
  trials: number;
  /** Sessions in those counts (capped at `rateMemory`). */
  sessions: number;
  /** `[events, trials]` of the most recent sessions, oldest first; at most `rateWindow`. */
  recent: Array<[number, number]>;
}

/**
 * The whole state of a drift monitor: plain JSON data (carried across continue-as-new as is),
 * bounded in size by the options, not by the number of sessions seen: about 15 KB of JSON with the
 * default options.
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

/**
 * Math functions bound once: inside a `vm` context (Temporal's workflow sandbox, jest), each lookup
 * of a global such as `Math` costs more than the function itself.
 */
const { expm1, floor, log, log1p, max, min, round } = Math;

type LevelMetric = 'toolCalls' | 'tokens' | 'costUsd' | 'latencyMs';
type RateMetric = 'errorRate' | 'successRate';

/** Unit of each level metric on its log scale `ln(1 + value/unit)`: about the smallest value that matters. */
const LEVEL_UNITS: Record<LevelMetric, number> = { toolCalls: 1, tokens: 1, costUsd: 1e-6, latencyMs: 1 };
/** Stored values are rounded to 1e-6 (log values: a relative 1e-6): smaller state, same decisions. */
const STORED_PRECISION = 1e6;

/**
 * A fresh drift monitor. Throws {@link DriftOptionsError}, naming the option, when an option is
 * invalid.
 */
export function createDriftState(options: Partial<DriftOptions> = {}): DriftState {
  const parsed = parseDetectorOptions(DriftOptionsSchema, options, 'drift', DriftOptionsError);
  const level = (): LevelMetricState => ({ kind: 'level', baseline: [], pending: [], up: emptyCusum(), down: emptyCusum() });
  const rate = (): RateMetricState => ({ kind: 'rate', events: 0, trials: 0, sessions: 0, recent: [] });
  return {
    version: 1,
    options: parsed,
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
  const work = isCount(summary.toolCalls) ? stored(log1p(summary.toolCalls)) : undefined;
  for (const metric of ['toolCalls', 'tokens', 'costUsd', 'latencyMs'] as const) {
    const value = summary[metric];
    const adjusted = state.options.adjustForWork === true && metric !== 'toolCalls' && work !== undefined;
    const alert = isCount(value) ? observeLevel(state, metric, value, adjusted ? work : undefined) : null;
    if (alert) alerts.push(alert);
  }
  const calls = isCount(summary.toolCalls) && isCount(summary.toolErrors) ? summary.toolCalls : 0;
  const errorAlert = observeRate(state, 'errorRate', calls > 0 ? min(summary.toolErrors, calls) : 0, calls);
  if (errorAlert) alerts.push(errorAlert);
  const successAlert = observeRate(state, 'successRate', summary.outcome === 'completed' ? 0 : 1, 1);
  if (successAlert) alerts.push(successAlert);
  return alerts;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function stored(value: number): number {
  return round(value * STORED_PRECISION) / STORED_PRECISION;
}

// ---------------------------------------------------------------------------------------------
// Level metrics: robust two-sided CUSUM on a log scale

function observeLevel(state: DriftState, metric: LevelMetric, value: number, work: number | undefined): DriftAlert | null {
  const { options } = state;
  const m = state.metrics[metric];
  const x = stored(log1p(value / LEVEL_UNITS[metric]));
  if (work !== undefined) alignWork(m, work);
  if (m.baseline.length < options.warmup) {
    // Learning: no detection yet, and the value joins the baseline at once.
    m.baseline.push(x);
    if (work !== undefined) m.baselineWork!.push(work);
    return null;
  }
  const fit = work !== undefined ? workFit(m.baseline, m.baselineWork!) : undefined;
  const adjust = (v: number, w: number) => (fit ? v - fit.slope * (w - fit.meanWork) : v);
  const baseline = fit ? m.baseline.map((v, i) => adjust(v, m.baselineWork![i]!)) : m.baseline;
  const design = log1p(options.relativeChange);
  // Spreads floored at design / clip: a perfectly steady metric still needs several sessions of change.
  const { mean, sigma } = robustLevel(baseline, options.clip, design / options.clip);
  observeCusum(m, { mean, sigma }, adjust(x, work ?? 0), state.sessions, { clip: options.clip, shift: design, baselineSize: m.baseline.length });

  m.pending.push(x);
  if (work !== undefined) m.pendingWork!.push(work);
  const waiting = quarantineLength(m, options.threshold, options.quarantine);
  while (m.pending.length > waiting) {
    m.baseline.push(m.pending.shift()!);
    if (work !== undefined) m.baselineWork!.push(m.pendingWork!.shift()!);
  }
  if (m.baseline.length > options.baselineWindow) {
    m.baseline.splice(0, m.baseline.length - options.baselineWindow);
    if (work !== undefined) m.baselineWork!.splice(0, m.baselineWork!.length - options.baselineWindow);
  }

  const direction = alertingDirection(m, options.threshold, options.sustain);
  if (!direction) return null;
  const run = m[direction];
  const fromLog = (v: number) => LEVEL_UNITS[metric] * expm1(v);
  const alert = makeAlert(state, metric, direction, {
    baseline: fromLog(mean),
    current: fromLog(run.sum / run.sessions),
    since: run.since,
    sessions: run.sessions,
    evidence: run.evidence,
    text: (v) => formatLevel(metric, v),
    ...(fit ? { note: `at the baseline's typical workload (adjusted for tool calls)` } : {}),
  });
  // Re-baseline on the run that raised the alert (those of its values still waiting).
  m.baseline = m.pending.slice(-run.sessions);
  m.pending = [];
  if (work !== undefined) {
    m.baselineWork = m.pendingWork!.slice(-run.sessions);
    m.pendingWork = [];
  }
  m.up = emptyCusum();
  m.down = emptyCusum();
  return alert;
}

/**
 * Gives a level metric its workload arrays when it has none or they are out of step with its values
 * (a state made before work adjustment, or sessions that had no tool-call count): the missing
 * workloads are taken as `work`, which only weakens the slope until the baseline renews itself.
 */
function alignWork(m: LevelMetricState, work: number): void {
  const pad = (values: number[], given: number[] | undefined) => {
    const aligned = (given ?? []).slice(-values.length);
    while (aligned.length < values.length) aligned.unshift(work);
    return aligned;
  };
  m.baselineWork = pad(m.baseline, m.baselineWork);
  m.pendingWork = pad(m.pending, m.pendingWork);
}

/** Largest slope of a log metric on the workload that the fit accepts (cost rising faster than work³ is not a workload effect). */
const MAX_WORK_SLOPE = 3;

/**
 * Slope of log values on the workload over the baseline: least squares on both variables winsorized
 * at their 10th and 90th percentiles (so outliers cannot tilt it), bounded to [0, MAX_WORK_SLOPE];
 * 0 when the workload does not vary.
 */
function workFit(values: readonly number[], work: readonly number[]): { slope: number; meanWork: number } {
  const n = values.length;
  const bounds = (v: readonly number[]) => {
    const sorted = Float64Array.from(v).sort();
    return { lo: sorted[floor(n * 0.1)]!, hi: sorted[n - 1 - floor(n * 0.1)]! };
  };
  const bx = bounds(work);
  const by = bounds(values);
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  let meanWork = 0;
  for (let i = 0; i < n; i++) {
    const xi = min(bx.hi, max(bx.lo, work[i]!));
    const yi = min(by.hi, max(by.lo, values[i]!));
    sx += xi;
    sy += yi;
    sxx += xi * xi;
    sxy += xi * yi;
    meanWork += work[i]!;
  }
  const variance = sxx / n - (sx / n) ** 2;
  const slope = variance > 1e-9 ? (sxy / n - (sx / n) * (sy / n)) / variance : 0;
  return { slope: min(MAX_WORK_SLOPE, max(0, slope)), meanWork: meanWork / n };
}

// ---------------------------------------------------------------------------------------------
// Rate metrics: binomial change-point test over the recent window

function observeRate(state: DriftState, metric: RateMetric, events: number, trials: number): DriftAlert | null {
  const { options } = state;
  const m = state.metrics[metric];
  const recent = m.recent;
  let windowEvents = 0;
  let windowTrials = 0;
  for (let i = 0; i < recent.length; i++) {
    windowEvents += recent[i]![0];
    windowTrials += recent[i]![1];
  }
  // A session counts at most the events that alone would be clip²/2 nats of evidence against the
  // rate held so far: a burst of errors within one session is one piece of evidence, not many.
  const rate = (m.events + windowEvents + 0.5) / (m.trials + windowTrials + 1);
  const counted = stored(cappedEvents(events, trials, rate, (options.clip * options.clip) / 2));
  recent.push([counted, trials]);
  windowEvents += counted;
  windowTrials += trials;
  if (recent.length > options.rateWindow) {
    const [e, t] = recent.shift()!;
    windowEvents -= e;
    windowTrials -= t;
    const keep = 1 - 1 / options.rateMemory;
    m.events = stored(m.events * keep + e);
    m.trials = stored(m.trials * keep + t);
    m.sessions = min(options.rateMemory, m.sessions + 1);
  }
  const totalEvents = m.events + windowEvents;
  const totalTrials = m.trials + windowTrials;

  // Every split into before (at least `warmup` sessions) and after (the last k sessions, at least
  // `sustain`). Between two sessions with events the evidence is convex in the trials after the
  // split, so its maximum is at an end: only splits next to a session with events, and the first
  // and last split, need to be weighed.
  const whole = logLikelihood(totalEvents, totalTrials);
  let best = { evidence: 0, k: 0, afterEvents: 0, afterTrials: 0 };
  let afterEvents = 0;
  let afterTrials = 0;
  const n = recent.length;
  const longest = min(n, m.sessions + n - options.warmup);
  for (let k = 1; k <= longest; k++) {
    const session = recent[n - k]!;
    afterEvents += session[0];
    afterTrials += session[1];
    if (k < options.sustain || afterTrials === 0 || afterTrials >= totalTrials) continue;
    const edge = k === options.sustain || k === longest || session[0] > 0 || (k < n && recent[n - k - 1]![0] > 0);
    if (!edge) continue;
    const evidence = logLikelihood(afterEvents, afterTrials) + logLikelihood(totalEvents - afterEvents, totalTrials - afterTrials) - whole;
    if (evidence > best.evidence) best = { evidence, k, afterEvents, afterTrials };
  }
  // Over-dispersed counts weigh less (quasi-likelihood); the factor is at least 1, so it is only
  // needed when the binomial evidence would alert.
  if (best.evidence < options.threshold) return null;
  const beforeRate = (totalEvents - best.afterEvents + 0.5) / (totalTrials - best.afterTrials + 1);
  const afterRate = best.afterEvents / best.afterTrials;
  best.evidence /= overdispersion(recent, best.k, beforeRate, afterRate);
  if (best.evidence < options.threshold) return null;

  const eventsUp = afterRate > beforeRate;
  // The success rate moves opposite to its bad event (a session not completing).
  const success = metric === 'successRate';
  const alert = makeAlert(state, metric, eventsUp !== success ? 'up' : 'down', {
    baseline: success ? 1 - beforeRate : beforeRate,
    current: success ? 1 - afterRate : afterRate,
    since: state.sessions - best.k + 1,
    sessions: best.k,
    evidence: best.evidence,
    text: (v) => `${(v * 100).toFixed(1)}%`,
  });
  // Re-baseline on the sessions after the change point.
  m.recent = m.recent.slice(-best.k);
  m.events = 0;
  m.trials = 0;
  m.sessions = 0;
  return alert;
}

/**
 * `events`, or fewer: the count at which one session of `trials` alone holds `maxNats` of evidence
 * that its rate exceeds `rate` (found by bisection; a pure function of its arguments).
 */
function cappedEvents(events: number, trials: number, rate: number, maxNats: number): number {
  const evidence = (e: number) => logLikelihood(e, trials) - e * log(rate) - (trials - e) * log(1 - rate);
  if (events <= trials * rate || evidence(events) <= maxNats) return events;
  let low = trials * rate;
  let high = events;
  for (let i = 0; i < 40; i++) {
    const mid = (low + high) / 2;
    if (evidence(mid) <= maxNats) low = mid;
    else high = mid;
  }
  return low;
}

/**
 * How much more the sessions' event counts vary than a binomial allows, around the rates fitted
 * before and after the split at the last `k` sessions (Pearson's χ² per degree of freedom, at least
 * 1). Tool errors cluster in some sessions (a tool down, a confusing task), and the evidence is
 * divided by this factor (a quasi-binomial likelihood). About 1 for one trial per session (the
 * success rate).
 */
function overdispersion(recent: ReadonlyArray<readonly [number, number]>, k: number, before: number, after: number): number {
  let chi2 = 0;
  let sessions = 0;
  for (let i = 0; i < recent.length; i++) {
    const e = recent[i]![0];
    const t = recent[i]![1];
    const rate = i >= recent.length - k ? after : before;
    if (t === 0 || !(rate > 0 && rate < 1)) continue;
    chi2 += (e - t * rate) ** 2 / (t * rate * (1 - rate));
    sessions += 1;
  }
  return sessions > 2 ? max(1, chi2 / (sessions - 2)) : 1;
}

/** Binomial log-likelihood of `events` in `trials` at their own rate (0 · ln 0 taken as 0). */
function logLikelihood(events: number, trials: number): number {
  const misses = trials - events;
  return (events > 0 ? events * log(events / trials) : 0) + (misses > 0 ? misses * log(misses / trials) : 0);
}

// ---------------------------------------------------------------------------------------------
// Alerts

interface AlertFacts {
  baseline: number;
  current: number;
  since: number;
  sessions: number;
  evidence: number;
  text: (value: number) => string;
  /** How the levels were measured, when not plainly. */
  note?: string;
}

function makeAlert(state: DriftState, metric: DriftMetric, direction: 'up' | 'down', facts: AlertFacts): DriftAlert {
  const { baseline, current, since, sessions, evidence, text, note } = facts;
  const changeRatio = baseline > 0 ? current / baseline - 1 : 0;
  const change = `${changeRatio >= 0 ? '+' : ''}${(changeRatio * 100).toFixed(0)}%`;
  const detail =
    `${metric} ${direction} ${change}: ${text(current)} over the ${sessions} sessions since session ${since}, against ${text(baseline)} before${note ? ` (${note})` : ''} ` +
    `(evidence ${evidence.toFixed(1)} nats, threshold ${state.options.threshold}); ` +
    `re-baselined on the new level, the next alert on ${metric} needs ${state.options.warmup} sessions of it`;
  return { metric, direction, baseline, current, changeRatio, session: state.sessions, since, evidence, detail };
}

function formatLevel(metric: LevelMetric, value: number): string {
  if (metric === 'costUsd') return `$${value.toPrecision(3)}`;
  if (metric === 'latencyMs') return `${round(value)} ms`;
  if (metric === 'toolCalls') return `${value.toFixed(1)} tool calls`;
  return `${round(value)} tokens`;
}
