/**
 * Throughput benchmark: N sessions of K tool calls each, all started at once on one Keel worker
 * against a zero-latency scripted model, compared with a bare Temporal workflow that runs the same
 * number of sequential no-op activities on the same server.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import { z } from 'zod';
import { KeelClient } from '../client';
import { defineAgent } from '../core/agent';
import { defineTool } from '../core/tool';
import { ScriptedModelServer } from '../scripted-model';
import { createKeelWorker } from '../workers/keel-worker';
import type { BareActivities } from './bare-workflow';
import type { BenchEnvironment } from './bench-environment';
import { percentile } from './percentile';
import { formatNumber, formatTable } from './text-table';

/** Sizes of the throughput benchmark. */
export interface ThroughputOptions {
  /** Sessions started at once. @default 50 */
  sessions: number;
  /** Tool calls per session (so 2K+1 steps: K+1 model calls and K tool calls). @default 10 */
  toolCalls: number;
}

/** The default sizes of the throughput benchmark. */
export const DEFAULT_THROUGHPUT_OPTIONS: ThroughputOptions = { sessions: 50, toolCalls: 10 };

/** Timing of one side (Keel or bare) of the throughput benchmark. */
export interface ThroughputSide {
  /** From the first start to the last result, in milliseconds. */
  wallMs: number;
  sessionsPerSec: number;
  stepsPerSec: number;
  /** Wall time divided by all steps of all sessions: the amortised cost of one step. */
  msPerStep: number;
  /** Start-to-result time of one session (or bare workflow). */
  sessionMs: { p50: number; p99: number; max: number };
}

/** What the throughput benchmark measured. */
export interface ThroughputResult {
  sessions: number;
  toolCallsPerSession: number;
  /** Model calls plus tool calls of one session: 2K+1. */
  stepsPerSession: number;
  keel: ThroughputSide;
  bare: ThroughputSide;
  /** Keel's cost per step as a multiple of the bare workflow's (Keel ms/step ÷ bare ms/step). */
  perStepCostRatio: number;
}

const AGENT = 'bench-throughput';

/** A trivial read tool: returns a small object at once. */
const pingTool = defineTool({
  name: 'ping',
  description: 'Answers with a small object.',
  tier: 'read',
  input: z.object({ n: z.number().int() }),
  run: async ({ n }) => ({ pong: n, ok: true }),
});

const throughputAgent = defineAgent({ name: AGENT, instructions: 'You are a benchmark agent.', tools: [pingTool] });

/**
 * Runs the bare workflows first, then the Keel sessions, each on its own task queue and worker,
 * one after the other so they do not compete; each side gets one unmeasured warm-up execution.
 * Throws if a session does not complete with the scripted number of calls.
 */
export async function runSessionThroughput(
  env: BenchEnvironment,
  options: ThroughputOptions,
  log: (line: string) => void,
): Promise<ThroughputResult> {
  const { sessions, toolCalls } = options;
  const stepsPerSession = 2 * toolCalls + 1;
  log(`throughput: bare workflow, ${sessions} × ${stepsPerSession} no-op activities`);
  const bare = await measureBare(env, sessions, stepsPerSession);
  log(`throughput: Keel, ${sessions} sessions × ${toolCalls} tool calls`);
  const keel = await measureKeel(env, sessions, toolCalls);
  return {
    sessions,
    toolCallsPerSession: toolCalls,
    stepsPerSession,
    keel,
    bare,
    perStepCostRatio: keel.msPerStep / bare.msPerStep,
  };
}

async function measureBare(env: BenchEnvironment, sessions: number, activities: number): Promise<ThroughputSide> {
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: join(__dirname, 'bare-workflow.ts'),
    logger: new DefaultLogger('WARN'),
  });
  const taskQueue = `bench-bare-${randomUUID().slice(0, 8)}`;
  const noActivities: BareActivities = { noop: async () => undefined };
  const worker = await Worker.create({ connection: env.connection, taskQueue, workflowBundle, activities: noActivities });
  const runOne = async (id: string) => {
    const ran = await env.client.workflow.execute('bareWorkflow', { taskQueue, workflowId: id, args: [activities] });
    if (ran !== activities) throw new Error(`bare workflow ${id} ran ${String(ran)} activities, expected ${activities}`);
  };
  return worker.runUntil(async () => {
    await runOne(`${taskQueue}-warmup`);
    return timeConcurrently(sessions, (i) => runOne(`${taskQueue}-${i}`), activities);
  });
}

async function measureKeel(env: BenchEnvironment, sessions: number, toolCalls: number): Promise<ThroughputSide> {
  const tag = `throughput-${randomUUID().slice(0, 8)}`;
  const model = new ScriptedModelServer({
    scenarios: [
      {
        name: tag,
        match: tag,
        turns: (ctx) =>
          ctx.turn < toolCalls
            ? { toolCalls: [{ name: 'ping', input: { n: ctx.turn } }], usage: { input_tokens: 50, output_tokens: 10 } }
            : { text: 'done', usage: { input_tokens: 50, output_tokens: 5 } },
      },
    ],
  });
  await model.start();
  const taskQueue = `bench-keel-${randomUUID().slice(0, 8)}`;
  try {
    const worker = await createKeelWorker({
      connection: env.connection,
      taskQueue,
      agents: [throughputAgent],
      store: env.store,
      model: { baseURL: model.url, apiKey: 'bench' },
      workflowBundle: { code: env.keelBundle.code },
      shutdownGraceTimeMs: 1000,
    });
    const client = await KeelClient.connect({ client: env.client, taskQueue });
    const runOne = async (i: number | 'warmup') => {
      const session = await client.startSession({
        agent: AGENT,
        input: `${tag} session ${i}: ping ${toolCalls} times`,
        scope: { tenant: 'bench', subjects: [] },
      });
      const result = await session.result();
      const { outcome, usage } = result;
      if (outcome !== 'completed' || usage.toolCalls !== toolCalls || usage.modelCalls !== toolCalls + 1) {
        throw new Error(
          `session ${session.sessionId} ended ${outcome} with ${usage.toolCalls} tool and ${usage.modelCalls} model calls` +
            `${result.error ? ` (${result.error.type}: ${result.error.message})` : ''}; expected completed, ${toolCalls} and ${toolCalls + 1}`,
        );
      }
    };
    return await worker.runUntil(async () => {
      await runOne('warmup');
      return timeConcurrently(sessions, runOne, 2 * toolCalls + 1);
    });
  } finally {
    await model.stop();
  }
}

/** Starts `count` executions at once and times each and all of them. */
async function timeConcurrently(count: number, runOne: (i: number) => Promise<void>, stepsEach: number): Promise<ThroughputSide> {
  const started = performance.now();
  const durations = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const t0 = performance.now();
      await runOne(i);
      return performance.now() - t0;
    }),
  );
  const wallMs = performance.now() - started;
  const steps = count * stepsEach;
  return {
    wallMs,
    sessionsPerSec: count / (wallMs / 1000),
    stepsPerSec: steps / (wallMs / 1000),
    msPerStep: wallMs / steps,
    sessionMs: { p50: percentile(durations, 50), p99: percentile(durations, 99), max: Math.max(...durations) },
  };
}

/** The benchmark's result as a text table, Keel beside the bare workflow. */
export function formatThroughput(result: ThroughputResult): string {
  const side = (name: string, s: ThroughputSide): string[] => [
    name,
    formatNumber(s.wallMs / 1000, 2),
    formatNumber(s.sessionsPerSec, 1),
    formatNumber(s.stepsPerSec, 0),
    formatNumber(s.msPerStep, 2),
    formatNumber(s.sessionMs.p50, 0),
    formatNumber(s.sessionMs.p99, 0),
  ];
  const table = formatTable(
    [
      { header: 'workload', align: 'left' },
      { header: 'wall s' },
      { header: 'sessions/s' },
      { header: 'steps/s' },
      { header: 'ms/step' },
      { header: 'p50 ms/session' },
      { header: 'p99 ms/session' },
    ],
    [side('Keel agentSession', result.keel), side('bare workflow (no-op activities)', result.bare)],
  );
  return [
    `Throughput: ${result.sessions} concurrent sessions × ${result.toolCallsPerSession} tool calls ` +
      `(${result.stepsPerSession} steps each: ${result.toolCallsPerSession + 1} model calls + ${result.toolCallsPerSession} tool calls; ` +
      `Keel also runs 1 describeAgent activity per session, not counted), one worker, zero-latency scripted model`,
    table,
    `Keel per-step cost: ${formatNumber(result.perStepCostRatio, 2)}× the bare workflow's`,
  ].join('\n');
}
