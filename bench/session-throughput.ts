/**
 * Throughput benchmark: N sessions of K tool calls each, all started at once on one Keel worker
 * against a zero-latency scripted model, compared on the same server with two bare Temporal
 * workflows: a bare agent loop that makes the same model calls (the Anthropic SDK over HTTP to the
 * same scripted model) and runs the same tool, each an activity; and a workflow that runs as many
 * no-op activities. Wall time and CPU time per step: the CPU of this process (worker and client;
 * the scripted model and the Temporal server run in processes of their own).
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import Anthropic from '@anthropic-ai/sdk';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import { z } from 'zod';
import { KeelClient } from '../client';
import { defineAgent } from '../core/agent';
import { defineTool, toolModelInputSchema } from '../core/tool';
import { createKeelWorker } from '../workers/keel-worker';
import type { BareActivities, BareAgentActivities } from './bare-workflow';
import type { BenchEnvironment } from './bench-environment';
import { percentile } from './percentile';
import { startScriptedModelProcess } from './scripted-model-process';
import { formatNumber, formatTable } from '../evaluation/text-table';

/** Sizes of the throughput benchmark. */
export interface ThroughputOptions {
  /** Sessions started at once. @default 50 */
  sessions: number;
  /** Tool calls per session (so 2K+1 steps: K+1 model calls and K tool calls). @default 10 */
  toolCalls: number;
  /**
   * Rounds of (bare, Keel), the order swapped every other round so that neither side always runs
   * first; the numbers pool every round. @default 2
   */
  rounds: number;
}

/** The default sizes of the throughput benchmark. */
export const DEFAULT_THROUGHPUT_OPTIONS: ThroughputOptions = { sessions: 50, toolCalls: 10, rounds: 2 };

/** Timing of one side (Keel, the bare agent or the no-op workflow) of the throughput benchmark, over one round or all of them. */
export interface ThroughputSide {
  /** From the first start to the last result, in milliseconds (summed over rounds). */
  wallMs: number;
  sessionsPerSec: number;
  stepsPerSec: number;
  /** Wall time divided by all steps of all sessions: the amortised cost of one step. */
  msPerStep: number;
  /** CPU time of the worker's process (user + system, every thread) divided by all steps. */
  cpuMsPerStep: number;
  /** Start-to-result time of one session (or bare workflow). */
  sessionMs: { p50: number; p99: number; max: number };
}

/** What the throughput benchmark measured. */
export interface ThroughputResult {
  sessions: number;
  toolCallsPerSession: number;
  /** Model calls plus tool calls of one session: 2K+1. */
  stepsPerSession: number;
  /** Every round pooled. */
  keel: ThroughputSide;
  /** The bare agent loop: the same model and tool calls, nothing of Keel. */
  bareAgent: ThroughputSide;
  /** The bare workflow of no-op activities. */
  bare: ThroughputSide;
  /** Keel's cost per step as a multiple of the bare agent's (Keel ms/step ÷ bare agent ms/step), every round pooled: the goal's ratio. */
  perStepCostRatio: number;
  /** The same for CPU time per step. */
  perStepCpuRatio: number;
  /** Keel's cost per step as a multiple of the no-op workflow's, wall and CPU (the work of the calls themselves included). */
  noopCostRatio: number;
  noopCpuRatio: number;
  /** Each round on its own, to show the spread. */
  rounds: Array<{ keel: ThroughputSide; bareAgent: ThroughputSide; bare: ThroughputSide; perStepCostRatio: number; perStepCpuRatio: number }>;
}

/** The raw timing of one side in one round. */
interface RoundTiming {
  wallMs: number;
  /** CPU time of this process over the same span, in milliseconds. */
  cpuMs: number;
  /** Start-to-result time of each execution. */
  durations: number[];
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

/** The bare agent's side of the model: the same request a Keel session makes, through the same SDK. */
function bareAgentActivities(modelURL: string): BareAgentActivities {
  const client = new Anthropic({ apiKey: 'bench', baseURL: modelURL, maxRetries: 0 });
  const tools = [{ name: pingTool.name, description: pingTool.description, input_schema: toolModelInputSchema(pingTool) as Anthropic.Tool.InputSchema }];
  return {
    async bareModelCall(messages) {
      const reply = await client.messages.create({ model: throughputAgent.model, max_tokens: 1024, system: throughputAgent.instructions, tools, messages: messages as Anthropic.MessageParam[] });
      return { content: reply.content as unknown as Array<{ type: string }> };
    },
    async bareToolCall(name, input) {
      if (name !== pingTool.name) throw new Error(`bare agent: unknown tool ${name}`);
      return JSON.stringify(await pingTool.run(input as { n: number }, undefined as never));
    },
  };
}

/**
 * Runs rounds of bare workflows and Keel sessions, each side on its own task queue and worker and
 * alone on the server while it is measured, after one unmeasured warm-up execution.
 * Throws if a session does not complete with the scripted number of calls.
 */
export async function runSessionThroughput(
  env: BenchEnvironment,
  options: ThroughputOptions,
  log: (line: string) => void,
): Promise<ThroughputResult> {
  const { sessions, toolCalls } = options;
  const stepsPerSession = 2 * toolCalls + 1;
  const bareBundle = await bundleWorkflowCode({
    workflowsPath: join(__dirname, 'bare-workflow.ts'),
    logger: new DefaultLogger('WARN'),
  });
  const tag = `throughput-${randomUUID().slice(0, 8)}`;
  const model = await startScriptedModelProcess([
    {
      name: tag,
      match: tag,
      turns: [
        ...Array.from({ length: toolCalls }, (_, n) => ({ toolCalls: [{ name: 'ping', input: { n } }], usage: { input_tokens: 50, output_tokens: 10 } })),
        { text: 'done', usage: { input_tokens: 50, output_tokens: 5 } },
      ],
    },
  ]);
  const bareTimings: RoundTiming[] = [];
  const agentTimings: RoundTiming[] = [];
  const keelTimings: RoundTiming[] = [];
  try {
    for (let round = 1; round <= options.rounds; round++) {
      const sides = [
        async () => {
          log(`throughput round ${round}/${options.rounds}: Keel, ${sessions} sessions × ${toolCalls} tool calls`);
          keelTimings.push(await measureKeel(env, model.url, `${tag} round ${round}`, sessions, toolCalls));
        },
        async () => {
          log(`throughput round ${round}/${options.rounds}: bare agent, ${sessions} × ${toolCalls} tool calls`);
          agentTimings.push(await measureBareAgent(env, bareBundle, model.url, `${tag} round ${round}`, sessions, toolCalls));
        },
        async () => {
          log(`throughput round ${round}/${options.rounds}: bare workflow, ${sessions} × ${stepsPerSession} no-op activities`);
          bareTimings.push(await measureBare(env, bareBundle, sessions, stepsPerSession));
        },
      ];
      // Each round starts with another side, so that none always runs first.
      for (let i = 0; i < sides.length; i++) await sides[(i + round - 1) % sides.length]!();
    }
  } finally {
    await model.stop();
  }
  const keel = sideOf(keelTimings, sessions, stepsPerSession);
  const bareAgent = sideOf(agentTimings, sessions, stepsPerSession);
  const bare = sideOf(bareTimings, sessions, stepsPerSession);
  return {
    sessions,
    toolCallsPerSession: toolCalls,
    stepsPerSession,
    keel,
    bareAgent,
    bare,
    perStepCostRatio: keel.msPerStep / bareAgent.msPerStep,
    perStepCpuRatio: keel.cpuMsPerStep / bareAgent.cpuMsPerStep,
    noopCostRatio: keel.msPerStep / bare.msPerStep,
    noopCpuRatio: keel.cpuMsPerStep / bare.cpuMsPerStep,
    rounds: keelTimings.map((k, i) => {
      const roundKeel = sideOf([k], sessions, stepsPerSession);
      const roundAgent = sideOf([agentTimings[i]!], sessions, stepsPerSession);
      const roundBare = sideOf([bareTimings[i]!], sessions, stepsPerSession);
      return { keel: roundKeel, bareAgent: roundAgent, bare: roundBare, perStepCostRatio: roundKeel.msPerStep / roundAgent.msPerStep, perStepCpuRatio: roundKeel.cpuMsPerStep / roundAgent.cpuMsPerStep };
    }),
  };
}

async function measureBare(env: BenchEnvironment, workflowBundle: { code: string }, sessions: number, activities: number): Promise<RoundTiming> {
  const taskQueue = `bench-bare-${randomUUID().slice(0, 8)}`;
  const noActivities: BareActivities = { noop: async () => undefined };
  const worker = await Worker.create({ connection: env.connection, taskQueue, workflowBundle, activities: noActivities });
  const runOne = async (id: string) => {
    const ran = await env.client.workflow.execute('bareWorkflow', { taskQueue, workflowId: id, args: [activities] });
    if (ran !== activities) throw new Error(`bare workflow ${id} ran ${String(ran)} activities, expected ${activities}`);
  };
  return worker.runUntil(async () => {
    await runOne(`${taskQueue}-warmup`);
    return timeConcurrently(sessions, (i) => runOne(`${taskQueue}-${i}`));
  });
}

async function measureBareAgent(env: BenchEnvironment, workflowBundle: { code: string }, modelURL: string, tag: string, sessions: number, toolCalls: number): Promise<RoundTiming> {
  const taskQueue = `bench-agent-${randomUUID().slice(0, 8)}`;
  const worker = await Worker.create({ connection: env.connection, taskQueue, workflowBundle, activities: bareAgentActivities(modelURL) });
  const runOne = async (i: number | 'warmup') => {
    const id = `${taskQueue}-${i}`;
    const ran = await env.client.workflow.execute('bareAgentWorkflow', { taskQueue, workflowId: id, args: [`${tag} session ${i}: ping ${toolCalls} times`, toolCalls + 1] });
    if (ran.toolCalls !== toolCalls || ran.modelCalls !== toolCalls + 1) {
      throw new Error(`bare agent ${id} made ${ran.toolCalls} tool and ${ran.modelCalls} model calls; expected ${toolCalls} and ${toolCalls + 1}`);
    }
  };
  return worker.runUntil(async () => {
    await runOne('warmup');
    return timeConcurrently(sessions, runOne);
  });
}

async function measureKeel(env: BenchEnvironment, modelURL: string, tag: string, sessions: number, toolCalls: number): Promise<RoundTiming> {
  const taskQueue = `bench-keel-${randomUUID().slice(0, 8)}`;
  const worker = await createKeelWorker({
    connection: env.connection,
    taskQueue,
    agents: [throughputAgent],
    store: env.store,
    model: { baseURL: modelURL, apiKey: 'bench' },
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
  return worker.runUntil(async () => {
    await runOne('warmup');
    return timeConcurrently(sessions, runOne);
  });
}

/** Starts `count` executions at once and times each and all of them. */
async function timeConcurrently(count: number, runOne: (i: number) => Promise<void>): Promise<RoundTiming> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const durations = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const t0 = performance.now();
      await runOne(i);
      return performance.now() - t0;
    }),
  );
  const { user, system } = process.cpuUsage(cpu);
  return { wallMs: performance.now() - started, cpuMs: (user + system) / 1000, durations };
}

/** Rates and percentiles of one side over the given rounds. */
function sideOf(timings: RoundTiming[], sessionsPerRound: number, stepsEach: number): ThroughputSide {
  const wallMs = timings.reduce((total, t) => total + t.wallMs, 0);
  const cpuMs = timings.reduce((total, t) => total + t.cpuMs, 0);
  const durations = timings.flatMap((t) => t.durations);
  const sessions = sessionsPerRound * timings.length;
  const steps = sessions * stepsEach;
  return {
    wallMs,
    sessionsPerSec: sessions / (wallMs / 1000),
    stepsPerSec: steps / (wallMs / 1000),
    msPerStep: wallMs / steps,
    cpuMsPerStep: cpuMs / steps,
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
    formatNumber(s.cpuMsPerStep, 2),
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
      { header: 'CPU ms/step' },
      { header: 'p50 ms/session' },
      { header: 'p99 ms/session' },
    ],
    [side('Keel agentSession', result.keel), side('bare agent (same model and tool calls)', result.bareAgent), side('bare workflow (no-op activities)', result.bare)],
  );
  const perRound = result.rounds.map((r) => `${formatNumber(r.perStepCostRatio, 2)}×`).join(', ');
  const perRoundCpu = result.rounds.map((r) => `${formatNumber(r.perStepCpuRatio, 2)}×`).join(', ');
  return [
    `Throughput: ${result.sessions} concurrent sessions × ${result.toolCallsPerSession} tool calls ` +
      `(${result.stepsPerSession} steps each: ${result.toolCallsPerSession + 1} model calls + ${result.toolCallsPerSession} tool calls; ` +
      `Keel also runs per session the agent lookup and the final-answer guardrails as activities and the record of its end as a local activity, not counted), one worker, zero-latency scripted model in its own process, ` +
      `${result.rounds.length} round(s) pooled (wall s summed; CPU of the worker and client process)`,
    table,
    `Keel per-step cost: ${formatNumber(result.perStepCostRatio, 2)}× the bare agent's in wall time (per round: ${perRound}), ` +
      `${formatNumber(result.perStepCpuRatio, 2)}× in CPU time (per round: ${perRoundCpu}); goal ≤ 1.15× in both`,
    `Against no-op activities (the calls' own work counted as Keel's): ${formatNumber(result.noopCostRatio, 2)}× wall, ${formatNumber(result.noopCpuRatio, 2)}× CPU`,
  ].join('\n');
}
