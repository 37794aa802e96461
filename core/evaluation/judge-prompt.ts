import type { SessionTraceRecord } from '../trace-schema';
import { renderRubric, verdictSchemaFor, type Rubric, type Verdict } from './rubric';

/**
 * What the judge model reads: the rubric in the system prompt, the session as a compact text in the
 * user message, and, when its answer is not a valid verdict, the reasons in a repair message.
 */

/** First line of every judge request's user message (a scripted judge can match on it). */
export const JUDGE_REQUEST_HEADER = 'Keel session to evaluate';

/** Bounds of the session text the judge reads, so a long session cannot blow up the judge's prompt. */
export const JUDGE_TEXT_LIMITS = { input: 4000, output: 4000, preview: 300, toolInput: 300, steps: 60 } as const;

/** The session as the judge sees it. `input` is the user's message (from the transcript), when known. */
export interface JudgedSession {
  record: SessionTraceRecord;
  input?: string;
}

/** The judge's system prompt for a rubric. */
export function judgeSystemPrompt(rubric: Rubric): string {
  return `You are a strict, fair evaluator of AI agent sessions.\n\n${renderRubric(rubric)}`;
}

/** The session as text for the judge: request, steps, final answer, usage and notable events. */
export function describeSessionForJudge({ record, input }: JudgedSession): string {
  const result = record.result as {
    output?: string | null;
    data?: unknown;
    usage?: { modelCalls?: number; toolCalls?: number; inputTokens?: number; outputTokens?: number; costUsd?: number; elapsedMs?: number };
    error?: { type: string; message: string };
    breaker?: { limit: string; detail: string; resolution: string };
  };
  const lines = [JUDGE_REQUEST_HEADER, `Agent: ${record.agent}`, `Outcome: ${record.outcome}`, '', 'User request:', fence(input ?? '(not available)', JUDGE_TEXT_LIMITS.input), '', 'Steps:'];
  const steps: string[] = [];
  for (const event of record.events) {
    switch (event.type) {
      case 'model_call':
        steps.push(`model ${event['gen_ai.response.model']}: ${event['gen_ai.usage.input_tokens']} in / ${event['gen_ai.usage.output_tokens']} out tokens → ${event.toolCalls.length ? `calls ${event.toolCalls.join(', ')}` : 'final answer'}`);
        break;
      case 'tool_call': {
        const head = `tool ${event['gen_ai.tool.name']}${event.tier ? ` [${event.tier}]` : ''} ${cut(JSON.stringify(event.input ?? {}), JUDGE_TEXT_LIMITS.toolInput)}`;
        steps.push(event.ok ? `${head} → ok: ${cut(event.outputPreview, JUDGE_TEXT_LIMITS.preview)}` : `${head} → ERROR ${event.error?.kind ?? ''}: ${cut(event.error?.message ?? '', JUDGE_TEXT_LIMITS.preview)}`);
        break;
      }
      case 'approval_requested':
        steps.push(`approval requested for ${event.tool} (${event.requestId})`);
        break;
      case 'approval_decided':
        steps.push(`approval of ${event.tool}: ${event.decision}${event.approver ? ` by ${event.approver}` : ''}${event.note ? ` (${cut(event.note, 200)})` : ''}`);
        break;
      case 'scope_violation':
        steps.push(`SCOPE VIOLATION by ${event.tool}: ${cut(event.message, 200)}`);
        break;
      case 'output_rejected':
        steps.push(`final answer rejected by its schema (repair turn ${event.repairTurn}): ${cut(event.issues, 200)}`);
        break;
      case 'breaker_tripped':
        steps.push(`CIRCUIT BREAKER TRIPPED (${event.limit}): ${cut(event.detail, 200)}`);
        break;
      case 'escalation_resolved':
        steps.push(`escalation resolved: ${event.action}${event.approver ? ` by ${event.approver}` : ''}`);
        break;
      case 'signal_refused':
        steps.push(`refused ${event.signal} from ${event.approver}: ${cut(event.reason, 200)}`);
        break;
      case 'session_ended':
        steps.push(`session ended: ${event.outcome}${event.error ? ` (${event.error.type}: ${cut(event.error.message, 200)})` : ''}`);
        break;
      default: {
        const other = event as { type: string };
        steps.push(other.type);
      }
    }
  }
  const max = JUDGE_TEXT_LIMITS.steps;
  const shown = steps.length > max ? [...steps.slice(0, max / 2), `... ${steps.length - max} steps not shown ...`, ...steps.slice(-max / 2)] : steps;
  shown.forEach((step, i) => lines.push(`${i + 1}. ${step}`));
  if (shown.length === 0) lines.push('(none)');
  lines.push('', 'Final answer:', fence(result.output ?? '(none)', JUDGE_TEXT_LIMITS.output));
  if (result.data !== undefined) lines.push(`Structured answer: ${cut(JSON.stringify(result.data), JUDGE_TEXT_LIMITS.output)}`);
  if (result.error) lines.push(`Failure: ${result.error.type}: ${cut(result.error.message, 300)}`);
  if (result.breaker) lines.push(`Breaker: ${result.breaker.limit} (${result.breaker.resolution})`);
  const u = result.usage;
  if (u) {
    lines.push(
      `Usage: ${u.modelCalls ?? 0} model calls, ${u.toolCalls ?? 0} tool calls, ${(u.inputTokens ?? 0) + (u.outputTokens ?? 0)} tokens, ` +
        `$${(u.costUsd ?? 0).toFixed(6)}, ${((u.elapsedMs ?? 0) / 1000).toFixed(1)} s`,
    );
  }
  return lines.join('\n');
}

/** The message that asks the judge to correct an invalid verdict. */
export function verdictRepairMessage(issues: string): string {
  return `Your answer is not a valid verdict: ${issues}. Answer again with only the corrected JSON object.`;
}

/** A judge's answer read as a verdict: the verdict, or why it is not one. */
export type VerdictParse = { ok: true; verdict: Verdict } | { ok: false; issues: string };

/**
 * Reads the judge's answer: the JSON object in it (a code fence or text around it is tolerated),
 * validated against the rubric's verdict schema.
 */
export function parseVerdict(text: string, rubric: Rubric): VerdictParse {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end <= start) return { ok: false, issues: 'no JSON object found' };
  let json: unknown;
  try {
    json = JSON.parse(text.slice(start, end + 1));
  } catch (error) {
    return { ok: false, issues: `invalid JSON (${(error as Error).message})` };
  }
  const parsed = verdictSchemaFor(rubric).safeParse(json);
  if (!parsed.success) {
    return { ok: false, issues: parsed.error.issues.map((i) => `${i.path.join('.') || '(verdict)'}: ${i.message}`).join('; ') };
  }
  return { ok: true, verdict: parsed.data as Verdict };
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function fence(text: string, max: number): string {
  return `<<<\n${cut(text, max)}\n>>>`;
}
