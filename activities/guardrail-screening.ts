import { Context } from '@temporalio/activity';
import { renderFactsForJudge } from '../core/guardrails/grounding';
import { checkFinalAnswerContent, factsOf, GROUNDING_JUDGE_PROMPT, judgedContradictions, type CheckedFinalAnswer } from './guardrail-checks';
import { judgeUsageOf, parseStoredOutput, type JudgeUsage, type SessionActivityContext } from './session-activity-context';

/** Input of the final-answer guardrail activity. */
export interface FinalAnswerCheckInput {
  sessionId: string;
  agent: string;
  /** The session's tenant, whose content is read (absent in calls scheduled before content was scoped). */
  tenant?: string;
  text: string;
  data?: unknown;
  /** The session's own subjects: their personal data may appear in the answer. */
  subjects: string[];
  /** The tool outputs of the session that the answer may draw on, by reference. */
  toolOutputs: Array<{ tool: string; ref: string }>;
  /** Grounding repair turns given so far. */
  repairsSoFar: number;
}

/** The content guardrails on a session's final answer (tool outputs are screened by the tool call itself). */
export function guardrailScreeningActivities(ctx: SessionActivityContext) {
  const { store, model, metrics } = ctx.deps;
  return {
    /**
     * The final-answer guardrail: personal data outside the session's own subjects, and claims that
     * contradict what the session's tools returned (read from the store by reference).
     */
    async checkFinalAnswer(input: FinalAnswerCheckInput): Promise<CheckedFinalAnswer & { activityMs: number; judgeUsage?: JudgeUsage }> {
      const started = Date.now();
      let judgeUsage: JudgeUsage | undefined;
      const agent = ctx.agentOf(input.agent);
      const tenant = await ctx.tenantOf(input.tenant);
      const toolOutputs = await Promise.all(
        input.toolOutputs.map(async ({ tool, ref }) => {
          const text = await store.get(ref, tenant).catch(() => '');
          return { tool, output: parseStoredOutput(text) };
        }),
      );
      let checked = checkFinalAnswerContent({ ...input, policy: agent.guardrails, toolOutputs });
      const judge = agent.guardrails.enabled ? agent.guardrails.groundingJudge : undefined;
      const facts = judge && !checked.verdict?.findings.some((f) => f.category === 'grounding') ? factsOf(toolOutputs) : [];
      if (judge && facts.length) {
        const reply = await model.send(
          {
            model: judge.model,
            maxOutputTokens: 400,
            system: GROUNDING_JUDGE_PROMPT,
            tools: [],
            messages: [{ role: 'user', content: `Facts from the tools:\n${renderFactsForJudge(facts)}\n\nAnswer:\n${input.text}` }],
            promptCaching: false,
          },
          Context.current().cancellationSignal,
        );
        metrics?.modelCalls.inc({ agent: agent.name, model: reply.model });
        judgeUsage = judgeUsageOf(reply);
        const judged = judgedContradictions(input.text, reply.text);
        if (judged.length) checked = checkFinalAnswerContent({ ...input, policy: agent.guardrails, toolOutputs, judgedContradictions: judged });
      }
      if (checked.verdict) {
        metrics?.guardrailVerdicts.inc({ agent: agent.name, checkpoint: 'final_answer', category: checked.verdict.category ?? 'none', action: checked.verdict.action });
      }
      return { ...checked, activityMs: Date.now() - started, ...(judgeUsage ? { judgeUsage } : {}) };
    },
  };
}
