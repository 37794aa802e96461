import type { ToolCallInput, ToolCallResult } from '../core/tool-call';
import { agentDescriptionActivities } from './agent-description';
import { inToolSpan } from './gen-ai-spans';
import { guardrailScreeningActivities } from './guardrail-screening';
import { informationFlowActivities } from './information-flow';
import { injectionJudgeActivities } from './injection-judge';
import { modelTurnActivities } from './model-turn';
import { createSessionActivityContext, type SessionActivityDeps } from './session-activity-context';
import { toolCallActivities } from './tool-call';
import { traceArchiveActivities } from './trace-archive';

export type { SessionActivityDeps, JudgeUsage } from './session-activity-context';
export type { ProvenanceCheckInput } from './information-flow';
export type { FinalAnswerCheckInput } from './guardrail-screening';

/**
 * The activities of an agent session, bound to a worker's agents, store and model endpoint: one
 * module per concern (the model turn, the tool call, guardrail screening, the injection judge, the
 * information-flow check, the agent's description, the trace archive), sharing one context.
 */
export function createSessionActivities(deps: SessionActivityDeps) {
  const ctx = createSessionActivityContext(deps);
  const activities = {
    ...agentDescriptionActivities(ctx),
    ...modelTurnActivities(ctx),
    ...toolCallActivities(ctx),
    ...guardrailScreeningActivities(ctx),
    ...injectionJudgeActivities(ctx),
    ...informationFlowActivities(ctx),
    ...traceArchiveActivities(ctx),
  };
  const { tracer } = deps;
  if (!tracer) return activities;
  return { ...activities, runTool: (input: ToolCallInput): Promise<ToolCallResult> => inToolSpan(tracer, input, () => activities.runTool(input)) };
}

/** The session activities' type, as the workflow imports it (type only). */
export type SessionActivities = ReturnType<typeof createSessionActivities>;
