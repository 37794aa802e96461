import type { Scenario } from '../scripted-model';

/** The demo customer's question. */
export const DEMO_INPUT = "Hi, this is ada@example.com. Where is my brass gear set, and what did I pay for it?";

/** What the scripted model answers in the offline demo: three lookups, then a grounded answer. */
export const demoScenario: Scenario = {
  name: 'support-demo',
  match: 'ada@example.com',
  turns: [
    { text: 'Let me find your account.', toolCalls: [{ name: 'lookup_customer', input: { customer: 'ada@example.com' } }], latencyMs: 300 },
    { text: 'Now your orders.', toolCalls: [{ name: 'list_orders', input: { customerId: 'cus_ada' } }], latencyMs: 300 },
    { toolCalls: [{ name: 'get_order', input: { orderId: 'ord_1002' } }], latencyMs: 300 },
    {
      text: 'Hi Ada! Your brass gear set (order ord_1002, placed on 2026-11-20) has shipped. You paid $129.00 for it.',
      latencyMs: 300,
    },
  ],
};
