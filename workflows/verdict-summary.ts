import type { GuardrailVerdict } from '../core/guardrails/policy';

/** One line about a guardrail verdict, for a human and the session's error. */
export function verdictSummary(verdict: GuardrailVerdict): string {
  const kinds = [...new Set(verdict.findings.map((f) => f.kind))].join(', ');
  return `${verdict.category ?? 'guardrail'} (${kinds}): ${verdict.findings.map((f) => f.message).slice(0, 3).join('; ')}`;
}
