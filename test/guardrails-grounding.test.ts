/**
 * Grounding check (`core/guardrails/grounding.ts`): facts from tool outputs of any shape, each kind of
 * contradiction caught with its span and a message that says what contradicts what, consistent
 * answers left alone, JSON answers, options, the judge rendering, and the labelled scenario set
 * (`guardrails/grounding-scenarios/`). Pure: run with
 * `npx jest -c test/support/pure.jest.config.js test/guardrails-grounding.test.ts`.
 */
import { longSession, measureGrounding } from '../bench/guardrail-grounding';
import {
  checkGrounding,
  extractFacts,
  renderFactsForJudge,
  type AmountFact,
  type CountFact,
  type DateFact,
  type Fact,
  type GroundingAnswer,
  type GroundingOptions,
  type IdentifierFact,
  type StatusFact,
} from '../core/guardrails/grounding';
import { CONSISTENT, CONTRADICTIONS, GROUNDING_SCENARIOS } from '../guardrails/grounding-scenarios/scenarios';

const ORD_7 = { id: 'ord_7', status: 'shipped', totalCents: 12999, currency: 'EUR', placedAt: '2026-10-02', items: 3 };
const ORD_6 = { id: 'ord_6', status: 'delivered', totalCents: 4550, currency: 'EUR', placedAt: '2026-09-14', items: 1 };

/** A support session: the customer, their two orders, then one of them again. */
const SESSION: Fact[] = [
  ...extractFacts('lookup_customer', { id: 'cus_1', name: 'Ada Lovelace', email: 'ada@example.com', plan: 'pro', createdAt: '2024-03-01' }),
  ...extractFacts('list_orders', { orders: [ORD_7, ORD_6] }),
  ...extractFacts('get_order', ORD_7),
];

/** The findings as kind, the text their span covers, and message. */
function check(answer: GroundingAnswer, facts: readonly Fact[] = SESSION, options?: GroundingOptions) {
  const verdict = checkGrounding(answer, facts, options);
  return verdict.findings.map((f) => ({
    kind: f.kind,
    detector: f.detector,
    category: f.category,
    text: f.span ? verdict.checkedText.slice(f.span.start, f.span.end) : undefined,
    message: f.message,
  }));
}

describe('extractFacts', () => {
  test('reads the CRM pack: record id, reference, status, amount in cents, date, item label', () => {
    const facts = extractFacts('get_order', { id: 'ord_1002', customerId: 'cus_ada', item: 'Brass gear set', amountCents: 12900, status: 'shipped', placedOn: '2026-11-20' });
    const order = { id: 'ord_1002', type: 'order' };
    expect(facts).toContainEqual(expect.objectContaining({ attribute: 'identifier', value: 'ord_1002', entity: order, occurrence: 'record' }));
    expect(facts).toContainEqual(expect.objectContaining({ attribute: 'identifier', value: 'cus_ada', entity: { id: 'cus_ada', type: 'customer' }, occurrence: 'reference' }));
    expect(facts).toContainEqual(expect.objectContaining({ attribute: 'status', value: 'shipped', entity: order, source: 'get_order', key: 'status' }));
    const amount = facts.find((f): f is AmountFact => f.attribute === 'amount')!;
    expect(amount).toMatchObject({ value: 12900, role: 'total', raw: 12900, entity: order, related: [{ id: 'cus_ada', type: 'customer' }] });
    expect(amount.currency).toBeUndefined();
    expect(amount.unitsUncertain).toBeUndefined();
    expect(facts).toContainEqual(expect.objectContaining({ attribute: 'date', value: '2026-11-20', role: 'created', hasTime: false }));
    expect(facts).toContainEqual(expect.objectContaining({ attribute: 'label', value: 'Brass gear set' }));
  });

  test('types records from the list key, the tool name or the prefix, and counts lists', () => {
    const bare = extractFacts('list_orders', [{ id: 'ord_1' }, { id: 'ord_2' }]);
    expect(bare.filter((f) => f.attribute === 'identifier').map((f) => (f as IdentifierFact).entity.type)).toEqual(['order', 'order']);
    expect(bare).toContainEqual(expect.objectContaining({ attribute: 'count', value: 2, noun: 'orders', atLeast: false }));
    const nested = extractFacts('lookup', { customer: { id: 'c9', name: 'Grace Hopper' }, tickets: [{ id: 'T-1', state: 'open' }] });
    expect(nested).toContainEqual(expect.objectContaining({ attribute: 'identifier', value: 'c9', entity: { id: 'c9', type: 'customer' } }));
    expect(nested).toContainEqual(expect.objectContaining({ attribute: 'status', value: 'open', entity: { id: 'T-1', type: 'ticket' } }));
    expect(nested).toContainEqual(expect.objectContaining({ attribute: 'count', value: 1, noun: 'tickets' }));
    expect(extractFacts('fetch', { id: 'inv_3' })).toContainEqual(expect.objectContaining({ entity: { id: 'inv_3', type: 'invoice' } }));
  });

  test('a page of a list counts at least its length; a total beside the list is the count', () => {
    const page = extractFacts('list_invoices', { data: [{ id: 'inv_1' }, { id: 'inv_2' }], has_more: true });
    expect(page.filter((f): f is CountFact => f.attribute === 'count')).toEqual([expect.objectContaining({ value: 2, noun: 'invoices', atLeast: true })]);
    expect(page).toContainEqual(expect.objectContaining({ entity: { id: 'inv_1', type: 'invoice' } }));
    const total = extractFacts('list_orders', { orders: [{ id: 'ord_1' }], total: 14 });
    expect(total.filter((f): f is CountFact => f.attribute === 'count')).toEqual([expect.objectContaining({ value: 14, noun: 'orders', atLeast: false, key: 'total' })]);
    expect(total.some((f) => f.attribute === 'amount')).toBe(false);
  });

  test('money: major units, currencies without decimals, money objects, keys that do not say the units', () => {
    const amounts = (output: unknown) => extractFacts('get_thing', output).filter((f): f is AmountFact => f.attribute === 'amount');
    expect(amounts({ id: 'x1', price: 129.99, currency: 'eur' })).toEqual([expect.objectContaining({ value: 12999, currency: 'EUR', raw: 129.99, role: 'total' })]);
    expect(amounts({ id: 'x1', amount: 12800, currency: 'JPY' })).toEqual([expect.objectContaining({ value: 12800, currency: 'JPY' })]);
    expect(amounts({ id: 'x1', amount: 5000, currency: 'usd' })).toEqual([expect.objectContaining({ value: 500000, raw: 5000, unitsUncertain: true })]);
    expect(amounts({ id: 'x1', total: { amount: '129.99', currency: 'EUR' } })).toEqual([expect.objectContaining({ value: 12999, currency: 'EUR', role: 'total', path: 'total.amount' })]);
    expect(amounts({ id: 'x1', shipping_cents: 495, tax_cents: 2000, refundedAmount: 10 }).map((f) => [f.role, f.value])).toEqual([
      ['shipping', 495],
      ['tax', 2000],
      ['refund', 1000],
    ]);
  });

  test('a refund record makes its amount a refund and the order it names refunded', () => {
    const facts = extractFacts('process_payment', { id: 'pay_41', orderId: 'ord_1002', kind: 'refund', amountCents: 12900 });
    expect(facts).toContainEqual(expect.objectContaining({ attribute: 'amount', role: 'refund', value: 12900, entity: { id: 'pay_41', type: 'payment' } }));
    expect(facts).toContainEqual(expect.objectContaining({ attribute: 'status', value: 'refunded', entity: { id: 'ord_1002', type: 'order' } }));
  });

  test('dates: timestamps keep their calendar date and say they have a time; roles come from the key', () => {
    const dates = extractFacts('get_ticket', { id: 'tkt_1', createdAt: '2026-05-03T22:30:00Z', eta: '2026-05-10', shippedAt: '2026-05-04' }).filter(
      (f): f is DateFact => f.attribute === 'date',
    );
    expect(dates.map((d) => [d.key, d.value, d.role, d.hasTime])).toEqual([
      ['createdAt', '2026-05-03', 'created', true],
      ['eta', '2026-05-10', 'expected', false],
      ['shippedAt', '2026-05-04', 'shipped', false],
    ]);
  });

  test('texts and JSON text: identifiers in an error message are known but marked', () => {
    expect(extractFacts('get_order', 'Error: no order "ord_1050"')).toEqual([
      expect.objectContaining({ attribute: 'identifier', value: 'ord_1050', entity: { id: 'ord_1050', type: 'order' }, occurrence: 'text' }),
    ]);
    expect(extractFacts('get_order', JSON.stringify(ORD_7))).toContainEqual(expect.objectContaining({ attribute: 'status', value: 'shipped' }));
  });
});

describe('checkGrounding catches each kind, with its span and a message naming both sides', () => {
  test.each([
    ['status', 'Your order ord_7 was delivered on 3 October.', 'delivered', 'answer says ord_7 is delivered; get_order returned status "shipped" for ord_7'],
    ['status', 'ord_6 is still on its way.', 'on its way', 'answer says ord_6 is on its way; list_orders returned status "delivered" for ord_6'],
    ['status', "ord_7 hasn't shipped yet.", 'shipped', 'answer says ord_7 is not shipped; get_order returned status "shipped" for ord_7'],
    ['amount', 'The total for ord_7 was €129.90.', '€129.90', 'answer gives €129.90 as the amount of ord_7; get_order returned totalCents 12999 (EUR 129.99) for ord_7'],
    ['amount', 'ord_6 came to 45,00 €.', '45,00 €', 'answer gives 45,00 € as the amount of ord_6; list_orders returned totalCents 4550 (EUR 45.50) for ord_6'],
    ['amount', 'ord_6 was a $45.50 order.', '$45.50', 'answer gives $45.50 (a different currency) as the amount of ord_6; list_orders returned totalCents 4550 (EUR 45.50) for ord_6'],
    ['amount', 'I have issued a refund of €150.00 for ord_7.', '€150.00', 'answer gives a refund of €150.00 for ord_7, more than its total; get_order returned totalCents 12999 (EUR 129.99) for ord_7'],
    ['date', 'ord_7 was placed on 5 October 2026.', '5 October 2026', 'answer says ord_7 was placed on 5 October 2026; get_order returned placedAt "2026-10-02" (2 October 2026) for ord_7'],
    ['date', 'ord_6 was ordered on Sept 4.', 'Sept 4', 'answer says ord_6 was placed on Sept 4; list_orders returned placedAt "2026-09-14" (14 September 2026) for ord_6'],
    ['count', 'You have 3 orders with us.', '3 orders', 'answer says 3 orders; list_orders returned 2 orders'],
    ['count', 'ord_7 contains four items.', 'four items', 'answer says ord_7 has four items; get_order returned 3 items for ord_7'],
    ['identifier', 'Order ord_99 is on its way.', 'ord_99', 'answer mentions order ord_99, which no tool returned (known orders: ord_7, ord_6)'],
    ['plan', "As you're on the free plan, returns cost extra.", 'free', 'answer says the plan is "free"; lookup_customer returned plan "pro" for cus_1'],
    ['email', 'We wrote to ada@example.org.', 'ada@example.org', 'answer gives the e-mail address ada@example.org; lookup_customer returned email "ada@example.com" for cus_1'],
    ['name', 'Hi Grace, ord_7 has shipped.', 'Grace', 'answer addresses "Grace"; lookup_customer returned name "Ada Lovelace" for cus_1'],
  ])('%s: %s', (kind, answer, text, message) => {
    expect(check(answer)).toEqual([{ kind, detector: `grounding.${kind}`, category: 'grounding', text, message }]);
  });

  test('each finding has a score in (0, 1]; a claim about a named entity scores higher than one about "your order" among several', () => {
    const named = checkGrounding('ord_7 was delivered.', SESSION).findings[0]!;
    const vague = checkGrounding('All your orders have been delivered.', SESSION).findings[0]!;
    expect(named.score).toBeGreaterThan(vague.score);
    expect(vague.score).toBeGreaterThan(0);
    expect(named.score).toBeLessThanOrEqual(1);
  });

  test('claims attach to the entity of their clause, a pronoun to the previous sentence, "your latest order" to the newest', () => {
    expect(check('ord_6 was delivered and ord_7 was delivered too.').map((f) => f.message)).toEqual([
      'answer says ord_7 is delivered; get_order returned status "shipped" for ord_7',
    ]);
    expect(check('I looked up ord_7. It arrived yesterday.').map((f) => f.text)).toEqual(['arrived']);
    expect(check('Your latest order has been delivered.').map((f) => f.message)).toEqual([
      'answer says your latest order (ord_7) is delivered; get_order returned status "shipped" for ord_7',
    ]);
    expect(check('Your earliest order has been delivered.')).toEqual([]);
  });

  test('"your order" among several is a contradiction only if no order fits', () => {
    expect(check('Your order has been delivered.')).toEqual([]);
    expect(check('Your order has been cancelled.').map((f) => f.kind)).toEqual(['status']);
  });
});

describe('consistent answers pass', () => {
  test.each([
    'Your order ord_7 is on its way and should arrive soon. It cost about €130.',
    'You have two orders: ord_7 (shipped, €129.99, placed 2 October) and ord_6 (delivered, 45,50 €).',
    "ord_7 hasn't been delivered yet; it shipped after you placed it on 02/10/2026.",
    'Once ord_7 is delivered you will get an e-mail.',
    'Did ord_6 arrive safely?',
    'Orders over €50 ship free; ord_7 qualified.',
    'In total you spent €175.49 on both orders.',
    'ord_7 and ord_6 were placed on 2 October and 14 September.',
    'Refunds usually take 5 days once the order is returned.',
    'I could not find an order ord_99 on your account.',
    'You have been a customer since March 2024, on the pro plan.',
    'The tools I used were lookup_customer and list_orders.',
  ])('%s', (answer) => {
    expect(check(answer)).toEqual([]);
  });

  test('an answer that mentions nothing the tools returned is not a contradiction', () => {
    expect(check('Thanks for reaching out! Is there anything else I can help with?')).toEqual([]);
    expect(check('Your order ord_7 has shipped.', [])).toEqual([]);
  });

  test('a refund the payment tool made is grounded; another amount is not', () => {
    const facts = [...SESSION, ...extractFacts('process_payment', { id: 'pay_1', orderId: 'ord_7', kind: 'refund', amountCents: 5000 })];
    expect(check('ord_7 has been refunded: €50.00 is on its way back to you.', facts)).toEqual([]);
    expect(check('I refunded €60.00 for ord_7.', facts).map((f) => f.message)).toEqual([
      'answer gives a refund of €60.00 for ord_7; process_payment returned a refund of amountCents 5000 (50.00) for ord_7',
    ]);
  });

  test('a timestamp late in the day accepts the next calendar day, unless the slack is 0', () => {
    const facts = extractFacts('get_ticket', { id: 'tkt_31', status: 'open', createdAt: '2026-05-03T22:30:00Z' });
    expect(check('Your ticket was opened on 4 May.', facts)).toEqual([]);
    expect(check('Your ticket was opened on 4 May.', facts, { timestampSlackDays: 0 }).map((f) => f.kind)).toEqual(['date']);
    expect(check('Your ticket was opened on 6 May.', facts).map((f) => f.kind)).toEqual(['date']);
  });

  test('an all-numeric date is read both ways unless the order is set', () => {
    expect(check('ord_7 was placed on 10/02/2026.')).toEqual([]);
    expect(check('ord_7 was placed on 10/02/2026.', SESSION, { numericDateOrder: 'day_first' }).map((f) => f.text)).toEqual(['10/02/2026']);
    expect(check('ord_7 was placed on 10/02/2026.', SESSION, { numericDateOrder: 'month_first' })).toEqual([]);
  });

  test('hedged amounts use the tolerance', () => {
    expect(check('ord_7 cost about €140.')).toEqual([]);
    expect(check('ord_7 cost about €140.', SESSION, { approximateTolerance: 0.05 }).map((f) => f.kind)).toEqual(['amount']);
  });
});

describe('JSON answers', () => {
  test('spans are in JSON.stringify(answer), through escapes and surrogate pairs', () => {
    const answer = { reply: 'Say "hi" 🚚\nYour order ord_7 was delivered.', orderId: 'ord_7', refundCents: 15000 };
    const verdict = checkGrounding(answer, SESSION);
    expect(verdict.checkedText).toBe(JSON.stringify(answer));
    expect(verdict.findings.map((f) => [f.kind, verdict.checkedText.slice(f.span!.start, f.span!.end), f.message])).toEqual([
      ['status', 'delivered', 'answer field reply says ord_7 is delivered; get_order returned status "shipped" for ord_7'],
      ['amount', '15000', 'answer field refundCents is 15000 (EUR 150.00), more than the total of ord_7; get_order returned totalCents 12999 (EUR 129.99)'],
    ]);
  });

  test('an id field no tool returned, a status field, a date field, a count field', () => {
    expect(check({ reply: 'Done.', orderId: 'ord_99' }).map((f) => [f.text, f.message])).toEqual([
      ['ord_99', 'answer field orderId is "ord_99", an order no tool returned (known orders: ord_7, ord_6)'],
    ]);
    expect(check({ reply: 'Here you go.', orders: [{ orderId: 'ord_6', status: 'delivered' }, { orderId: 'ord_7', status: 'delivered' }] }).map((f) => [f.kind, f.message])).toEqual([
      ['status', 'answer field orders[1].status is "delivered"; get_order returned status "shipped" for ord_7'],
    ]);
    expect(check({ orderId: 'ord_7', placedAt: '2026-10-20' }).map((f) => f.kind)).toEqual(['date']);
    expect(check({ reply: 'You have a few orders.', orderCount: 4 }).map((f) => f.text)).toEqual(['4']);
  });

  test('the reply is read with the orderId field as what "your order" means', () => {
    expect(check({ reply: 'Your order has been delivered.', orderId: 'ord_7' }).map((f) => f.text)).toEqual(['delivered']);
    expect(check({ reply: 'Your order has been delivered.', orderId: 'ord_6' })).toEqual([]);
    expect(check({ reply: 'I can refund up to €129.99.', orderId: 'ord_7', refundCents: 12999 })).toEqual([]);
  });
});

describe('renderFactsForJudge', () => {
  test('one line per entity with its facts and sources, then facts of no entity', () => {
    const facts = [...SESSION, ...extractFacts('get_order', 'Error: no order "ord_99"')];
    expect(renderFactsForJudge(facts).split('\n')).toEqual([
      'cus_1 (customer; lookup_customer): name "Ada Lovelace"; email "ada@example.com"; plan "pro"; createdAt 2024-03-01',
      'ord_7 (order; list_orders, get_order): status shipped; totalCents EUR 129.99; placedAt 2026-10-02; 3 items',
      'ord_6 (order; list_orders): status delivered; totalCents EUR 45.50; placedAt 2026-09-14; 1 item',
      'ord_99 (order; get_order): mentioned only',
      'list_orders: 2 orders',
    ]);
  });

  test('empty facts render as an empty string', () => {
    expect(renderFactsForJudge([])).toBe('');
  });
});

describe('the scenario set', () => {
  const score = measureGrounding(GROUNDING_SCENARIOS);

  test('has at least 60 contradictions of varied kinds and 60 consistent answers, string and JSON', () => {
    expect(CONTRADICTIONS.length).toBeGreaterThanOrEqual(60);
    expect(CONSISTENT.length).toBeGreaterThanOrEqual(60);
    expect(new Set(CONTRADICTIONS.map((s) => s.kind))).toEqual(new Set(['status', 'amount', 'date', 'count', 'identifier', 'plan', 'email', 'name']));
    expect(CONTRADICTIONS.filter((s) => typeof s.answer !== 'string').length).toBeGreaterThanOrEqual(10);
    expect(CONSISTENT.filter((s) => typeof s.answer !== 'string').length).toBeGreaterThanOrEqual(5);
    expect(new Set(GROUNDING_SCENARIOS.map((s) => s.name)).size).toBe(GROUNDING_SCENARIOS.length);
  });

  test('at least 90% of contradictions are caught under their kind, at the planted text', () => {
    expect(score.caught / score.contradictions >= 0.9 ? [] : score.misses).toEqual([]); // lists the misses when below
    expect(score.caught / score.contradictions).toBeGreaterThanOrEqual(0.9);
    expect(score.caughtAtSpan / score.contradictions).toBeGreaterThanOrEqual(0.9);
    for (const k of score.kinds) expect(k.caught / k.planted).toBeGreaterThanOrEqual(k.planted >= 5 ? 0.8 : 0.5);
  });

  test('at most 5% of consistent answers are flagged', () => {
    expect(score.wronglyFlagged / score.consistent <= 0.05 ? [] : score.falseFlags).toEqual([]); // lists them when above
    expect(score.wronglyFlagged / score.consistent).toBeLessThanOrEqual(0.05);
  });
});

// Its speed is measured by `npm run bench -- --only guardrails`, not asserted here: a busy machine must not fail a test.
test('a 10 KB answer over 200 orders is consistent', () => {
  const session = longSession(200, 10_240);
  expect(checkGrounding(session.answer, session.facts).findings).toEqual([]);
  const statuses = session.facts.filter((f): f is StatusFact => f.attribute === 'status');
  expect(statuses).toHaveLength(200);
});
