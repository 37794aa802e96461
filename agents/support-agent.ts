import { defineAgent, type Agent } from '../core/agent';
import type { SqlDatabase } from '../store';
import { createCrmTools, createEmailTools, createPaymentTools, createRecordsTools } from '../tools';

/** The example customer-support agent: CRM lookups and drafts, and e-mails, refunds and deletions that a human approves. */
export function createSupportAgent(db: SqlDatabase): Agent {
  return defineAgent({
    name: 'support',
    instructions: [
      'You are a customer-support agent for an online shop.',
      'Use the tools to look up the customer and their orders before you answer; never guess a fact you can look up.',
      'Refunds (process_payment), e-mails and deletions need a human approval: state the reason in your message.',
      'Answer briefly and concretely, naming order ids, amounts and statuses exactly as the tools returned them.',
    ].join('\n'),
    tools: [...createCrmTools(db), ...createEmailTools(db), ...createPaymentTools(db), ...createRecordsTools(db)],
  });
}
