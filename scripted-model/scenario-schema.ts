import { z } from 'zod';
import { type ScenarioIssue, ScenarioValidationError } from './errors';
import type { Scenario, ScriptedError, ScriptedReply, ScriptedStep } from './scenario';

/**
 * The zod schema of scripted steps and of scenarios written as plain data, and the checks that
 * use it. Objects are strict, so a misspelt field (`toolcalls`) is an error, not a silent no-op.
 */

const stopReasonSchema = z.enum(['end_turn', 'tool_use', 'max_tokens', 'stop_sequence']);
const latencySchema = z.number().nonnegative().optional();

const toolCallSchema = z.strictObject({
  name: z.string().min(1),
  input: z.record(z.string(), z.unknown()),
  id: z
    .string()
    .regex(/^[a-zA-Z0-9_-]+$/, 'Tool use ids may only contain letters, digits, _ and -')
    .optional(),
});

const errorSchema = z.strictObject({
  status: z.number().int().min(400).max(599),
  type: z.string().min(1).optional(),
  message: z.string().optional(),
  retryAfterSeconds: z.number().nonnegative().optional(),
});

/** A step as one strict object, so that errors name the exact field; then split into the union. */
const stepSchema = z
  .strictObject({
    text: z.string().optional(),
    toolCalls: z.array(toolCallSchema).optional(),
    stopReason: stopReasonSchema.optional(),
    usage: z
      .strictObject({
        input_tokens: z.number().int().nonnegative().optional(),
        output_tokens: z.number().int().nonnegative().optional(),
      })
      .optional(),
    latencyMs: latencySchema,
    error: errorSchema.optional(),
  })
  .superRefine((step, ctx) => {
    if (step.error === undefined) return;
    for (const field of ['text', 'toolCalls', 'stopReason', 'usage'] as const) {
      if (step[field] !== undefined) {
        ctx.addIssue({ code: 'custom', path: [field], message: 'an error step cannot also have reply fields' });
      }
    }
  })
  .transform((step): ScriptedStep => {
    if (step.error !== undefined) {
      const error: ScriptedError = { error: step.error };
      if (step.latencyMs !== undefined) error.latencyMs = step.latencyMs;
      return error;
    }
    const { error: _none, ...reply } = step;
    return reply satisfies ScriptedReply;
  });

const turnSchema = z.union([stepSchema, z.array(stepSchema).min(1)]);

/** A scenario as plain data: `match` a string, `turns` an array. */
const dataScenarioSchema = z.strictObject({
  name: z.string().min(1),
  match: z.string(),
  turns: z.array(turnSchema).min(1),
});

/** The JSON form: a list of scenarios, or an object with a `scenarios` list. */
export const scenarioListSchema = z.array(dataScenarioSchema);

/** Issues of a zod error, with paths written `scenarios[0].turns[1].text` after `prefix`. */
export function describeIssues(issues: ReadonlyArray<z.core.$ZodIssue>, prefix: ReadonlyArray<PropertyKey> = []): ScenarioIssue[] {
  const described: ScenarioIssue[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union') {
      // Keep the branches that got past the "wrong kind of value" check: they say what is wrong.
      const telling = issue.errors.filter((branch) => !branch.every((inner) => inner.code === 'invalid_type' && inner.path.length === 0));
      if (telling.length === 1 && telling[0] !== undefined) {
        described.push(...describeIssues(telling[0], path));
        continue;
      }
      described.push({ field: formatPath(path), message: 'expected a step object or a non-empty list of step objects' });
      continue;
    }
    described.push({ field: formatPath(path), message: issue.message });
  }
  return described;
}

/** Writes a path as `scenarios[0].turns[1].text`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else text += text === '' ? String(key) : `.${String(key)}`;
  }
  return text === '' ? '(root)' : text;
}

/**
 * Checks a scenario given in code: its name, its `match`, and, when `turns` is a list, every step
 * in it. Throws {@link ScenarioValidationError} naming the bad field.
 */
export function validateScenario(scenario: Scenario, label = 'scenario'): void {
  const issues: ScenarioIssue[] = [];
  if (typeof scenario.name !== 'string' || scenario.name === '') {
    issues.push({ field: `${label}.name`, message: 'expected a non-empty string' });
  }
  if (typeof scenario.match !== 'string' && typeof scenario.match !== 'function') {
    issues.push({ field: `${label}.match`, message: 'expected a string or a function' });
  }
  if (Array.isArray(scenario.turns)) {
    const result = z.array(turnSchema).min(1).safeParse(scenario.turns);
    if (!result.success) issues.push(...describeIssues(result.error.issues, [label, 'turns']));
  } else if (typeof scenario.turns !== 'function') {
    issues.push({ field: `${label}.turns`, message: 'expected a list of turns or a function' });
  }
  if (issues.length > 0) throw new ScenarioValidationError(issues, `Invalid scenario "${String(scenario.name)}"`);
}

/** Checks a step returned by a `turns` function; returns the problems, empty when it is valid. */
export function stepIssues(step: unknown): ScenarioIssue[] {
  const result = stepSchema.safeParse(step);
  return result.success ? [] : describeIssues(result.error.issues);
}
