/**
 * `npm run bench`: runs Keel's benchmarks in one process against one fresh Temporal dev server
 * (temporary SQLite database, WAL), prints a table per benchmark and, as the last line of stdout,
 * `BENCH_JSON {...}` with every number. `npm run bench -- --help` lists the flags.
 */
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { BENCH_USAGE, BenchOptionsError, parseBenchOptions, type BenchmarkName } from './bench-options';
import { startBenchEnvironment } from './bench-environment';
import { formatCostBenchmark, runCostBenchmark, type CostBenchResult } from './cost-controls';
import { runGuardrailBenchmarks } from './guardrails';
import { formatDriftDetection, runDriftDetection, type DriftBenchResult } from './drift-detection';
import { formatInjectionEffects, runInjectionEffects, type FlowBenchResult } from './injection-effects';
import { formatHistoryGrowth, runHistoryGrowth, type HistoryGrowthResult, type HistoryGrowthRow } from './history-growth';
import { formatThroughput, runSessionThroughput, type ThroughputResult } from './session-throughput';
import { formatPausedSessions, runPausedSessions, type PausedResult } from './paused-sessions';
import { formatWorkerStart, runWorkerStart, type WorkerStartResult } from './worker-start';

const log = (line: string): void => {
  process.stderr.write(`[bench] ${line}\n`);
};

async function main(): Promise<void> {
  const options = parseBenchOptions(process.argv.slice(2));
  if (options.help) {
    console.log(BENCH_USAGE);
    return;
  }
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const started = performance.now();
  const loadAtStart = loadavg()[0]!;
  if (loadAtStart > cpus().length / 2) {
    log(`warning: load average ${loadAtStart.toFixed(2)} on ${cpus().length} CPUs before the run; other processes will skew the timings (history bytes are not affected)`);
  }
  // The drift benchmark is pure computation; the others need the server.
  const env = options.benchmarks.some((name) => name !== 'drift' && name !== 'guardrails') ? await startBenchEnvironment({ log, keepDir: options.keep }) : undefined;
  const results: { throughput?: ThroughputResult; history?: HistoryGrowthResult; drift?: DriftBenchResult; cost?: CostBenchResult; start?: WorkerStartResult; flow?: FlowBenchResult; paused?: PausedResult } = {};
  let failed = false;
  try {
    if (env) log(`dev server at ${env.address} (started in ${env.serverStartupMs} ms), data in ${env.dir}`);
    for (const name of options.benchmarks) {
      await runBenchmark(name);
      console.log('');
    }
  } finally {
    await env?.close();
  }

  async function runBenchmark(name: BenchmarkName): Promise<void> {
    if (name === 'drift') {
      results.drift = runDriftDetection(options.drift, log);
      console.log(formatDriftDetection(results.drift));
      return;
    }
    if (name === 'guardrails') {
      await runGuardrailBenchmarks({ quick: options.cost.quick ?? false });
      return;
    }
    if (!env) throw new Error(`benchmark ${name} needs the dev server`);
    if (name === 'start') {
      results.start = await runWorkerStart(env);
      console.log(formatWorkerStart(results.start));
      return;
    }
    if (name === 'paused') {
      results.paused = await runPausedSessions(env, options.paused, log);
      console.log(formatPausedSessions(results.paused));
      return;
    }
    if (name === 'flow') {
      results.flow = await runInjectionEffects(env, log);
      console.log(formatInjectionEffects(results.flow));
      if (!results.flow.targetMet) failed = true;
      return;
    }
    if (name === 'cost') {
      // Throws when a session's outcome or output differs between the runs.
      results.cost = await runCostBenchmark({ ...options.cost, env, log });
      console.log(formatCostBenchmark(results.cost));
      if (!results.cost.targetMet) failed = true;
    } else if (name === 'throughput') {
      results.throughput = await runSessionThroughput(env, options.throughput, log);
      console.log(formatThroughput(results.throughput));
    } else {
      results.history = await runHistoryGrowth(env, options.history, log);
      console.log(formatHistoryGrowth(results.history));
      if (!results.history.allRunsBelowWarnLimit) failed = true;
    }
  }

  const totalMs = performance.now() - started;
  console.log(
    `total ${(totalMs / 1000).toFixed(1)} s on ${cpus().length} CPUs (1-minute load average ${loadAtStart.toFixed(2)} at start), node ${process.version}`,
  );
  const history = results.history && {
    ...results.history,
    rows: results.history.rows.map(compactRow),
    ...(results.history.continueAsNew
      ? { continueAsNew: { ...results.history.continueAsNew, row: compactRow(results.history.continueAsNew.row) } }
      : {}),
  };
  const json = {
    node: process.version,
    cpus: cpus().length,
    loadAverageAtStart: loadAtStart,
    totalMs: Math.round(totalMs),
    ...(results.throughput ? { throughput: results.throughput } : {}),
    ...(history ? { history } : {}),
    ...(results.drift ? { drift: results.drift } : {}),
    ...(results.cost ? { cost: results.cost } : {}),
    ...(results.flow ? { flow: results.flow } : {}),
    ...(results.paused ? { paused: results.paused } : {}),
  };
  console.log(`BENCH_JSON ${JSON.stringify(json)}`);
  if (failed) process.exitCode = 1;
}

/** A history row for the JSON line: per-run sizes instead of every run's full measurement. */
function compactRow({ runDetails, ...row }: HistoryGrowthRow) {
  return { ...row, runBytes: runDetails.map((r) => r.bytes), runEvents: runDetails.map((r) => r.events) };
}

main().catch((error: unknown) => {
  if (error instanceof BenchOptionsError) console.error(error.message);
  else console.error(error);
  process.exit(1);
});
