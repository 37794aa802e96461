import { ApplicationFailure, proxySinks } from '@temporalio/workflow';
import { FailureType } from '../core/errors';
import type { ModelCallResult, ToolCallRequest, ToolResultEntry, TranscriptAppend } from '../core/model-call';
import { describeRequestIssues, SessionRequestSchema, type SessionResult } from '../core/session';
import type { KeelMetricsSinks } from './api';
import { requestApprovals } from './approval-step';
import { continueSession, shouldContinueAsNew } from './continue-as-new';
import { guardStep } from './escalation';
import { finalAnswerStep } from './final-answer';
import { modelStep } from './model-step';
import { installSessionHandlers } from './session-decisions';
import { failed, finish } from './session-end';
import { describeSessionAgent } from './session-start';
import { Session, type SessionCarryOver } from './session-state';
import { runToolStep } from './tool-step';

export type { SessionCarryOver } from './session-state';

const { keelMetrics } = proxySinks<KeelMetricsSinks>();

/**
 * An agent session: model call, tool calls, model call ... until the model gives a final answer,
 * with the circuit breaker checked before every step. Takes one {@link SessionRequest}; the second
 * argument is only passed by continue-as-new.
 *
 * The steps live by concept: the run's state (session-state), decisions (session-decisions), the
 * wait for a person (human-gate, escalation, approval-step), the model turn (model-step), the tool
 * call (tool-step), the final answer (final-answer), the hand-over to a new run (continue-as-new)
 * and the end (session-end); the activities they call are created once in session-activities-proxies.
 */
export async function agentSession(rawRequest: unknown, carry?: SessionCarryOver): Promise<SessionResult> {
  const parsed = SessionRequestSchema.safeParse(rawRequest);
  if (!parsed.success) {
    keelMetrics.record({ kind: 'session_failed_at_start', agent: '(none)', reason: 'invalid_request' });
    throw ApplicationFailure.create({
      type: FailureType.InvalidSessionRequest,
      message: `invalid session request: ${describeRequestIssues(parsed.error)}`,
      nonRetryable: true,
    });
  }
  const request = parsed.data;
  const s = new Session(request, carry);
  installSessionHandlers(s);
  const agent = s.agent ?? (await describeSessionAgent(s));
  s.setState('running');
  s.offerTools(agent);

  let append: TranscriptAppend = carry?.append ?? { kind: 'user_text', text: request.input };
  let pendingCalls: ToolCallRequest[] = carry?.pendingCalls ?? [];
  let pendingResults: ToolResultEntry[] = carry?.pendingResults ?? [];
  /** Everything the next run needs, in the order earlier runs recorded it. */
  const carryOver = (): SessionCarryOver => ({
    run: s.run,
    agent,
    transcriptRef: s.transcriptRef,
    append,
    pendingCalls,
    pendingResults,
    breaker: s.breaker,
    approvals: s.approvals,
    approvalsIssued: s.approvalsIssued,
    toolCache: s.toolCache,
    usage: s.usage,
    trace: s.trace,
    earlierTraces: s.earlierTraces,
    failuresInARow: s.failuresInARow,
    groundingRepairs: s.groundingRepairs,
    escalationsIssued: s.human.escalationsIssued,
    ...(s.gate.loaded() ? { approverKeys: s.gate.loaded()! } : {}),
  });

  for (;;) {
    // Tool calls of the last model turn, one at a time, the breaker checked before each.
    while (pendingCalls.length > 0) {
      if (shouldContinueAsNew(request)) return continueSession(request, carryOver(), s.patches.has);
      const ended = await guardStep(s, 'tool');
      if (ended) return ended;
      pendingResults.push(await runToolStep(s, pendingCalls[0]!));
      pendingCalls = pendingCalls.slice(1);
    }
    if (pendingResults.length > 0) {
      append = { kind: 'tool_results', results: pendingResults };
      const failedCalls = pendingResults.filter((r) => r.isError).length;
      s.failuresInARow = failedCalls > 0 ? s.failuresInARow + failedCalls : 0;
      pendingResults = [];
    }

    // The model's turn.
    if (shouldContinueAsNew(request)) return continueSession(request, carryOver(), s.patches.has);
    const ended = await guardStep(s, 'model');
    if (ended) return ended;
    let reply: ModelCallResult;
    try {
      reply = await modelStep(s, append);
    } catch (error) {
      return failed(s, error);
    }

    if (reply.invalidToolCalls) {
      // Invalid model output (e.g. one tool_use id on two calls): nothing ran; a bounded repair turn.
      s.trace.push({ type: 'output_rejected', atMs: Date.now(), issues: reply.invalidToolCalls, repairTurn: s.usage.repairTurns + 1 });
      s.failuresInARow += 1;
      if (s.usage.repairTurns >= (agent.structuredOutput?.maxRepairTurns ?? 2)) {
        return finish(s, 'invalid_output', { error: { type: FailureType.InvalidOutput, message: `invalid tool calls after ${s.usage.repairTurns} repair turns: ${reply.invalidToolCalls}` } });
      }
      s.usage.repairTurns += 1;
      append = { kind: 'user_text', text: `Your last reply was not carried out: ${reply.invalidToolCalls}. Give every tool call its own id and send the calls again.` };
      continue;
    }
    if (reply.toolCalls.length === 0) {
      const answer = await finalAnswerStep(s, reply);
      if ('ended' in answer) return answer.ended;
      append = { kind: 'user_text', text: answer.repair };
      continue;
    }
    pendingCalls = reply.toolCalls;
    s.approvals = await requestApprovals(s, reply.toolCalls, reply.text);
  }
}
