import { z } from 'zod';

/** What the system prompt says about an agent's output schema. */
export function outputInstructions(schema: z.ZodType): string {
  const json = z.toJSONSchema(schema, { io: 'output' }) as Record<string, unknown>;
  delete json.$schema;
  return `When you give your final answer (no more tool calls), reply with only a JSON value that satisfies this JSON Schema, with no other text:\n${JSON.stringify(json)}`;
}

/**
 * Parses and validates a final answer against the agent's output schema. A single fenced code block
 * around the JSON is tolerated; anything else must be the JSON value alone.
 */
export function parseFinalAnswer(text: string, schema: z.ZodType): { ok: true; value: unknown } | { ok: false; issues: string } {
  const fenced = /^\s*```(?:json)?\s*\n([\s\S]*?)\n\s*```\s*$/.exec(text);
  let value: unknown;
  try {
    value = JSON.parse(fenced ? fenced[1]! : text);
  } catch (error) {
    return { ok: false, issues: `the answer is not JSON (${(error as Error).message})` };
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, issues: parsed.error.issues.map((i) => `${i.path.join('.') || '(answer)'}: ${i.message}`).join('; ') };
}
