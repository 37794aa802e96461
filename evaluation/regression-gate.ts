import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { NativeConnection, WorkflowBundleOption } from '@temporalio/worker';
import { judgeWithModel, ModelClient, type ModelEndpoint } from '../activities';
import { formatTable } from './text-table';
import { KeelClient, SessionFailedError } from '../client';
import {
  checkExpectations,
  compareConfigurations,
  DEFAULT_RUBRIC,
  EvalScenarioSchema,
  GateToleranceSchema,
  JudgeOptionsSchema,
  RubricSchema,
  scoreVerdict,
  type EvalScenario,
  type GateComparison,
  type ScenarioObservation,
  type ScenarioRun,
} from '../core/evaluation';
import type { SessionResult } from '../core/session';
import { KeelMetrics } from '../metrics';
import { ScriptedModelServer } from '../scripted-model';
import { FileAuditLog, FileContentStore } from '../store';
import { createKeelWorker } from '../workers/keel-worker';
import { SuiteDefinitionError, type EvaluationSuite, type SuiteModel } from './suite';

/**
 * The regression gate: runs a suite's scenarios as real sessions under two configurations (each on
 * an in-process worker with its own task queue, against a Temporal server), checks every session
 * against its expectations, has the judge score it when the suite has one, and compares the two
 * configurations (core/evaluation/suite: `compareConfigurations`).
 *
 * Nobody is there to decide during a gate run: a breaker trip ends its session after
 * {@link GATE_HUMAN_TIMEOUT_MS} (outcome `breaker_tripped`), and a write_critical call counts as
 * rejected after the same time.
 */

/** How long a gate session waits for a human (an escalation, an approval) before the fallback. */
export const GATE_HUMAN_TIMEOUT_MS = 1000;

/** Options of {@link runRegressionGate}. */
export interface GateOptions {
  /** The Temporal client (its namespace is used) and a worker connection to the same server. */
  temporal: Client;
  connection: NativeConnection;
  /** @default the suite's `compare.baseline`, else its first configuration */
  baseline?: string;
  /** @default the suite's `compare.candidate`, else its second configuration */
  candidate?: string;
  /** A prebuilt workflow bundle; @default bundled when the first worker starts */
  workflowBundle?: WorkflowBundleOption;
  /** Scenarios run at the same time per configuration. @default 4 */
  concurrency?: number;
  /** Progress lines. @default none */
  log?: (line: string) => void;
}

/** What the gate found. */
export interface GateReport {
  suite: string;
  baseline: { name: string; description?: string };
  candidate: { name: string; description?: string };
  comparison: GateComparison;
}

/** Loads a suite module (a TypeScript file, loaded through tsx) exporting a suite as `default` or `suite`. */
export function loadSuite(path: string): EvaluationSuite {
  // A suite is a TypeScript module chosen at run time (tsx compiles it on require).
  const loaded = require(path) as { default?: EvaluationSuite; suite?: EvaluationSuite };
  const suite = loaded.default ?? loaded.suite;
  if (!suite || typeof suite !== 'object' || !Array.isArray(suite.scenarios)) {
    throw new SuiteDefinitionError(`${path} exports no suite: export one with \`export default defineEvaluationSuite({...})\``);
  }
  return suite;
}

/** Runs a suite under its baseline and candidate configurations and compares them. */
export async function runRegressionGate(suite: EvaluationSuite, options: GateOptions): Promise<GateReport> {
  const names = Object.keys(suite.configurations);
  const baseline = options.baseline ?? suite.compare?.baseline ?? names[0]!;
  const candidate = options.candidate ?? suite.compare?.candidate ?? names[1]!;
  for (const name of [baseline, candidate]) {
    if (!suite.configurations[name]) throw new SuiteDefinitionError(`suite "${suite.name}" has no configuration "${name}"; it has: ${names.join(', ')}`);
  }
  const scenarios = suite.scenarios.map((s) => EvalScenarioSchema.parse(s));
  const tolerance = GateToleranceSchema.parse(suite.tolerance ?? {});
  const log = options.log ?? (() => undefined);
  const judgeServer = suite.judge ? await modelServer(suite.judge.model) : undefined;
  const judge = suite.judge
    ? {
        client: new ModelClient(judgeServer!.endpoint),
        rubric: RubricSchema.parse(suite.judge.rubric ?? DEFAULT_RUBRIC),
        options: JudgeOptionsSchema.parse(suite.judge.options ?? {}),
      }
    : undefined;
  try {
    const runs: Record<string, { runs: ScenarioRun[]; description?: string }> = {};
    for (const name of [baseline, candidate]) {
      if (runs[name]) continue;
      log(`configuration ${name}: ${scenarios.length} scenario(s)`);
      runs[name] = await runConfiguration(suite, name, scenarios, judge, options);
    }
    const comparison = compareConfigurations(runs[baseline]!.runs, runs[candidate]!.runs, tolerance);
    return {
      suite: suite.name,
      baseline: { name: baseline, ...(runs[baseline]!.description ? { description: runs[baseline]!.description } : {}) },
      candidate: { name: candidate, ...(runs[candidate]!.description ? { description: runs[candidate]!.description } : {}) },
      comparison,
    };
  } finally {
    await judgeServer?.stop();
  }
}

interface Judge {
  client: ModelClient;
  rubric: ReturnType<typeof RubricSchema.parse>;
  options: ReturnType<typeof JudgeOptionsSchema.parse>;
}

/** A model endpoint for a suite model: a started scripted server, or the given endpoint. */
async function modelServer(model: SuiteModel): Promise<{ endpoint: ModelEndpoint; stop(): Promise<void> }> {
  if ('scripted' in model) {
    const server = new ScriptedModelServer({ scenarios: model.scripted });
    await server.start();
    return { endpoint: { baseURL: server.url, apiKey: 'keel-eval' }, stop: () => server.stop() };
  }
  return { endpoint: model.endpoint, stop: async () => undefined };
}

async function runConfiguration(
  suite: EvaluationSuite,
  name: string,
  scenarios: EvalScenario[],
  judge: Judge | undefined,
  options: GateOptions,
): Promise<{ runs: ScenarioRun[]; description?: string }> {
  const configuration = await suite.configurations[name]!();
  const model = await modelServer(configuration.model);
  const dir = mkdtempSync(join(tmpdir(), 'keel-eval-'));
  const taskQueue = `keel-eval-${suite.name}-${name}-${randomUUID().slice(0, 8)}`.replace(/[^A-Za-z0-9_-]/g, '-');
  const store = new FileContentStore(join(dir, 'content'));
  const worker = await createKeelWorker({
    connection: options.connection,
    namespace: options.temporal.options.namespace,
    taskQueue,
    agents: configuration.agents,
    store,
    audit: new FileAuditLog(join(dir, 'audit.jsonl')),
    model: model.endpoint,
    metrics: new KeelMetrics(),
    monitor: false,
    evaluation: false,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : {}),
    shutdownGraceTimeMs: 1000,
  });
  const running = worker.run();
  try {
    const client = await KeelClient.connect({ client: options.temporal, taskQueue, store });
    const runs: ScenarioRun[] = new Array(scenarios.length);
    let next = 0;
    const work = async () => {
      while (next < scenarios.length) {
        const index = next++;
        const scenario = scenarios[index]!;
        const observed = await runScenario(client, suite.name, name, scenario, configuration.modelName, judge);
        const checks = checkExpectations(scenario.expect, observed);
        runs[index] = { scenario: scenario.name, observed, checks, passed: checks.every((c) => c.ok) };
        options.log?.(`  ${name} ${scenario.name}: ${runs[index]!.passed ? 'pass' : 'FAIL'}`);
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 4, scenarios.length) }, work));
    return { runs, ...(configuration.description ? { description: configuration.description } : {}) };
  } finally {
    worker.shutdown();
    await running;
    await model.stop();
    await configuration.close?.();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runScenario(
  client: KeelClient,
  suiteName: string,
  configuration: string,
  scenario: EvalScenario,
  modelName: string | undefined,
  judge: Judge | undefined,
): Promise<ScenarioObservation> {
  const session = await client.startSession(
    {
      agent: scenario.agent,
      input: scenario.input,
      scope: scenario.scope,
      ...(scenario.limits ? { limits: scenario.limits } : {}),
      ...(modelName ? { model: modelName } : {}),
      approvalTimeoutMs: GATE_HUMAN_TIMEOUT_MS,
      escalation: { timeoutMs: GATE_HUMAN_TIMEOUT_MS },
    },
    { sessionId: `eval-${suiteName}-${configuration}-${scenario.name}-${randomUUID().slice(0, 8)}` },
  );
  let result: SessionResult;
  try {
    result = await session.result();
  } catch (error) {
    if (!(error instanceof SessionFailedError)) throw error;
    return { outcome: 'error', error: `${error.type}: ${error.message}`, toolsCalled: [], output: null, costUsd: 0, tokens: 0, toolCalls: 0 };
  }
  const { events } = await session.trace();
  const usage = result.usage;
  const observed: ScenarioObservation = {
    outcome: result.outcome,
    toolsCalled: events.flatMap((e) => (e.type === 'tool_call' ? [e['gen_ai.tool.name']] : [])),
    output: result.output,
    ...(result.data !== undefined ? { data: result.data } : {}),
    costUsd: usage.costUsd,
    tokens: usage.inputTokens + usage.outputTokens + usage.cacheReadTokens + usage.cacheWriteTokens,
    toolCalls: usage.toolCalls,
    ...(result.error ? { error: `${result.error.type}: ${result.error.message}` } : {}),
  };
  if (judge) {
    const record = {
      sessionId: session.sessionId,
      agent: scenario.agent,
      tenant: scenario.scope.tenant,
      outcome: result.outcome,
      startedAtMs: events[0]?.atMs ?? 0,
      endedAtMs: events.at(-1)?.atMs ?? 0,
      result: result as unknown as Record<string, unknown>,
      events,
    };
    try {
      const { verdict } = await judgeWithModel(judge.client, judge.rubric, judge.options, { record, input: scenario.input });
      observed.judgeScore = scoreVerdict(judge.rubric, verdict).overall;
    } catch (error) {
      observed.error = `${observed.error ? `${observed.error}; ` : ''}judge: ${(error as Error).message}`;
    }
  }
  return observed;
}

/** The report as a side-by-side table, the failed checks, the totals and the decision. */
export function formatGateReport(report: GateReport): string[] {
  const { comparison, baseline, candidate } = report;
  const cell = (run: ScenarioRun) => {
    const o = run.observed;
    const score = o.judgeScore === undefined ? '' : ` ${o.judgeScore.toFixed(2)}`;
    return `${run.passed ? 'pass' : 'FAIL'}${score} $${o.costUsd.toFixed(4)} ${o.toolCalls} calls`;
  };
  const rows = comparison.rows.map((r) => [r.scenario, cell(r.baseline), cell(r.candidate), r.verdict === 'ok' ? 'ok' : r.verdict.toUpperCase().replace('_', ' ')]);
  const total = (t: GateComparison['totals']['baseline']) =>
    `${t.passed}/${t.scenarios}${t.meanScore === undefined ? '' : ` ${t.meanScore.toFixed(2)}`} $${t.costUsd.toFixed(4)}`;
  rows.push(['total', total(comparison.totals.baseline), total(comparison.totals.candidate), comparison.ok ? 'ok' : 'REGRESSION']);
  const lines = [
    `suite ${report.suite}: ${baseline.name}${baseline.description ? ` (${baseline.description})` : ''} vs ${candidate.name}${candidate.description ? ` (${candidate.description})` : ''}`,
    '',
    ...formatTable(
      [{ header: 'scenario', align: 'left' }, { header: baseline.name, align: 'left' }, { header: candidate.name, align: 'left' }, { header: 'verdict', align: 'left' }],
      rows,
    ).split('\n'),
    '(each cell: pass or FAIL, judge score, cost in USD, tool calls; total: scenarios passed, mean judge score, cost)',
  ];
  const failures = comparison.rows.flatMap((r) =>
    (['baseline', 'candidate'] as const).flatMap((side) =>
      r[side].checks.filter((c) => !c.ok).map((c) => `  ${r.scenario} on ${side === 'baseline' ? baseline.name : candidate.name}: ${c.detail}`),
    ),
  );
  if (failures.length) lines.push('', 'failed checks:', ...failures);
  lines.push('', comparison.ok ? `no regression: ${candidate.name} may ship` : `REGRESSION of ${candidate.name} against ${baseline.name}:`);
  for (const regression of comparison.regressions) lines.push(`  - ${regression}`);
  return lines;
}
