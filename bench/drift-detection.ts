/**
 * Drift-detection benchmark: feeds the drift detector (`core/drift-detector.ts`) synthetic agent
 * sessions from a seeded generator and measures how fast it detects real changes (a more verbose
 * model, a drop in success rate, a rise in tool calls) and how often it raises false alerts on
 * stable data. Pure computation, no Temporal server.
 *
 * `npx tsx bench/drift-detection.ts [--seeds N] [--detector '{"threshold":14}']` or `npm run bench -- --only drift`. Prints a table
 * and, as the last line of stdout, `BENCH_JSON {...}`.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import {
  createDriftState,
  observeSession,
  type DriftAlert,
  type DriftMetric,
  type DriftOptions,
  type SessionSummary,
} from '../core/drift-detector';
import { percentile } from './percentile';
import { formatNumber, formatTable } from './text-table';

// ---------------------------------------------------------------------------------------------
// Seeded randomness

/** A seeded pseudo-random generator (mulberry32) with the distributions the session generator needs. */
export class SeededRandom {
  private s: number;

  /** Nearby seeds (1, 2, 3…) are spread over the state space first. */
  constructor(seed: number) {
    this.s = Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** Student's t with `dof` degrees of freedom, scaled to unit variance (heavier tails than normal). */
  studentT(dof: number): number {
    let chi2 = 0;
    for (let i = 0; i < dof; i++) chi2 += this.normal() ** 2;
    return (this.normal() / Math.sqrt(chi2 / dof)) * Math.sqrt((dof - 2) / dof);
  }

  /** Gamma(shape, 1) by Marsaglia–Tsang. */
  gamma(shape: number): number {
    if (shape < 1) return this.gamma(shape + 1) * this.next() ** (1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      const x = this.normal();
      const v = (1 + c * x) ** 3;
      if (v <= 0) continue;
      if (Math.log(this.next()) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
    }
  }

  /** Poisson by multiplication (small means). */
  poisson(mean: number): number {
    const limit = Math.exp(-mean);
    let k = 0;
    for (let p = this.next(); p > limit; p *= this.next()) k++;
    return k;
  }

  /** Beta with the given mean and concentration (alpha + beta). */
  beta(mean: number, concentration: number): number {
    const a = this.gamma(mean * concentration);
    return a / (a + this.gamma((1 - mean) * concentration));
  }

  binomial(trials: number, p: number): number {
    let k = 0;
    for (let i = 0; i < trials; i++) if (this.next() < p) k++;
    return k;
  }
}

// ---------------------------------------------------------------------------------------------
// Synthetic agent sessions

/** How an agent's sessions are distributed; a scenario changes some of it at a given session. */
export interface AgentProfile {
  /** Mean tool calls per session (negative binomial: Poisson with a gamma-distributed mean). */
  toolCallsMean: number;
  /** Gamma shape of the tool-call mean: smaller is more dispersed. */
  toolCallsShape: number;
  /** Median tokens of a session with the mean number of tool calls. */
  tokensMedian: number;
  /** Elasticity of tokens to tool calls: tokens ∝ (1 + toolCalls)^this. */
  tokensPerCallElasticity: number;
  /** Spread of the session's own token noise on the log scale (Student t, 5 degrees of freedom). */
  tokensSigma: number;
  /** Multiplier on every session's tokens (1 = normal; 1.4 = a model 40 % more verbose). */
  tokensScale: number;
  /** Median latency per model turn (one turn per tool call, plus one), in ms. */
  latencyPerTurnMs: number;
  /** Spread of latency on the log scale (Student t, 5 degrees of freedom). */
  latencySigma: number;
  /** Share of sessions that are wild outliers: tokens, latency or tool calls several times the norm. */
  outlierRate: number;
  /** Probability that a session completes. */
  successRate: number;
  /** Mean probability that a tool call fails; each session draws its own (beta, concentration 30). */
  toolErrorRate: number;
}

/** A support agent on a steady workload: ~12k tokens, ~5 tool calls, 97 % completed, 3 % tool errors. */
export const STEADY_AGENT: AgentProfile = {
  toolCallsMean: 5,
  toolCallsShape: 8,
  tokensMedian: 12_000,
  tokensPerCallElasticity: 0.4,
  tokensSigma: 0.2,
  tokensScale: 1,
  latencyPerTurnMs: 1_800,
  latencySigma: 0.3,
  outlierRate: 0.01,
  successRate: 0.97,
  toolErrorRate: 0.03,
};

/** Blended price per token of the synthetic model: $3/M input, $15/M output. */
const INPUT_USD_PER_TOKEN = 3e-6;
const OUTPUT_USD_PER_TOKEN = 15e-6;

/** One synthetic session of an agent with `profile`, drawn from `random`. */
export function generateSession(random: SeededRandom, profile: AgentProfile): SessionSummary {
  let toolCalls = random.poisson((profile.toolCallsMean * random.gamma(profile.toolCallsShape)) / profile.toolCallsShape);
  const outlier = random.next() < profile.outlierRate ? Math.floor(random.next() * 3) : -1;
  if (outlier === 0) toolCalls = Math.round(toolCalls * (3 + 5 * random.next())) + 5;
  let tokens =
    profile.tokensScale *
    profile.tokensMedian *
    ((1 + toolCalls) / (1 + profile.toolCallsMean)) ** profile.tokensPerCallElasticity *
    Math.exp(profile.tokensSigma * random.studentT(5));
  if (outlier === 1) tokens *= 3 + 7 * random.next();
  tokens = Math.round(tokens);
  const outputShare = 0.05 + 0.1 * random.next();
  const costUsd = tokens * (INPUT_USD_PER_TOKEN * (1 - outputShare) + OUTPUT_USD_PER_TOKEN * outputShare);
  let latencyMs = profile.latencyPerTurnMs * (1 + toolCalls) * Math.exp(profile.latencySigma * random.studentT(5));
  if (outlier === 2) latencyMs *= 4 + 6 * random.next();
  const errorRate = random.beta(profile.toolErrorRate, 30);
  const toolErrors = random.binomial(toolCalls, errorRate);
  const completed = random.next() < profile.successRate;
  const outcome = completed ? 'completed' : random.next() < 0.5 ? 'failed' : 'breaker_tripped';
  return { outcome, toolCalls, tokens, costUsd, latencyMs: Math.round(latencyMs), toolErrors };
}

/** `count` sessions of `profile` from seed `seed`. */
export function generateSessions(seed: number, count: number, profile: AgentProfile = STEADY_AGENT): SessionSummary[] {
  const random = new SeededRandom(seed);
  return Array.from({ length: count }, () => generateSession(random, profile));
}

/**
 * `before` sessions of `STEADY_AGENT`, then `after` sessions of the agent changed by `change`, all
 * from seed `seed`.
 */
export function generateChange(seed: number, before: number, after: number, change: Partial<AgentProfile>, base: AgentProfile = STEADY_AGENT): SessionSummary[] {
  const random = new SeededRandom(seed);
  const changed = { ...base, ...change };
  return Array.from({ length: before + after }, (_, i) => generateSession(random, i < before ? base : changed));
}

// ---------------------------------------------------------------------------------------------
// Scenarios

/** A change to detect: sessions of the steady agent, then of the changed one. */
interface ChangeScenario {
  name: string;
  change: Partial<AgentProfile>;
  /** The alerts that count as detecting it. */
  detects: Array<{ metric: DriftMetric; direction: 'up' | 'down' }>;
  /** The delay within which it must be detected, if there is such a target. */
  targetSessions?: number;
}

const CHANGES: ChangeScenario[] = [
  {
    name: 'verbose model: tokens +40%',
    change: { tokensScale: 1.4 },
    detects: [
      { metric: 'tokens', direction: 'up' },
      { metric: 'costUsd', direction: 'up' },
    ],
    targetSessions: 30,
  },
  { name: 'success rate 97% → 85%', change: { successRate: 0.85 }, detects: [{ metric: 'successRate', direction: 'down' }] },
  { name: 'tool calls +50% (5 → 7.5)', change: { toolCallsMean: 7.5 }, detects: [{ metric: 'toolCalls', direction: 'up' }] },
  { name: 'tool calls +100% (5 → 10)', change: { toolCallsMean: 10 }, detects: [{ metric: 'toolCalls', direction: 'up' }] },
  { name: 'tool errors 3% → 9%', change: { toolErrorRate: 0.09 }, detects: [{ metric: 'errorRate', direction: 'up' }] },
];

/** Options of the drift benchmark. */
export interface DriftBenchOptions {
  /** Seeds per scenario. @default 50 */
  seeds: number;
  /** Stable sessions before each change. @default 200 */
  before: number;
  /** Sessions after each change; a change not detected by then counts as missed. @default 300 */
  after: number;
  /** Sessions of the stable scenario. @default 1000 */
  stableSessions: number;
  /** Options of the detector under test (its defaults otherwise). */
  detector: Partial<DriftOptions>;
}

/** The default sizes of the drift benchmark. */
export const DEFAULT_DRIFT_BENCH_OPTIONS: DriftBenchOptions = { seeds: 50, before: 200, after: 300, stableSessions: 1000, detector: {} };

/** What one change scenario measured over every seed. */
export interface ChangeResult {
  name: string;
  seeds: number;
  /** Seeds whose change was detected within `after` sessions. */
  detected: number;
  /** Sessions from the change to the detecting alert (1 = the first changed session raised it). */
  delay: { median: number; p90: number; worst: number };
  targetSessions: number | null;
  /** Seeds detected within the target (null without a target). */
  withinTarget: number | null;
  /** Alerts before the change, over all seeds. */
  falseAlertsBefore: number;
  /** Other alerts after the change (other metrics or directions), over all seeds. */
  otherAlertsAfter: number;
}

/** What the stable scenario measured. */
export interface StableResult {
  seeds: number;
  sessionsPerSeed: number;
  alerts: number;
  alertsPer1000Sessions: number;
  byMetric: Record<string, number>;
}

/** How noise in tokens limits the detection of +40 %: the verbose-model scenario at several noise levels. */
export interface NoiseRow {
  tokensSigma: number;
  /** Measured spread of log tokens per session (MAD × 1.4826), tool-call variation included. */
  logTokensSpread: number;
  detected: number;
  withinTarget: number;
  delay: { median: number; worst: number };
  falseAlertsPer1000Sessions: number;
}

/** Everything the drift benchmark measured. */
export interface DriftBenchResult {
  options: DriftBenchOptions;
  detectorOptions: DriftOptions;
  changes: ChangeResult[];
  stable: StableResult;
  noise: NoiseRow[];
  /** State size after 10 000 sessions, as JSON bytes. */
  stateBytes: number;
  /** Mean time of one `observeSession` call. */
  microsPerSession: number;
}

function runChange(scenario: ChangeScenario, options: DriftBenchOptions, base: AgentProfile = STEADY_AGENT): ChangeResult {
  const delays: number[] = [];
  let falseAlertsBefore = 0;
  let otherAlertsAfter = 0;
  for (let seed = 1; seed <= options.seeds; seed++) {
    const state = createDriftState(options.detector);
    const sessions = generateChange(seed, options.before, options.after, scenario.change, base);
    let delay: number | null = null;
    sessions.forEach((summary, i) => {
      for (const alert of observeSession(state, summary)) {
        if (i < options.before) falseAlertsBefore++;
        else if (delay === null && scenario.detects.some((d) => d.metric === alert.metric && d.direction === alert.direction)) {
          delay = i + 1 - options.before;
        } else otherAlertsAfter++;
      }
    });
    if (delay !== null) delays.push(delay);
  }
  const target = scenario.targetSessions ?? null;
  return {
    name: scenario.name,
    seeds: options.seeds,
    detected: delays.length,
    delay: { median: percentile(delays, 50), p90: percentile(delays, 90), worst: delays.length === options.seeds ? Math.max(...delays) : Number.POSITIVE_INFINITY },
    targetSessions: target,
    withinTarget: target === null ? null : delays.filter((d) => d <= target).length,
    falseAlertsBefore,
    otherAlertsAfter,
  };
}

function runStable(options: DriftBenchOptions, profile: AgentProfile = STEADY_AGENT): StableResult {
  let alerts = 0;
  const byMetric: Record<string, number> = {};
  for (let seed = 1; seed <= options.seeds; seed++) {
    const state = createDriftState(options.detector);
    for (const summary of generateSessions(1000 + seed, options.stableSessions, profile)) {
      for (const alert of observeSession(state, summary)) {
        alerts++;
        const key = `${alert.metric} ${alert.direction}`;
        byMetric[key] = (byMetric[key] ?? 0) + 1;
      }
    }
  }
  return {
    seeds: options.seeds,
    sessionsPerSeed: options.stableSessions,
    alerts,
    alertsPer1000Sessions: (alerts * 1000) / (options.seeds * options.stableSessions),
    byMetric,
  };
}

function logTokensSpread(profile: AgentProfile): number {
  const logs = generateSessions(7, 5000, profile).map((s) => Math.log(s.tokens)).sort((a, b) => a - b);
  const median = logs[logs.length >> 1]!;
  const deviations = logs.map((v) => Math.abs(v - median)).sort((a, b) => a - b);
  return 1.4826 * deviations[deviations.length >> 1]!;
}

function runNoise(options: DriftBenchOptions, sigmas: readonly number[]): NoiseRow[] {
  const verbose = CHANGES[0]!;
  return sigmas.map((tokensSigma) => {
    const profile = { ...STEADY_AGENT, tokensSigma };
    const change = runChange(verbose, options, profile);
    const stable = runStable(options, profile);
    return {
      tokensSigma,
      logTokensSpread: logTokensSpread(profile),
      detected: change.detected,
      withinTarget: change.withinTarget ?? 0,
      delay: { median: change.delay.median, worst: change.delay.worst },
      falseAlertsPer1000Sessions: stable.alertsPer1000Sessions,
    };
  });
}

/** Runs every scenario of the drift benchmark. */
export function runDriftDetection(options: DriftBenchOptions = DEFAULT_DRIFT_BENCH_OPTIONS, log: (line: string) => void = () => {}): DriftBenchResult {
  const detectorOptions = createDriftState(options.detector).options;
  const changes = CHANGES.map((scenario) => {
    log(`drift: ${scenario.name}, ${options.seeds} seeds`);
    return runChange(scenario, options);
  });
  log(`drift: stable, ${options.seeds} seeds × ${options.stableSessions} sessions`);
  const stable = runStable(options);
  log('drift: noise sweep');
  const noise = runNoise(options, [0.1, 0.2, 0.3, 0.4]);

  const state = createDriftState(options.detector);
  const sessions = generateSessions(99, 10_000);
  const started = performance.now();
  for (const summary of sessions) observeSession(state, summary);
  const microsPerSession = ((performance.now() - started) * 1000) / sessions.length;
  return { options, detectorOptions, changes, stable, noise, stateBytes: JSON.stringify(state).length, microsPerSession };
}

/** The drift benchmark's tables, for humans. */
export function formatDriftDetection(result: DriftBenchResult): string {
  const { options: o, detectorOptions: d } = result;
  const delay = (n: number) => (Number.isFinite(n) ? formatNumber(n) : 'missed');
  const changes = formatTable(
    [
      { header: 'change (after 200 steady sessions)', align: 'left' },
      { header: 'detected' },
      { header: 'delay p50' },
      { header: 'p90' },
      { header: 'worst' },
      { header: 'within target' },
      { header: 'false alerts before' },
      { header: 'other alerts after' },
    ],
    result.changes.map((c) => [
      c.name,
      `${c.detected}/${c.seeds}`,
      delay(c.delay.median),
      delay(c.delay.p90),
      delay(c.delay.worst),
      c.targetSessions === null ? '-' : `${c.withinTarget}/${c.seeds} ≤ ${c.targetSessions}`,
      String(c.falseAlertsBefore),
      String(c.otherAlertsAfter),
    ]),
  );
  const s = result.stable;
  const noise = formatTable(
    [
      { header: 'token noise (t5 σ)', align: 'left' },
      { header: 'log-tokens spread' },
      { header: 'detected' },
      { header: '≤ 30 sessions' },
      { header: 'delay p50' },
      { header: 'worst' },
      { header: 'false alerts /1000 stable' },
    ],
    result.noise.map((r) => [
      formatNumber(r.tokensSigma, 2),
      formatNumber(r.logTokensSpread, 2),
      `${r.detected}/${o.seeds}`,
      `${r.withinTarget}/${o.seeds}`,
      delay(r.delay.median),
      delay(r.delay.worst),
      formatNumber(r.falseAlertsPer1000Sessions, 3),
    ]),
  );
  return [
    `Drift detection: ${o.seeds} seeds per scenario; delays in sessions after the change (${o.after} watched); detector threshold ${d.threshold} nats, ` +
      `relativeChange ${d.relativeChange}, rateWindow ${d.rateWindow}, warmup ${d.warmup}, baselineWindow ${d.baselineWindow}, quarantine ${d.quarantine}, clip ${d.clip}`,
    changes,
    '',
    `Stable: ${s.seeds} seeds × ${s.sessionsPerSeed} sessions: ${s.alerts} alerts = ${formatNumber(s.alertsPer1000Sessions, 3)} per 1000 sessions` +
      (s.alerts > 0 ? ` (${Object.entries(s.byMetric).map(([k, v]) => `${k}: ${v}`).join(', ')})` : ''),
    '',
    'Tokens +40% at other noise levels (the steady agent has σ 0.2, plus the variation that tool calls bring):',
    noise,
    '',
    `State after 10,000 sessions: ${formatNumber(result.stateBytes)} bytes of JSON; ${formatNumber(result.microsPerSession, 1)} µs per observed session`,
  ].join('\n');
}

function main(): void {
  const { values } = parseArgs({ args: process.argv.slice(2), strict: true, options: { seeds: { type: 'string' }, detector: { type: 'string' } } });
  const seeds = values.seeds === undefined ? DEFAULT_DRIFT_BENCH_OPTIONS.seeds : Number(values.seeds);
  if (!Number.isInteger(seeds) || seeds <= 0) throw new Error(`--seeds must be a positive integer, got "${values.seeds}"`);
  const started = performance.now();
  const detector = values.detector === undefined ? {} : (JSON.parse(values.detector) as Partial<DriftOptions>);
  const result = runDriftDetection({ ...DEFAULT_DRIFT_BENCH_OPTIONS, seeds, detector }, (line) => process.stderr.write(`[bench] ${line}\n`));
  console.log(formatDriftDetection(result));
  console.log(`total ${((performance.now() - started) / 1000).toFixed(1)} s, node ${process.version}`);
  console.log(`BENCH_JSON ${JSON.stringify({ node: process.version, drift: result })}`);
}

if (require.main === module) main();
