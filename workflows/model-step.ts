import { addAgentTime } from '../core/active-time';
import { recordTokens } from '../core/breaker';
import type { ModelCallResult, ToolResultEntry, TranscriptAppend } from '../core/model-call';
import { costOf } from '../core/pricing';
import { routeStep, type RoutingDecision, type RoutingStep } from '../core/routing';
import { modelActivities, modelCall } from './session-activities-proxies';
import type { Session } from './session-state';

/**
 * One model turn: the model the routing policy picks for it (or the pinned one) reads `append`
 * after the stored transcript; its usage and cost are counted and its call traced. An activity
 * failure (the model down beyond its retries) is thrown.
 */
export async function modelStep(s: Session, append: TranscriptAppend): Promise<ModelCallResult> {
  const { request, usage, breaker } = s;
  const agent = s.described;
  const routing = !request.model && request.routing ? agent.routing : undefined;
  const route: RoutingDecision | undefined = routing ? routeStep(routing, routingStep(s, append)) : undefined;
  const model = route?.model ?? request.model ?? agent.model;
  const reply = await modelActivities.callModel.executeWithOptions({ ...modelCall(request.timeouts), summary: `model ${model}${route ? ` (${route.tier})` : ''}` }, [
    {
      sessionId: s.sessionId,
      agent: request.agent,
      tenant: request.scope.tenant,
      model,
      maxOutputTokens: request.maxOutputTokens,
      transcriptRef: s.transcriptRef,
      append,
      tools: s.tools.offered.map((t) => t.name),
      ...(agent.toolSet ? { toolSet: agent.toolSet } : {}),
      promptCaching: request.promptCaching,
      maxAttempts: request.timeouts.modelMaxAttempts,
    },
  ]);
  s.transcriptRef = reply.transcriptRef;
  addAgentTime(breaker, reply.activityMs ?? reply.latencyMs);
  const costUsd = costOf(reply.model, reply);
  usage.modelCalls += 1;
  const cacheWrite = (reply.cacheWrite5mTokens ?? 0) + (reply.cacheWrite1hTokens ?? 0);
  usage.inputTokens += reply.inputTokens;
  usage.outputTokens += reply.outputTokens;
  usage.cacheReadTokens = (usage.cacheReadTokens ?? 0) + (reply.cacheReadTokens ?? 0);
  usage.cacheWriteTokens = (usage.cacheWriteTokens ?? 0) + cacheWrite;
  usage.costUsd += costUsd;
  recordTokens(breaker, reply.inputTokens + (reply.cacheReadTokens ?? 0) + cacheWrite + reply.outputTokens);
  s.trace.push({
    type: 'model_call',
    atMs: Date.now(),
    'gen_ai.request.model': model,
    'gen_ai.response.model': reply.model,
    'gen_ai.usage.input_tokens': reply.inputTokens,
    'gen_ai.usage.output_tokens': reply.outputTokens,
    ...(reply.cacheReadTokens || cacheWrite ? { 'gen_ai.usage.cache_read_input_tokens': reply.cacheReadTokens ?? 0, 'gen_ai.usage.cache_creation_input_tokens': cacheWrite } : {}),
    'gen_ai.response.finish_reasons': [reply.stopReason],
    latencyMs: reply.latencyMs,
    costUsd,
    toolCalls: reply.toolCalls.map((c) => c.name),
    ...(route ? { routing: { tier: route.tier, reason: route.reason } } : {}),
  });
  return reply;
}

/** What the router needs to know of the step that reads `next`. */
function routingStep(s: Session, next: TranscriptAppend): RoutingStep {
  const step: RoutingStep = { turn: s.usage.modelCalls, follows: 'other', failuresInARow: s.failuresInARow };
  if (next.kind === 'tool_results') {
    const tiers = lastTurnTiers(s, next.results);
    const resultBytes = next.results.reduce((sum, r) => sum + ('bytes' in r.content ? r.content.bytes : r.content.text.length), 0);
    return { ...step, follows: 'tool_results', toolTiers: tiers, resultBytes };
  }
  if (next.kind === 'user_text') return { ...step, follows: s.usage.modelCalls > 0 ? 'repair' : 'user_input' };
  return step;
}

/** Tiers of the tools whose results are in `results` (unknown tools count as reads). */
function lastTurnTiers(s: Session, results: readonly ToolResultEntry[]): string[] {
  return results.map((r) => {
    const event = s.trace.find((e) => e.type === 'tool_call' && e['gen_ai.tool.call.id'] === r.toolUseId);
    return event && event.type === 'tool_call' && event.tier ? event.tier : 'read';
  });
}
