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
  type DriftMetric,
  type DriftOptions,
  type DriftState,
  type SessionSummary,
} from '../core/drift-detector';
import { SeededRandom } from '../core/seeded-random';
import { percentile } from './percentile';
import { formatNumber, formatTable } from '../evaluation/text-table';

/** Math functions bound once: global lookups are slow inside jest's `vm` context, where tests use the generator. */
const { exp, floor, log, round } = Math;

// ---------------------------------------------------------------------------------------------
// Synthetic agent sessions

/** How an agent's sessions are distributed; a scenario changes some of it at a given session. */
export interface AgentProfile {
  /** Mean tool calls per session (negative binomial: Poisson with a gamma-distributed mean). */
  toolCallsMean: number;
  /** Gamma shape of the tool-call mean: smaller is more dispersed. */
  toolCallsShape: number;
  /** Median tokens of a session with {@link REFERENCE_TOOL_CALLS} tool calls. */
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

/** Tool calls of the session whose median tokens is `tokensMedian`: a fixed point, so that more tool calls mean more tokens, not fewer per call. */
const REFERENCE_TOOL_CALLS = 5;

/** Blended price per token of the synthetic model: $3/M input, $15/M output. */
const INPUT_USD_PER_TOKEN = 3e-6;
const OUTPUT_USD_PER_TOKEN = 15e-6;

/** One synthetic session of an agent with `profile`, drawn from `random`. */
export function generateSession(random: SeededRandom, profile: AgentProfile): SessionSummary {
  let toolCalls = random.poisson((profile.toolCallsMean * random.gamma(profile.toolCallsShape)) / profile.toolCallsShape);
  const outlier = random.next() < profile.outlierRate ? floor(random.next() * 3) : -1;
  if (outlier === 0) toolCalls = round(toolCalls * (3 + 5 * random.next())) + 5;
  let tokens =
    profile.tokensScale *
    profile.tokensMedian *
    ((1 + toolCalls) / (1 + REFERENCE_TOOL_CALLS)) ** profile.tokensPerCallElasticity *
    exp(profile.tokensSigma * random.studentT(5));
  if (outlier === 1) tokens *= 3 + 7 * random.next();
  tokens = round(tokens);
  const outputShare = 0.05 + 0.1 * random.next();
  const costUsd = tokens * (INPUT_USD_PER_TOKEN * (1 - outputShare) + OUTPUT_USD_PER_TOKEN * outputShare);
  let latencyMs = profile.latencyPerTurnMs * (1 + toolCalls) * exp(profile.latencySigma * random.studentT(5));
  if (outlier === 2) latencyMs *= 4 + 6 * random.next();
  const errorRate = random.beta(profile.toolErrorRate, 30);
  const toolErrors = random.binomial(toolCalls, errorRate);
  const completed = random.next() < profile.successRate;
  const outcome = completed ? 'completed' : random.next() < 0.5 ? 'failed' : 'breaker_tripped';
  return { outcome, toolCalls, tokens, costUsd, latencyMs: round(latencyMs), toolErrors };
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

/** A change to detect: `before` sessions of the steady agent, then sessions of the changed one. */
interface ChangeScenario {
  name: string;
  before: number;
  change: Partial<AgentProfile>;
  /** The alerts that count as detecting it. */
  detects: Array<{ metric: DriftMetric; direction: 'up' | 'down' }>;
  /** The delay within which it must be detected, if there is such a target. */
  targetSessions?: number;
}

const VERBOSE_MODEL: ChangeScenario = {
  name: 'verbose model: tokens +40%',
  before: 200,
  change: { tokensScale: 1.4 },
  detects: [
    { metric: 'tokens', direction: 'up' },
    { metric: 'costUsd', direction: 'up' },
  ],
  targetSessions: 30,
};

const CHANGES: ChangeScenario[] = [
  VERBOSE_MODEL,
  { name: 'success rate 97% → 85%', before: 200, change: { successRate: 0.85 }, detects: [{ metric: 'successRate', direction: 'down' }] },
  { name: 'success rate 97% → 85%', before: 1000, change: { successRate: 0.85 }, detects: [{ metric: 'successRate', direction: 'down' }] },
  { name: 'tool calls +50% (5 → 7.5)', before: 200, change: { toolCallsMean: 7.5 }, detects: [{ metric: 'toolCalls', direction: 'up' }] },
  { name: 'tool calls +100% (5 → 10)', before: 200, change: { toolCallsMean: 10 }, detects: [{ metric: 'toolCalls', direction: 'up' }] },
  { name: 'tool errors 3% → 9% of calls', before: 200, change: { toolErrorRate: 0.09 }, detects: [{ metric: 'errorRate', direction: 'up' }] },
];

/** Options of the drift benchmark. */
export interface DriftBenchOptions {
  /** Seeds per scenario. @default 50 */
  seeds: number;
  /** Sessions watched after each change; a change not detected by then counts as missed. @default 400 */
  after: number;
  /** Sessions of each seed of the stable scenario. @default 1000 */
  stableSessions: number;
  /** Seeds × sessions of the long stable run, where baselines are mature. @default 10 × 10000 */
  longRun: { seeds: number; sessions: number };
  /** Thresholds of the sweep (verbose model and stable data at each). @default 11, 12, 13, 14 */
  thresholds: number[];
  /** Token noise levels of the sweep (`AgentProfile.tokensSigma`). @default 0.1, 0.2, 0.3 */
  tokenNoise: number[];
  /** Options of the detector under test (its defaults otherwise). */
  detector: Partial<DriftOptions>;
}

/** The default sizes of the drift benchmark. */
export const DEFAULT_DRIFT_BENCH_OPTIONS: DriftBenchOptions = {
  seeds: 50,
  after: 400,
  stableSessions: 1000,
  longRun: { seeds: 10, sessions: 10_000 },
  thresholds: [11, 12, 13, 14],
  tokenNoise: [0.1, 0.2, 0.3],
  detector: {},
};

/** Detection delays, in sessions after the change (1 = the first changed session raised it). */
export interface DelayStats {
  /** Seeds whose change was detected within the sessions watched. */
  detected: number;
  seeds: number;
  /** Over the detected seeds. */
  median: number;
  p90: number;
  /** Null when a seed was missed. */
  worst: number | null;
  /** Seeds detected within the scenario's target (null without a target). */
  withinTarget: number | null;
}

/** What one change scenario measured over every seed. */
export interface ChangeResult extends DelayStats {
  name: string;
  before: number;
  targetSessions: number | null;
  /** Alerts before the change, over all seeds: false alerts. */
  falseAlertsBefore: number;
  /** Alerts after the change on other metrics or directions, over all seeds. */
  otherAlertsAfter: number;
}

/** What a stable run measured. */
export interface StableResult {
  seeds: number;
  sessionsPerSeed: number;
  alerts: number;
  alertsPer1000Sessions: number;
  byMetric: Record<string, number>;
}

/** One row of a sweep: the verbose-model scenario and the stable run at one setting. */
export interface SweepRow extends DelayStats {
  setting: number;
  /** Spread of log tokens per session (1.4826 × MAD), tool-call variation included. */
  logTokensSpread: number;
  falseAlertsPer1000Sessions: number;
}

/** Everything the drift benchmark measured. */
export interface DriftBenchResult {
  options: DriftBenchOptions;
  detectorOptions: DriftOptions;
  changes: ChangeResult[];
  stable: StableResult;
  longRun: StableResult;
  thresholdSweep: SweepRow[];
  noiseSweep: SweepRow[];
  /** Largest state seen over the long run, as JSON bytes. */
  maxStateBytes: number;
  /** Mean time of one `observeSession` call over the long run. */
  microsPerSession: number;
}

function runChange(scenario: ChangeScenario, options: DriftBenchOptions, detector: Partial<DriftOptions>, base: AgentProfile = STEADY_AGENT): ChangeResult {
  const delays: number[] = [];
  let falseAlertsBefore = 0;
  let otherAlertsAfter = 0;
  for (let seed = 1; seed <= options.seeds; seed++) {
    const state = createDriftState(detector);
    let delay: number | null = null;
    generateChange(seed, scenario.before, options.after, scenario.change, base).forEach((summary, i) => {
      for (const alert of observeSession(state, summary)) {
        const detecting = scenario.detects.some((d) => d.metric === alert.metric && d.direction === alert.direction);
        if (i < scenario.before) falseAlertsBefore++;
        else if (!detecting) otherAlertsAfter++;
        else if (delay === null) delay = i + 1 - scenario.before;
      }
    });
    if (delay !== null) delays.push(delay);
  }
  const target = scenario.targetSessions ?? null;
  return {
    name: scenario.name,
    before: scenario.before,
    targetSessions: target,
    ...delayStats(delays, options.seeds, target),
    falseAlertsBefore,
    otherAlertsAfter,
  };
}

function delayStats(delays: number[], seeds: number, target: number | null): DelayStats {
  return {
    detected: delays.length,
    seeds,
    median: percentile(delays, 50),
    p90: percentile(delays, 90),
    worst: delays.length === seeds ? Math.max(...delays) : null,
    withinTarget: target === null ? null : delays.filter((d) => d <= target).length,
  };
}

function runStable(seeds: number, sessions: number, detector: Partial<DriftOptions>, profile: AgentProfile = STEADY_AGENT, onState?: (state: DriftState) => void): StableResult {
  let alerts = 0;
  const byMetric: Record<string, number> = {};
  for (let seed = 1; seed <= seeds; seed++) {
    const state = createDriftState(detector);
    for (const summary of generateSessions(1000 + seed, sessions, profile)) {
      for (const alert of observeSession(state, summary)) {
        alerts++;
        const key = `${alert.metric} ${alert.direction}`;
        byMetric[key] = (byMetric[key] ?? 0) + 1;
      }
      onState?.(state);
    }
  }
  return { seeds, sessionsPerSeed: sessions, alerts, alertsPer1000Sessions: (alerts * 1000) / (seeds * sessions), byMetric };
}

function logTokensSpread(profile: AgentProfile): number {
  const logs = generateSessions(7, 5000, profile).map((s) => log(s.tokens)).sort((a, b) => a - b);
  const median = logs[logs.length >> 1]!;
  const deviations = logs.map((v) => Math.abs(v - median)).sort((a, b) => a - b);
  return 1.4826 * deviations[deviations.length >> 1]!;
}

function sweepRow(setting: number, options: DriftBenchOptions, detector: Partial<DriftOptions>, profile: AgentProfile): SweepRow {
  const change = runChange(VERBOSE_MODEL, options, detector, profile);
  const stable = runStable(options.seeds, options.stableSessions, detector, profile);
  return { setting, ...change, logTokensSpread: logTokensSpread(profile), falseAlertsPer1000Sessions: stable.alertsPer1000Sessions };
}

/** Runs every scenario of the drift benchmark. */
export function runDriftDetection(options: DriftBenchOptions = DEFAULT_DRIFT_BENCH_OPTIONS, log: (line: string) => void = () => {}): DriftBenchResult {
  const detector = options.detector;
  const detectorOptions = createDriftState(detector).options;
  const changes = CHANGES.map((scenario) => {
    log(`drift: ${scenario.name} after ${scenario.before} sessions, ${options.seeds} seeds`);
    return runChange(scenario, options, detector);
  });
  log(`drift: stable, ${options.seeds} seeds × ${options.stableSessions} sessions`);
  const stable = runStable(options.seeds, options.stableSessions, detector);
  log(`drift: long stable run, ${options.longRun.seeds} seeds × ${options.longRun.sessions} sessions`);
  let maxStateBytes = 0;
  const started = performance.now();
  const longRun = runStable(options.longRun.seeds, options.longRun.sessions, detector, STEADY_AGENT, (state) => {
    if (state.sessions % 100 === 0) maxStateBytes = Math.max(maxStateBytes, JSON.stringify(state).length);
  });
  const microsPerSession = ((performance.now() - started) * 1000) / (options.longRun.seeds * options.longRun.sessions);
  log('drift: threshold sweep');
  const thresholdSweep = options.thresholds.map((threshold) => sweepRow(threshold, options, { ...detector, threshold }, STEADY_AGENT));
  log('drift: token noise sweep');
  const noiseSweep = options.tokenNoise.map((tokensSigma) => sweepRow(tokensSigma, options, detector, { ...STEADY_AGENT, tokensSigma }));
  return { options, detectorOptions, changes, stable, longRun, thresholdSweep, noiseSweep, maxStateBytes, microsPerSession };
}

/** The drift benchmark's tables, for humans. */
export function formatDriftDetection(result: DriftBenchResult): string {
  const { options: o, detectorOptions: d } = result;
  const delayCells = (r: DelayStats): string[] => [
    `${r.detected}/${r.seeds}`,
    formatNumber(r.median),
    formatNumber(r.p90),
    r.worst === null ? 'missed' : formatNumber(r.worst),
  ];
  const delayColumns = [{ header: 'detected' }, { header: 'delay p50' }, { header: 'p90' }, { header: 'worst' }];
  const changes = formatTable(
    [
      { header: 'change', align: 'left' },
      { header: 'after' },
      ...delayColumns,
      { header: 'within target' },
      { header: 'false alerts before' },
      { header: 'other alerts after' },
    ],
    result.changes.map((c) => [
      c.name,
      String(c.before),
      ...delayCells(c),
      c.targetSessions === null ? '-' : `${c.withinTarget}/${c.seeds} ≤ ${c.targetSessions}`,
      String(c.falseAlertsBefore),
      String(c.otherAlertsAfter),
    ]),
  );
  const sweep = (header: string, rows: SweepRow[], digits: number) =>
    formatTable(
      [
        { header, align: 'left' },
        { header: 'log-tokens spread' },
        ...delayColumns,
        { header: '≤ 30 sessions' },
        { header: 'false alerts/1000 stable' },
      ],
      rows.map((r) => [
        formatNumber(r.setting, digits),
        formatNumber(r.logTokensSpread, 2),
        ...delayCells(r),
        `${r.withinTarget}/${r.seeds}`,
        formatNumber(r.falseAlertsPer1000Sessions, 3),
      ]),
    );
  const stableLine = (name: string, s: StableResult) =>
    `${name}: ${s.seeds} seeds × ${formatNumber(s.sessionsPerSeed)} sessions: ${s.alerts} alerts = ${formatNumber(s.alertsPer1000Sessions, 3)} per 1000 sessions` +
    (s.alerts > 0 ? ` (${Object.entries(s.byMetric).map(([k, v]) => `${k}: ${v}`).join(', ')})` : '');
  return [
    `Drift detection, ${o.seeds} seeds per scenario, delays in sessions after the change (${o.after} watched). Detector: ` +
      Object.entries(d).map(([k, v]) => `${k} ${v}`).join(', '),
    changes,
    '',
    stableLine('Stable', result.stable),
    stableLine('Stable, long run', result.longRun),
    '',
    'Verbose model (tokens +40% after 200 sessions) and stable data at other thresholds (nats):',
    sweep('threshold', result.thresholdSweep, 0),
    '',
    'The same at other token noise levels (Student-t σ of the session’s own noise; the steady agent has 0.2, plus what tool calls bring):',
    sweep('token noise', result.noiseSweep, 2),
    '',
    `State: at most ${formatNumber(result.maxStateBytes)} bytes of JSON over the long run; ${formatNumber(result.microsPerSession, 1)} µs per observed session`,
  ].join('\n');
}

function main(): void {
  const { values } = parseArgs({ args: process.argv.slice(2), strict: true, options: { seeds: { type: 'string' }, detector: { type: 'string' } } });
  const seeds = values.seeds === undefined ? DEFAULT_DRIFT_BENCH_OPTIONS.seeds : Number(values.seeds);
  if (!Number.isInteger(seeds) || seeds <= 0) throw new Error(`--seeds must be a positive integer, got "${values.seeds}"`);
  const detector = values.detector === undefined ? {} : (JSON.parse(values.detector) as Partial<DriftOptions>);
  const started = performance.now();
  const result = runDriftDetection({ ...DEFAULT_DRIFT_BENCH_OPTIONS, seeds, detector }, (line) => process.stderr.write(`[bench] ${line}\n`));
  console.log(formatDriftDetection(result));
  console.log(`total ${((performance.now() - started) / 1000).toFixed(1)} s, node ${process.version}`);
  console.log(`BENCH_JSON ${JSON.stringify({ node: process.version, drift: result })}`);
}

if (require.main === module) main();
