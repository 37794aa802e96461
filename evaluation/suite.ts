import type { ModelEndpoint } from '../activities/model';
import type { Agent } from '../core/agent';
import {
  EvalScenarioSchema,
  GateToleranceSchema,
  JudgeOptionsSchema,
  RubricSchema,
  type EvalScenarioInput,
  type GateToleranceInput,
  type RubricInput,
} from '../core/evaluation';
import type { Scenario as ScriptedScenario } from '../scripted-model';

/**
 * How a configuration (or the judge) reaches its model: `scripted` serves the given scenarios from an
 * in-process scripted model server (offline, deterministic); `endpoint` is a real Messages API
 * (default: `ANTHROPIC_API_KEY`, `ANTHROPIC_BASE_URL`).
 */
export type SuiteModel = { scripted: ScriptedScenario[] } | { endpoint: ModelEndpoint };

/** One agent configuration under test, e.g. the current model and prompt, or a new one. */
export interface SuiteConfiguration {
  /** For the table, e.g. "claude-sonnet-5-5, prompt v3". */
  description?: string;
  /** The agents, with their instructions, tools and default model. */
  agents: readonly Agent[];
  model: SuiteModel;
  /** The model every session uses (overrides the agents' own), e.g. `claude-haiku-5-5`. */
  modelName?: string;
  /** Called after the configuration's sessions (close what its tools opened). */
  close?: () => Promise<void>;
}

/** A suite for `keel eval run`: scenarios, the configurations to compare and an optional judge. */
export interface EvaluationSuite {
  /** Names the suite in the report and its task queues: letters, digits, `-`, `_`. */
  name: string;
  scenarios: EvalScenarioInput[];
  /** Configurations by name; each is built when its turn comes (a fresh one per run). */
  configurations: Record<string, () => SuiteConfiguration | Promise<SuiteConfiguration>>;
  /** The two configurations compared unless the command line names others. @default the first two */
  compare?: { baseline: string; candidate: string };
  /** The judge for `minJudgeScore` expectations and the mean-score rule. */
  judge?: { model: SuiteModel; options?: Parameters<typeof JudgeOptionsSchema.parse>[0]; rubric?: RubricInput };
  /** When the candidate counts as a regression (see `GateToleranceSchema`). */
  tolerance?: GateToleranceInput;
}

/** A suite that cannot be run as written; the message names the field. */
export class SuiteDefinitionError extends Error {
  override readonly name = 'SuiteDefinitionError';
}

/**
 * Declares a suite, checking it at once: scenarios (unique names, valid expectations), the judge's
 * rubric and options, the tolerance, at least two configurations, and a judge when a scenario has a
 * judge score floor. Throws {@link SuiteDefinitionError} naming the field.
 */
export function defineEvaluationSuite(suite: EvaluationSuite): EvaluationSuite {
  const fail = (field: string, message: string): never => {
    throw new SuiteDefinitionError(`suite "${suite.name}": ${field}: ${message}`);
  };
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/.test(suite.name ?? '')) fail('name', 'must be 1-40 letters, digits, "-" or "_"');
  if (!suite.scenarios?.length) fail('scenarios', 'at least one scenario is needed');
  const names = new Set<string>();
  suite.scenarios.forEach((scenario, i) => {
    const parsed = EvalScenarioSchema.safeParse(scenario);
    if (!parsed.success) fail(`scenarios[${i}].${parsed.error.issues[0]!.path.join('.')}`, parsed.error.issues[0]!.message);
    if (names.has(scenario.name)) fail(`scenarios[${i}].name`, `duplicate scenario "${scenario.name}"`);
    names.add(scenario.name);
    if (scenario.expect?.minJudgeScore !== undefined && !suite.judge) fail(`scenarios[${i}].expect.minJudgeScore`, 'needs the suite\'s judge');
  });
  if (Object.keys(suite.configurations ?? {}).length < 2) fail('configurations', 'two configurations are needed to compare');
  for (const side of ['baseline', 'candidate'] as const) {
    const name = suite.compare?.[side];
    if (name !== undefined && !(name in suite.configurations)) fail(`compare.${side}`, `no configuration "${name}"`);
  }
  if (suite.judge?.rubric) {
    const rubric = RubricSchema.safeParse(suite.judge.rubric);
    if (!rubric.success) fail(`judge.rubric.${rubric.error.issues[0]!.path.join('.')}`, rubric.error.issues[0]!.message);
  }
  const judgeOptions = JudgeOptionsSchema.safeParse(suite.judge?.options ?? {});
  if (!judgeOptions.success) fail(`judge.options.${judgeOptions.error.issues[0]!.path.join('.')}`, judgeOptions.error.issues[0]!.message);
  const tolerance = GateToleranceSchema.safeParse(suite.tolerance ?? {});
  if (!tolerance.success) fail(`tolerance.${tolerance.error.issues[0]!.path.join('.')}`, tolerance.error.issues[0]!.message);
  return suite;
}
