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
import { formatBytes, formatNumber, formatTable } from './text-table';
import { HISTORY_SIZE_WARN_BYTES, measureWorkflowHistory, type RunHistorySize } from './workflow-history-size';

/** Sizes of the history growth benchmark. */
export interface HistoryGrowthOptions {
  /** Tool calls of each session measured, one session per entry. @default [10, 100, 300] */
  toolCalls: number[];
  /** Kilobytes (KiB) of text the tool returns per call. @default 70 */
  outputKb: number;
  /**
   * `maxHistoryEventsPerRun` of the sessions.
   * @default undefined: Keel's own default (see `SessionRequestSchema`)
   */
  maxHistoryEventsPerRun?: number;
}

/** The default sizes of the history growth benchmark. */
export const DEFAULT_HISTORY_GROWTH_OPTIONS: HistoryGrowthOptions = { toolCalls: [10, 100, 300], outputKb: 70 };

/** The history of one measured session. */
export interface HistoryGrowthRow {
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

/** What the history growth benchmark measured. */
export interface HistoryGrowthResult {
  outputKb: number;
  maxHistoryEventsPerRun: number | 'default';
  rows: HistoryGrowthRow[];
  /** Bytes per step of the longest session ÷ that of the shortest (1 = perfectly flat). */
  bytesPerStepGrowth: number;
  /** True when no run of any session reached {@link HISTORY_SIZE_WARN_BYTES}. */
  allRunsBelowWarnLimit: boolean;
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
 * Runs one session per entry of `toolCalls`, one after another on one Keel worker, each with raised
 * limits (1000 tool calls, 10^12 tokens, one hour), then measures every run of its history.
 * Throws if a session does not complete with the scripted number of calls.
 */
export async function runHistoryGrowth(
  env: BenchEnvironment,
  options: HistoryGrowthOptions,
  log: (line: string) => void,
): Promise<HistoryGrowthResult> {
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
  const rows: HistoryGrowthRow[] = [];
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
    await worker.runUntil(async () => {
      for (const calls of options.toolCalls) {
        log(`history: session of ${calls} tool calls × ${options.outputKb} KiB`);
        const started = performance.now();
        const session = await client.startSession({
          agent: AGENT,
          input: `${tag} calls=${calls}: read every document`,
          scope: { tenant: 'bench', subjects: [] },
          limits: { maxToolCalls: 1000, maxTokens: 1e12, maxElapsedMs: 3_600_000 },
          ...(options.maxHistoryEventsPerRun !== undefined ? { maxHistoryEventsPerRun: options.maxHistoryEventsPerRun } : {}),
        });
        const result = await session.result();
        const wallMs = performance.now() - started;
        if (result.outcome !== 'completed' || result.usage.toolCalls !== calls || result.usage.modelCalls !== calls + 1) {
          throw new Error(
            `session ${session.sessionId} ended ${result.outcome} with ${result.usage.toolCalls} tool and ` +
              `${result.usage.modelCalls} model calls${result.error ? ` (${result.error.type}: ${result.error.message})` : ''}`,
          );
        }
        const runDetails = await measureWorkflowHistory(env.client, session.sessionId);
        rows.push(rowOf(calls, calls + 1, calls * options.outputKb * 1024, wallMs, runDetails));
      }
    });
  } finally {
    await model.stop();
  }
  const first = rows[0];
  const last = rows.at(-1);
  return {
    outputKb: options.outputKb,
    maxHistoryEventsPerRun: options.maxHistoryEventsPerRun ?? 'default',
    rows,
    bytesPerStepGrowth: first && last ? last.bytesPerStep / first.bytesPerStep : Number.NaN,
    allRunsBelowWarnLimit: rows.every((r) => r.belowWarnLimit),
  };
}

function rowOf(toolCalls: number, modelCalls: number, toolOutputBytes: number, wallMs: number, runDetails: RunHistorySize[]): HistoryGrowthRow {
  const totalBytes = sum(runDetails.map((r) => r.bytes));
  const largestRunBytes = Math.max(...runDetails.map((r) => r.bytes));
  const steps = toolCalls + modelCalls;
  return {
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

/** The benchmark's result as text: one line per session, the marginal cost, the runs of the longest, a verdict. */
export function formatHistoryGrowth(result: HistoryGrowthResult): string {
  const { rows } = result;
  const sessionTable = formatTable(
    [
      { header: 'tool calls' },
      { header: 'steps' },
      { header: 'tool output' },
      { header: 'runs' },
      { header: 'events' },
      { header: 'history total' },
      { header: 'largest run' },
      { header: 'bytes/step' },
      { header: 'marginal bytes/step' },
      { header: 'carry-over' },
      { header: 'history/output' },
      { header: 'wall s' },
    ],
    rows.map((row, i) => {
      const previous = rows[i - 1];
      const marginal = previous ? (row.totalBytes - previous.totalBytes) / (row.steps - previous.steps) : undefined;
      return [
        String(row.toolCalls),
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
    }),
  );

  const longest = rows.at(-1);
  const lines = [
    `History growth: sessions of ${rows.map((r) => r.toolCalls).join(', ')} tool calls, ${result.outputKb} KiB of tool output per call, ` +
      `maxHistoryEventsPerRun ${result.maxHistoryEventsPerRun}`,
    sessionTable,
    '(steps = tool calls + model calls; marginal = extra history bytes per extra step since the row above; ' +
      'carry-over = bytes of the WorkflowExecutionStarted and ContinuedAsNew events, which hold the request and the state carried between runs)',
  ];
  if (longest && longest.runDetails.length > 1) {
    lines.push(
      '',
      `Runs of the ${longest.toolCalls}-call session:`,
      formatTable(
        [{ header: 'run' }, { header: 'events' }, { header: 'steps' }, { header: 'bytes' }, { header: 'bytes/step' }, { header: 'started event' }],
        longest.runDetails.map((run, i) => {
          const steps = (run.activities.callModel ?? 0) + (run.activities.runTool ?? 0);
          return [String(i + 1), formatNumber(run.events), String(steps), formatBytes(run.bytes), steps ? formatNumber(run.bytes / steps) : '–', formatBytes(run.startedEventBytes)];
        }),
      ),
    );
  }
  if (longest) {
    const byType = new Map<string, number>();
    for (const run of longest.runDetails) for (const [type, bytes] of Object.entries(run.bytesByEventType)) byType.set(type, (byType.get(type) ?? 0) + bytes);
    const top = [...byType.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6);
    lines.push(
      '',
      `Where the ${longest.toolCalls}-call session's history bytes go (top event types):`,
      formatTable(
        [{ header: 'event type', align: 'left' }, { header: 'bytes' }, { header: 'share' }, { header: 'per step' }],
        top.map(([type, bytes]) => [type, formatBytes(bytes), `${formatNumber((100 * bytes) / longest.totalBytes, 1)}%`, formatNumber(bytes / longest.steps)]),
      ),
    );
  }
  const first = rows[0];
  if (first && longest && rows.length > 1) {
    const growthPct = (result.bytesPerStepGrowth - 1) * 100;
    const flat = Math.abs(growthPct) <= 25;
    lines.push(
      '',
      `bytes/step: ${formatNumber(first.bytesPerStep)} at ${first.steps} steps → ${formatNumber(longest.bytesPerStep)} at ${longest.steps} steps ` +
        `(${growthPct >= 0 ? '+' : ''}${formatNumber(growthPct, 1)}%): ${flat ? 'flat (within ±25%)' : 'NOT flat'}; ` +
        `tool output grew ${formatNumber(longest.toolOutputBytes / first.toolOutputBytes, 0)}× to ${formatBytes(longest.toolOutputBytes)}, ` +
        `history stayed ${formatNumber((100 * longest.totalBytes) / longest.toolOutputBytes, 1)}% of it`,
    );
  }
  const largest = Math.max(...rows.map((r) => r.largestRunBytes));
  lines.push(
    result.allRunsBelowWarnLimit
      ? `10 MiB check: every run stays below Temporal's 10 MiB history warning (largest run ${formatBytes(largest)})`
      : `10 MiB check: FAILED, a run reached ${formatBytes(largest)}, past Temporal's 10 MiB history warning`,
  );
  return lines.join('\n');
}
