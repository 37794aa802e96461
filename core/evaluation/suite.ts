import { z } from 'zod';
import { canonicalJson } from '../intent';
import { LimitsSchema } from '../limits';
import { lazySchema } from '../lazy-schema';

/**
 * The regression gate's pure part: scenarios and their expectations as zod schemas, the check of
 * one run against its expectations, and the rule that compares two configurations.
 */

/** What a scenario's session must do. Every expectation is optional except the outcome's default. */
export const ScenarioExpectationSchema = lazySchema(() =>
  z.strictObject({
    /** How the session must end. @default 'completed' */
    outcome: z.enum(['completed', 'breaker_tripped', 'fallback', 'invalid_output', 'failed']).default('completed'),
    /** Tools the session must call (each at least once). */
    toolsCalled: z.array(z.string().min(1)).default([]),
    /** Tools the session must not call. */
    toolsNotCalled: z.array(z.string().min(1)).default([]),
    /** The final answer. */
    output: z
      .strictObject({
        /** Substrings the answer must contain (case-insensitive). */
        contains: z.array(z.string().min(1)).default([]),
        /** Substrings the answer must not contain (case-insensitive). */
        notContains: z.array(z.string().min(1)).default([]),
        /**
         * Fields of the structured answer (the validated `data`, else the answer parsed as JSON), by
         * dotted path, and the value each must equal.
         */
        fields: z.record(z.string().min(1), z.unknown()).default({}),
      })
      .optional(),
    /** Most the session may cost, in USD. */
    maxCostUsd: z.number().positive().optional(),
    /** Most tool calls the session may make. */
    maxToolCalls: z.number().int().nonnegative().optional(),
    /** Lowest overall judge score (0..1) the session may get; needs the suite's judge. */
    minJudgeScore: z.number().min(0).max(1).optional(),
  }),
);
/** A scenario's expectations as written. */
export type ScenarioExpectationInput = z.input<typeof ScenarioExpectationSchema>;
/** A scenario's expectations with defaults applied. */
export type ScenarioExpectation = z.output<typeof ScenarioExpectationSchema>;

/** One scenario of a suite: a session to run under each configuration, and what it must do. */
export const EvalScenarioSchema = lazySchema(() =>
  z.strictObject({
    /** Names the scenario in the table: letters, digits, `_`, `-`, `.`. */
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$/, 'must be letters, digits, "_", "-" or "." (at most 80)'),
    /** The agent that runs it (a configuration must provide an agent of that name). */
    agent: z.string().min(1),
    /** The user's message. */
    input: z.string().min(1),
    /** @default { tenant: 'eval', subjects: [] } */
    scope: z.strictObject({ tenant: z.string().min(1), subjects: z.array(z.string().min(1)).default([]) }).default({ tenant: 'eval', subjects: [] }),
    /** The session's limits. @default Keel's defaults */
    limits: LimitsSchema.partial().optional(),
    expect: ScenarioExpectationSchema.default(ScenarioExpectationSchema.parse({})),
  }),
);
/** A scenario as written. */
export type EvalScenarioInput = z.input<typeof EvalScenarioSchema>;
/** A scenario with defaults applied. */
export type EvalScenario = z.output<typeof EvalScenarioSchema>;

/** What a scenario's session did, as the gate observed it. */
export interface ScenarioObservation {
  /** The session's outcome, or `error` when it failed as a workflow (`error` then says why). */
  outcome: string;
  /** Tools called, in order. */
  toolsCalled: string[];
  output: string | null;
  data?: unknown;
  costUsd: number;
  tokens: number;
  toolCalls: number;
  /** Overall judge score on 0..1, when the suite has a judge. */
  judgeScore?: number;
  error?: string;
}

/** One expectation checked. */
export interface ExpectationCheck {
  /** E.g. `outcome`, `toolsCalled:get_order`, `output.fields.status`, `maxCostUsd`. */
  check: string;
  ok: boolean;
  /** What was expected and what happened, for the table's notes. */
  detail: string;
}

/** Checks one observation against a scenario's expectations. */
export function checkExpectations(expect: ScenarioExpectation, observed: ScenarioObservation): ExpectationCheck[] {
  const checks: ExpectationCheck[] = [];
  const add = (check: string, ok: boolean, detail: string) => checks.push({ check, ok, detail });
  add('outcome', observed.outcome === expect.outcome, `expected ${expect.outcome}, got ${observed.outcome}${observed.error ? ` (${observed.error})` : ''}`);
  for (const tool of expect.toolsCalled) add(`toolsCalled:${tool}`, observed.toolsCalled.includes(tool), `${tool} must be called`);
  for (const tool of expect.toolsNotCalled) add(`toolsNotCalled:${tool}`, !observed.toolsCalled.includes(tool), `${tool} must not be called`);
  const answer = (observed.output ?? '').toLowerCase();
  for (const text of expect.output?.contains ?? []) add(`output.contains`, answer.includes(text.toLowerCase()), `answer must contain "${text}"`);
  for (const text of expect.output?.notContains ?? []) add(`output.notContains`, !answer.includes(text.toLowerCase()), `answer must not contain "${text}"`);
  const fields = Object.entries(expect.output?.fields ?? {});
  if (fields.length > 0) {
    const structured = observed.data !== undefined ? observed.data : parseJson(observed.output);
    for (const [path, expected] of fields) {
      const actual = valueAt(structured, path);
      add(`output.fields.${path}`, actual !== undefined && canonicalJson(actual) === canonicalJson(expected), `${path} must be ${canonicalJson(expected)}, got ${actual === undefined ? '(missing)' : canonicalJson(actual)}`);
    }
  }
  if (expect.maxCostUsd !== undefined) add('maxCostUsd', observed.costUsd <= expect.maxCostUsd, `cost $${observed.costUsd.toFixed(6)} must be at most $${expect.maxCostUsd}`);
  if (expect.maxToolCalls !== undefined) add('maxToolCalls', observed.toolCalls <= expect.maxToolCalls, `${observed.toolCalls} tool calls, at most ${expect.maxToolCalls}`);
  if (expect.minJudgeScore !== undefined) {
    const score = observed.judgeScore;
    add('minJudgeScore', score !== undefined && score >= expect.minJudgeScore, `judge score ${score === undefined ? '(none)' : score.toFixed(2)} must be at least ${expect.minJudgeScore}`);
  }
  return checks;
}

function parseJson(text: string | null): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1));
  } catch {
    return undefined;
  }
}

function valueAt(value: unknown, path: string): unknown {
  let at = value;
  for (const key of path.split('.')) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

/** When the candidate configuration counts as a regression of the baseline. Every option has a default. */
export const GateToleranceSchema = lazySchema(() =>
  z.strictObject({
    /** Drop of the mean judge score (0..1, over scenarios both configurations got scores for) that is a regression. @default 0.05 */
    scoreDrop: z.number().min(0).max(1).default(0.05),
    /** Rise of the total cost, as a fraction (0.5 = +50%), that is a regression. @default 0.5 */
    costIncrease: z.number().min(0).default(0.5),
    /** Also fail when the candidate fails a scenario that the baseline fails too. @default false */
    strict: z.boolean().default(false),
  }),
);
/** Gate tolerances as written. */
export type GateToleranceInput = z.input<typeof GateToleranceSchema>;
/** Gate tolerances with defaults applied. */
export type GateTolerance = z.output<typeof GateToleranceSchema>;

/** One configuration's run of one scenario: what happened and which checks failed. */
export interface ScenarioRun {
  scenario: string;
  observed: ScenarioObservation;
  checks: ExpectationCheck[];
  passed: boolean;
}

/** How a scenario compares between the two configurations. */
export type ScenarioVerdict = 'ok' | 'regressed' | 'improved' | 'both_fail';

/** The gate's decision. */
export interface GateComparison {
  rows: Array<{ scenario: string; baseline: ScenarioRun; candidate: ScenarioRun; verdict: ScenarioVerdict }>;
  /** Totals per configuration. */
  totals: { baseline: ConfigurationTotals; candidate: ConfigurationTotals };
  /** Why the candidate regresses; empty when it passes. */
  regressions: string[];
  ok: boolean;
}

/** A configuration's totals over the suite. */
export interface ConfigurationTotals {
  passed: number;
  scenarios: number;
  costUsd: number;
  tokens: number;
  /** Mean judge score over the scenarios it was scored on (both configurations'), or undefined. */
  meanScore?: number;
}

/**
 * Compares the candidate's runs with the baseline's, scenario by scenario (same order and names).
 * A regression is: a scenario the baseline passes and the candidate fails; the mean judge score
 * down by more than `scoreDrop`; the total cost up by more than `costIncrease`; with `strict`, any
 * scenario the candidate fails.
 */
export function compareConfigurations(baseline: readonly ScenarioRun[], candidate: readonly ScenarioRun[], tolerance: GateTolerance): GateComparison {
  const rows = baseline.map((b, i) => {
    const c = candidate[i];
    if (!c || c.scenario !== b.scenario) throw new Error(`runs do not line up at scenario ${b.scenario}`);
    const verdict: ScenarioVerdict = b.passed && c.passed ? 'ok' : b.passed ? 'regressed' : c.passed ? 'improved' : 'both_fail';
    return { scenario: b.scenario, baseline: b, candidate: c, verdict };
  });
  const scoredBoth = rows.filter((r) => r.baseline.observed.judgeScore !== undefined && r.candidate.observed.judgeScore !== undefined);
  const totals = (side: 'baseline' | 'candidate'): ConfigurationTotals => {
    const runs = rows.map((r) => r[side]);
    const mean = scoredBoth.length ? scoredBoth.reduce((sum, r) => sum + r[side].observed.judgeScore!, 0) / scoredBoth.length : undefined;
    return {
      passed: runs.filter((r) => r.passed).length,
      scenarios: runs.length,
      costUsd: runs.reduce((sum, r) => sum + r.observed.costUsd, 0),
      tokens: runs.reduce((sum, r) => sum + r.observed.tokens, 0),
      ...(mean !== undefined ? { meanScore: Math.round(mean * 10_000) / 10_000 } : {}),
    };
  };
  const t = { baseline: totals('baseline'), candidate: totals('candidate') };
  const regressions: string[] = [];
  for (const row of rows) {
    if (row.verdict === 'regressed') {
      const failed = row.candidate.checks.filter((c) => !c.ok).map((c) => c.detail);
      regressions.push(`${row.scenario}: passes on the baseline, fails on the candidate (${failed.join('; ')})`);
    } else if (row.verdict === 'both_fail' && tolerance.strict) {
      regressions.push(`${row.scenario}: fails on the candidate (strict)`);
    }
  }
  if (t.baseline.meanScore !== undefined && t.candidate.meanScore !== undefined && t.baseline.meanScore - t.candidate.meanScore > tolerance.scoreDrop + 1e-9) {
    regressions.push(`mean judge score ${t.candidate.meanScore.toFixed(3)} is ${(t.baseline.meanScore - t.candidate.meanScore).toFixed(3)} below the baseline's ${t.baseline.meanScore.toFixed(3)} (tolerance ${tolerance.scoreDrop})`);
  }
  if (t.baseline.costUsd > 0 && t.candidate.costUsd > t.baseline.costUsd * (1 + tolerance.costIncrease)) {
    regressions.push(`total cost $${t.candidate.costUsd.toFixed(6)} is more than ${Math.round(tolerance.costIncrease * 100)}% above the baseline's $${t.baseline.costUsd.toFixed(6)}`);
  }
  return { rows, totals: t, regressions, ok: regressions.length === 0 };
}
