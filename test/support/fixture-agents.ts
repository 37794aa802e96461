import { existsSync } from 'node:fs';
import { z } from 'zod';
import { defineAgent } from '../../core/agent';
import { defineTool, type ToolContext } from '../../core/tool';
import { createSupportAgent } from '../../agents';
import type { Agent } from '../../core/agent';
import type { SqlDatabase } from '../../store';

/** Counts of real tool executions, by tool, in this process. */
export const executions = new Map<string, number>();
const count = (name: string) => executions.set(name, (executions.get(name) ?? 0) + 1);

/** A tool that always fails the same way. */
export const flakyBackend = defineTool({
  name: 'check_inventory',
  description: 'Check the stock of an item.',
  tier: 'read',
  input: z.object({ sku: z.string() }),
  async run() {
    count('check_inventory');
    throw new Error('inventory backend unavailable');
  },
});

/** A tool that returns `kb` kilobytes of text. */
export const fetchDocument = defineTool({
  name: 'fetch_document',
  description: 'Fetch a document by number.',
  tier: 'read',
  input: z.object({ n: z.number().int(), kb: z.number().int().positive() }),
  async run({ n, kb }) {
    count('fetch_document');
    const line = `document ${n}: lorem ipsum dolor sit amet, consectetur adipiscing elit.\n`;
    return line.repeat(Math.ceil((kb * 1024) / line.length)).slice(0, kb * 1024);
  },
});

/**
 * A tool that takes `ms` milliseconds, or with `gate` (a file path) runs until that file exists: a
 * test that must catch it running holds it there for as long as it needs, however busy the machine.
 */
export const slowTool = defineTool({
  name: 'slow_step',
  description: 'A step that takes a while.',
  tier: 'read',
  input: z.object({ ms: z.number().int().nonnegative(), label: z.string(), gate: z.string().max(500).optional() }),
  async run({ ms, label, gate }, { signal }) {
    count('slow_step');
    await new Promise<void>((resolve) => {
      const open = gate ? () => existsSync(gate) : undefined;
      let timer: NodeJS.Timeout;
      const wait = () => {
        if (!open || open()) return resolve();
        timer = setTimeout(wait, 20);
      };
      timer = setTimeout(wait, gate ? 0 : ms);
      signal.addEventListener('abort', () => clearTimeout(timer));
    });
    return { label, done: true };
  },
});

/**
 * The support agent (on the test database) with test tools added. With `stallAfterEffectMs`, every
 * side-effecting tool waits that long after its effect is applied, so a test can kill the worker
 * between the effect and the activity's completion.
 */
export function createTestAgent(db: SqlDatabase, options: { stallAfterEffectMs?: number } = {}): Agent {
  const support = createSupportAgent(db);
  const stall = options.stallAfterEffectMs;
  const tools = stall
    ? support.tools.map((tool) =>
        tool.tier === 'read'
          ? tool
          : { ...tool, run: async (input: unknown, context: ToolContext) => {
              const output = await tool.run(input, context);
              await new Promise((r) => setTimeout(r, stall));
              return output;
            } },
      )
    : support.tools;
  return defineAgent({ name: 'support', instructions: 'You are a test support agent.', tools: [...tools, flakyBackend, fetchDocument, slowTool] });
}

/** A tool whose output breaks its own schema. */
export const brokenStatusTool = defineTool({
  name: 'ticket_status',
  description: 'Status of a ticket.',
  tier: 'read',
  input: z.object({ ticket: z.string() }),
  output: z.object({ status: z.enum(['open', 'closed']) }),
  async run() {
    return { status: 'exploded' } as unknown as { status: 'open' | 'closed' };
  },
});

/** An agent whose final answer is a typed triage verdict. */
export const triageAgent = defineAgent({
  name: 'triage',
  instructions: 'Classify the ticket.',
  tools: [brokenStatusTool],
  output: z.object({ category: z.enum(['billing', 'shipping', 'other']), priority: z.number().int().min(1).max(5) }),
});
