import { detectInjection } from '../core/guardrails/injection';
import { detectPii } from '../core/guardrails/pii';
import { finalAnswerAction, GuardrailPolicySchema, type GuardrailPolicy, type GuardrailPolicyInput } from '../core/guardrails/policy';
import type { GuardrailFinding } from '../core/guardrails/finding';

/** One line of `keel guard scan`'s output, in the order of its input. */
export type GuardScanVerdict =
  | {
      line: number;
      kind: 'tool_output' | 'final_answer';
      flagged: boolean;
      /** What the policy would do: an action, or `pass`. */
      action: string;
      score: number;
      findings: GuardrailFinding[];
    }
  | { line: number; error: string };

/**
 * Scans texts as Keel's guardrails would (deterministic detectors only): a `tool_output` for prompt
 * injection, a `final_answer` for personal data (with no allowed values: every value counts).
 * Each input line is JSON `{ "text": string, "kind": "tool_output" | "final_answer" }`; a line that
 * is not gets an error verdict naming what is wrong, and the scan goes on.
 */
export function guardScanLine(raw: string, line: number, policy: GuardrailPolicy): GuardScanVerdict | null {
  if (!raw.trim()) return null;
  let item: unknown;
  try {
    item = JSON.parse(raw);
  } catch (error) {
    return { line, error: `not JSON: ${(error as Error).message}` };
  }
  const { text, kind } = (item ?? {}) as { text?: unknown; kind?: unknown };
  if (typeof text !== 'string') return { line, error: '"text" must be a string' };
  if (kind !== 'tool_output' && kind !== 'final_answer') return { line, error: `"kind" must be "tool_output" or "final_answer", got ${JSON.stringify(kind)}` };
  if (kind === 'tool_output') {
    const verdict = detectInjection(text);
    const action = verdict.band === 'injection' ? policy.promptInjection : verdict.band === 'uncertain' ? (policy.injectionJudge ? 'judge' : policy.uncertainInjection) : 'pass';
    return { line, kind, flagged: action !== 'pass', action, score: verdict.score, findings: verdict.findings };
  }
  const findings = detectPii(text);
  const action = finalAnswerAction(policy, findings, 0);
  return { line, kind, flagged: action !== 'pass', action, score: Math.max(0, ...findings.map((f) => f.score)), findings };
}

/** Parses a guardrail policy given on the command line (JSON), naming the bad field. */
export function parseScanPolicy(json: string | undefined): GuardrailPolicy {
  if (!json) return GuardrailPolicySchema.parse({});
  let raw: GuardrailPolicyInput;
  try {
    raw = JSON.parse(json) as GuardrailPolicyInput;
  } catch (error) {
    throw new Error(`--policy is not JSON: ${(error as Error).message}`);
  }
  const parsed = GuardrailPolicySchema.safeParse(raw);
  if (!parsed.success) throw new Error(`--policy: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}
