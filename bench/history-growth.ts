/**
 * History growth benchmark: sessions of increasing length whose tool returns a large text each
 * call, measuring the Temporal history of every run against the number of steps, to show whether
 * history bytes per step stay flat and independent of the tool output's size.
 */
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { KeelClient } from '../client';
import { defineAgent } from '../core/agent';
import { defineTool } from '../core/tool';
import { ScriptedModelServer } from '../scripted-model';
import { createKeelWorker } from '../workers/keel-worker';
import type { BenchEnvironment } from './bench-environment';
import { formatBytes, formatNumber, formatTable } from '../evaluation/text-table';
import { HISTORY_SIZE_WARN_BYTES, measureWorkflowHistory, type RunHistorySize } from './workflow-history-size';

/** Sizes of the history growth benchmark. */
export interface HistoryGrowthOptions {
  /** Tool calls of each session of the series, one session per entry. @default [10, 100, 300] */
  toolCalls: number[];
  /** Kilobytes (KiB) of text the tool returns per call. @default 70 */
  outputKb: number;
  /**
   * `maxHistoryEventsPerRun` of the series' sessions.
   * @default undefined: Keel's own default (see `SessionRequestSchema`)
   */
  maxHistoryEventsPerRun?: number;
  /**
   * Also runs the longest session once more with `maxHistoryEventsPerRun` this low, so that it
   * continues as new several times and the cost of carrying state between runs shows; 0 skips it.
   * @default 1000
   */
  continueAsNewEventsPerRun: number;
}

/** The default sizes of the history growth benchmark. */
export const DEFAULT_HISTORY_GROWTH_OPTIONS: HistoryGrowthOptions = {
  toolCalls: [10, 100, 300],
  outputKb: 70,
  continueAsNewEventsPerRun: 1000,
};

/**
 * Temporal's default limit on one payload (`limit.blobSize.error`, 2 MB), which also bounds the
 * input that a run passes to the next one when it continues as new.
 */
export const PAYLOAD_SIZE_ERROR_BYTES = 2 * 1024 * 1024;

/** The history of one measured session. */
export interface HistoryGrowthRow {
  /** `maxHistoryEventsPerRun` of the session. */
  maxHistoryEventsPerRun: number | 'default';
  toolCalls: number;
  modelCalls: number;
  /** Tool calls plus model calls. */
  steps: number;
  /** Bytes the tool returned over the whole session. */
  toolOutputBytes: number;
  /** Runs of the session (1 + continue-as-new count). */
  runs: number;
  /** History bytes over all runs. */
  totalBytes: number;
  largestRunBytes: number;
  events: number;
  bytesPerStep: number;
  /** Bytes of the runs' WorkflowExecutionStarted and ContinuedAsNew events (request plus carried state). */
  carryOverBytes: number;
  /** True when every run stays below {@link HISTORY_SIZE_WARN_BYTES}. */
  belowWarnLimit: boolean;
  wallMs: number;
  /** Every run's measurement, oldest first. */
  runDetails: RunHistorySize[];
}

/** What the forced continue-as-new session showed about the state carried between runs. */
export interface ContinueAsNewCost {
  row: HistoryGrowthRow;
  /** Its bytes per step ÷ those of the series' session of the same length (when there is one). */
  bytesPerStepVsSeries: number | null;
  /**
   * How much the input carried to the next run grows per step done so far (from the
   * WorkflowExecutionStarted events of its runs); each continue-as-new writes that input twice.
   */
  carriedBytesPerStep: number;
  /** Steps after which the carried input would pass {@link PAYLOAD_SIZE_ERROR_BYTES}, at that growth. */
  stepsToPayloadLimit: number | null;
}

/** What the history growth benchmark measured. */
export interface HistoryGrowthResult {
  outputKb: number;
  /** The series: one session per `toolCalls` entry, all with the same `maxHistoryEventsPerRun`. */
  rows: HistoryGrowthRow[];
  /** Bytes per step of the series' longest session ÷ that of its shortest (1 = perfectly flat). */
  bytesPerStepGrowth: number;
  /** The longest session again, forced to continue as new; absent when skipped. */
  continueAsNew?: ContinueAsNewCost;
  /** True when no run of any session reached {@link HISTORY_SIZE_WARN_BYTES}. */
  allRunsBelowWarnLimit: boolean;
}

/** One session to measure. */
interface HistoryCase {
  toolCalls: number;
  maxHistoryEventsPerRun?: number;
}

const AGENT = 'bench-history';

/** A tool that returns `kb` KiB of text for document `n`. */
function documentTool(kb: number) {
  return defineTool({
    name: 'fetch_document',
    description: 'Fetch a document by number.',
    tier: 'read',
    input: z.object({ n: z.number().int() }),
    run: async ({ n }) => {
      const line = `document ${n}: lorem ipsum dolor sit amet, consectetur adipiscing elit.\n`;
      return line.repeat(Math.ceil((kb * 1024) / line.length)).slice(0, kb * 1024);
    },
  });
}

/**
 * Runs one session per entry of `toolCalls` (and the forced continue-as-new one), all at once on
 * one Keel worker, each with raised limits (1000 tool calls or the session's length if more,
 * 10^12 tokens, one hour), then measures
 * every run of each history. A session's history does not depend on the others running beside it:
 * each runs one activity at a time. Throws if a session does not complete with the scripted calls.
 */
export async function runHistoryGrowth(
  env: BenchEnvironment,
  options: HistoryGrowthOptions,
  log: (line: string) => void,
): Promise<HistoryGrowthResult> {
  const series: HistoryCase[] = [...options.toolCalls].sort((a, b) => a - b).map((toolCalls) => ({
    toolCalls,
    ...(options.maxHistoryEventsPerRun !== undefined ? { maxHistoryEventsPerRun: options.maxHistoryEventsPerRun } : {}),
  }));
  const longest = Math.max(...options.toolCalls);
  const forced: HistoryCase | undefined =
    options.continueAsNewEventsPerRun > 0 ? { toolCalls: longest, maxHistoryEventsPerRun: options.continueAsNewEventsPerRun } : undefined;

  const tag = `history-${randomUUID().slice(0, 8)}`;
  const model = new ScriptedModelServer({
    scenarios: [
      {
        name: tag,
        match: tag,
        turns: (ctx) => {
          const calls = Number(/calls=(\d+)/.exec(ctx.firstUserText)?.[1]);
          return ctx.turn < calls
            ? { toolCalls: [{ name: 'fetch_document', input: { n: ctx.turn } }], usage: { input_tokens: 1000, output_tokens: 20 } }
            : { text: `read ${calls} documents`, usage: { input_tokens: 1000, output_tokens: 20 } };
        },
      },
    ],
  });
  await model.start();
  const taskQueue = `bench-history-${randomUUID().slice(0, 8)}`;
  const agent = defineAgent({ name: AGENT, instructions: 'You are a benchmark agent.', tools: [documentTool(options.outputKb)] });
  try {
    const worker = await createKeelWorker({
      connection: env.connection,
      taskQueue,
      agents: [agent],
      store: env.store,
      model: { baseURL: model.url, apiKey: 'bench' },
      workflowBundle: { code: env.keelBundle.code },
      shutdownGraceTimeMs: 1000,
    });
    const client = await KeelClient.connect({ client: env.client, taskQueue });
    const measure = async (c: HistoryCase, i: number): Promise<HistoryGrowthRow> => {
      const started = performance.now();
      const session = await client.startSession({
        agent: AGENT,
        input: `${tag} case=${i} calls=${c.toolCalls}: read every document`,
        scope: { tenant: 'bench', subjects: [] },
        limits: { maxToolCalls: Math.max(1000, c.toolCalls), maxTokens: 1e12, maxElapsedMs: 3_600_000 },
        ...(c.maxHistoryEventsPerRun !== undefined ? { maxHistoryEventsPerRun: c.maxHistoryEventsPerRun } : {}),
      });
      const result = await session.result();
      const wallMs = performance.now() - started;
      if (result.outcome !== 'completed' || result.usage.toolCalls !== c.toolCalls || result.usage.modelCalls !== c.toolCalls + 1) {
        throw new Error(
          `session ${session.sessionId} ended ${result.outcome} with ${result.usage.toolCalls} tool and ` +
            `${result.usage.modelCalls} model calls${result.error ? ` (${result.error.type}: ${result.error.message})` : ''}`,
        );
      }
      const runDetails = await measureWorkflowHistory(env.client, session.sessionId);
      log(`history: ${c.toolCalls} tool calls done in ${(wallMs / 1000).toFixed(1)} s, ${runDetails.length} run(s)`);
      return rowOf(c, options.outputKb, wallMs, runDetails);
    };
    const cases = forced ? [...series, forced] : series;
    log(
      `history: ${cases.length} sessions at once (${cases.map((c) => `${c.toolCalls} calls${c === forced ? ` at ${c.maxHistoryEventsPerRun} events/run` : ''}`).join(', ')}), ` +
        `${options.outputKb} KiB per tool call`,
    );
    const rows = await worker.runUntil(Promise.all(cases.map(measure)));
    const seriesRows = rows.slice(0, series.length);
    const forcedRow = forced ? rows[series.length] : undefined;
    const first = seriesRows[0];
    const last = seriesRows.at(-1);
    return {
      outputKb: options.outputKb,
      rows: seriesRows,
      bytesPerStepGrowth: first && last ? last.bytesPerStep / first.bytesPerStep : Number.NaN,
      ...(forcedRow ? { continueAsNew: continueAsNewCost(forcedRow, seriesRows) } : {}),
      allRunsBelowWarnLimit: rows.every((r) => r.belowWarnLimit),
    };
  } finally {
    await model.stop();
  }
}

function continueAsNewCost(row: HistoryGrowthRow, series: HistoryGrowthRow[]): ContinueAsNewCost {
  const same = series.find((r) => r.toolCalls === row.toolCalls);
  const runs = row.runDetails;
  const firstRun = runs[0];
  const lastRun = runs.at(-1);
  let carriedBytesPerStep = 0;
  if (firstRun && lastRun && runs.length > 1) {
    const stepsBeforeLast = sum(runs.slice(0, -1).map(stepsOf));
    carriedBytesPerStep = (lastRun.startedEventBytes - firstRun.startedEventBytes) / stepsBeforeLast;
  }
  return {
    row,
    bytesPerStepVsSeries: same ? row.bytesPerStep / same.bytesPerStep : null,
    carriedBytesPerStep,
    stepsToPayloadLimit: carriedBytesPerStep > 0 ? Math.round(PAYLOAD_SIZE_ERROR_BYTES / carriedBytesPerStep) : null,
  };
}

/** Model and tool calls scheduled in a run. */
function stepsOf(run: RunHistorySize): number {
  return (run.activities.callModel ?? 0) + (run.activities.runTool ?? 0);
}

function rowOf(c: HistoryCase, outputKb: number, wallMs: number, runDetails: RunHistorySize[]): HistoryGrowthRow {
  const { toolCalls } = c;
  const modelCalls = toolCalls + 1;
  const toolOutputBytes = toolCalls * outputKb * 1024;
  const totalBytes = sum(runDetails.map((r) => r.bytes));
  const largestRunBytes = Math.max(...runDetails.map((r) => r.bytes));
  const steps = toolCalls + modelCalls;
  return {
    maxHistoryEventsPerRun: c.maxHistoryEventsPerRun ?? 'default',
    toolCalls,
    modelCalls,
    steps,
    toolOutputBytes,
    runs: runDetails.length,
    totalBytes,
    largestRunBytes,
    events: sum(runDetails.map((r) => r.events)),
    bytesPerStep: totalBytes / steps,
    carryOverBytes: sum(runDetails.map((r) => r.startedEventBytes + r.continuedAsNewEventBytes)),
    belowWarnLimit: largestRunBytes < HISTORY_SIZE_WARN_BYTES,
    wallMs,
    runDetails,
  };
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** The benchmark's result as text: one line per session, the runs of the forced one, where bytes go, verdicts. */
export function formatHistoryGrowth(result: HistoryGrowthResult): string {
  const { rows } = result;
  const forced = result.continueAsNew?.row;
  const line = (row: HistoryGrowthRow, marginal: number | undefined): string[] => [
    String(row.toolCalls),
    String(row.maxHistoryEventsPerRun),
    String(row.steps),
    formatBytes(row.toolOutputBytes),
    String(row.runs),
    formatNumber(row.events),
    formatBytes(row.totalBytes),
    formatBytes(row.largestRunBytes),
    formatNumber(row.bytesPerStep),
    marginal === undefined ? '–' : formatNumber(marginal),
    formatBytes(row.carryOverBytes),
    `${formatNumber((100 * row.totalBytes) / row.toolOutputBytes, 1)}%`,
    formatNumber(row.wallMs / 1000, 1),
  ];
  const sessionTable = formatTable(
    [
      { header: 'tool calls' },
      { header: 'events/run' },
      { header: 'steps' },
      { header: 'tool output' },
      { header: 'runs' },
      { header: 'events' },
      { header: 'history total' },
      { header: 'largest run' },
      { header: 'bytes/step' },
      { header: 'marginal' },
      { header: 'carry-over' },
      { header: 'history/output' },
      { header: 'wall s' },
    ],
    [
      ...rows.map((row, i) => {
        const previous = rows[i - 1];
        return line(row, previous ? (row.totalBytes - previous.totalBytes) / (row.steps - previous.steps) : undefined);
      }),
      ...(forced ? [line(forced, undefined)] : []),
    ],
  );

  const lines = [
    `History growth: ${result.outputKb} KiB of tool output per call; sessions run at once` +
      (forced ? `; the last row repeats the longest session with maxHistoryEventsPerRun ${forced.maxHistoryEventsPerRun} to force continue-as-new` : ''),
    sessionTable,
    '(steps = tool calls + model calls; events/run = maxHistoryEventsPerRun, "default" = Keel\'s; marginal = extra history bytes per extra step since the row above;',
    ' carry-over = bytes of the WorkflowExecutionStarted and ContinuedAsNew events, which hold the request and the state carried from run to run)',
  ];

  const multiRun = forced ?? [...rows].reverse().find((r) => r.runs > 1);
  if (multiRun) {
    lines.push(
      '',
      `Runs of the ${multiRun.toolCalls}-call session at ${multiRun.maxHistoryEventsPerRun} events/run:`,
      formatTable(
        [{ header: 'run' }, { header: 'events' }, { header: 'steps' }, { header: 'bytes' }, { header: 'bytes/step' }, { header: 'started event' }],
        multiRun.runDetails.map((run, i) => {
          const steps = stepsOf(run);
          return [String(i + 1), formatNumber(run.events), String(steps), formatBytes(run.bytes), steps ? formatNumber(run.bytes / steps) : '–', formatBytes(run.startedEventBytes)];
        }),
      ),
    );
  }

  const longest = rows.at(-1);
  const compared = [longest, forced].filter((r): r is HistoryGrowthRow => r !== undefined);
  if (compared.length > 0) {
    const byType = compared.map(bytesByEventType);
    const types = [...new Set(byType.flatMap((m) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([t]) => t)))];
    types.sort((a, b) => (byType.at(-1)!.get(b) ?? 0) - (byType.at(-1)!.get(a) ?? 0));
    lines.push(
      '',
      'Where the history bytes go, per step, by event type:',
      formatTable(
        [{ header: 'event type', align: 'left' }, ...compared.map((r) => ({ header: `${r.toolCalls} calls, ${r.maxHistoryEventsPerRun} events/run` }))],
        types.map((type) => [type, ...compared.map((r, i) => formatNumber((byType[i]!.get(type) ?? 0) / r.steps))]),
      ),
    );
  }

  const first = rows[0];
  if (first && longest && rows.length > 1) {
    const growthPct = (result.bytesPerStepGrowth - 1) * 100;
    const flat = Math.abs(growthPct) <= 25;
    lines.push(
      '',
      `bytes/step (events/run ${longest.maxHistoryEventsPerRun}): ${formatNumber(first.bytesPerStep)} at ${first.steps} steps → ${formatNumber(longest.bytesPerStep)} at ${longest.steps} steps ` +
        `(${signed(growthPct)}%, ${longest.runs} run(s)): ${flat ? 'flat (within ±25%)' : 'NOT flat'}; ` +
        `tool output grew ${formatNumber(longest.toolOutputBytes / first.toolOutputBytes, 0)}× to ${formatBytes(longest.toolOutputBytes)}, ` +
        `history stayed ${formatNumber((100 * longest.totalBytes) / longest.toolOutputBytes, 1)}% of it`,
    );
  }
  const can = result.continueAsNew;
  if (can) lines.push(describeContinueAsNew(can));
  const all = forced ? [...rows, forced] : rows;
  const largest = Math.max(...all.map((r) => r.largestRunBytes));
  lines.push(
    result.allRunsBelowWarnLimit
      ? `10 MiB check: every run of every session stays below Temporal's 10 MiB history warning (largest run ${formatBytes(largest)})`
      : `10 MiB check: FAILED, a run reached ${formatBytes(largest)}, past Temporal's 10 MiB history warning`,
  );
  return lines.join('\n');
}

function describeContinueAsNew(can: ContinueAsNewCost): string {
  const { row } = can;
  if (row.runs === 1) {
    return `continue-as-new: the ${row.toolCalls}-call session did not continue as new at ${row.maxHistoryEventsPerRun} events/run (${row.events} events); lower --can-events-per-run`;
  }
  const versus = can.bytesPerStepVsSeries !== null ? ` (${signed((can.bytesPerStepVsSeries - 1) * 100)}% against the series' ${row.toolCalls}-call session)` : '';
  const limit = can.stepsToPayloadLimit !== null ? `; at that rate it would pass Temporal's 2 MiB payload limit after about ${formatNumber(can.stepsToPayloadLimit)} steps` : '';
  return (
    `continue-as-new (${row.maxHistoryEventsPerRun} events/run, ${row.runs} runs): ${formatNumber(row.bytesPerStep)} bytes/step${versus}; ` +
    `the input carried to the next run grows ${formatNumber(can.carriedBytesPerStep)} bytes per step done and is written twice per continue-as-new${limit}`
  );
}

function bytesByEventType(row: HistoryGrowthRow): Map<string, number> {
  const byType = new Map<string, number>();
  for (const run of row.runDetails) for (const [type, bytes] of Object.entries(run.bytesByEventType)) byType.set(type, (byType.get(type) ?? 0) + bytes);
  return byType;
}

function signed(value: number): string {
  return `${value >= 0 ? '+' : ''}${formatNumber(value, 1)}`;
}
