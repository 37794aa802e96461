import type { InjectionVerdict } from '../core/guardrails/injection';
import { detectInjectionInWindows, scanInjectionWindows } from '../core/guardrails/injection-windows';
import { collectPiiValues, detectPii, redactPii } from '../core/guardrails/pii';
import { checkGrounding, extractFacts, type Fact } from '../core/guardrails/grounding';
import { finalAnswerAction, withheldNotice, type GuardrailPolicy, type GuardrailVerdict } from '../core/guardrails/policy';
import type { GuardrailFinding } from '../core/guardrails/finding';
import type { KeelMetrics } from '../metrics';

/** What the model gets of a tool output after the guardrail, and the verdict when there was a finding. */
export interface ScreenedToolOutput {
  /** The text the model reads: the output itself, redacted, or a notice that it was withheld. */
  text: string;
  /** The output as it was, kept aside when a human or the judge must decide (`escalate`, `judge`). */
  held?: string;
  verdict?: GuardrailVerdict;
}

/**
 * Screens a tool output for prompt injection before it enters the model's context, and applies the
 * agent's policy: `block` and undecided (`escalate`, `judge`) outputs are replaced by a notice,
 * `redact` withholds the offending spans, `flag` lets it through (always marked as data when the
 * model reads it). The detector reads the output in bounded windows (linear in its length); a text
 * of one window gets the detector's own verdict.
 */
export function screenToolOutput(text: string, tool: string, policy: GuardrailPolicy, metrics: KeelMetrics | undefined, agent: string): ScreenedToolOutput {
  if (!policy.enabled) return { text };
  return applyInjectionPolicy(text, detectInjectionInWindows(text), tool, policy, metrics, agent);
}

/**
 * {@link screenToolOutput} that lets other work run while it reads: after each window of the
 * detector but the first (at most 64 Ki characters each) it calls `progress` (the tool activity
 * heartbeats there, at most every few seconds) and yields to the event loop, so other sessions'
 * activities on the worker keep going during a long output. The same verdict as {@link screenToolOutput}.
 */
export async function screenToolOutputInWindows(
  text: string,
  tool: string,
  policy: GuardrailPolicy,
  metrics: KeelMetrics | undefined,
  agent: string,
  progress: () => void = () => undefined,
): Promise<ScreenedToolOutput> {
  if (!policy.enabled) return { text };
  const scan = scanInjectionWindows(text);
  for (let read = 1; ; read++) {
    const step = scan.next();
    if (step.done) return applyInjectionPolicy(text, step.value, tool, policy, metrics, agent);
    if (read === 1) continue; // an output of one window (most) is read at once
    progress();
    await new Promise(setImmediate);
  }
}

/** The agent's policy applied to the injection verdict on a tool output. */
function applyInjectionPolicy(text: string, found: InjectionVerdict, tool: string, policy: GuardrailPolicy, metrics: KeelMetrics | undefined, agent: string): ScreenedToolOutput {
  if (found.band === 'clean') return { text };
  const action: GuardrailVerdict['action'] =
    found.band === 'injection' ? policy.promptInjection : policy.injectionJudge ? 'judge' : policy.uncertainInjection;
  const verdict: GuardrailVerdict = { checkpoint: 'tool_output', tool, category: 'prompt_injection', score: found.score, action, findings: found.findings };
  metrics?.guardrailVerdicts.inc({ agent, checkpoint: 'tool_output', category: 'prompt_injection', action });
  switch (action) {
    case 'flag':
      return { text, verdict };
    case 'redact':
      return { text: redactSpans(text, found.findings, '[WITHHELD]'), verdict };
    case 'block':
      return { text: withheldNotice(tool, found.findings), verdict };
    default:
      return { text: withheldNotice(tool, found.findings), held: text, verdict };
  }
}

/** What the final-answer guardrail says, and the answer to deliver when it is redacted. */
export interface CheckedFinalAnswer {
  verdict: GuardrailVerdict | null;
  /** The answer with typed placeholders, when the action is `redact`. */
  redactedText?: string;
  redactedData?: unknown;
}

/**
 * Checks a final answer before it reaches the caller: personal data that does not belong to the
 * session's own subjects (values found in the tool outputs' records of those subjects are allowed),
 * and claims that contradict the facts the session's tools returned.
 */
export function checkFinalAnswerContent(input: {
  text: string;
  data?: unknown;
  policy: GuardrailPolicy;
  subjects: readonly string[];
  toolOutputs: ReadonlyArray<{ tool: string; output: unknown }>;
  repairsSoFar: number;
  /** Contradictions found by the judge model, added to the deterministic ones. */
  judgedContradictions?: readonly GuardrailFinding[];
}): CheckedFinalAnswer {
  const { text, data, policy } = input;
  if (!policy.enabled) return { verdict: null };
  const allowed = input.toolOutputs.flatMap(({ output }) => ownRecords(output, input.subjects).flatMap((record) => collectPiiValues(record)));
  const facts: Fact[] = input.toolOutputs.flatMap(({ tool, output }) => extractFacts(tool, output));
  const pii = detectPii(text, { allowed });
  const grounding = [
    ...(facts.length ? checkGrounding(data !== undefined && data !== null && typeof data === 'object' ? (data as Record<string, unknown>) : text, facts).findings : []),
    ...(input.judgedContradictions ?? []),
  ];
  const findings: GuardrailFinding[] = [...pii, ...grounding];
  if (findings.length === 0) return { verdict: null };
  const action = finalAnswerAction(policy, findings, input.repairsSoFar);
  const category = pii.length && (action === policy.pii || !grounding.length) ? 'pii' : 'grounding';
  const verdict: GuardrailVerdict = { checkpoint: 'final_answer', category, score: Math.max(...findings.map((f) => f.score)), action, findings };
  if (action !== 'redact') return { verdict };
  const redactedText = redactPii(text, pii);
  return { verdict, redactedText, ...(data !== undefined ? { redactedData: redactStrings(data, allowed) } : {}) };
}

/** The records of a tool output that belong to one of the session's subjects (any field equal to a subject id). */
function ownRecords(output: unknown, subjects: readonly string[]): unknown[] {
  const found: unknown[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(walk);
    if (!value || typeof value !== 'object') return;
    const fields = Object.values(value as Record<string, unknown>);
    if (fields.some((v) => typeof v === 'string' && subjects.includes(v))) found.push(value);
    fields.forEach(walk);
  };
  walk(output);
  return found;
}

/** Every string in a JSON value with its personal data (other than `allowed`) replaced by typed placeholders. */
function redactStrings(value: unknown, allowed: readonly string[]): unknown {
  if (typeof value === 'string') return redactPii(value, detectPii(value, { allowed }));
  if (Array.isArray(value)) return value.map((v) => redactStrings(v, allowed));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactStrings(v, allowed)]));
  return value;
}

function redactSpans(text: string, findings: readonly GuardrailFinding[], placeholder: string): string {
  const spans = findings.flatMap((f) => (f.span ? [f.span] : [])).sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  for (const span of spans) {
    if (span.end <= at) continue;
    out += text.slice(at, Math.max(at, span.start)) + placeholder;
    at = span.end;
  }
  return out + text.slice(at);
}

/** The facts of a session's tool outputs, as the grounding judge reads them. */
export function factsOf(toolOutputs: ReadonlyArray<{ tool: string; output: unknown }>): Fact[] {
  return toolOutputs.flatMap(({ tool, output }) => extractFacts(tool, output));
}

/** The prompt of the grounding judge. */
export const GROUNDING_JUDGE_PROMPT =
  'You check an assistant\'s answer against the facts its tools returned. List every claim in the answer that contradicts a fact ' +
  '(a claim the facts do not mention is not a contradiction). Answer with only JSON: {"contradictions": [{"claim": "<the words of the answer>", "fact": "<the fact it contradicts>"}]}.';

/**
 * The judge's contradictions as findings (`grounding.judge`), each with the span of its claim in the
 * answer when the claim is quoted exactly. A reply that is not the expected JSON yields none: the
 * judge is a second opinion, the deterministic check stays.
 */
export function judgedContradictions(answer: string, reply: string): GuardrailFinding[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(reply.trim());
  } catch {
    return [];
  }
  const list = (parsed as { contradictions?: unknown })?.contradictions;
  if (!Array.isArray(list)) return [];
  return list.flatMap((item): GuardrailFinding[] => {
    const { claim, fact } = (item ?? {}) as { claim?: unknown; fact?: unknown };
    if (typeof claim !== 'string' || typeof fact !== 'string' || !claim.trim()) return [];
    const at = answer.indexOf(claim);
    return [
      {
        detector: 'grounding.judge',
        category: 'grounding',
        kind: 'claim',
        score: 0.7,
        ...(at >= 0 ? { span: { start: at, end: at + claim.length } } : {}),
        message: `answer says "${claim.slice(0, 160)}"; the tools returned: ${fact.slice(0, 200)}`,
      },
    ];
  });
}
