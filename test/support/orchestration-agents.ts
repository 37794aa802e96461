import { z } from 'zod';
import { defineAgent, type Agent } from '../../core/agent';
import { ConsensusSchema, ORCHESTRATION_OUTPUTS, SupervisorPlanSchema } from '../../core/orchestration';
import { createSupportAgent } from '../../agents';
import type { SqlDatabase } from '../../store';

/** Agents of the orchestration suites: a coordinator, specialists, an assembler, debaters and a judge. */
export function orchestrationAgents(db: SqlDatabase): Agent[] {
  const support = createSupportAgent(db).tools;
  const tool = (name: string) => support.filter((t) => t.name === name);
  return [
    defineAgent({ name: 'coordinator', instructions: 'Plan subtasks for specialised agents.', tools: [], output: SupervisorPlanSchema, outputName: ORCHESTRATION_OUTPUTS.plan }),
    defineAgent({ name: 'researcher', instructions: 'Find facts with the CRM.', tools: tool('get_order'), output: z.object({ facts: z.array(z.string()) }), outputName: 'Findings' }),
    defineAgent({
      name: 'refunder',
      instructions: 'Refund orders when asked.',
      tools: tool('process_payment'),
      output: z.object({ refunded: z.boolean(), orderId: z.string() }),
      outputName: 'RefundOutcome',
    }),
    defineAgent({ name: 'looper', instructions: 'Check orders.', tools: tool('get_order'), output: z.object({ done: z.boolean() }), outputName: 'LoopOutcome' }),
    defineAgent({ name: 'assembler', instructions: 'Write the final answer.', tools: [], output: z.object({ answer: z.string() }), outputName: 'FinalAnswer' }),
    defineAgent({ name: 'extractor', instructions: 'Extract the customer and issue.', tools: [], output: z.object({ customerId: z.string(), issue: z.string() }), outputName: 'Extraction' }),
    defineAgent({ name: 'classifier', instructions: 'Classify the issue.', tools: [], output: z.object({ category: z.string() }), outputName: 'Category' }),
    defineAgent({ name: 'sentiment', instructions: 'Rate the sentiment.', tools: [], output: z.object({ score: z.number() }), outputName: 'Sentiment' }),
    defineAgent({ name: 'drafter', instructions: 'Draft a reply.', tools: [], output: z.object({ reply: z.string() }), outputName: 'Draft' }),
    defineAgent({ name: 'optimist', instructions: 'Argue the upside.', tools: [], output: z.object({ position: z.string() }), outputName: 'Position' }),
    defineAgent({ name: 'skeptic', instructions: 'Argue the risks.', tools: [], output: z.object({ position: z.string() }), outputName: 'Position' }),
    defineAgent({ name: 'judge', instructions: 'Weigh the analyses.', tools: [], output: ConsensusSchema, outputName: ORCHESTRATION_OUTPUTS.consensus }),
  ];
}
