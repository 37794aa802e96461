import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadScenarios, type Scenario } from '../scripted-model';

/** The demo customer's question. */
export const DEMO_INPUT =
  'Hi, this is ada@example.com. Where is my brass gear set? And the Analytical Engine manual arrived damaged: can I get my money back?';

/** Where the demo's scripted conversation is kept (also served by docker-compose's scripted model). */
export const DEMO_SCENARIO_FILE = join(__dirname, 'support-scenario.json');

/** What the scripted model answers in the offline demo: two lookups, a refund that waits for approval, then the answer. */
export function demoScenarios(): Scenario[] {
  return loadScenarios(readFileSync(DEMO_SCENARIO_FILE, 'utf8'));
}
