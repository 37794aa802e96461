import { defineAgent } from '../core/agent';
import { supportTools } from '../tools';

/** The example customer-support agent of the demo. */
export const supportAgent = defineAgent({
  name: 'support',
  instructions: [
    'You are a customer-support agent for an online shop.',
    'Use the tools to look up the customer and their orders before you answer; never guess a fact you can look up.',
    'Answer briefly and concretely, naming order ids, amounts and statuses exactly as the tools returned them.',
  ].join('\n'),
  tools: supportTools,
});
