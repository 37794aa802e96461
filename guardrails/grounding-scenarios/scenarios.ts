/**
 * Grounding scenarios: tool outputs of a session, a final answer, and whether the answer contradicts
 * the outputs (and how). Used by `test/guardrails-grounding.test.ts` and `bench/guardrail-grounding.ts`.
 * See README.md in this folder for how they were written.
 */
import type { GroundingAnswer, GroundingKind } from '../../core/guardrails/grounding';

/** One tool call's result, as the session recorded it. */
export interface ScenarioToolOutput {
  tool: string;
  output: unknown;
}

/** A final answer over some tool outputs, labelled. */
export interface GroundingScenario {
  name: string;
  toolOutputs: ScenarioToolOutput[];
  answer: GroundingAnswer;
  /** The answer contradicts the outputs (one planted contradiction). */
  contradiction: boolean;
  /** The planted contradiction's kind. */
  kind?: GroundingKind;
  /** Text of the answer (or of its JSON) that a finding's span should cover. */
  flagged?: string;
}

// ---------------------------------------------------------------------------------------------
// Tool outputs

/** The CRM pack's real shapes (tools/crm/crm-tools.ts) over the demo's seed data: no currency, `placedOn`. */
const ADA_CUSTOMER: ScenarioToolOutput = { tool: 'lookup_customer', output: { id: 'cus_ada', name: 'Ada Lovelace', email: 'ada@example.com', plan: 'pro' } };
const ADA_ORDERS: ScenarioToolOutput = {
  tool: 'list_orders',
  output: [
    { id: 'ord_1002', customerId: 'cus_ada', item: 'Brass gear set', amountCents: 12900, status: 'shipped', placedOn: '2026-11-20' },
    { id: 'ord_1001', customerId: 'cus_ada', item: 'Analytical Engine manual', amountCents: 4900, status: 'delivered', placedOn: '2026-11-02' },
  ],
};
const ADA_ORDER_1002: ScenarioToolOutput = {
  tool: 'get_order',
  output: { id: 'ord_1002', customerId: 'cus_ada', item: 'Brass gear set', amountCents: 12900, status: 'shipped', placedOn: '2026-11-20' },
};
const ADA_REFUND: ScenarioToolOutput = { tool: 'process_payment', output: { id: 'pay_41', orderId: 'ord_1002', kind: 'refund', amountCents: 12900 } };
const ALAN: ScenarioToolOutput[] = [
  { tool: 'lookup_customer', output: { id: 'cus_alan', name: 'Alan Turing', email: 'alan@example.com', plan: 'free' } },
  { tool: 'list_orders', output: [{ id: 'ord_1003', customerId: 'cus_alan', item: 'Enigma rotor', amountCents: 25900, status: 'paid', placedOn: '2026-11-24' }] },
];
const ADA = [ADA_CUSTOMER, ADA_ORDERS];
const ADA_WITH_ORDER = [ADA_CUSTOMER, ADA_ORDERS, ADA_ORDER_1002];
const ADA_REFUNDED = [ADA_CUSTOMER, ADA_ORDERS, ADA_REFUND];
const ADA_NOT_FOUND: ScenarioToolOutput[] = [ADA_CUSTOMER, ADA_ORDERS, { tool: 'get_order', output: 'Error: no order "ord_1050"' }];

/** The shapes of the brief: money with a currency, `placedAt`, an item count, a wrapper object. */
const EUR: ScenarioToolOutput[] = [
  { tool: 'lookup_customer', output: { id: 'cus_1', name: 'Ada Lovelace', email: 'ada@example.com', plan: 'pro', createdAt: '2024-03-01' } },
  {
    tool: 'list_orders',
    output: {
      orders: [
        { id: 'ord_7', status: 'shipped', totalCents: 12999, currency: 'EUR', placedAt: '2026-10-02', items: 3 },
        { id: 'ord_6', status: 'delivered', totalCents: 4550, currency: 'EUR', placedAt: '2026-09-14', items: 1 },
        { id: 'ord_5', status: 'cancelled', totalCents: 2000, currency: 'EUR', placedAt: '2026-08-30', items: 2 },
      ],
    },
  },
  { tool: 'get_order', output: { id: 'ord_7', status: 'shipped', totalCents: 12999, currency: 'EUR', placedAt: '2026-10-02', items: 3 } },
];

const USD: ScenarioToolOutput[] = [
  { tool: 'list_orders', output: { orders: [{ id: 'ord_88', status: 'processing', totalCents: 129900, currency: 'USD', placedAt: '2026-12-01', items: 2 }], has_more: false } },
];

/** A billing API, nothing like the CRM pack: `total` in major units, `issued_date`, a paged list under `data`. */
const INVOICES: ScenarioToolOutput[] = [
  {
    tool: 'list_invoices',
    output: {
      data: [
        { id: 'inv_204', status: 'paid', total: 1299.5, currency: 'USD', issued_date: '2026-01-15', due_date: '2026-02-14' },
        { id: 'inv_203', status: 'open', total: 99, currency: 'USD', issued_date: '2025-12-15', due_date: '2026-01-14' },
      ],
      has_more: true,
    },
  },
  {
    tool: 'get_invoice',
    output: {
      id: 'inv_204',
      status: 'paid',
      total: 1299.5,
      currency: 'USD',
      issued_date: '2026-01-15',
      due_date: '2026-02-14',
      lines: [
        { description: 'Team plan seats', quantity: 5 },
        { description: 'Support add-on', quantity: 1 },
      ],
    },
  },
];

/** A help desk: a timestamp with a time of day late in the evening (UTC). */
const TICKET: ScenarioToolOutput[] = [
  {
    tool: 'get_ticket',
    output: {
      id: 'tkt_31',
      status: 'open',
      priority: 'high',
      subject: 'Late delivery',
      createdAt: '2026-05-03T22:30:00Z',
      messages: [{ from: 'customer' }, { from: 'agent' }, { from: 'customer' }, { from: 'agent' }],
    },
  },
];

/** An order and its shipment, a separate record that refers to the order. */
const SHIPMENT: ScenarioToolOutput[] = [
  { tool: 'get_order', output: { id: 'ord_7', status: 'shipped', totalCents: 12999, currency: 'EUR', placedAt: '2026-10-02', items: 3 } },
  { tool: 'track_shipment', output: { id: 'shp_88', orderId: 'ord_7', carrier: 'DHL', state: 'in_transit', estimatedDelivery: '2026-10-06' } },
];

const YEN: ScenarioToolOutput[] = [{ tool: 'get_order', output: { id: 'ord_j1', status: 'delivered', amount: 12800, currency: 'JPY', orderedAt: '2026-04-10' } }];

/** A payment API whose `amount` does not say its units (Stripe's are minor units). */
const PAYMENT: ScenarioToolOutput[] = [
  { tool: 'get_payment', output: { id: 'pi_3', amount: 5000, currency: 'usd', status: 'succeeded', created: '2026-02-01', description: 'Team plan upgrade' } },
];

// ---------------------------------------------------------------------------------------------
// Scenarios

function contradiction(name: string, toolOutputs: ScenarioToolOutput[], answer: GroundingAnswer, kind: GroundingKind, flagged: string): GroundingScenario {
  return { name, toolOutputs, answer, contradiction: true, kind, flagged };
}

function consistent(name: string, toolOutputs: ScenarioToolOutput[], answer: GroundingAnswer): GroundingScenario {
  return { name, toolOutputs, answer, contradiction: false };
}

/** Answers with one planted contradiction each. */
export const CONTRADICTIONS: readonly GroundingScenario[] = [
  // status
  contradiction('status: shipped order said delivered', EUR, 'Your order ord_7 was delivered on 3 October.', 'status', 'delivered'),
  contradiction('status: item name, delivered', ADA, 'Hi Ada, your Brass gear set (ord_1002) was delivered on 21 November.', 'status', 'delivered'),
  contradiction('status: delivered order still in transit', ADA, 'Good news: order ord_1001 is still in transit and should reach you this week.', 'status', 'in transit'),
  contradiction('status: shipped order said cancelled', ADA, "I'm sorry, ord_1002 has been cancelled.", 'status', 'cancelled'),
  contradiction('status: pronoun in the next sentence', ADA, 'I looked up ord_1002. It arrived yesterday.', 'status', 'arrived'),
  contradiction('status: bullet list', ADA, 'Here is where things stand:\n- ord_1001: delivered\n- ord_1002: delivered', 'status', 'delivered'),
  contradiction('status: delivered order still processing', EUR, 'Ada, ord_6 is still being processed.', 'status', 'being processed'),
  contradiction('status: cancelled order said shipped', EUR, 'ord_5 shipped on 31 August.', 'status', 'shipped'),
  contradiction('status: pending for a delivered order', ADA, 'Your Analytical Engine manual is pending.', 'status', 'pending'),
  contradiction('status: paid order said shipped', USD, 'Your order ord_88 has shipped.', 'status', 'shipped'),
  contradiction('status: all orders delivered', ADA, 'Both of your orders have been delivered.', 'status', 'delivered'),
  contradiction('status: negated, not yet shipped', ADA, "ord_1002 hasn't shipped yet.", 'status', 'shipped'),
  contradiction('status: refund claimed without one', ADA_REFUNDED, 'ord_1001 has been refunded.', 'status', 'refunded'),
  contradiction('status: ticket resolved', TICKET, 'Ticket tkt_31 has been resolved.', 'status', 'resolved'),
  contradiction('status: carrier delivered', SHIPMENT, 'DHL delivered ord_7 yesterday.', 'status', 'delivered'),
  contradiction('status: payment failed', PAYMENT, 'The payment pi_3 failed.', 'status', 'failed'),
  contradiction('status: open invoice said paid', INVOICES, 'Invoice inv_203 has been paid in full.', 'status', 'paid'),
  contradiction('status: latest order', EUR, 'Your latest order has been delivered.', 'status', 'delivered'),
  contradiction('status: dispatched for paid order', ALAN, 'Alan, your Enigma rotor was dispatched this morning.', 'status', 'dispatched'),
  contradiction('status: JSON field', EUR, { reply: 'ord_6 is on the way.', orderId: 'ord_6', status: 'shipped' }, 'status', 'shipped'),
  contradiction('status: JSON reply with orderId', ADA, { reply: 'I found your order; it was delivered on 2 November.', orderId: 'ord_1002' }, 'status', 'delivered'),

  // amount
  contradiction('amount: decimals wrong', EUR, 'The total for ord_7 was €129.90.', 'amount', '€129.90'),
  contradiction('amount: comma decimals, VAT included', EUR, 'ord_7 totals 129,90 € including VAT.', 'amount', '129,90 €'),
  contradiction('amount: currency code first', EUR, 'Your order ord_7 (EUR 139.99) is on its way.', 'amount', 'EUR 139.99'),
  contradiction('amount: wrong currency', EUR, 'ord_6 was a $45.50 order.', 'amount', '$45.50'),
  contradiction('amount: CRM order, dollars', ADA, 'Your order ord_1002 came to $219.00.', 'amount', '$219.00'),
  contradiction('amount: via item name', ADA, 'The Analytical Engine manual cost €94.00.', 'amount', '€94.00'),
  contradiction('amount: cents not converted', ADA, 'Your Brass gear set (ord_1002) cost €12,900.', 'amount', '€12,900'),
  contradiction('amount: thousands separator', USD, 'ord_88 came to $12,999.00.', 'amount', '$12,999.00'),
  contradiction('amount: invoice total', INVOICES, 'Invoice inv_204 for $1,295.00 has been paid.', 'amount', '$1,295.00'),
  contradiction('amount: yen', YEN, 'ord_j1 cost ¥18,200.', 'amount', '¥18,200'),
  contradiction('amount: ambiguous units, neither reading', PAYMENT, 'Your payment pi_3 of $500.00 went through.', 'amount', '$500.00'),
  contradiction('amount: refund above total', EUR, 'I have issued a refund of €150.00 for ord_7.', 'amount', '€150.00'),
  contradiction('amount: refund differs from the processed one', ADA_REFUNDED, "I've refunded €150.00 for ord_1002.", 'amount', '€150.00'),
  contradiction('amount: words after the number', ADA, 'ord_1001 cost 59 euros.', 'amount', '59 euros'),
  contradiction('amount: JSON refund above total', EUR, { reply: 'I have requested a refund for your order.', orderId: 'ord_7', refundCents: 15000 }, 'amount', '15000'),
  contradiction('amount: JSON refund above CRM total', ADA, { reply: 'Your Brass gear set is on its way.', orderId: 'ord_1002', refundCents: 15000 }, 'amount', '15000'),
  contradiction('amount: JSON refund differs', ADA_REFUNDED, { reply: 'Refund done.', orderId: 'ord_1002', refundCents: 9900 }, 'amount', '9900'),
  contradiction('amount: JSON total field', EUR, { reply: 'Your order ord_7 was placed on 2 October and has shipped.', orderId: 'ord_7', totalCents: 12990 }, 'amount', '12990'),
  contradiction('amount: JSON reply text', EUR, { reply: 'Your order ord_7 came to €119.99 and has shipped.', orderId: 'ord_7' }, 'amount', '€119.99'),

  // date
  contradiction('date: day wrong', EUR, 'ord_7 was placed on 5 October 2026.', 'date', '5 October 2026'),
  contradiction('date: month first', EUR, 'ord_6 was placed on September 4, 2026.', 'date', 'September 4, 2026'),
  contradiction('date: numeric, day first', EUR, 'ord_5 from 30/09/2026 was cancelled.', 'date', '30/09/2026'),
  contradiction('date: CRM placedOn', ADA, 'You placed ord_1002 on 12 November 2026.', 'date', '12 November 2026'),
  contradiction('date: item name, abbreviated month', ADA, 'The Analytical Engine manual was ordered on Nov 20.', 'date', 'Nov 20'),
  contradiction('date: ISO', ADA, 'ord_1001 was placed on 2026-11-12.', 'date', '2026-11-12'),
  contradiction('date: ordinal', ADA, 'Your Brass gear set was ordered on the 12th of November.', 'date', '12th of November'),
  contradiction('date: numeric, both readings wrong', ADA, 'ord_1002 was placed on 11/12/2026.', 'date', '11/12/2026'),
  contradiction('date: invoice issued', INVOICES, 'inv_204 was issued on 15 February 2026.', 'date', '15 February 2026'),
  contradiction('date: invoice due', INVOICES, 'inv_204 is due on 14 March 2026.', 'date', '14 March 2026'),
  contradiction('date: expected delivery', SHIPMENT, 'ord_7 should arrive by 8 October.', 'date', '8 October'),
  contradiction('date: ticket opened', TICKET, 'Your ticket was opened on 1 May.', 'date', '1 May'),
  contradiction('date: customer since', EUR, 'Your account was created on 1 April 2024.', 'date', '1 April 2024'),
  contradiction('date: yen order', YEN, 'ord_j1 was ordered on 14 April.', 'date', '14 April'),
  contradiction('date: JSON field', EUR, { reply: 'Here are the details.', orderId: 'ord_7', placedAt: '2026-10-20' }, 'date', '2026-10-20'),

  // count
  contradiction('count: two instead of three', EUR, 'Hi Ada, you have 2 orders with us.', 'count', '2 orders'),
  contradiction('count: see 3 orders', ADA, 'I can see 3 orders on your account.', 'count', '3 orders'),
  contradiction('count: words', ADA, "You've placed three orders with us so far.", 'count', 'three orders'),
  contradiction('count: items in an order', EUR, 'Your order ord_7 contains 4 items.', 'count', '4 items'),
  contradiction('count: only one', ADA, "There's only one order on your account.", 'count', 'one order'),
  contradiction('count: paged list, fewer than listed', INVOICES, 'You have just one invoice on file.', 'count', 'one invoice'),
  contradiction('count: ticket messages', TICKET, 'There are 6 messages on your ticket.', 'count', '6 messages'),
  contradiction('count: invoice lines', INVOICES, 'Invoice inv_204 has 3 lines.', 'count', '3 lines'),
  contradiction('count: JSON field', EUR, { reply: 'You have a few orders.', orderCount: 4 }, 'count', '4'),

  // identifier
  contradiction('identifier: unknown order', EUR, 'Order ord_99 is on its way.', 'identifier', 'ord_99'),
  contradiction('identifier: CRM order', ADA, 'Your order ord_1004 has shipped.', 'identifier', 'ord_1004'),
  contradiction('identifier: among known ones', ADA, "I've checked ord_1001 and ord_1020 for you: both look fine.", 'identifier', 'ord_1020'),
  contradiction('identifier: in a list', EUR, 'Your three orders are ord_7, ord_6 and ord_4.', 'identifier', 'ord_4'),
  contradiction('identifier: invoice', INVOICES, 'inv_209 is still open.', 'identifier', 'inv_209'),
  contradiction('identifier: customer', ADA, 'I have updated the notes on cus_lovelace.', 'identifier', 'cus_lovelace'),
  contradiction('identifier: JSON orderId', EUR, { reply: 'Refund issued.', orderId: 'ord_99', refundCents: 1000 }, 'identifier', 'ord_99'),
  contradiction('identifier: JSON orderId, CRM', ADA, { reply: 'Refund requested for your order.', orderId: 'ord_1010' }, 'identifier', 'ord_1010'),

  // profile
  contradiction('plan: free instead of pro', ADA, "As you're on the free plan, express shipping isn't included.", 'plan', 'free'),
  contradiction('email: domain typo', ADA, "I've sent the tracking link to ada@example.org.", 'email', 'ada@example.org'),
  contradiction('name: wrong greeting', ADA, 'Hi Grace, your order ord_1002 has shipped.', 'name', 'Grace'),
  // a second batch, written before the detector was tuned on it
  contradiction('status: already delivered', ADA, 'Your Brass gear set has already been delivered, so you should have it.', 'status', 'delivered'),
  contradiction('status: delivered order on its way', EUR, 'ord_6 is still on its way.', 'status', 'on its way'),
  contradiction('status: being prepared after shipping', EUR, 'ord_7 is being prepared for shipping.', 'status', 'being prepared'),
  contradiction('status: processing order delivered', USD, 'ord_88 was delivered on December 3.', 'status', 'delivered'),
  contradiction('status: paid invoice still open', INVOICES, 'inv_204 is still open.', 'status', 'open'),
  contradiction('status: ticket closed', TICKET, 'tkt_31 was closed yesterday.', 'status', 'closed'),
  contradiction('status: yen order on its way', YEN, 'ord_j1 is still on its way.', 'status', 'on its way'),
  contradiction('status: all three shipped', EUR, 'All 3 of your orders have shipped.', 'status', 'shipped'),
  contradiction('status: JSON reply only', EUR, { reply: 'ord_7 has been delivered.', orderId: 'ord_7' }, 'status', 'delivered'),
  contradiction('amount: CRM in brackets', ADA, 'ord_1002 (€149.00) is in transit.', 'amount', '€149.00'),
  contradiction('amount: refund above a small total', EUR, "I've refunded €45.50 for ord_5.", 'amount', '€45.50'),
  contradiction('amount: USD totals', USD, 'Your order ord_88 totals $1,199.00.', 'amount', '$1,199.00'),
  contradiction('amount: open invoice', INVOICES, 'Invoice inv_203 for $199.00 is open.', 'amount', '$199.00'),
  contradiction('amount: refund differs, cents', ADA_REFUNDED, 'I refunded €12.90 for ord_1002.', 'amount', '€12.90'),
  contradiction('amount: other customer', ALAN, 'Hi Alan, your Enigma rotor (€295.00) has been paid.', 'amount', '€295.00'),
  contradiction('amount: JSON reply, your order', ADA, { reply: 'Your order total was €139.00.', orderId: 'ord_1002' }, 'amount', '€139.00'),
  contradiction('date: alias with comma', ADA, 'The manual, ord_1001, was placed on 3 November.', 'date', '3 November'),
  contradiction('date: order from', EUR, 'Your order from 12 September (ord_6) has arrived.', 'date', '12 September'),
  contradiction('date: expected on', SHIPMENT, 'ord_7 is expected on 9 October.', 'date', '9 October'),
  contradiction('date: payment created', PAYMENT, 'pi_3 was created on 2 March 2026.', 'date', '2 March 2026'),
  contradiction("date: another order's date", ADA, 'Your order ord_1002 was placed on November 2.', 'date', 'November 2'),
  contradiction('count: one order', ADA, 'You have 1 order with us: ord_1002.', 'count', '1 order'),
  contradiction("count: you've got", EUR, "You've got 4 orders in your account.", 'count', '4 orders'),
  contradiction('identifier: ticket', TICKET, 'Ticket tkt_13 is open.', 'identifier', 'tkt_13'),
  contradiction('plan: pro instead of free', ALAN, "Alan, you're on the pro plan.", 'plan', 'pro'),
  // a third batch
  contradiction('status: two wrong in one sentence', EUR, 'Your order ord_7 was delivered yesterday and ord_6 is on its way.', 'status', 'delivered'),
  contradiction('status: cancelled order pending', EUR, 'ord_5 is pending.', 'status', 'pending'),
  contradiction('status: parcel delivered by carrier', SHIPMENT, 'Your parcel was delivered by DHL on 5 October.', 'status', 'delivered'),
  contradiction('status: payment pending', PAYMENT, 'Your $50 payment (pi_3) is still pending.', 'status', 'pending'),
  contradiction('amount: dollars from cents', ADA, 'Your order total for ord_1001 was $4,900.', 'amount', '$4,900'),
  contradiction('amount: sum of all orders', EUR, 'Your three orders total €200.00.', 'amount', '€200.00'),
  contradiction('amount: JSON refund above a small total', EUR, { reply: 'Refund processed.', orderId: 'ord_6', refundCents: 4600 }, 'amount', '4600'),
  contradiction('date: invoice issued, month first', INVOICES, 'inv_203 was issued on December 5, 2025.', 'date', 'December 5, 2025'),
  contradiction('date: item name, placed', ALAN, 'Alan, your Enigma rotor was ordered on 20 November.', 'date', '20 November'),
  contradiction('date: placed after delivery', EUR, 'ord_6 arrived on 16 September after being placed on 15 September.', 'date', '15 September'),
  contradiction('count: ticket messages, has', TICKET, 'Your ticket tkt_31 has 2 messages.', 'count', '2 messages'),
  // a fourth batch: longer answers
  contradiction('status: long numbered list', EUR, 'Hello Ada,\n\nYou currently have three orders:\n\n1. ord_7 – €129.99 – delivered\n2. ord_6 – €45.50 – delivered\n3. ord_5 – €20.00 – cancelled\n\nKind regards', 'status', 'delivered'),
  contradiction('date: in brackets', INVOICES, 'inv_204 ($1,299.50, issued Jan 25, 2026) is paid.', 'date', 'Jan 25, 2026'),
  contradiction('date: ticket opened in brackets', TICKET, "I've escalated ticket tkt_31 (opened April 3).", 'date', 'April 3'),
  contradiction('status: JSON nested list', EUR, { reply: 'Here is the status of your orders.', orders: [{ orderId: 'ord_7', status: 'delivered' }, { orderId: 'ord_6', status: 'delivered' }] }, 'status', 'delivered'),
  contradiction('date: estimated delivery date', SHIPMENT, 'According to DHL, ord_7 has an estimated delivery date of 9 October 2026.', 'date', '9 October 2026'),
  contradiction('amount: full refund above total', ADA, "I've issued a full refund of €149.00 for ord_1002.", 'amount', '€149.00'),
  contradiction('date: elliptical second date', EUR, 'You ordered ord_6 on 14 Sep and ord_7 on 12 Oct.', 'date', '12 Oct'),
  contradiction('count: USD items', USD, 'ord_88 has 3 items.', 'count', '3 items'),
  contradiction('amount: minor units misread', PAYMENT, 'Your payment pi_3 of $5.00 went through.', 'amount', '$5.00'),
  // a fifth batch, written before running it
  contradiction('status: negated delivery of a delivered order', ADA, "Quick update: your Analytical Engine manual hasn't been delivered yet, but it's on its way.", 'status', 'delivered'),
  contradiction('amount: charged for an item', ADA, 'You were charged €129.90 for the Brass gear set.', 'amount', '€129.90'),
  contradiction('status: order from a date', EUR, 'Your order from 2 October (ord_7) came to €129.99 and was delivered.', 'status', 'delivered'),
  contradiction('status: dispatched while processing', USD, "ord_88 was placed on 12/01/2026 and costs $1,299.00, and it's already been dispatched.", 'status', 'dispatched'),
  contradiction('date: latest invoice issued', INVOICES, 'Your latest invoice, inv_204, was issued on 14 January 2026.', 'date', '14 January 2026'),
  contradiction('count: ticket has messages', TICKET, 'Your ticket has 5 messages so far.', 'count', '5 messages'),
  contradiction('status: JSON refunded without a refund', EUR, { reply: 'I have refunded ord_6 in full.', orderId: 'ord_6', refundCents: 4550, status: 'refunded' }, 'status', 'refunded'),
  contradiction('date: only order', ALAN, 'Alan, your only order (ord_1003) was placed on 24 October.', 'date', '24 October'),
  contradiction('amount: second of two', ADA, 'You have 2 orders; the Brass gear set (ord_1002) cost €129.00 and the manual, ord_1001, €59.00.', 'amount', '€59.00'),
  contradiction('date: expected to arrive', SHIPMENT, 'ord_7 is expected to arrive on 16 October.', 'date', '16 October'),
  // a sixth batch, written before running it (after the fixes for the earlier ones)
  contradiction('status: status label', EUR, 'ord_6 — status: shipped.', 'status', 'shipped'),
  contradiction('amount: cost you', ADA, 'The Brass gear set cost you €219.', 'amount', '€219'),
  contradiction('date: only order placed', USD, 'Your order was placed on 1 November 2026.', 'date', '1 November 2026'),
  contradiction('amount: invoice came to', INVOICES, 'inv_204 came to $1,299.95.', 'amount', '$1,299.95'),
  contradiction('status: ticket resolved and closed', TICKET, 'tkt_31 is resolved and closed.', 'status', 'resolved'),
  contradiction('count: I see orders', ALAN, 'Alan, I see 2 orders on your account.', 'count', '2 orders'),
  contradiction('date: parcel should arrive', SHIPMENT, 'Your parcel should arrive on 12 October.', 'date', '12 October'),
  contradiction('amount: JSON refund above the manual', ADA, { reply: 'Your manual was delivered and your gear set is on its way.', orderId: 'ord_1001', refundCents: 5900 }, 'amount', '5900'),
];

/** Answers that agree with the outputs, in many phrasings; none should be flagged. */
export const CONSISTENT: readonly GroundingScenario[] = [
  // CRM pack, seed data
  consistent('ok: both orders by name', ADA, 'Hi Ada, your Brass gear set (ord_1002) shipped and is on its way. Your Analytical Engine manual (ord_1001) was delivered.'),
  consistent('ok: count, amounts and date', ADA, 'You have 2 orders: ord_1002 for €129.00, placed on 20 November 2026, and ord_1001 for €49.00.'),
  consistent('ok: relative references', ADA, 'Your most recent order, ord_1002, is in transit; the earlier one arrived on time.'),
  consistent('ok: shipped date not in the data', ADA, 'Your order of €129.00 (ord_1002) shipped on 21 November.'),
  consistent('ok: approximate amount, unnamed', ADA, 'The manual cost about €50 and was delivered.'),
  consistent('ok: negation', ADA, "ord_1002 hasn't been delivered yet — it's still on its way."),
  consistent('ok: conditional', ADA, "Once ord_1002 is delivered you'll get an e-mail."),
  consistent('ok: not found, as the tool said', ADA_NOT_FOUND, "I couldn't find an order ord_1050 on your account."),
  consistent('ok: plan', ADA, 'Your pro plan includes free returns.'),
  consistent('ok: sum over both orders', ADA, "You've spent €178.00 across both orders."),
  consistent('ok: numeric dates', ADA, 'ord_1002 was placed on 11/20/2026 and ord_1001 on 11/02/2026.'),
  consistent('ok: dispatched, future arrival', ADA, 'Your order ord_1002 was dispatched and should arrive within 3-5 business days.'),
  consistent('ok: policy statement', ADA, 'We usually ship orders within 2 business days; ord_1002 has already shipped.'),
  consistent('ok: adjective use', ADA, 'Delivered orders can be returned within 30 days, so the manual still qualifies.'),
  consistent('ok: question', ADA, 'Did ord_1001 arrive safely?'),
  consistent('ok: condition with deadline', ADA, "If ord_1002 hasn't arrived by Friday, let me know."),
  consistent('ok: threshold', ADA, 'Orders over €50 ship free, so ord_1002 qualified.'),
  consistent('ok: refund below the total', ADA, 'Your refund of €49.00 for the manual will arrive in 5-7 days.'),
  consistent('ok: expected delivery, no data', ADA, 'Your Brass gear set should be delivered on 24 November.'),
  consistent('ok: rounded amount', ADA, 'The €129 gear set is on its way.'),
  consistent('ok: upper-case id', ADA, 'ORD_1002 is in transit.'),
  consistent('ok: customer id and email', ADA, 'I have your account as cus_ada with the e-mail ada@example.com.'),
  consistent('ok: comma decimals', ADA, 'ord_1001 cost 49,00 € and was delivered on time.'),
  consistent('ok: cents', ADA, 'The order total for ord_1002 is 12900 cents, which is €129.00.'),
  consistent('ok: paid is implied by shipped', ADA, 'You paid €129.00 for ord_1002 and it has shipped.'),
  consistent('ok: other customer', ALAN, 'Alan, your Enigma rotor (ord_1003) is paid and being prepared; you are on the free plan.'),
  consistent('ok: JSON reply', ADA, { reply: 'Your Brass gear set has shipped and is on its way.', orderId: 'ord_1002' }),
  consistent('ok: JSON partial refund', ADA, { reply: 'I can refund the manual in full.', orderId: 'ord_1001', refundCents: 4900 }),
  consistent('ok: JSON full detail', ADA_WITH_ORDER, { reply: 'ord_1002 (Brass gear set, €129.00) was placed on 20 Nov 2026 and has shipped.', orderId: 'ord_1002', amountCents: 12900 }),

  // EUR
  consistent('ok: EUR details in brackets', EUR, 'Your order ord_7 has shipped (placed 2 October, €129.99, 3 items).'),
  consistent('ok: EUR roughly', EUR, 'Your latest order, ord_7, is in transit. It cost roughly €130.'),
  consistent('ok: EUR three statuses', EUR, "ord_7 is on its way; ord_6 was delivered and ord_5 was cancelled, so you weren't charged for it."),
  consistent('ok: EUR list', EUR, 'You have three orders: ord_7 (shipped, €129.99), ord_6 (delivered, 45,50 €) and ord_5 (cancelled).'),
  consistent('ok: EUR customer since', EUR, "You've been a customer since March 2024."),
  consistent('ok: EUR month-first date', EUR, 'ord_7 was ordered on Oct 2, 2026 and shipped soon after.'),
  consistent('ok: EUR ambiguous numeric date', EUR, 'ord_7 was placed on 02/10/2026.'),
  consistent('ok: EUR amount before id', EUR, 'The €20.00 order (ord_5) was cancelled before it shipped.'),
  consistent('ok: EUR previous and newer', EUR, 'Your previous order ord_6 arrived; the newer one, ord_7, is still on its way.'),
  consistent('ok: EUR total of all', EUR, 'In total you spent €195.49 across the three orders.'),
  consistent('ok: EUR item counts', EUR, 'ord_7 has 3 items and ord_6 has one item.'),
  consistent('ok: EUR over', EUR, 'You paid over €100 for ord_7.'),
  consistent('ok: EUR code after', EUR, 'ord_6 came to 45.50 EUR and arrived on 16 September.'),
  consistent('ok: EUR JSON', EUR, { reply: 'Your order has shipped and should arrive next week.', orderId: 'ord_7' }),
  consistent('ok: EUR JSON partial refund', EUR, { reply: 'I have requested a partial refund of €50.', orderId: 'ord_7', refundCents: 5000 }),
  consistent('ok: EUR JSON with count', EUR, { reply: 'You have 3 orders; the latest, ord_7, is in transit.', orderCount: 3 }),
  consistent('ok: EUR item count words', EUR, 'All three items of ord_7 are in one parcel.'),

  // USD
  consistent('ok: USD processing', USD, 'ord_88 ($1,299.00) is being processed and will ship soon.'),
  consistent('ok: USD integer', USD, 'ord_88 cost USD 1299.'),
  consistent('ok: USD European format', USD, 'Your order for $1.299,00 is still processing.'),
  consistent('ok: USD not shipped', USD, "ord_88 hasn't shipped yet; it was placed on December 1."),

  // invoices
  consistent('ok: invoices paid and open', INVOICES, 'inv_204 ($1,299.50) was paid; inv_203 for $99.00 is still open.'),
  consistent('ok: invoice dates', INVOICES, 'Invoice inv_204 was issued on January 15, 2026 and was due by Feb 14.'),
  consistent('ok: invoices at least', INVOICES, 'You have at least two invoices; the most recent, inv_204, is paid.'),
  consistent('ok: invoice lines', INVOICES, 'inv_204 covers 2 lines: Team plan seats and Support add-on.'),
  consistent('ok: open invoice integer', INVOICES, 'inv_203 ($99) remains open.'),
  consistent('ok: invoices found', INVOICES, 'I found 2 invoices were returned for your account, and there may be more.'),

  // ticket
  consistent('ok: ticket open', TICKET, 'Your ticket tkt_31 is still open and marked high priority.'),
  consistent('ok: ticket date across time zones', TICKET, 'Your ticket was opened on 4 May.'),
  consistent('ok: ticket messages', TICKET, 'We have 4 messages on your ticket so far.'),

  // shipment
  consistent('ok: shipment eta', SHIPMENT, 'ord_7 is with DHL and should arrive by 6 October.'),
  consistent('ok: parcel in transit', SHIPMENT, 'Your parcel is in transit with DHL; expected delivery is Oct 6.'),

  // yen, payment
  consistent('ok: yen', YEN, 'Your order ord_j1 (¥12,800) was delivered.'),
  consistent('ok: payment minor units', PAYMENT, 'Your payment pi_3 of $50.00 went through on 1 February.'),
  consistent('ok: payment paid', PAYMENT, 'The payment pi_3 has been paid.'),

  // refund processed
  consistent('ok: refund as processed', ADA_REFUNDED, "I've refunded €129.00 for your Brass gear set (ord_1002)."),
  consistent('ok: refunded status', ADA_REFUNDED, 'ord_1002 has been refunded in full.'),
  consistent('ok: JSON refund as processed', ADA_REFUNDED, { reply: 'Your refund is on its way.', orderId: 'ord_1002', refundCents: 12900 }),
  // a second batch, written before the detector was tuned on it
  consistent('ok2: long e-mail with bullets', ADA, "Hi Ada,\n\nThanks for reaching out! I checked your account and here's what I found:\n\n• ord_1002 — Brass gear set — €129.00 — shipped, on its way to you\n• ord_1001 — Analytical Engine manual — €49.00 — delivered\n\nIf anything is missing, reply to this e-mail or write to support@keel.example.\n\nBest,\nKeel Support"),
  consistent('ok2: refund request pending', ADA, 'Your refund request for ord_1001 has been received and is pending review.'),
  consistent('ok2: tracking number', ADA, 'The Brass gear set was shipped with tracking number 1Z999AA10123456784.'),
  consistent('ok2: left the warehouse', EUR, 'ord_7 (3 items, €129.99) left our warehouse on 3 October and should arrive by 7 October.'),
  consistent('ok2: cancelled, never charged', EUR, 'Your cancelled order ord_5 was never charged, so there is nothing to refund.'),
  consistent('ok2: three orders, one delivered', EUR, 'Of your three orders, only ord_6 has been delivered so far.'),
  consistent('ok2: weekday', EUR, 'ord_7 was placed on Friday, 2 October 2026.'),
  consistent('ok2: invoice attached', EUR, "I've attached the invoice for ord_6 (€45.50, paid on 14 September)."),
  consistent('ok2: shipping times', EUR, 'Shipping to Germany usually takes 2–4 days, so ord_7 should be with you soon.'),
  consistent('ok2: charged on a date', EUR, 'You were charged €129.99 for ord_7 on 2 October.'),
  consistent('ok2: account since', EUR, 'Your account (cus_1) has been with us since 1 March 2024.'),
  consistent('ok2: confirmation e-mail', EUR, "We've sent a confirmation to ada@example.com."),
  consistent('ok2: will ship', USD, 'Your order will ship once payment processing completes, usually within 24 hours.'),
  consistent('ok2: processing, two items', USD, 'ord_88 is processing; two items are included.'),
  consistent('ok2: invoice ISO date', INVOICES, "inv_204 was issued on 2026-01-15 for $1,299.50 and it's been paid."),
  consistent('ok2: open invoice due', INVOICES, 'Your open invoice inv_203 is for $99.00 and was due on January 14.'),
  consistent('ok2: ticket note', TICKET, "I've added a note to tkt_31; a colleague will reply within 24 hours."),
  consistent('ok2: out for delivery', SHIPMENT, 'DHL has ord_7 and it is out for delivery soon.'),
  consistent('ok2: yen words', YEN, 'ord_j1 arrived; you paid 12,800 yen.'),
  consistent('ok2: payment code first', PAYMENT, 'I see a payment of USD 50 (pi_3) made on February 1st.'),
  consistent('ok2: refund processed today', ADA_REFUNDED, 'The €129.00 refund for ord_1002 was processed today.'),
  consistent('ok2: cannot change', ADA, "I'm afraid I can't change ord_1002 because it has already shipped."),
  consistent('ok2: statuses in brackets', ADA, 'Your orders: ord_1002 (in transit) and ord_1001 (delivered 2 Nov).'),
  consistent('ok2: two amounts', EUR, 'ord_6 was €45.50 and ord_7 was €129.99.'),
  consistent('ok2: respectively', EUR, 'ord_7 and ord_6 cost €129.99 and €45.50 respectively.'),
  consistent('ok2: paid, will ship', ALAN, 'Alan, ord_1003 for €259.00 has been paid and will be shipped shortly.'),
  consistent('ok2: relative date', EUR, 'ord_7 was placed 3 days ago.'),
  consistent('ok2: total across orders', EUR, 'Total across your orders: €195.49.'),
  consistent('ok2: JSON zero refund', EUR, { reply: 'ord_6 arrived on 16 September.', orderId: 'ord_6', refundCents: 0 }),
  consistent('ok2: tool names', ADA, 'I used lookup_customer and list_orders: ord_1002 is in transit.'),
  // a third batch
  consistent('ok3: emoji and range', EUR, 'Your order ord_7 is on its way! 🚚 Expected delivery: 6–8 October.'),
  consistent('ok3: cannot cancel, full refund possible', EUR, "Since your order ord_7 has already shipped, I can't cancel it, but you can return it within 30 days of delivery for a full refund of €129.99."),
  consistent('ok3: two dates in one sentence', EUR, 'ord_6 was delivered on 16 September, two days after you placed it on 14 September.'),
  consistent('ok3: ordered for, shipped after', ADA, 'You ordered the Brass gear set for €129 on 20 November; it shipped shortly after.'),
  consistent('ok3: apology, currently in transit', ADA, "Hi Ada, I'm sorry for the delay with ord_1002. It's currently in transit and I've flagged it with the carrier."),
  consistent('ok3: not delivered but shipped', ADA, "ord_1002 isn't delivered yet, but it has shipped."),
  consistent('ok3: not cancelled', ADA, 'Your most recent order (ord_1002) is not cancelled — it is in transit.'),
  consistent('ok3: no refund yet', ADA, 'No refund has been issued for ord_1002 yet.'),
  consistent('ok3: card charged', ADA, 'Your card was charged €49.00 on 2 November for ord_1001.'),
  consistent('ok3: offer to cancel', ADA, "Let me know if you'd like me to cancel ord_1002."),
  consistent('ok3: tracking URL', ADA, 'You can track ord_1002 at example.com/track/ord_1002.'),
  consistent('ok3: hash number', ADA, 'Order #1002 has shipped.'),
  consistent('ok3: shipping fee waived', ADA, 'The €4.95 shipping fee was waived for ord_1002.'),
  consistent('ok3: percentage', EUR, 'Your order ord_7 qualifies for a 10% discount on your next purchase.'),
  consistent('ok3: terse summary', EUR, 'ord_7: 3 items, €129.99, shipped 2 October.'),
  consistent('ok3: plan capitalised', ADA, 'Ada Lovelace (ada@example.com) is on the Pro plan.'),
  consistent('ok3: future invoice', INVOICES, 'Your next invoice will be issued on 15 February.'),
  consistent('ok3: both paid', ADA, 'Both orders are paid.'),
  consistent('ok3: subset count', EUR, 'You have 1 order in transit and one that was delivered.'),
  consistent('ok3: honorific', ADA, 'Hello Mrs Lovelace, ord_1002 has shipped.'),
  consistent('ok3: price range', EUR, 'ord_7 cost between €100 and €150.'),
  consistent('ok3: grace period', ADA, 'There is a grace period of 14 days on returns for ord_1001.'),
  consistent('ok3: payment still processing', USD, 'Your payment for ord_88 is still processing.'),
  consistent('ok3: item order of', EUR, 'ord_6, your order of 14 September, arrived two days later.'),
  // a fourth batch: longer answers
  consistent('ok4: long numbered list', EUR, "Hello Ada,\n\nI've looked into your account. You currently have three orders with us:\n\n1. ord_7 – placed on 2 October 2026 – €129.99 – shipped, currently in transit\n2. ord_6 – placed on 14 September 2026 – €45.50 – delivered\n3. ord_5 – placed on 30 August 2026 – €20.00 – cancelled (no charge)\n\nIs there anything else I can help you with?\n\nKind regards,\nSupport"),
  consistent('ok4: courier and earlier delivery', ADA, 'Thanks for your patience, Ada. Your Brass gear set left our warehouse and is now with the courier; the Analytical Engine manual was delivered earlier this month. Anything else?'),
  consistent('ok4: policy with examples', EUR, 'I can confirm the refund policy: cancelled orders such as ord_5 are never charged, and delivered ones like ord_6 can be returned within 30 days.'),
  consistent('ok4: processing with e-mail to come', USD, "Your order ord_88 for $1,299.00 (2 items) is being processed. We'll e-mail you as soon as it ships."),
  consistent('ok4: invoice summary', INVOICES, "Here's a summary: inv_204 ($1,299.50, issued Jan 15, 2026) is paid. inv_203 ($99.00, issued Dec 15, 2025) is still open and was due Jan 14, 2026."),
  consistent('ok4: escalated ticket', TICKET, "I've escalated ticket tkt_31 (opened May 3) to our logistics team; it remains open."),
  consistent('ok4: estimated delivery date', SHIPMENT, 'According to DHL, ord_7 is in transit with an estimated delivery date of 6 October 2026.'),
  consistent('ok4: payment succeeded', PAYMENT, 'Payment pi_3 ($50.00, Team plan upgrade) succeeded on 1 February 2026.'),
  consistent('ok4: refund done', ADA_REFUNDED, "Done! I've issued a full refund of €129.00 for ord_1002. It can take 5–10 business days to show up on your statement."),
  consistent('ok4: two orders, two dates each', EUR, 'You ordered ord_6 on 14 Sep and it arrived on 16 Sep. ord_7, ordered on 2 Oct, is on its way.'),
  consistent('ok4: paid and being prepared', ALAN, 'Hi Alan! Your payment for ord_1003 (€259.00) went through and the Enigma rotor is being prepared for dispatch.'),
  consistent('ok4: dates compared', ADA, 'ord_1001 was placed before ord_1002: on 2 November versus 20 November.'),
  consistent('ok4: most expensive', EUR, 'ord_7 (€129.99) is the most expensive of your orders; ord_5 was only €20.'),
  consistent('ok4: JSON nested list', EUR, { reply: 'ord_7 shipped and ord_6 was delivered.', orders: [{ orderId: 'ord_7', status: 'shipped' }, { orderId: 'ord_6', status: 'delivered' }] }),
  consistent('ok4: JSON draft saved', ADA, { reply: 'I have saved a draft reply for you.', customerId: 'cus_ada', draftSaved: true }),
  // a fifth batch, written before running it
  consistent('ok5: courier and arrived', ADA, 'Hi Ada — ord_1002 (Brass gear set) is with the courier and ord_1001 (manual) arrived earlier. Let me know if I can help further!'),
  consistent('ok5: add up to', ADA, 'Your two orders add up to €178.'),
  consistent('ok5: items and soon', EUR, 'ord_7 contains 3 items and should be with you in a few days.'),
  consistent('ok5: since and placed', EUR, "Ada, since 1 March 2024 you've placed 3 orders with us."),
  consistent('ok5: not shipped because processing', USD, "The order (ord_88) hasn't shipped because it is still being processed."),
  consistent('ok5: more than one invoice', INVOICES, 'You have more than one invoice; inv_203 for $99 is still open.'),
  consistent('ok5: ticket summary', TICKET, 'Your ticket (opened 3 May 2026) is open and has 4 messages.'),
  consistent('ok5: DHL lists', SHIPMENT, 'DHL lists ord_7 as in transit; it should arrive on October 6.'),
  consistent('ok5: JSON with fields', EUR, { reply: 'Your order ord_7 (3 items) shipped and will arrive soon.', orderId: 'ord_7', totalCents: 12999, placedAt: '2026-10-02' }),
  consistent('ok5: refunded and not affected', ADA_REFUNDED, 'ord_1002 has been refunded (€129.00); ord_1001 remains delivered and is not affected.'),
  consistent('ok5: payment received', PAYMENT, 'We received your $50 payment (pi_3) on February 1.'),
  consistent('ok5: yen in brackets', YEN, 'ord_j1 (ordered 10 April, ¥12,800) has been delivered.'),
  consistent('ok5: ordered and paid', ALAN, 'Alan, your Enigma rotor was ordered on 24 November and is paid.'),
  consistent('ok5: no refund needed', EUR, 'ord_5 was cancelled, so no refund is needed; ord_6 (€45.50) arrived safely.'),
  consistent('ok5: partial item name', ADA, 'The Analytical Engine manual (€49) was delivered; the gear set is in transit.'),
  // a sixth batch, written before running it (after the fixes for the earlier ones)
  consistent('ok6: quick summary', EUR, 'Quick summary — ord_7: shipped; ord_6: delivered; ord_5: cancelled.'),
  consistent('ok6: both paid, one arrived', ADA, 'Ada, both of your orders have been paid; one has arrived and the other is in transit.'),
  consistent('ok6: charged when placed', EUR, 'The €129.99 for ord_7 was charged when you placed it on 2 October.'),
  consistent('ok6: integer dollars, not shipped', USD, "Your $1,299 order is being processed and hasn't shipped yet."),
  consistent('ok6: invoices including', INVOICES, 'I can see your invoices, including inv_204, which was paid on time.'),
  consistent('ok6: ticket opened ordinal', TICKET, 'Ticket tkt_31, opened on May 3rd, is still open with 4 messages.'),
  consistent('ok6: shipment due by', SHIPMENT, 'The shipment for ord_7 (DHL) is in transit and due by 6 Oct.'),
  consistent('ok6: card charged for upgrade', PAYMENT, 'Your card was charged $50 for the Team plan upgrade (pi_3).'),
  consistent('ok6: rotor order', ALAN, 'Your rotor order, ord_1003, is paid and should ship soon.'),
  consistent('ok6: refund complete', ADA_REFUNDED, 'Your refund of €129.00 for the Brass gear set is complete.'),
  consistent('ok6: between dates', EUR, 'Between 30 August and 2 October you placed three orders.'),
  consistent('ok6: JSON delivered on time', EUR, { reply: 'All set — ord_6 was delivered on time.', orderId: 'ord_6', totalCents: 4550 }),
];

/** Every scenario, contradictions first. */
export const GROUNDING_SCENARIOS: readonly GroundingScenario[] = [...CONTRADICTIONS, ...CONSISTENT];
