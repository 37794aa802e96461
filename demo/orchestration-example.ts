import type { ApproverKeyFile } from '../client/approver-key';
import { z } from 'zod';
import { defineAgent, type Agent } from '../core/agent';
import { ConsensusSchema, ORCHESTRATION_OUTPUTS, SupervisorPlanSchema, type OrchestrationPattern, type OrchestrationRequestInput, type OrchestrationResult, type OrchestrationStatus } from '../core/orchestration';
import { createSupportAgent } from '../agents';
import type { KeelClient } from '../client';
import type { Scenario } from '../scripted-model';
import type { SqlDatabase } from '../store';

/**
 * The orchestration example: agents for each pattern over the example CRM and payments tools, and
 * the scripted model's answers for them, so that `npm run demo:orchestration` runs offline.
 */
export function exampleOrchestrationAgents(db: SqlDatabase): Agent[] {
  const tools = createSupportAgent(db).tools;
  const pick = (...names: string[]) => tools.filter((t) => names.includes(t.name));
  return [
    defineAgent({ name: 'triage-coordinator', instructions: 'Break a support case into subtasks for specialists.', tools: [], output: SupervisorPlanSchema, outputName: ORCHESTRATION_OUTPUTS.plan }),
    defineAgent({ name: 'order-researcher', instructions: 'Look up orders.', tools: pick('get_order'), output: z.object({ orderId: z.string(), status: z.string(), amountCents: z.number() }), outputName: 'OrderFacts' }),
    defineAgent({ name: 'refund-agent', instructions: 'Refund an order when the case calls for it.', tools: pick('process_payment'), output: z.object({ orderId: z.string(), refunded: z.boolean() }), outputName: 'RefundOutcome' }),
    defineAgent({ name: 'reply-writer', instructions: 'Write the reply to the customer.', tools: [], output: z.object({ reply: z.string() }), outputName: 'CustomerReply' }),
    defineAgent({ name: 'issue-extractor', instructions: 'Extract the order and the problem.', tools: [], output: z.object({ orderId: z.string(), problem: z.string() }), outputName: 'Issue' }),
    defineAgent({ name: 'policy-checker', instructions: 'Say what the refund policy allows.', tools: [], output: z.object({ eligible: z.boolean(), rule: z.string() }), outputName: 'PolicyVerdict' }),
    defineAgent({ name: 'fraud-analyst', instructions: 'Assess the fraud risk of a refund.', tools: [], output: z.object({ position: z.string() }), outputName: 'Position' }),
    defineAgent({ name: 'customer-advocate', instructions: 'Argue for the customer.', tools: [], output: z.object({ position: z.string() }), outputName: 'Position' }),
    defineAgent({ name: 'refund-judge', instructions: 'Weigh the positions and give the consensus.', tools: [], output: ConsensusSchema, outputName: ORCHESTRATION_OUTPUTS.consensus }),
  ];
}

/** The customer's message of the example. */
export const EXAMPLE_INPUT = 'My Analytical Engine manual (order ord_1001) arrived with torn pages. I want my money back.';

/** The request of each pattern in the example. */
export function exampleRequest(pattern: OrchestrationPattern): OrchestrationRequestInput {
  const base = { input: EXAMPLE_INPUT, scope: { tenant: 'acme', subjects: ['cus_ada'] }, approvers: ['role:support-lead', 'demo-supervisor'] };
  if (pattern === 'supervisor') return { ...base, pattern, coordinator: 'triage-coordinator', assembler: 'reply-writer' };
  if (pattern === 'debate') return { ...base, pattern, debaters: ['fraud-analyst', 'customer-advocate'], judge: 'refund-judge' };
  return {
    ...base,
    pattern,
    pipeline: {
      nodes: [
        { id: 'issue', agent: 'issue-extractor', task: 'Extract the order id and the problem.', from: { message: '$input' } },
        { id: 'order', agent: 'order-researcher', task: 'Look up the order.', from: { orderId: 'issue.orderId' } },
        { id: 'policy', agent: 'policy-checker', task: 'Is this refundable under policy?', from: { problem: 'issue.problem' } },
        { id: 'reply', agent: 'reply-writer', task: 'Write the reply.', from: { order: 'order', policy: 'policy' } },
      ],
      output: 'reply',
    },
  };
}

const json = (value: unknown) => ({ text: JSON.stringify(value) });

/** The scripted model's answers for the example agents (they tell each conversation apart by the output it asks for). */
export function exampleOrchestrationScenarios(): Scenario[] {
  return [
    {
      name: 'orchestration-example',
      match: (ctx) => ctx.firstUserText.includes('You received a delegated task'),
      turns: (ctx) => {
        const output = /Answer with the output "([^"]+)"/.exec(ctx.firstUserText)?.[1];
        switch (output) {
          case ORCHESTRATION_OUTPUTS.plan:
            return json({
              subtasks: [
                { id: 'lookup', agent: 'order-researcher', message: { task: 'Look up order ord_1001.', context: { orderId: 'ord_1001' }, expectedOutput: 'OrderFacts' } },
                { id: 'refund', agent: 'refund-agent', message: { task: 'Refund order ord_1001 in full (4900 cents): the manual arrived damaged.', constraints: ['Refund only ord_1001'], expectedOutput: 'RefundOutcome' } },
              ],
            });
          case 'OrderFacts':
            return ctx.turn === 0 ? { toolCalls: [{ name: 'get_order', input: { orderId: 'ord_1001' } }] } : json({ orderId: 'ord_1001', status: 'delivered', amountCents: 4900 });
          case 'RefundOutcome':
            return ctx.turn === 0
              ? { text: 'The manual arrived damaged: refunding it in full.', toolCalls: [{ name: 'process_payment', input: { orderId: 'ord_1001', kind: 'refund', amountCents: 4900 } }] }
              : json({ orderId: 'ord_1001', refunded: !ctx.toolResults[0]?.isError });
          case 'CustomerReply':
            return json({ reply: 'Sorry about the torn pages: order ord_1001 (€49.00) is refunded in full.' });
          case 'Issue':
            return json({ orderId: 'ord_1001', problem: 'arrived with torn pages' });
          case 'PolicyVerdict':
            return json({ eligible: true, rule: 'damaged on arrival: full refund within 30 days' });
          case 'Position':
            return json({ position: JSON.stringify(ctx.request.system ?? '').includes('fraud') ? 'Low risk: first refund on a delivered order; refund.' : 'The customer is owed a full refund at once.' });
          case ORCHESTRATION_OUTPUTS.consensus:
            return json({ consensus: 'Refund ord_1001 in full.', agreements: ['the order is eligible', 'the risk is low'], dissents: [] });
          default:
            return { text: `no script for output ${output}` };
        }
      },
    },
  ];
}

/**
 * Runs one pattern of the example: starts it, approves a child's pending refund through the parent
 * (signed with `key`), and returns the result; `log` sees the progress.
 */
export async function runOrchestrationExample(client: KeelClient, pattern: OrchestrationPattern, log: (line: string) => void, key: ApproverKeyFile): Promise<OrchestrationResult> {
  const run = await client.startOrchestration(exampleRequest(pattern));
  log(`${pattern}: ${run.sessionId}`);
  const announced = new Set<string>();
  const seen = new Set<string>();
  const result = run.result();
  let done = false;
  void result.finally(() => (done = true)).catch(() => undefined);
  while (!done) {
    const status = (await run.status().catch(() => undefined)) as OrchestrationStatus | undefined;
    for (const child of status?.children ?? []) {
      const line = `  child ${child.role} (${child.agent}) ${child.state}`;
      if (!seen.has(line)) log(line);
      seen.add(line);
    }
    for (const pending of status?.pendingApprovals ?? []) {
      if (announced.has(pending.requestId + pending.sessionId)) continue;
      announced.add(pending.requestId + pending.sessionId);
      log(`  ⏸ ${pending.sessionId} asks to run ${pending.tool} ${JSON.stringify(pending.input)}; approving through the parent`);
      log(`    (by hand: npm run keel -- approve ${run.sessionId} ${pending.requestId} --key YOUR_KEY.json)`);
      await run.approve(pending.requestId, { key });
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const final = await result;
  log(`  outcome ${final.outcome}; output ${JSON.stringify(final.output)}`);
  log(`  ${final.children.length} child sessions, ${final.usage.modelCalls} model calls, ${final.usage.toolCalls} tool calls, $${final.usage.costUsd.toFixed(6)}`);
  return final;
}
