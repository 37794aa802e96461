import { defineAgent } from '../core/agent';
import { InMemoryPaymentProvider, processPaymentTool, supportTools } from '../tools';

/** The payment provider behind the example agent's `process_payment` tool. */
export const demoPayments = new InMemoryPaymentProvider();

/** The example customer-support agent of the demo: lookups, and refunds that a human approves. */
export const supportAgent = defineAgent({
  name: 'support',
  instructions: [
    'You are a customer-support agent for an online shop.',
    'Use the tools to look up the customer and their orders before you answer; never guess a fact you can look up.',
    'Refunds go through process_payment, which a human approves; state the reason in your message.',
    'Answer briefly and concretely, naming order ids, amounts and statuses exactly as the tools returned them.',
  ].join('\n'),
  tools: [...supportTools, processPaymentTool(demoPayments)],
});
