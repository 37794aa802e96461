import { parseArgs } from 'node:util';
import { DEFAULT_COST_BENCH_OPTIONS, type CostBenchOptions } from './cost-controls';
import { DEFAULT_DRIFT_BENCH_OPTIONS, type DriftBenchOptions } from './drift-detection';
import { DEFAULT_HISTORY_GROWTH_OPTIONS, type HistoryGrowthOptions } from './history-growth';
import { DEFAULT_THROUGHPUT_OPTIONS, type ThroughputOptions } from './session-throughput';
import { DEFAULT_PAUSED_OPTIONS, type PausedOptions } from './paused-sessions';

/** The benchmarks `npm run bench` knows. */
export const BENCHMARK_NAMES = ['throughput', 'history', 'drift', 'cost', 'guardrails', 'start', 'flow', 'paused'] as const;
/** A benchmark's name, as `--only` takes it. */
export type BenchmarkName = (typeof BENCHMARK_NAMES)[number];

/** What one `npm run bench` runs, from its flags and environment. */
export interface BenchOptions {
  /** The benchmarks to run, in order. @default all of {@link BENCHMARK_NAMES} */
  benchmarks: BenchmarkName[];
  throughput: ThroughputOptions;
  paused: PausedOptions;
  history: HistoryGrowthOptions;
  drift: DriftBenchOptions;
  /** Sizes of the cost benchmark (controls off against on). */
  cost: Pick<CostBenchOptions, 'quick' | 'sessions'>;
  /** Keep the run's temporary folder (server database, content store). @default false */
  keep: boolean;
  /** Print the usage and run nothing. */
  help: boolean;
}

/** Sizes of `--quick`: a run of a few seconds that still exercises every path. */
const QUICK = { paused: 200, sessions: 10, toolCalls: 5, historyCalls: [10, 50], continueAsNewEventsPerRun: 200, driftSeeds: 10 } as const;

/** The usage text of `npm run bench`. */
export const BENCH_USAGE = `usage: npm run bench -- [options]

  --only throughput|history|drift|cost|guardrails|start|flow|paused
                              run one benchmark (default: all; drift and guardrails alone need no server;
                              flow: an obedient model over injected tool outputs, information-flow policy;
                              paused: sessions waiting for approval on one worker, memory and approval latency)
  --quick                     small sizes (${QUICK.sessions} sessions × ${QUICK.toolCalls} calls; history ${QUICK.historyCalls.join(',')} calls,
                              continue-as-new at ${QUICK.continueAsNewEventsPerRun} events/run; drift ${QUICK.driftSeeds} seeds)
  --sessions N                throughput: concurrent sessions       (KEEL_BENCH_SESSIONS, default ${DEFAULT_THROUGHPUT_OPTIONS.sessions})
  --tool-calls K              throughput: tool calls per session    (KEEL_BENCH_TOOL_CALLS, default ${DEFAULT_THROUGHPUT_OPTIONS.toolCalls})
  --rounds R                  throughput: rounds of bare + Keel     (KEEL_BENCH_ROUNDS, default ${DEFAULT_THROUGHPUT_OPTIONS.rounds})
  --paused N                  paused: sessions brought to the wait  (KEEL_BENCH_PAUSED, default ${DEFAULT_PAUSED_OPTIONS.sessions}, quick ${QUICK.paused})
  --paused-sample S           paused: approvals timed               (KEEL_BENCH_PAUSED_SAMPLE, default ${DEFAULT_PAUSED_OPTIONS.sample})
  --history-calls A,B,C       history: tool calls of each session   (KEEL_BENCH_HISTORY_CALLS, default ${DEFAULT_HISTORY_GROWTH_OPTIONS.toolCalls.join(',')})
  --output-kb KB              history: KiB returned per tool call   (KEEL_BENCH_OUTPUT_KB, default ${DEFAULT_HISTORY_GROWTH_OPTIONS.outputKb})
  --events-per-run E          history: maxHistoryEventsPerRun       (KEEL_BENCH_EVENTS_PER_RUN, default: Keel's)
  --can-events-per-run E      history: repeat the longest session at E events/run to force
                              continue-as-new; 0 skips it           (KEEL_BENCH_CAN_EVENTS_PER_RUN, default ${DEFAULT_HISTORY_GROWTH_OPTIONS.continueAsNewEventsPerRun})
  --cost-sessions N           cost: support sessions of each run    (KEEL_BENCH_COST_SESSIONS, default ${DEFAULT_COST_BENCH_OPTIONS.sessions}, quick ${DEFAULT_COST_BENCH_OPTIONS.quickSessions})
  --keep                      keep the temporary server database and content store
  --help                      this text

Flags win over environment variables. Tables go to stdout, progress to stderr; the last line of
stdout is "BENCH_JSON {...}" with every number.`;

/** A flag or variable that cannot be used; the message names it. */
export class BenchOptionsError extends Error {
  override readonly name = 'BenchOptionsError';
}

/** Reads the options from command-line arguments (without node and the script) and the environment. */
export function parseBenchOptions(args: string[], env: NodeJS.ProcessEnv = process.env): BenchOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      options: {
        only: { type: 'string' },
        quick: { type: 'boolean', default: false },
        sessions: { type: 'string' },
        'tool-calls': { type: 'string' },
        rounds: { type: 'string' },
        paused: { type: 'string' },
        'paused-sample': { type: 'string' },
        'history-calls': { type: 'string' },
        'output-kb': { type: 'string' },
        'events-per-run': { type: 'string' },
        'can-events-per-run': { type: 'string' },
        'cost-sessions': { type: 'string' },
        keep: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }).values;
  } catch (error) {
    throw new BenchOptionsError(`${(error as Error).message}\n\n${BENCH_USAGE}`);
  }
  const only = parsed.only;
  if (only !== undefined && !(BENCHMARK_NAMES as readonly string[]).includes(only)) {
    throw new BenchOptionsError(`--only must be one of ${BENCHMARK_NAMES.join(', ')}, got "${only}"`);
  }
  const quick = parsed.quick === true;
  const eventsPerRun = eventsPerRunOf('--events-per-run', parsed['events-per-run'] ?? env.KEEL_BENCH_EVENTS_PER_RUN);
  return {
    benchmarks: only === undefined ? [...BENCHMARK_NAMES] : [only as BenchmarkName],
    throughput: {
      sessions: positiveInt('--sessions', parsed.sessions ?? env.KEEL_BENCH_SESSIONS) ?? (quick ? QUICK.sessions : DEFAULT_THROUGHPUT_OPTIONS.sessions),
      toolCalls:
        positiveInt('--tool-calls', parsed['tool-calls'] ?? env.KEEL_BENCH_TOOL_CALLS) ?? (quick ? QUICK.toolCalls : DEFAULT_THROUGHPUT_OPTIONS.toolCalls),
      rounds: positiveInt('--rounds', parsed.rounds ?? env.KEEL_BENCH_ROUNDS) ?? DEFAULT_THROUGHPUT_OPTIONS.rounds,
    },
    paused: {
      ...DEFAULT_PAUSED_OPTIONS,
      sessions: positiveInt('--paused', parsed.paused ?? env.KEEL_BENCH_PAUSED) ?? (quick ? QUICK.paused : DEFAULT_PAUSED_OPTIONS.sessions),
      sample: positiveInt('--paused-sample', parsed['paused-sample'] ?? env.KEEL_BENCH_PAUSED_SAMPLE) ?? DEFAULT_PAUSED_OPTIONS.sample,
    },
    history: {
      toolCalls:
        positiveIntList('--history-calls', parsed['history-calls'] ?? env.KEEL_BENCH_HISTORY_CALLS) ??
        (quick ? [...QUICK.historyCalls] : [...DEFAULT_HISTORY_GROWTH_OPTIONS.toolCalls]),
      outputKb: positiveInt('--output-kb', parsed['output-kb'] ?? env.KEEL_BENCH_OUTPUT_KB) ?? DEFAULT_HISTORY_GROWTH_OPTIONS.outputKb,
      ...(eventsPerRun !== undefined ? { maxHistoryEventsPerRun: eventsPerRun } : {}),
      continueAsNewEventsPerRun:
        eventsPerRunOf('--can-events-per-run', parsed['can-events-per-run'] ?? env.KEEL_BENCH_CAN_EVENTS_PER_RUN, true) ??
        (quick ? QUICK.continueAsNewEventsPerRun : DEFAULT_HISTORY_GROWTH_OPTIONS.continueAsNewEventsPerRun),
    },
    drift: quick ? { ...DEFAULT_DRIFT_BENCH_OPTIONS, seeds: QUICK.driftSeeds, longRun: { seeds: 1, sessions: 10_000 } } : DEFAULT_DRIFT_BENCH_OPTIONS,
    cost: (() => {
      const sessions = positiveInt('--cost-sessions', parsed['cost-sessions'] ?? env.KEEL_BENCH_COST_SESSIONS);
      return { quick, ...(sessions !== undefined ? { sessions } : {}) };
    })(),
    keep: parsed.keep === true,
    help: parsed.help === true,
  };
}

function positiveInt(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new BenchOptionsError(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

/** Smallest `maxHistoryEventsPerRun` that Keel accepts (see `SessionRequestSchema`). */
const MIN_EVENTS_PER_RUN = 200;

function eventsPerRunOf(name: string, raw: string | undefined, zeroSkips = false): number | undefined {
  if (zeroSkips && raw?.trim() === '0') return 0;
  const value = positiveInt(name, raw);
  if (value !== undefined && value < MIN_EVENTS_PER_RUN) {
    throw new BenchOptionsError(`${name} must be at least ${MIN_EVENTS_PER_RUN} (Keel's minimum maxHistoryEventsPerRun)${zeroSkips ? ' or 0' : ''}, got ${value}`);
  }
  return value;
}

function positiveIntList(name: string, raw: string | undefined): number[] | undefined {
  if (raw === undefined || raw === '') return undefined;
  return raw.split(',').map((part) => positiveInt(name, part.trim())!);
}
