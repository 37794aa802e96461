import { Context } from '@temporalio/activity';
import { DATA_HANDLING_INSTRUCTION } from '../core/guardrails/injection';
import { toolCallIdProblem, type ModelCallInput, type ModelCallResult } from '../core/model-call';
import { outputInstructions, parseFinalAnswer } from '../core/output-contract';
import { costOf } from '../core/pricing';
import { spendAttempt } from './attempt-budget';
import { whileHeartbeating } from './heartbeat';
import { contentFailure, type SessionActivityContext } from './session-activity-context';
import { appendTranscript, loadTranscript, toModelMessages, userMessageOf, type StoredBlock } from './transcript';

/** The agent's model turn. */
export function modelTurnActivities(ctx: SessionActivityContext) {
  const { store, model, metrics } = ctx.deps;
  return {
    /**
     * Appends the new turn to the transcript, calls the model (heartbeating while the request is in
     * flight, so a call lost with its worker is retried at the heartbeat timeout), appends its reply.
     */
    async callModel(input: ModelCallInput): Promise<ModelCallResult> {
      const started = Date.now();
      const agent = ctx.agentOf(input.agent);
      const tenant = await ctx.tenantOf(input.tenant);
      let history;
      try {
        history = await loadTranscript(store, input.transcriptRef, tenant);
      } catch (error) {
        throw contentFailure(error);
      }
      const userMessage = userMessageOf(input.append);
      const guarded = agent.guardrails.enabled;
      const messages = await toModelMessages(store, tenant, [...history, userMessage], ctx.window, { markAsData: guarded });
      const instructions = guarded ? `${agent.instructions}\n\n${DATA_HANDLING_INSTRUCTION}` : agent.instructions;
      const system = agent.output ? `${instructions}\n\n${outputInstructions(agent.output)}` : instructions;
      const offered = new Set(input.tools);
      const tools = input.toolSet ? await ctx.pinned.modelTools(input.toolSet, tenant, ctx.toolsFor(agent.name), input.tools) : ctx.toolsFor(agent.name).filter((tool) => offered.has(tool.name));
      const reply = await whileHeartbeating(() => model.send(
        { model: input.model, maxOutputTokens: input.maxOutputTokens, system, tools, messages, promptCaching: input.promptCaching ?? false, session: { agent: agent.name, sessionId: input.sessionId, tenant: input.tenant } },
        Context.current().cancellationSignal,
      )).catch((error: unknown) => {
        throw spendAttempt(error, input.maxAttempts);
      });
      // Tool calls that cannot be told apart are invalid output: none runs, and no decision can be misattributed.
      const invalidToolCalls = toolCallIdProblem(reply.toolCalls);
      const assistant: StoredBlock[] = reply.content.flatMap((block): StoredBlock[] => {
        if (block.type === 'text') return [{ type: 'text', text: block.text }];
        if (block.type === 'tool_use' && !invalidToolCalls) {
          return [{ type: 'tool_use', id: block.id, name: block.name, input: (block.input ?? {}) as Record<string, unknown> }];
        }
        return [];
      });
      const transcriptRef = await appendTranscript(store, input.transcriptRef, [
        userMessage,
        { role: 'assistant', content: assistant.length ? assistant : [{ type: 'text', text: '' }] },
      ], tenant);
      if (metrics) {
        const labels = { agent: agent.name, model: reply.model };
        metrics.modelCalls.inc(labels);
        metrics.modelTokens.inc({ ...labels, direction: 'input' }, reply.inputTokens);
        metrics.modelTokens.inc({ ...labels, direction: 'output' }, reply.outputTokens);
        metrics.modelTokens.inc({ ...labels, direction: 'cache_read' }, reply.cacheReadTokens ?? 0);
        metrics.modelTokens.inc({ ...labels, direction: 'cache_write' }, (reply.cacheWrite5mTokens ?? 0) + (reply.cacheWrite1hTokens ?? 0));
        metrics.cost.inc(labels, costOf(reply.model, reply));
      }
      const { content: _content, id: _id, ...result } = reply; // the reply's id goes to its span, not the history
      if (invalidToolCalls) return { ...result, toolCalls: [], transcriptRef, invalidToolCalls, activityMs: Date.now() - started };
      const finalOutput = agent.output && reply.toolCalls.length === 0 ? { finalOutput: parseFinalAnswer(reply.text, agent.output) } : {};
      return { ...result, transcriptRef, ...finalOutput, activityMs: Date.now() - started };
    },
  };
}
