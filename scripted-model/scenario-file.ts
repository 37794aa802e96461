import { ScenarioValidationError } from './errors';
import type { Scenario } from './scenario';
import { describeIssues, scenarioListSchema } from './scenario-schema';

/**
 * Loads scenarios written as JSON: either a list of scenarios or `{ "scenarios": [...] }`. In
 * JSON, `match` is a substring of the first user message and `turns` a list (of steps, or of lists
 * of steps by attempt).
 *
 * @throws {@link ScenarioValidationError} naming the first bad field, e.g.
 *   `scenarios[0].turns[1].toolCalls[0].name`, or `(root)` for invalid JSON
 */
export function loadScenarios(jsonText: string): Scenario[] {
  let data: unknown;
  try {
    data = JSON.parse(jsonText);
  } catch (error) {
    throw new ScenarioValidationError([{ field: '(root)', message: `not valid JSON: ${(error as Error).message}` }], 'Invalid scenario file');
  }
  let list: unknown = data;
  let prefix: string[] = [];
  if (!Array.isArray(data)) {
    if (typeof data !== 'object' || data === null || !('scenarios' in data)) {
      throw new ScenarioValidationError(
        [{ field: '(root)', message: 'expected a list of scenarios or an object with a "scenarios" list' }],
        'Invalid scenario file',
      );
    }
    const extra = Object.keys(data).filter((key) => key !== 'scenarios' && key !== '$schema');
    if (extra.length > 0) {
      throw new ScenarioValidationError([{ field: extra[0] ?? '(root)', message: 'unknown field' }], 'Invalid scenario file');
    }
    list = (data as { scenarios: unknown }).scenarios;
    prefix = ['scenarios'];
  }
  const result = scenarioListSchema.safeParse(list);
  if (!result.success) throw new ScenarioValidationError(describeIssues(result.error.issues, prefix), 'Invalid scenario file');

  const names = new Set<string>();
  result.data.forEach((scenario, i) => {
    if (names.has(scenario.name)) {
      const field = prefix.length > 0 ? `scenarios[${i}].name` : `[${i}].name`;
      throw new ScenarioValidationError([{ field, message: `duplicate scenario name "${scenario.name}"` }], 'Invalid scenario file');
    }
    names.add(scenario.name);
  });
  return result.data;
}
