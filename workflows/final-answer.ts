import { addAgentTime } from '../core/active-time';
import { FailureType } from '../core/errors';
import { groundingRepairMessage } from '../core/guardrails/policy';
import type { ModelCallResult } from '../core/model-call';
import type { SessionResult } from '../core/session';
import { awaitHuman } from './escalation';
import { sessionBookkeeping } from './session-activities-proxies';
import { finish } from './session-end';
import type { Session } from './session-state';
import { verdictSummary } from './verdict-summary';

/** Patch id: runs recorded before it delivered final answers without the content guardrails. */
const GUARDRAILS = 'guardrails-final-answer';

/** What becomes of a final answer: the session ended (delivered, blocked, out of repairs), or the model is asked again. */
export type FinalAnswerStep = { ended: SessionResult } | { repair: string };

/**
 * A reply without tool calls: its output checked against the agent's schema (a bounded number of
 * repair turns), then the content guardrails, then delivered as the session's result.
 */
export async function finalAnswerStep(s: Session, reply: ModelCallResult): Promise<FinalAnswerStep> {
  const agent = s.described;
  const checked = reply.finalOutput;
  if (!agent.structuredOutput || !checked || checked.ok) {
    const data = checked?.ok ? { data: checked.value } : {};
    const guarded = await guardFinalAnswer(s, reply.text, data.data);
    if (guarded.kind === 'repair') return { repair: guarded.message };
    if (guarded.kind === 'end') return { ended: guarded.result };
    return { ended: await finish(s, 'completed', { output: guarded.output, ...(guarded.data !== undefined ? { data: guarded.data } : data) }) };
  }
  s.trace.push({ type: 'output_rejected', atMs: Date.now(), issues: checked.issues, repairTurn: s.usage.repairTurns + 1 });
  s.failuresInARow += 1;
  if (s.usage.repairTurns >= agent.structuredOutput.maxRepairTurns) {
    const message = `the final answer failed its schema after ${s.usage.repairTurns} repair turns: ${checked.issues}`;
    return { ended: await finish(s, 'invalid_output', { error: { type: FailureType.InvalidOutput, message } }) };
  }
  s.usage.repairTurns += 1;
  return { repair: `Your final answer does not satisfy the required schema: ${checked.issues}. Reply again with only the corrected JSON.` };
}

/**
 * The final-answer guardrail (sessions recorded before it existed skip it): delivers the answer,
 * redacted, after a repair turn, or ends the session `guardrail_blocked`.
 */
async function guardFinalAnswer(
  s: Session,
  text: string,
  data: unknown,
): Promise<{ kind: 'deliver'; output: string; data?: unknown } | { kind: 'repair'; message: string } | { kind: 'end'; result: SessionResult }> {
  const { request, sessionId } = s;
  const policy = s.described.guardrails;
  if (!policy?.enabled || !s.patches.has(GUARDRAILS)) return { kind: 'deliver', output: text, ...(data !== undefined ? { data } : {}) };
  const toolOutputs = s.trace
    .flatMap((e) => (e.type === 'tool_call' && e.ok && e.outputRef ? [{ tool: e['gen_ai.tool.name'], ref: e.outputRef }] : []))
    .slice(-50);
  const checked = await sessionBookkeeping(s.patches).checkFinalAnswer({
    sessionId,
    agent: request.agent,
    tenant: request.scope.tenant,
    text,
    ...(data !== undefined ? { data } : {}),
    subjects: request.scope.subjects,
    toolOutputs,
    repairsSoFar: s.groundingRepairs,
  });
  addAgentTime(s.breaker, checked.activityMs);
  s.countJudge(checked.judgeUsage);
  const verdict = checked.verdict;
  if (!verdict) return { kind: 'deliver', output: text, ...(data !== undefined ? { data } : {}) };
  s.trace.push({ type: 'guardrail_verdict', atMs: Date.now(), ...verdict });
  const blocked = async () => ({ kind: 'end' as const, result: await finish(s, 'guardrail_blocked', { error: { type: FailureType.GuardrailBlocked, message: verdictSummary(verdict) } }) });
  switch (verdict.action) {
    case 'repair':
      s.groundingRepairs += 1;
      s.failuresInARow += 1;
      return { kind: 'repair', message: groundingRepairMessage(verdict.findings) };
    case 'redact':
      return { kind: 'deliver', output: checked.redactedText ?? text, ...(checked.redactedData !== undefined ? { data: checked.redactedData } : data !== undefined ? { data } : {}) };
    case 'block':
      return blocked();
    case 'escalate': {
      const decision = await awaitHuman(s, `guardrail:${verdict.category}`, verdictSummary(verdict));
      if (decision?.action === 'resume') {
        s.setState('running');
        return { kind: 'deliver', output: text, ...(data !== undefined ? { data } : {}) };
      }
      return blocked();
    }
    default:
      return { kind: 'deliver', output: text, ...(data !== undefined ? { data } : {}) };
  }
}
