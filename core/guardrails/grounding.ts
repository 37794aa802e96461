/**
 * Grounding check: finds claims in an agent's final answer that contradict what the session's tools
 * returned — a status, an amount, a date, a count, an identifier no tool returned.
 *
 * Two steps, both pure (no I/O, no clock, no Node modules: safe in the workflow sandbox):
 * 1. {@link extractFacts} turns each tool output (any JSON) into {@link Fact}s, from key names and
 *    value shapes: `id`/`*Id` → identifiers, `status`/`state` → statuses, `*Cents`/`amount`/`total`/
 *    `price` → amounts in minor units, `*At`/`*On`/`*Date` → dates, arrays → counts, and so on.
 * 2. {@link checkGrounding} reads the answer (text, or a JSON object from an output schema), finds the
 *    entities it mentions (identifiers, item names, "your order"), attaches nearby claims to them and
 *    reports each claim that no fact supports.
 *
 * The check is conservative on purpose: a finding forces a repair turn, so a claim is reported only
 * when it contradicts every entity it could be about. An answer that does not mention something is
 * never a contradiction; hedged amounts ("about €130"), rounded amounts, future or conditional
 * statements ("should arrive by…"), questions and policy statements are not checked strictly or at all.
 */
import type { GuardrailFinding, TextSpan } from './finding';

// ---------------------------------------------------------------------------------------------
// Facts

/** An entity a tool returned: its identifier, and its type inferred from the key, the enclosing list, the tool's name or the identifier's prefix. */
export interface EntityRef {
  /** As the tool returned it, e.g. `ord_7`. */
  id: string;
  /** Lower-case singular noun, e.g. `order`, `customer`; `unknown` when nothing told. */
  type: string;
}

/** What every fact carries: where it comes from and which record it belongs to. */
export interface FactBase {
  /** The tool whose output the fact comes from, e.g. `get_order`. */
  source: string;
  /** Where in the output, e.g. `orders[0].status`; `` for the output itself. */
  path: string;
  /** The key the value was under, e.g. `totalCents`; `` for the output itself. */
  key: string;
  /** The record the fact belongs to, when the record (or an enclosing one) has an identifier. */
  entity?: EntityRef;
  /** Other entities the record refers to by identifier (the order of a payment, the customer of an order). */
  related?: EntityRef[];
}

/** An identifier a tool returned, as a record's own id, a reference (`customerId`) or inside a text (an error message). */
export interface IdentifierFact extends FactBase {
  attribute: 'identifier';
  value: string;
  entity: EntityRef;
  /**
   * `record`: the record's own id; `reference`: a field naming another record (`customerId`);
   * `text`: inside a text such as an error message — known to the session, but perhaps not existing.
   */
  occurrence: 'record' | 'reference' | 'text';
}

/** A record's status or state, as the tool spelled it (e.g. `shipped`, `in_transit`). */
export interface StatusFact extends FactBase {
  attribute: 'status';
  value: string;
}

/** What an amount is, from its key (`refundCents` → refund) or its record (`kind: 'refund'`). */
export type AmountRole = 'total' | 'subtotal' | 'refund' | 'shipping' | 'tax' | 'discount' | 'fee' | 'balance';

/** An amount of money. */
export interface AmountFact extends FactBase {
  attribute: 'amount';
  /** In minor units (cents): 12999 for €129.99. */
  value: number;
  /** ISO 4217 code, when the record or an enclosing one names it. */
  currency?: string;
  role: AmountRole;
  /** The value as the tool returned it (e.g. `129.99`, `12999`, `"129.99"`). */
  raw: number | string;
  /** The key did not say whether the number is in minor or major units (`amount: 5000`): `value` reads major units, checks accept both. */
  unitsUncertain?: boolean;
}

/** What a date is, from its key (`placedOn` → created, `shippedAt` → shipped, `eta` → expected). */
export type DateRole = 'created' | 'shipped' | 'delivered' | 'expected' | 'due' | 'refunded' | 'cancelled' | 'updated' | 'other';

/** A calendar date. */
export interface DateFact extends FactBase {
  attribute: 'date';
  /** `YYYY-MM-DD` (the date part of a timestamp). */
  value: string;
  role: DateRole;
  /** The tool returned a timestamp with a time of day: its calendar date depends on the time zone. */
  hasTime: boolean;
}

/** How many of something: the length of a list, or a count field (`items: 3`, `orderCount`, `total` beside a list). */
export interface CountFact extends FactBase {
  attribute: 'count';
  value: number;
  /** Lower-case plural noun, e.g. `orders`, `items`. */
  noun: string;
  /** The list is a page (`has_more`): there are at least `value`. */
  atLeast: boolean;
}

/** A piece of text about an entity: a person's name, an e-mail address, a plan, or a label (item, title, product) that the answer may use to name the entity. */
export interface TextFact extends FactBase {
  attribute: 'name' | 'email' | 'plan' | 'label';
  value: string;
}

/** One thing a tool returned, as the grounding check uses it. A tagged union on `attribute`. */
export type Fact = IdentifierFact | StatusFact | AmountFact | DateFact | CountFact | TextFact;

/** The kinds of facts. */
export type FactAttribute = Fact['attribute'];

// ---------------------------------------------------------------------------------------------
// Options and verdict

/** How {@link checkGrounding} reads an answer. */
export interface GroundingOptions {
  /** How to read an all-numeric date such as `02/10/2026`: `either` accepts both readings. @default 'either' */
  numericDateOrder?: 'either' | 'day_first' | 'month_first';
  /** Relative tolerance for a hedged amount ("about €130", "roughly $1,300"). @default 0.1 */
  approximateTolerance?: number;
  /** Days of slack around a tool's timestamp that has a time of day, since time zones move its calendar date. @default 1 */
  timestampSlackDays?: number;
  /** At most this many known identifiers are listed in a message. @default 5 */
  maxListedIdentifiers?: number;
}

/** The defaults of {@link GroundingOptions}, in one place. */
export const DEFAULT_GROUNDING_OPTIONS: Readonly<Required<GroundingOptions>> = {
  numericDateOrder: 'either',
  approximateTolerance: 0.1,
  timestampSlackDays: 1,
  maxListedIdentifiers: 5,
};

/** A final answer: text, or the JSON object an output schema validated. */
export type GroundingAnswer = string | Record<string, unknown>;

/** The result of {@link checkGrounding}. */
export interface GroundingVerdict {
  /** One per contradicted claim, in the order of the text; category `grounding`, detector `grounding.<kind>`. */
  findings: GuardrailFinding[];
  /** The text the spans refer to: the answer itself, or `JSON.stringify(answer)` for an object. */
  checkedText: string;
}

/** The kinds of grounding findings (`finding.kind`; the detector is `grounding.<kind>`). */
export type GroundingKind = 'status' | 'amount' | 'date' | 'count' | 'identifier' | 'plan' | 'email' | 'name';

// ---------------------------------------------------------------------------------------------
// Vocabulary: key names, statuses, currencies, months, numbers

/** The words of a key: `amountCents` → [amount, cents], `placed_on` → [placed, on]. */
function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}

function singular(word: string): string {
  const w = word.toLowerCase();
  if (/(?:ss|us|is)$/.test(w)) return w;
  if (/ies$/.test(w)) return `${w.slice(0, -3)}y`;
  if (/(?:x|z|ch|sh|ss|us)es$/.test(w)) return w.slice(0, -2);
  if (/s$/.test(w)) return w.slice(0, -1);
  return w;
}

function plural(word: string): string {
  const w = word.toLowerCase();
  if (/(?:s|x|z|ch|sh)$/.test(w)) return `${w}es`;
  if (/[^aeiou]y$/.test(w)) return `${w.slice(0, -1)}ies`;
  return `${w}s`;
}

/** Keys of a list that say nothing about what is listed: the tool's name does. */
const GENERIC_LIST_KEYS = new Set(['data', 'results', 'result', 'records', 'rows', 'entries', 'list', 'hits', 'nodes', 'edges', 'values', 'content']);
const TOOL_VERBS = new Set(['get', 'list', 'lookup', 'look', 'up', 'find', 'fetch', 'search', 'retrieve', 'read', 'show', 'query', 'load', 'create', 'update', 'delete', 'process', 'check', 'track', 'describe', 'issue', 'cancel', 'refund', 'by', 'for', 'id', 'status', 'details', 'detail', 'info', 'all']);

/** The noun in a tool's name: `lookup_customer` → customer, `list_orders` → orders. */
function toolNoun(tool: string): string | undefined {
  const words = keyWords(tool).filter((w) => !TOOL_VERBS.has(w));
  return words[words.length - 1];
}

/** Entity types from common identifier prefixes, used when neither key nor list nor tool tells. */
const PREFIX_TYPES: Record<string, string> = {
  ord: 'order', order: 'order', cus: 'customer', cust: 'customer', pay: 'payment', py: 'payment', pi: 'payment', ch: 'charge',
  re: 'refund', rf: 'refund', inv: 'invoice', in: 'invoice', sub: 'subscription', prod: 'product', usr: 'user', user: 'user',
  rec: 'record', tkt: 'ticket', ticket: 'ticket', shp: 'shipment', ship: 'shipment',
};

const PREFIXED_ID = /^([A-Za-z]{1,12}[_-])[A-Za-z0-9]/;
/** Identifiers inside free text: `ord_99`, `cus_ada` (underscore), or `ORD-1001` (upper case, digits). */
const TEXT_ID = /(?<![\w@/.-])(?:[A-Za-z]{2,12}_[A-Za-z0-9]+|[A-Z]{2,6}-\d+)(?![\w@-])/g;

function prefixOf(id: string): string | undefined {
  const m = PREFIXED_ID.exec(id);
  return m ? m[1]!.toLowerCase() : undefined;
}

/** Statuses, grouped in classes that answers' words and tools' values both map to. */
type StatusClass = 'pending' | 'processing' | 'paid' | 'shipped' | 'delivered' | 'cancelled' | 'refunded' | 'returned' | 'failed' | 'open' | 'resolved';

/** Orders and payments move along this path; the other order classes leave it. */
const LIFECYCLE_RANK: Partial<Record<StatusClass, number>> = { pending: 0, processing: 1, paid: 1, shipped: 2, delivered: 3 };
const TICKET_CLASSES: ReadonlySet<StatusClass> = new Set(['open', 'resolved']);

const STATUS_VALUES: Record<string, StatusClass> = {
  pending: 'pending', new: 'pending', created: 'pending', awaiting_payment: 'pending', unpaid: 'pending', on_hold: 'pending', requires_payment_method: 'pending',
  processing: 'processing', in_progress: 'processing', preparing: 'processing', confirmed: 'processing', accepted: 'processing', fulfilling: 'processing', packed: 'processing',
  paid: 'paid', authorized: 'paid', authorised: 'paid', captured: 'paid', succeeded: 'paid', settled: 'paid',
  shipped: 'shipped', dispatched: 'shipped', in_transit: 'shipped', sent: 'shipped', out_for_delivery: 'shipped', fulfilled: 'shipped', en_route: 'shipped',
  delivered: 'delivered', arrived: 'delivered',
  cancelled: 'cancelled', canceled: 'cancelled', voided: 'cancelled', void: 'cancelled',
  refunded: 'refunded', partially_refunded: 'refunded', refund: 'refunded',
  returned: 'returned',
  failed: 'failed', declined: 'failed', payment_failed: 'failed',
  open: 'open', reopened: 'open', resolved: 'resolved', closed: 'resolved', solved: 'resolved',
};

function statusClassOf(value: string): StatusClass | undefined {
  return STATUS_VALUES[value.trim().toLowerCase().replace(/[\s-]+/g, '_')];
}

/** How an answer says a status. `present`: the phrase says the entity is in that state now, not merely that it got there. */
const STATUS_PHRASES: ReadonlyArray<{ re: RegExp; cls: StatusClass; present: boolean; label: string }> = [
  { re: /\bout for delivery\b/gi, cls: 'shipped', present: true, label: 'out for delivery' },
  { re: /\bin transit\b/gi, cls: 'shipped', present: true, label: 'in transit' },
  { re: /\bon (?:its|their|the) way\b/gi, cls: 'shipped', present: true, label: 'on its way' },
  { re: /\ben route\b/gi, cls: 'shipped', present: true, label: 'en route' },
  { re: /\b(?:dispatched|shipped)\b/gi, cls: 'shipped', present: false, label: 'shipped' },
  { re: /\bleft (?:our|the) warehouse\b/gi, cls: 'shipped', present: false, label: 'shipped' },
  { re: /\bdelivered\b/gi, cls: 'delivered', present: false, label: 'delivered' },
  { re: /\barrived\b/gi, cls: 'delivered', present: false, label: 'delivered' },
  { re: /\bcancel+ed\b/gi, cls: 'cancelled', present: false, label: 'cancelled' },
  { re: /\brefunded\b/gi, cls: 'refunded', present: false, label: 'refunded' },
  { re: /\b(?:been|was|is)\s+returned\b/gi, cls: 'returned', present: false, label: 'returned' },
  { re: /\bpending\b/gi, cls: 'pending', present: true, label: 'pending' },
  { re: /\bawaiting (?:payment|confirmation|dispatch|shipment|shipping|fulfil+ment)\b/gi, cls: 'pending', present: true, label: 'awaiting dispatch' },
  { re: /\bon hold\b/gi, cls: 'pending', present: true, label: 'on hold' },
  { re: /\bbeing (?:processed|prepared|packed|packaged)\b/gi, cls: 'processing', present: true, label: 'being processed' },
  { re: /\bprocessing\b/gi, cls: 'processing', present: true, label: 'processing' },
  { re: /\bpaid\b/gi, cls: 'paid', present: false, label: 'paid' },
  { re: /\bfailed\b/gi, cls: 'failed', present: false, label: 'failed' },
  { re: /\b(?:is|remains|still)\s+open\b/gi, cls: 'open', present: true, label: 'open' },
  { re: /\breopened\b/gi, cls: 'open', present: true, label: 'reopened' },
  { re: /\b(?:resolved|closed)\b/gi, cls: 'resolved', present: false, label: 'resolved' },
];

const NEGATION = /\b(?:not|never|no longer|yet to|isn't|wasn't|hasn't|haven't|hadn't|aren't|weren't|doesn't|didn't|won't|cannot|can't)\b|n't\b|n’t\b/i;
const MODAL =
  /\b(?:will|would|should|could|can|may|might|must|shall|expect|expects|expected|estimated|scheduled|likely|hope|going to|about to|once|when|if|unless|until|as soon as|after|before|to be|needs? to|able to|want|wish|please|ask)\b|'ll\b|’ll\b/i;
const FUTURE = /\b(?:will|would|should|could|can|may|might|going to|about to|expect|expects|expected|scheduled|next)\b|'ll\b|’ll\b/i;
const PRESENT_MARKER = /\b(?:still|currently|right now|at the moment)\b/i;
/** Words that, as a claim's subject, mean the claim is about something else than the entity (a refund, a ticket, an e-mail). */
const FOREIGN_SUBJECTS = [
  'refund', 'refunds', 'payment', 'payments', 'request', 'requests', 'ticket', 'case', 'claim', 'invoice', 'email', 'e-mail', 'message',
  'reply', 'draft', 'note', 'record', 'complaint', 'subscription', 'account', 'money', 'charge', 'replacement', 'exchange', 'return',
  'returns', 'application', 'review', 'password', 'code', 'voucher', 'coupon', 'card', 'transfer', 'shipping', 'delivery',
];
/** A status word followed by one of these is an adjective on another noun ("pending refund", "paid plan", "processing time"). */
const ADJECTIVE_TARGETS = new Set([
  'orders', 'items', 'products', 'goods', 'packages', 'parcels', 'purchases', 'refund', 'refunds', 'payment', 'payments', 'request',
  'requests', 'charge', 'charges', 'plan', 'plans', 'tier', 'subscription', 'time', 'times', 'fee', 'fees', 'center', 'centre', 'status',
  'date', 'amount', 'invoice', 'invoices', 'version', 'feature', 'features', 'account', 'email', 'emails', 'message', 'messages', 'ticket', 'tickets',
]);
/** Policy statements: about orders in general, not this one. */
const GENERIC_STATEMENT = /\b(?:usually|typically|normally|generally|always|often|policy|all orders|any order|orders are|items are|within \d+ (?:business |working )?days)\b/i;

/** Currencies: symbols and words to ISO codes. `$` is read as USD unless the facts say another dollar. */
const CURRENCY_TOKENS: Record<string, string> = {
  '€': 'EUR', eur: 'EUR', euro: 'EUR', euros: 'EUR', '$': 'USD', 'us$': 'USD', usd: 'USD', dollar: 'USD', dollars: 'USD', '£': 'GBP', gbp: 'GBP',
  pound: 'GBP', pounds: 'GBP', '¥': 'JPY', jpy: 'JPY', yen: 'JPY', chf: 'CHF', cad: 'CAD', 'c$': 'CAD', aud: 'AUD', 'a$': 'AUD',
};
const ZERO_DECIMAL_CURRENCIES = new Set(['JPY', 'KRW', 'VND', 'CLP', 'ISK', 'XOF', 'XAF', 'UGX', 'PYG', 'RWF']);
const THREE_DECIMAL_CURRENCIES = new Set(['BHD', 'KWD', 'OMR', 'JOD', 'TND']);

function currencyExponent(currency: string | undefined): number {
  if (currency && ZERO_DECIMAL_CURRENCIES.has(currency)) return 0;
  if (currency && THREE_DECIMAL_CURRENCIES.has(currency)) return 3;
  return 2;
}

const MONTHS: Record<string, number> = {
  january: 1, jan: 1, february: 2, feb: 2, march: 3, mar: 3, april: 4, apr: 4, may: 5, june: 6, jun: 6, july: 7, jul: 7, august: 8, aug: 8,
  september: 9, sept: 9, sep: 9, october: 10, oct: 10, november: 11, nov: 11, december: 12, dec: 12,
};
const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const MONTH_PATTERN = 'january|february|march|april|may|june|july|august|september|october|november|december|sept|jan|feb|mar|apr|jun|jul|aug|sep|oct|nov|dec';

const NUMBER_WORDS: Record<string, number> = {
  no: 0, zero: 0, one: 1, 'a single': 1, single: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11,
  twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18, nineteen: 19, twenty: 20,
};

// ---------------------------------------------------------------------------------------------
// Key classification (shared by tool outputs and JSON answers)

const AMOUNT_WORDS = new Set(['amount', 'total', 'price', 'cost', 'subtotal', 'tax', 'vat', 'fee', 'fees', 'shipping', 'discount', 'balance', 'refund', 'refunded', 'paid', 'charge', 'charged', 'due', 'cents', 'pence', 'minor']);
const MINOR_UNIT_WORDS = new Set(['cents', 'cent', 'pence', 'minor']);
const COUNT_KEYS = new Set(['count', 'total_count', 'totalcount', 'total', 'num_results', 'total_results', 'totalresults']);
const LABEL_KEYS = new Set(['item', 'title', 'product', 'product_name', 'productname', 'description', 'label', 'item_name', 'itemname']);
const NAME_KEYS = new Set(['name', 'full_name', 'fullname', 'first_name', 'firstname', 'last_name', 'lastname', 'display_name', 'displayname', 'customer_name', 'customername', 'contact_name', 'contactname']);
const DATE_VALUE = /^(\d{4})-(\d{2})-(\d{2})(?:([T ])\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const EMAIL_VALUE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const EMAIL_IN_TEXT = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;

function normalisedKey(key: string): string {
  return keyWords(key).join('_');
}

function amountRoleOf(words: readonly string[]): AmountRole {
  if (words.some((w) => w === 'refund' || w === 'refunded')) return 'refund';
  if (words.includes('subtotal')) return 'subtotal';
  if (words.some((w) => w === 'shipping' || w === 'postage' || w === 'delivery')) return 'shipping';
  if (words.some((w) => w === 'tax' || w === 'vat')) return 'tax';
  if (words.some((w) => w === 'discount' || w === 'coupon' || w === 'credit')) return 'discount';
  if (words.some((w) => w === 'fee' || w === 'fees')) return 'fee';
  if (words.some((w) => w === 'balance' || w === 'due')) return 'balance';
  return 'total';
}

function isAmountKey(words: readonly string[]): boolean {
  if (words.some((w) => w === 'count' || w === 'items' || w === 'quantity' || w === 'qty' || w === 'id' || w === 'rate' || w === 'percent' || w === 'pct')) return false;
  return words.some((w) => AMOUNT_WORDS.has(w));
}

function dateRoleOf(words: readonly string[]): DateRole {
  const has = (...list: string[]) => words.some((w) => list.includes(w));
  if (has('placed', 'ordered', 'created', 'purchased', 'submitted', 'opened', 'signup', 'signed', 'joined', 'registered', 'issued', 'order')) return 'created';
  if (has('shipped', 'dispatched', 'sent')) return 'shipped';
  if (has('delivered', 'arrived')) return 'delivered';
  if (has('eta', 'expected', 'estimated', 'promised', 'estimate')) return 'expected';
  if (has('due')) return 'due';
  if (has('refunded')) return 'refunded';
  if (has('cancelled', 'canceled')) return 'cancelled';
  if (has('updated', 'modified')) return 'updated';
  return 'other';
}

/** The referenced type of an identifier key: `customerId` → customer, `order_id` → order; undefined if not an id key. */
function idKeyType(words: readonly string[]): string | undefined {
  const last = words[words.length - 1];
  if ((last === 'id' || last === 'ids') && words.length > 1) return words.slice(0, -1).join('_');
  return undefined;
}

/** A plural noun key holding a whole number (`items: 3`) or a count key (`orderCount`, `number_of_orders`). */
function countNounOfKey(words: readonly string[]): string | undefined {
  const last = words[words.length - 1];
  if (!last) return undefined;
  if (last === 'count' && words.length > 1) return plural(singular(words[words.length - 2]!));
  if (words[0] === 'number' && words[1] === 'of' && words.length > 2) return plural(singular(words[words.length - 1]!));
  if (words[0] === 'num' && words.length > 1) return plural(singular(last));
  if (words.length === 1 && /[^s]s$/.test(last) && !/(?:us|is|ss)$/.test(last) && !AMOUNT_WORDS.has(last) && last !== 'status') return last;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Fact extraction

interface WalkContext {
  source: string;
  facts: Fact[];
  /** The type the next object's id has, from its key, its list or the tool. */
  typeHint: string | undefined;
  /** Plural noun counted when the next value is a list. */
  countNoun: string;
  currency: string | undefined;
  owner: EntityRef | undefined;
  related: EntityRef[];
  /** Role of amounts in a nested money object, from its key (`total: { amount, currency }`). */
  roleHint: AmountRole | undefined;
}

/**
 * Turns one tool output (any JSON, or a text such as an error message) into facts, from key names and
 * value shapes. `source` is the tool's name; it also types top-level records (`get_order` → order).
 */
export function extractFacts(source: string, output: unknown): Fact[] {
  const facts: Fact[] = [];
  let value = output;
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (/^[[{]/.test(trimmed)) {
      try {
        value = JSON.parse(trimmed) as unknown;
      } catch {
        // not JSON: a text
      }
    }
  }
  const noun = toolNoun(source);
  const ctx: WalkContext = {
    source,
    facts,
    typeHint: noun ? singular(noun) : undefined,
    countNoun: noun ? plural(singular(noun)) : 'results',
    currency: undefined,
    owner: undefined,
    related: [],
    roleHint: undefined,
  };
  if (typeof value === 'string') scanTextIdentifiers(value, '', '', ctx);
  else walk(value, '', '', ctx);
  return facts;
}

function base(ctx: WalkContext, path: string, key: string): FactBase {
  const fact: FactBase = { source: ctx.source, path, key };
  if (ctx.owner) fact.entity = ctx.owner;
  if (ctx.related.length > 0) fact.related = ctx.related;
  return fact;
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function walk(value: unknown, path: string, key: string, ctx: WalkContext): void {
  if (Array.isArray(value)) walkList(value, path, key, ctx, false);
  else if (isPlainObject(value)) walkRecord(value, path, ctx);
  else if (value !== null && value !== undefined) walkScalar(value, path, key, ctx);
}

function walkList(list: readonly unknown[], path: string, key: string, ctx: WalkContext, countGiven: boolean, atLeast = false): void {
  if (!countGiven) ctx.facts.push({ ...base(ctx, path, key), attribute: 'count', value: list.length, noun: ctx.countNoun, atLeast });
  const words = keyWords(key);
  const refType = idKeyType(words);
  list.forEach((item, i) => {
    const itemPath = `${path}[${i}]`;
    if (isPlainObject(item)) walkRecord(item, itemPath, { ...ctx, roleHint: undefined });
    else if (Array.isArray(item)) walkList(item, itemPath, key, ctx, false);
    else if ((typeof item === 'string' || typeof item === 'number') && refType) {
      ctx.facts.push({ ...base(ctx, itemPath, key), attribute: 'identifier', value: String(item), entity: { id: String(item), type: refType }, occurrence: 'reference' });
    } else if (typeof item === 'string') scanTextIdentifiers(item, itemPath, key, ctx);
  });
}

function walkRecord(record: Record<string, unknown>, path: string, parent: WalkContext): void {
  const ctx: WalkContext = { ...parent };
  const currency = record.currency ?? record.currencyCode ?? record.currency_code;
  if (typeof currency === 'string' && /^[A-Za-z]{3}$/.test(currency)) ctx.currency = currency.toUpperCase();

  // The record's own identifier.
  const hint = parent.typeHint;
  let idKey: string | undefined;
  for (const candidate of ['id', hint && `${hint}Id`, hint && `${hint}_id`, hint && `${hint}ID`]) {
    if (candidate && (typeof record[candidate] === 'string' || typeof record[candidate] === 'number')) {
      idKey = candidate;
      break;
    }
  }
  if (idKey !== undefined) {
    const id = String(record[idKey]);
    const prefix = prefixOf(id);
    const type = hint ?? (prefix ? PREFIX_TYPES[prefix.slice(0, -1)] : undefined) ?? 'record';
    ctx.owner = { id, type };
    ctx.related = [];
  }
  // References to other entities.
  const related: EntityRef[] = [];
  for (const [k, v] of Object.entries(record)) {
    if (k === idKey || (typeof v !== 'string' && typeof v !== 'number')) continue;
    const refType = idKeyType(keyWords(k));
    if (refType) related.push({ id: String(v), type: refType });
  }
  if (idKey !== undefined) ctx.related = related;
  else if (related.length > 0) ctx.related = [...parent.related, ...related];

  if (idKey !== undefined && ctx.owner) {
    ctx.facts.push({ ...base({ ...ctx, related: [] }, join(path, idKey), idKey), attribute: 'identifier', value: ctx.owner.id, entity: ctx.owner, occurrence: 'record' });
  }

  // A refund record (`kind: 'refund'`) makes its amounts refunds and its referenced entities refunded.
  const kind = [record.kind, record.type, record.object, record.action].find((v): v is string => typeof v === 'string');
  const refundRecord = kind !== undefined && /refund/i.test(kind);
  if (refundRecord) {
    for (const ref of related) {
      ctx.facts.push({ source: ctx.source, path: join(path, 'kind'), key: 'kind', entity: ref, attribute: 'status', value: 'refunded' });
    }
  }

  // Lists with a total beside them (`{ orders: [...], total: 10, has_more: true }`).
  const listKeys = Object.keys(record).filter((k) => Array.isArray(record[k]));
  const more = [record.has_more, record.hasMore, record.more, record.next_cursor, record.nextCursor, record.next_page, record.nextPage].some(
    (v) => v === true || (typeof v === 'string' && v.length > 0),
  );
  const totalKey = listKeys.length === 1 ? Object.keys(record).find((k) => COUNT_KEYS.has(normalisedKey(k)) && Number.isInteger(record[k])) : undefined;

  for (const [k, v] of Object.entries(record)) {
    if (k === idKey || v === null || v === undefined) continue;
    const words = keyWords(k);
    const keyPath = join(path, k);
    if (Array.isArray(v)) {
      const generic = GENERIC_LIST_KEYS.has(k.toLowerCase());
      const last = words[words.length - 1] ?? k;
      const noun = generic ? parent.countNoun : plural(singular(last));
      const listCtx: WalkContext = { ...ctx, countNoun: noun, typeHint: generic ? parent.typeHint : singular(last) };
      if (k === listKeys[0] && totalKey !== undefined) {
        ctx.facts.push({ ...base(ctx, join(path, totalKey), totalKey), attribute: 'count', value: record[totalKey] as number, noun, atLeast: false });
        walkList(v, keyPath, k, listCtx, true);
      } else walkList(v, keyPath, k, listCtx, false, more);
    } else if (isPlainObject(v)) {
      const last = words[words.length - 1] ?? k;
      const nestedHasId = typeof v.id === 'string' || typeof v.id === 'number';
      walkRecord(v, keyPath, {
        ...ctx,
        typeHint: nestedHasId && !GENERIC_LIST_KEYS.has(k.toLowerCase()) ? singular(last) : ctx.typeHint,
        countNoun: ctx.countNoun,
        roleHint: isAmountKey(words) ? amountRoleOf(words) : ctx.roleHint,
      });
    } else if (k === totalKey) {
      continue;
    } else {
      walkScalar(v, keyPath, k, refundRecord ? { ...ctx, roleHint: 'refund' } : ctx);
    }
  }
}

function walkScalar(value: unknown, path: string, key: string, ctx: WalkContext): void {
  const words = keyWords(key);
  const nk = words.join('_');
  const last = words[words.length - 1];
  const b = () => base(ctx, path, key);
  if (typeof value === 'boolean') return;
  if (typeof value !== 'string' && typeof value !== 'number') return;

  const refType = idKeyType(words);
  if (refType) {
    ctx.facts.push({ ...b(), attribute: 'identifier', value: String(value), entity: { id: String(value), type: refType }, occurrence: 'reference' });
    return;
  }
  if (typeof value === 'string' && (last === 'status' || last === 'state')) {
    ctx.facts.push({ ...b(), attribute: 'status', value });
    return;
  }
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) {
    const noun = countNounOfKey(words);
    if (noun) {
      ctx.facts.push({ ...b(), attribute: 'count', value, noun, atLeast: false });
      return;
    }
  }
  const numeric = typeof value === 'number' ? value : /^-?\d+(?:\.\d+)?$/.test(value.trim()) ? Number(value) : undefined;
  const moneyObjectAmount = ctx.roleHint !== undefined && (nk === 'value' || nk === 'units' || nk === 'amount' || nk === 'amount_cents' || nk === 'cents');
  if (numeric !== undefined && Number.isFinite(numeric) && (isAmountKey(words) || moneyObjectAmount)) {
    const exp = currencyExponent(ctx.currency);
    const minorKey = words.some((w) => MINOR_UNIT_WORDS.has(w));
    const keyRole = amountRoleOf(words);
    const role = ctx.roleHint !== undefined && keyRole === 'total' ? ctx.roleHint : keyRole;
    const fact: AmountFact = { ...b(), attribute: 'amount', value: 0, role, raw: value };
    if (ctx.currency) fact.currency = ctx.currency;
    fact.value = minorKey ? Math.round(numeric) : Math.round(numeric * 10 ** exp);
    // `amount: 5000` may be $5,000 or (as payment APIs do) $50.00; a string or a fraction is major units.
    if (!minorKey && typeof value === 'number' && Number.isInteger(numeric) && exp > 0) fact.unitsUncertain = true;
    ctx.facts.push(fact);
    return;
  }
  if (typeof value !== 'string') return;
  const date = DATE_VALUE.exec(value.trim());
  if (date) {
    ctx.facts.push({ ...b(), attribute: 'date', value: `${date[1]}-${date[2]}-${date[3]}`, role: dateRoleOf(words), hasTime: date[4] !== undefined });
    return;
  }
  if (words.includes('email') || words.includes('mail') || EMAIL_VALUE.test(value.trim())) {
    ctx.facts.push({ ...b(), attribute: 'email', value: value.trim() });
    return;
  }
  if (NAME_KEYS.has(nk)) {
    ctx.facts.push({ ...b(), attribute: 'name', value });
    return;
  }
  if (words.includes('plan') || words.includes('tier')) {
    ctx.facts.push({ ...b(), attribute: 'plan', value });
    return;
  }
  if (LABEL_KEYS.has(nk) && value.length <= 80) {
    ctx.facts.push({ ...b(), attribute: 'label', value });
  }
  scanTextIdentifiers(value, path, key, ctx);
}

/** Identifiers mentioned in a text (an error message, a note): known to the session, though perhaps not existing. */
function scanTextIdentifiers(text: string, path: string, key: string, ctx: WalkContext): void {
  for (const m of text.matchAll(TEXT_ID)) {
    const id = m[0];
    if (ctx.owner && id.toLowerCase() === ctx.owner.id.toLowerCase()) continue;
    const prefix = prefixOf(id);
    const before = text.slice(Math.max(0, m.index - 20), m.index);
    const word = /([a-z]+)\W*$/i.exec(before)?.[1]?.toLowerCase();
    const type = (prefix && PREFIX_TYPES[prefix.slice(0, -1)]) ?? (word && word.length > 2 ? singular(word) : undefined) ?? 'unknown';
    ctx.facts.push({ source: ctx.source, path, key, attribute: 'identifier', value: id, entity: { id, type }, occurrence: 'text' });
  }
}

// ---------------------------------------------------------------------------------------------
// Knowledge: the facts, indexed by entity

interface EntityView {
  ref: EntityRef;
  /** Has facts beyond being mentioned. */
  described: boolean;
  /** Its identifier was a field's value (a record's id or a reference), not only words in a text. */
  fromField: boolean;
  statuses: StatusFact[];
  amounts: AmountFact[];
  /** Refund amounts: own, and those of records that refer to this entity. */
  refunds: AmountFact[];
  dates: DateFact[];
  counts: CountFact[];
  texts: TextFact[];
}

interface Knowledge {
  entities: Map<string, EntityView>;
  /** Lower-case prefix (`ord_`) → entity type. */
  prefixes: Map<string, string>;
  byType: Map<string, EntityView[]>;
  /** Lower-case noun (`order`, `package`) → entity type, for "your order". */
  typeNouns: Map<string, string>;
  aliases: Array<{ alias: string; entity: EntityView; caseSensitive: boolean }>;
  counts: CountFact[];
  emails: TextFact[];
  names: TextFact[];
  plans: TextFact[];
  /** The entities with facts beyond their identifier. */
  described: EntityView[];
  /** "your order", "the latest invoice": built from `typeNouns`. */
  typePhrase: RegExp | undefined;
  /** Subjects that make a status claim about something else (a refund, an e-mail), minus the entity types. */
  foreignSubject: RegExp;
}

/** Records of these types carry their statuses, dates and refunds over to the entities they refer to (a shipment's state to its order). */
const SATELLITE_TYPES = new Set(['payment', 'refund', 'shipment', 'delivery', 'fulfillment', 'fulfilment', 'return', 'charge', 'transaction', 'tracking', 'parcel', 'package']);
const ORDER_SYNONYMS = ['package', 'parcel', 'shipment', 'purchase', 'delivery'];
const PERSON_SYNONYMS = ['account', 'profile', 'membership'];

function buildKnowledge(facts: readonly Fact[]): Knowledge {
  const entities = new Map<string, EntityView>();
  const view = (ref: EntityRef): EntityView => {
    const k = ref.id.toLowerCase();
    let v = entities.get(k);
    if (!v) {
      v = { ref, described: false, fromField: false, statuses: [], amounts: [], refunds: [], dates: [], counts: [], texts: [] };
      entities.set(k, v);
    } else if (v.ref.type === 'unknown' && ref.type !== 'unknown') v.ref = ref;
    return v;
  };
  const knowledge: Knowledge = {
    entities, prefixes: new Map(), byType: new Map(), typeNouns: new Map(), aliases: [], counts: [], emails: [], names: [], plans: [], described: [], typePhrase: undefined, foreignSubject: /$^/,
  };
  for (const fact of facts) {
    if (fact.attribute === 'identifier') {
      const v = view(fact.entity);
      if (fact.occurrence === 'record') v.described = true;
      if (fact.occurrence !== 'text') v.fromField = true;
      continue;
    }
    const v = fact.entity ? view(fact.entity) : undefined;
    if (v) v.described = true;
    switch (fact.attribute) {
      case 'status':
        v?.statuses.push(fact);
        break;
      case 'amount':
        if (fact.role === 'refund') v?.refunds.push(fact);
        else v?.amounts.push(fact);
        break;
      case 'date':
        v?.dates.push(fact);
        break;
      case 'count':
        knowledge.counts.push(fact);
        v?.counts.push(fact);
        break;
      default:
        v?.texts.push(fact);
        if (fact.attribute === 'email') knowledge.emails.push(fact);
        if (fact.attribute === 'name') knowledge.names.push(fact);
        if (fact.attribute === 'plan') knowledge.plans.push(fact);
    }
    // Satellites: a shipment's state, a payment's refund, carried over to the order it refers to.
    if (fact.entity && SATELLITE_TYPES.has(fact.entity.type) && fact.related) {
      for (const ref of fact.related) {
        const target = view(ref);
        if (fact.attribute === 'status') target.statuses.push(fact);
        if (fact.attribute === 'amount' && fact.role === 'refund') target.refunds.push(fact);
        if (fact.attribute === 'date' && ['shipped', 'delivered', 'expected', 'refunded'].includes(fact.role)) target.dates.push(fact);
      }
    }
  }
  for (const v of entities.values()) {
    const prefix = prefixOf(v.ref.id);
    if (prefix && v.fromField && v.ref.type !== 'unknown' && !knowledge.prefixes.has(prefix)) knowledge.prefixes.set(prefix, v.ref.type);
    if (v.described) {
      const list = knowledge.byType.get(v.ref.type) ?? [];
      list.push(v);
      knowledge.byType.set(v.ref.type, list);
    }
  }
  for (const type of knowledge.byType.keys()) knowledge.typeNouns.set(type.replace(/_/g, ' '), type);
  if (knowledge.byType.has('order')) for (const s of ORDER_SYNONYMS) if (!knowledge.byType.has(s)) knowledge.typeNouns.set(s, 'order');
  const person = ['customer', 'user', 'member', 'account_holder'].find((t) => knowledge.byType.has(t));
  if (person) for (const s of PERSON_SYNONYMS) if (!knowledge.byType.has(s)) knowledge.typeNouns.set(s, person);
  // Aliases: labels (item names) and names, when they name one entity only.
  // A label must have two words ("Brass gear set", not "Book"); a first name alone must be capitalised in the answer ("Grace", not "grace period").
  const aliasOwners = new Map<string, { owners: Set<EntityView>; caseSensitive: boolean }>();
  const addAlias = (alias: string, v: EntityView, caseSensitive: boolean) => {
    const a = caseSensitive ? alias.trim() : alias.trim().toLowerCase();
    if (a.length < 3) return;
    const entry = aliasOwners.get(a) ?? { owners: new Set<EntityView>(), caseSensitive };
    entry.owners.add(v);
    aliasOwners.set(a, entry);
  };
  for (const v of entities.values()) {
    for (const t of v.texts) {
      const words = t.value.trim().split(/\s+/);
      if (t.attribute === 'label' && words.length >= 2 && t.value.trim().length >= 6) {
        // "Analytical Engine manual" is also "engine manual" and "the manual"; only unique ones are kept.
        for (let i = 0; i < words.length; i++) for (let j = i + 2; j <= words.length; j++) addAlias(words.slice(i, j).join(' '), v, false);
        const head = words[words.length - 1]!;
        if (head.length >= 5) for (const det of ['the', 'your', 'my']) addAlias(`${det} ${head}`, v, false);
      }
      if (t.attribute === 'name') {
        if (words.length >= 2) addAlias(t.value, v, false);
        const first = words[0];
        if (first && first.length >= 3 && /^[A-Z][a-z]/.test(first)) addAlias(first, v, true);
      }
    }
  }
  for (const [alias, { owners, caseSensitive }] of aliasOwners) if (owners.size === 1) knowledge.aliases.push({ alias, entity: [...owners][0]!, caseSensitive });
  knowledge.described = [...entities.values()].filter((e) => e.described);
  const nouns = [...knowledge.typeNouns.keys()];
  if (nouns.length > 0) {
    const alternatives = nouns.sort((a, b) => b.length - a.length).map(escapeRegExp).join('|');
    knowledge.typePhrase = new RegExp(`\\b(?:your|the|this|that|my|its)\\s+(?:(${TYPE_QUALIFIERS})\\s+)?(${alternatives})\\b(?!s\\b|-)`, 'gi');
  }
  const foreign = FOREIGN_SUBJECTS.filter((w) => !knowledge.typeNouns.has(w) && !knowledge.typeNouns.has(singular(w)));
  knowledge.foreignSubject = new RegExp(`\\b(?:${foreign.map(escapeRegExp).join('|')})\\b`, 'i');
  return knowledge;
}

// ---------------------------------------------------------------------------------------------
// The answer: text segments with their place in the checked text

interface Segment {
  text: string;
  /** Index in the checked text of index `i` of `text`. */
  at: (i: number) => number;
  /** The JSON field the text is in, e.g. `reply`. */
  field?: string;
}

interface FieldLeaf {
  path: string;
  key: string;
  value: string | number;
  span: TextSpan;
  /** The other scalar values of the object the leaf is in. */
  siblings: Record<string, unknown>;
}

interface SerialisedAnswer {
  text: string;
  strings: Segment[];
  leaves: FieldLeaf[];
}

/** Serialises like `JSON.stringify` (same text), recording where each scalar is. */
function serialiseAnswer(answer: Record<string, unknown>): SerialisedAnswer {
  let text = '';
  const strings: Segment[] = [];
  const leaves: FieldLeaf[] = [];
  const emit = (value: unknown, path: string, key: string, siblings: Record<string, unknown>, depth = 0): void => {
    if (depth > 32) {
      text += 'null'; // deeper than any answer schema; a cycle would never end
      return;
    }
    if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
      value = (value as { toJSON: () => unknown }).toJSON();
    }
    if (Array.isArray(value)) {
      text += '[';
      value.forEach((item, i) => {
        if (i > 0) text += ',';
        if (item === undefined || typeof item === 'function' || typeof item === 'symbol') text += 'null';
        else emit(item, `${path}[${i}]`, key, siblings, depth + 1);
      });
      text += ']';
    } else if (isPlainObject(value)) {
      text += '{';
      let first = true;
      for (const [k, v] of Object.entries(value)) {
        if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
        if (!first) text += ',';
        first = false;
        text += `${JSON.stringify(k)}:`;
        emit(v, join(path, k), k, value, depth + 1);
      }
      text += '}';
    } else if (typeof value === 'string') {
      const start = text.length;
      const offsets = escapedOffsets(value);
      text += JSON.stringify(value);
      strings.push({ text: value, at: (i) => start + 1 + (offsets[i] ?? offsets[offsets.length - 1]!), field: path });
      leaves.push({ path, key, value, span: { start: start + 1, end: text.length - 1 }, siblings });
    } else if (typeof value === 'number') {
      const start = text.length;
      text += JSON.stringify(value);
      if (Number.isFinite(value)) leaves.push({ path, key, value, span: { start, end: text.length }, siblings });
    } else {
      text += JSON.stringify(value) ?? 'null';
    }
  };
  emit(answer, '', '', {});
  return { text, strings, leaves };
}

/** For each index of `raw` (and one past the end), its offset inside the JSON string literal's content. */
function escapedOffsets(raw: string): number[] {
  const offsets: number[] = [];
  let at = 0;
  for (let i = 0; i < raw.length; i++) {
    offsets.push(at);
    const code = raw.charCodeAt(i);
    const next = raw.charCodeAt(i + 1);
    if (code >= 0xd800 && code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      offsets.push(at + 1);
      at += 2;
      i++;
      continue;
    }
    at += JSON.stringify(raw[i]!).length - 2;
  }
  offsets.push(at);
  return offsets;
}

// ---------------------------------------------------------------------------------------------
// Sentences, clauses and mentions

interface Sentence {
  start: number;
  end: number;
  question: boolean;
  clauses: Array<[number, number]>;
}

function splitSentences(text: string): Sentence[] {
  const sentences: Sentence[] = [];
  const boundary = /[.!?]+(?=\s|$)|\n+/g;
  let start = 0;
  const push = (end: number) => {
    if (end > start && text.slice(start, end).trim() !== '') {
      const body = text.slice(start, end).trim();
      sentences.push({ start, end, question: /\?$/.test(body), clauses: splitClauses(text, start, end) });
    }
    start = end;
  };
  for (const m of text.matchAll(boundary)) {
    if (m[0] === '.' && !endsSentence(text, m.index)) continue;
    push(m.index + m[0].length);
  }
  push(text.length);
  return sentences;
}

const TITLES = new Set(['mr', 'mrs', 'ms', 'mx', 'dr', 'prof', 'st']);
const ABBREVIATIONS = new Set(['e.g', 'i.e', 'etc', 'vs', 'approx', 'incl', 'excl', 'no', 'nr', 'ca', 'cf', 'est']);

/** Whether the period at `at` ends a sentence, rather than an abbreviation ("e.g.", "Dr.", "Oct. 2"). */
function endsSentence(text: string, at: number): boolean {
  const word = /([A-Za-z.]+)$/.exec(text.slice(Math.max(0, at - 12), at))?.[1]?.toLowerCase() ?? '';
  const next = /^\s+(\S)/.exec(text.slice(at + 1))?.[1] ?? '';
  if (TITLES.has(word)) return false;
  if (MONTHS[word] !== undefined && word.length <= 4 && /\d/.test(next)) return false;
  if (ABBREVIATIONS.has(word)) return /[A-Z]/.test(next);
  return true;
}

function splitClauses(text: string, start: number, end: number): Array<[number, number]> {
  const clauses: Array<[number, number]> = [];
  const part = text.slice(start, end);
  const boundary = /[,;:]\s|\s(?:and|but|while|whereas|although|though|however)\s|\s[–—-]\s/gi;
  let s = 0;
  for (const m of part.matchAll(boundary)) {
    clauses.push([start + s, start + m.index + 1]);
    s = m.index + 1;
  }
  clauses.push([start + s, end]);
  return clauses;
}

interface Mention {
  start: number;
  end: number;
  entities: EntityView[];
  /** Named: an identifier or an alias, not "your order". */
  explicit: boolean;
  text: string;
}

function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && /[A-Za-z0-9_]/.test(ch);
}

const TYPE_QUALIFIERS = 'most recent|latest|newest|last|recent|first|earliest|oldest|previous|other|new|current';

function findMentions(text: string, knowledge: Knowledge): Mention[] {
  const lower = text.toLowerCase();
  const found: Mention[] = [];
  for (const [key, v] of knowledge.entities) {
    if (key.length < 2) continue;
    const numeric = /^\d+$/.test(key);
    for (let i = lower.indexOf(key); i >= 0; i = lower.indexOf(key, i + 1)) {
      const end = i + key.length;
      if (isWordChar(lower[i - 1]) || isWordChar(lower[end])) continue;
      if (numeric && !/(?:#|\b(?:no\.?|number|order|invoice|ticket|id)\s*#?\s*)$/i.test(text.slice(Math.max(0, i - 12), i))) continue;
      found.push({ start: i, end, entities: [v], explicit: true, text: text.slice(i, end) });
    }
  }
  for (const { alias, entity, caseSensitive } of knowledge.aliases) {
    const haystack = caseSensitive ? text : lower;
    for (let i = haystack.indexOf(alias); i >= 0; i = haystack.indexOf(alias, i + 1)) {
      const end = i + alias.length;
      if (isWordChar(lower[i - 1]) || isWordChar(lower[end])) continue;
      found.push({ start: i, end, entities: [entity], explicit: true, text: text.slice(i, end) });
    }
  }
  if (knowledge.typePhrase) {
    for (const m of text.matchAll(knowledge.typePhrase)) {
      const type = knowledge.typeNouns.get(m[2]!.toLowerCase())!;
      let entities = (knowledge.byType.get(type) ?? []).slice();
      const qualifier = m[1]?.toLowerCase();
      if (qualifier === 'other') {
        const named = new Set(found.filter((f) => f.start < m.index).flatMap((f) => f.entities));
        entities = entities.filter((e) => !named.has(e));
      } else if (qualifier) {
        const byDate = orderByCreation(entities);
        if (byDate) {
          if (/most recent|latest|newest|last|recent|current|new/.test(qualifier)) entities = [byDate[byDate.length - 1]!];
          else if (/first|earliest|oldest/.test(qualifier)) entities = [byDate[0]!];
        }
      }
      if (entities.length > 0) found.push({ start: m.index, end: m.index + m[0].length, entities, explicit: false, text: m[0] });
    }
  }
  // "the other one", "the earlier one": one of the entities not named so far.
  for (const m of text.matchAll(/\b(?:the|your)\s+(?:other|earlier|older|previous|first|second|newer|later|latest|newest|last)\s+(?:one|order)s?\b/gi)) {
    if (found.some((f) => m.index < f.end && m.index + m[0].length > f.start)) continue;
    const named = found.filter((f) => f.explicit && f.start < m.index).flatMap((f) => f.entities);
    const types = new Set(named.map((e) => e.ref.type));
    const pool = [...knowledge.byType.entries()].filter(([t]) => types.size === 0 || types.has(t)).flatMap(([, list]) => list);
    const rest = pool.filter((e) => !named.includes(e));
    const entities = rest.length > 0 ? rest : pool;
    if (entities.length > 0) found.push({ start: m.index, end: m.index + m[0].length, entities, explicit: false, text: m[0] });
  }
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: Mention[] = [];
  for (const m of found) {
    const last = kept[kept.length - 1];
    if (last && m.start < last.end) continue;
    // "your order ord_7", "your order (ord_7)": the phrase is the named entity.
    if (last && !last.explicit && m.explicit && m.entities.length === 1 && last.entities.includes(m.entities[0]!) && /^[\s,(:]{1,3}$/.test(text.slice(last.end, m.start))) {
      last.entities = m.entities;
    }
    kept.push(m);
  }
  return kept;
}

/** The entities by creation date, oldest first; undefined when some lack one. */
function orderByCreation(entities: readonly EntityView[]): EntityView[] | undefined {
  const dated = entities.map((e) => ({ e, d: e.dates.find((d) => d.role === 'created' || d.role === 'other')?.value }));
  if (dated.some((x) => x.d === undefined)) return undefined;
  return dated.sort((a, b) => (a.d! < b.d! ? -1 : a.d! > b.d! ? 1 : 0)).map((x) => x.e);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** How surely a claim is about the entities it was attached to. */
type Attachment = 'named' | 'clause' | 'sentence' | 'focus' | 'only' | 'any';
const ATTACHMENT_SCORE: Record<Attachment, number> = { named: 0.9, clause: 0.85, sentence: 0.8, focus: 0.75, only: 0.7, any: 0.6 };

interface Target {
  entities: EntityView[];
  attachment: Attachment;
  /** How the answer named them, e.g. `ord_7`, `your order`. */
  label: string;
  /** The mention the claim was attached to. */
  mention?: Mention;
  /** Other entities of the sentence: a claim that fits one of them is not reported (crossed attachments). */
  alternatives?: EntityView[];
  /** The entities the sentence names (identifiers, aliases, unambiguous phrases), for values that may be crossed ("ord_7 and ord_6 were placed on 2 October and 14 September"). */
  sentenceNamed?: EntityView[];
}

interface SentenceContext {
  text: string;
  sentence: Sentence;
  /** The sentence's mentions. */
  mentions: Mention[];
  /** Entities of the most recent sentence with mentions (what "it" refers to). */
  focus: EntityView[];
  knowledge: Knowledge;
}

function clauseAt(sentence: Sentence, pos: number): [number, number] {
  return sentence.clauses.find(([s, e]) => pos >= s && pos < e) ?? [sentence.start, sentence.end];
}

/** Attaches a claim at `pos` to the entities it is most likely about, among those `has` accepts. */
function resolveTarget(sc: SentenceContext, pos: number, has: (e: EntityView) => boolean): Target | undefined {
  const [cs, ce] = clauseAt(sc.sentence, pos);
  const focus = sc.focus.filter(has);
  const filtered = (m: Mention) => {
    const entities = m.entities.filter(has);
    // "your order" among several orders, after a sentence (or a JSON field) about one of them: that one.
    if (!m.explicit && entities.length > 1) {
      const focused = entities.filter((e) => focus.includes(e));
      if (focused.length > 0) return focused;
    }
    return entities;
  };
  const inSentence = sc.mentions.filter((m) => m.start >= sc.sentence.start && m.start < sc.sentence.end && filtered(m).length > 0);
  const sentenceEntities = [...new Set(inSentence.flatMap(filtered))];
  const sentenceNamed = [...new Set(inSentence.filter((m) => m.explicit || filtered(m).length === 1).flatMap(filtered))];
  const inClause = inSentence.filter((m) => m.start >= cs && m.start < ce);
  const pick = (m: Mention, near: Attachment): Target => {
    const entities = filtered(m);
    const attachment: Attachment = entities.length > 1 ? 'any' : m.explicit ? near : near === 'named' ? 'clause' : near;
    return { entities, attachment, label: labelOf(m, entities), mention: m };
  };
  if (inClause.length > 0) {
    const before = inClause.filter((m) => m.start <= pos);
    return { ...pick(before.length > 0 ? before[before.length - 1]! : inClause[0]!, 'named'), sentenceNamed };
  }
  if (inSentence.length > 0) {
    const before = inSentence.filter((m) => m.start <= pos);
    if (before.length > 0) return { ...pick(before[before.length - 1]!, 'sentence'), alternatives: sentenceNamed, sentenceNamed };
    return { entities: sentenceEntities, attachment: sentenceEntities.length === 1 ? 'sentence' : 'any', label: sentenceEntities.length === 1 ? labelOf(inSentence[0]!, sentenceEntities) : 'the entities it mentions', sentenceNamed };
  }
  if (focus.length > 0) return { entities: focus, attachment: focus.length === 1 ? 'focus' : 'any', label: focus.map((e) => e.ref.id).join(' / ') };
  const all = sc.knowledge.described.filter(has);
  if (all.length === 0) return undefined;
  return { entities: all, attachment: all.length === 1 ? 'only' : 'any', label: all.length === 1 ? all[0]!.ref.id : `any ${typeLabel(all)}` };
}

/** The entities a claim may be about: its target, and the other entities of its sentence when the attachment was loose. */
function candidatesOf(target: Target): EntityView[] {
  return [...new Set([...target.entities, ...(target.alternatives ?? [])])];
}

function labelOf(m: Mention, entities: readonly EntityView[]): string {
  if (m.explicit) return entities.length === 1 && entities[0]!.ref.id.toLowerCase() !== m.text.toLowerCase() ? `${m.text} (${entities[0]!.ref.id})` : m.text;
  const phrase = m.text.toLowerCase();
  return entities.length === 1 ? `${phrase} (${entities[0]!.ref.id})` : phrase;
}

function typeLabel(entities: readonly EntityView[]): string {
  const types = [...new Set(entities.map((e) => e.ref.type))];
  return types.length === 1 ? types[0]!.replace(/_/g, ' ') : 'entity';
}

// ---------------------------------------------------------------------------------------------
// The check

/**
 * Checks a final answer against the facts of the session's tool outputs. Reports a claim only when it
 * contradicts every entity it could be about; each finding has the claim's span in
 * {@link GroundingVerdict.checkedText} and a message saying what contradicts what, fit to show the
 * model in a repair turn.
 */
export function checkGrounding(answer: GroundingAnswer, facts: readonly Fact[], options: GroundingOptions = {}): GroundingVerdict {
  const opts: Required<GroundingOptions> = { ...DEFAULT_GROUNDING_OPTIONS, ...options };
  const knowledge = buildKnowledge(facts);
  const findings: GuardrailFinding[] = [];
  if (typeof answer === 'string') {
    checkText({ text: answer, at: (i) => i }, knowledge, opts, [], findings);
    return { findings: sortFindings(findings), checkedText: answer };
  }
  const serialised = serialiseAnswer(answer);
  const fieldFocus = checkFields(serialised.leaves, knowledge, opts, findings);
  const fieldLeafPaths = new Set(serialised.leaves.filter((l) => isStructuredLeaf(l)).map((l) => l.path));
  for (const segment of serialised.strings) {
    if (segment.field !== undefined && fieldLeafPaths.has(segment.field)) continue;
    checkText(segment, knowledge, opts, fieldFocus, findings);
  }
  return { findings: sortFindings(findings), checkedText: serialised.text };
}

function sortFindings(findings: GuardrailFinding[]): GuardrailFinding[] {
  return findings.sort((a, b) => (a.span?.start ?? 0) - (b.span?.start ?? 0));
}

function finding(kind: GroundingKind, score: number, span: TextSpan, message: string): GuardrailFinding {
  return { detector: `grounding.${kind}`, category: 'grounding', kind, score, span, message };
}

function checkText(segment: Segment, knowledge: Knowledge, opts: Required<GroundingOptions>, initialFocus: EntityView[], out: GuardrailFinding[]): void {
  const { text } = segment;
  const mentions = findMentions(text, knowledge);
  const who = segment.field !== undefined ? `answer field ${segment.field}` : 'answer';
  const span = (s: number, e: number): TextSpan => ({ start: segment.at(s), end: segment.at(e) });
  let focus = initialFocus;
  for (const sentence of splitSentences(text)) {
    const here = mentions.filter((m) => m.start >= sentence.start && m.start < sentence.end);
    const sc: SentenceContext = { text, sentence, mentions: here, focus, knowledge };
    if (!sentence.question) {
      checkIdentifiers(sc, who, span, opts, out);
      checkStatuses(sc, who, span, out);
      const moneySpans = checkAmounts(sc, who, span, opts, out);
      checkDates(sc, who, span, opts, moneySpans, out);
      checkCounts(sc, who, span, out);
      checkProfile(sc, who, span, out);
    }
    if (here.length > 0) {
      const explicit = here.filter((m) => m.explicit);
      const last = (explicit.length > 0 ? explicit : here)[explicit.length > 0 ? explicit.length - 1 : here.length - 1]!;
      focus = last.entities;
    }
  }
}

type SpanOf = (start: number, end: number) => TextSpan;

// --- identifiers

const NOT_FOUND = /\b(?:couldn't find|could not find|can't find|cannot find|can not find|unable to (?:find|locate)|no record of|no trace of|doesn't exist|does not exist|did not find|didn't find|not found|no such|don't see|do not see|isn't (?:on|in|linked)|is not (?:on|in|linked)|not (?:on|linked to) your|invalid|not recogni[sz]e|no (?:order|invoice|ticket|payment|customer|record|account) (?:with|called|named|number))/i;

function checkIdentifiers(sc: SentenceContext, who: string, span: SpanOf, opts: Required<GroundingOptions>, out: GuardrailFinding[]): void {
  const { text, sentence, knowledge } = sc;
  const body = text.slice(sentence.start, sentence.end);
  const idPattern = /(?<![\w@/.-])([A-Za-z]{1,12}[_-][A-Za-z0-9]+)(?![\w@-])/g;
  for (const m of body.matchAll(idPattern)) {
    const id = m[1]!;
    const prefix = prefixOf(id);
    if (!prefix || knowledge.entities.has(id.toLowerCase())) continue;
    const type = knowledge.prefixes.get(prefix);
    if (!type || (prefix.endsWith('-') && !/\d/.test(id))) continue;
    const start = sentence.start + m.index;
    const [cs, ce] = clauseAt(sentence, start);
    if (NOT_FOUND.test(text.slice(sentence.start, sentence.end)) || NOT_FOUND.test(text.slice(cs, ce))) continue;
    out.push(finding('identifier', 0.9, span(start, start + id.length), `${who} mentions ${type.replace(/_/g, ' ')} ${id}, which no tool returned (${knownList(knowledge, type, opts)})`));
  }
}

function knownList(knowledge: Knowledge, type: string, opts: Required<GroundingOptions>): string {
  const ids = (knowledge.byType.get(type) ?? []).map((e) => e.ref.id);
  const noun = plural(type.replace(/_/g, ' '));
  if (ids.length === 0) return `no ${noun} known`;
  const shown = ids.slice(0, opts.maxListedIdentifiers).join(', ');
  return `known ${noun}: ${shown}${ids.length > opts.maxListedIdentifiers ? `, … ${ids.length - opts.maxListedIdentifiers} more` : ''}`;
}

// --- statuses

interface StatusClaim {
  cls: StatusClass;
  present: boolean;
  negated: boolean;
  label: string;
}

/** Whether a status of class `fact` tells anything about a claim of class `claim` (an order's path, a ticket's, an invoice's open/paid). */
function comparable(claim: StatusClass, fact: StatusClass): boolean {
  if (TICKET_CLASSES.has(claim) === TICKET_CLASSES.has(fact)) return true;
  return (claim === 'paid' && fact === 'open') || (claim === 'open' && fact === 'paid');
}

/** The entity's statuses that can confirm or contradict a claim of class `cls`. */
function statusesFor(e: EntityView, cls: StatusClass): StatusFact[] {
  return e.statuses.filter((s) => {
    const c = statusClassOf(s.value);
    return c !== undefined && comparable(cls, c);
  });
}

/** "all your orders", "both orders": the claim is about every entity of the phrase, not one of them. */
const QUANTIFIED = /\b(?:all|both|each|every)\b(?:\s+(?:\d+|two|three|four|five|six))?(?:\s+of)?(?:\s+(?:your|the|these|those|my))?(?:\s+\w+)?\s+(?:orders|items|invoices|payments|tickets|parcels|packages|one)\b|\b(?:both|all)\s+(?:have|are|were|had)\b|\bhave\s+(?:all|both)\b|\bare\s+(?:all|both)\b/i;

function checkStatuses(sc: SentenceContext, who: string, span: SpanOf, out: GuardrailFinding[]): void {
  const { text, sentence, knowledge } = sc;
  const body = text.slice(sentence.start, sentence.end);
  const matches: Array<{ start: number; end: number; phrase: (typeof STATUS_PHRASES)[number] }> = [];
  for (const phrase of STATUS_PHRASES) {
    for (const m of body.matchAll(phrase.re)) matches.push({ start: sentence.start + m.index, end: sentence.start + m.index + m[0].length, phrase });
  }
  matches.sort((a, b) => a.start - b.start || b.end - a.end);
  const foreign = knowledge.foreignSubject;
  let lastEnd = -1;
  for (const { start, end, phrase } of matches) {
    if (start < lastEnd) continue;
    lastEnd = end;
    const [cs, ce] = clauseAt(sentence, start);
    const mentionBefore = sc.mentions.filter((m) => m.start >= cs && m.end <= start).pop();
    // The status word's own verb group: "hasn't shipped", not "hasn't shipped because it is being processed".
    const lead = text.slice(Math.max(cs, mentionBefore?.end ?? cs, start - 48), start).replace(/^.*\b(?:because|but|so|as|since|which|that|while|and|it|it's|it’s|they|they're)\b/is, '');
    const clauseLead = text.slice(cs, start);
    const next = /^\W*([A-Za-z-]+)/.exec(text.slice(end, ce))?.[1]?.toLowerCase();
    if (next && ADJECTIVE_TARGETS.has(next)) continue;
    if (MODAL.test(clauseLead)) continue;
    if (foreign.test(subjectWindow(sc, start, mentionBefore))) continue;
    const explicitInClause = sc.mentions.some((m) => m.explicit && m.start >= cs && m.start < ce);
    if (!explicitInClause && GENERIC_STATEMENT.test(body)) continue;
    const claim: StatusClaim = {
      cls: phrase.cls,
      // "status: shipped" says what it is now, like "still" does.
      present: phrase.present || PRESENT_MARKER.test(lead) || /\b(?:status|state)\s*(?:is|:|=|–|-)?\s*(?:now\s+|currently\s+)?["'“*]*$/i.test(text.slice(sentence.start, start)),
      negated: NEGATION.test(lead),
      label: phrase.label,
    };
    const target = resolveTarget(sc, start, (e) => statusesFor(e, claim.cls).length > 0);
    if (!target) continue;
    const supports = (e: EntityView) => statusesFor(e, claim.cls).some((s) => !statusContradicts(claim, statusClassOf(s.value)!));
    const quantifier = explicitInClause ? null : QUANTIFIED.exec(text.slice(cs, ce));
    const quantified = quantifier !== null;
    const contradicted = quantified ? target.entities.filter((e) => !supports(e)) : candidatesOf(target).some(supports) ? [] : target.entities;
    if (contradicted.length === 0) continue;
    const evidence = contradicted.map((e) => {
      const shown = statusesFor(e, claim.cls).pop()!;
      return `${shown.source} returned ${shown.key} "${shown.value}" for ${e.ref.id}`;
    });
    const label = quantifier ? (/\b(?:orders|items|invoices|payments|tickets|parcels|packages)\b/i.test(quantifier[0]) ? quantifier[0].trim().toLowerCase() : `all of ${target.label}`) : target.label;
    out.push(finding('status', ATTACHMENT_SCORE[quantified ? 'sentence' : target.attachment], span(start, end), `${who} says ${label} ${quantified ? 'are' : 'is'} ${claim.negated ? 'not ' : ''}${claim.label}; ${evidence.join('; ')}`));
  }
}

/**
 * The text that may hold a status claim's subject: from the entity named before it in its clause, or,
 * when that entity is an object ("the payment for ord_7 failed") or there is none, from the
 * sentence's start ("your refund request for ord_1001 … is pending"). Mentions themselves are left out.
 */
function subjectWindow(sc: SentenceContext, start: number, mentionBefore: Mention | undefined): string {
  const { text, sentence } = sc;
  const asObject = mentionBefore !== undefined && /\b(?:for|of|on|with|about|to|from|in)\s+$/i.test(text.slice(Math.max(sentence.start, mentionBefore.start - 8), mentionBefore.start));
  const from = mentionBefore && !asObject ? mentionBefore.end : sentence.start;
  let window = '';
  let at = from;
  for (const m of sc.mentions) {
    if (m.end <= at || m.start >= start) continue;
    window += `${text.slice(at, Math.max(at, m.start))} `;
    at = m.end;
  }
  return window + text.slice(at, start);
}

function statusContradicts(claim: StatusClaim, fact: StatusClass): boolean {
  const c = LIFECYCLE_RANK[claim.cls];
  const f = LIFECYCLE_RANK[fact];
  if (claim.negated) {
    if (claim.cls === fact) return true;
    if (c !== undefined && f !== undefined) return f > c;
    return false;
  }
  if (claim.cls === fact) return false;
  if (TICKET_CLASSES.has(claim.cls) || TICKET_CLASSES.has(fact)) return true; // open vs resolved, open vs paid
  if (c !== undefined && f !== undefined) {
    if (c === f) return false; // paid ~ processing
    if (c > f) return true; // claims more progress than there is
    return claim.present; // "is pending" for a shipped order; "was paid" for a shipped one is fine
  }
  if (c === undefined && f === undefined) return claim.cls === 'failed' || fact === 'failed';
  if (c === undefined) return true; // "cancelled" / "refunded" for an order on its way
  // The order left the path (cancelled, refunded, returned, failed); the claim is on it.
  if (fact === 'cancelled') return claim.cls !== 'paid';
  if (fact === 'failed') return claim.cls !== 'pending';
  return claim.present; // refunded or returned: it was paid, shipped, delivered before
}

// --- amounts

interface MoneyClaim {
  start: number;
  end: number;
  text: string;
  /** Major units, as written (e.g. 129.99). */
  major?: number;
  /** Minor units, when written so (`12999 cents`) or from a `*Cents` field. */
  minor?: number;
  currency?: string;
  hasFraction: boolean;
  qualifier?: 'approx' | 'over' | 'at_least' | 'under' | 'at_most';
}

const MONEY_NUMBER = "(\\d{1,3}(?:[.,\\u00a0\\u202f' ]\\d{3})+(?:[.,]\\d{1,2})?|\\d+(?:[.,]\\d{1,2})?)";
const MONEY_PREFIX = new RegExp(`(US\\$|C\\$|A\\$|€|\\$|£|¥|\\b(?:EUR|USD|GBP|JPY|CHF|CAD|AUD)(?![A-Za-z]))\\s?${MONEY_NUMBER}(?![\\d.,]\\d)(?!\\s?(?:%|percent))`, 'gi');
const MONEY_SUFFIX = new RegExp(`(?<![\\w.,])${MONEY_NUMBER}\\s?(€|\\$|£|¥|\\b(?:EUR|USD|GBP|JPY|CHF|CAD|AUD|euros?|dollars?|pounds?|yen|cents?)\\b)`, 'gi');

function parseMoneyNumber(raw: string): { value: number; hasFraction: boolean } {
  const s = raw.replace(/[\u00a0\u202f' ]/g, ',');
  const lastSep = Math.max(s.lastIndexOf('.'), s.lastIndexOf(','));
  if (lastSep < 0) return { value: Number(s), hasFraction: false };
  const decimals = s.length - lastSep - 1;
  if (decimals === 3) return { value: Number(s.replace(/[.,]/g, '')), hasFraction: false };
  const intPart = s.slice(0, lastSep).replace(/[.,]/g, '');
  return { value: Number(`${intPart}.${s.slice(lastSep + 1)}`), hasFraction: true };
}

function findMoney(text: string, from: number, to: number): MoneyClaim[] {
  const body = text.slice(from, to);
  const claims: MoneyClaim[] = [];
  for (const m of body.matchAll(MONEY_PREFIX)) {
    const { value, hasFraction } = parseMoneyNumber(m[2]!);
    claims.push({ start: from + m.index, end: from + m.index + m[0].length, text: m[0], major: value, hasFraction, currency: CURRENCY_TOKENS[m[1]!.toLowerCase()] });
  }
  for (const m of body.matchAll(MONEY_SUFFIX)) {
    const start = from + m.index;
    const end = start + m[0].length;
    if (claims.some((c) => start < c.end && end > c.start)) continue;
    const unit = m[2]!.toLowerCase();
    const { value, hasFraction } = parseMoneyNumber(m[1]!);
    if (unit.startsWith('cent')) {
      if (hasFraction) continue;
      claims.push({ start, end, text: m[0], minor: value, hasFraction: true });
    } else claims.push({ start, end, text: m[0], major: value, hasFraction, currency: CURRENCY_TOKENS[unit] });
  }
  for (const c of claims) {
    const lead = text.slice(Math.max(from, c.start - 28), c.start).toLowerCase();
    if (/(?:about|around|approximately|approx\.?|roughly|~|almost|nearly|close to|circa|ca\.|some|just over|just under|a little (?:over|under|more than|less than))\s*$/.test(lead)) c.qualifier = 'approx';
    else if (/between\s+\S+\s+and\s*$|\d\s*(?:[a-z]{3}\s*)?(?:-|–|to)\s*$/.test(lead)) c.qualifier = 'at_most'; // the top of a range
    else if (/between\s*$/.test(lead)) c.qualifier = 'at_least';
    else if (/(?:more than|over|above|exceeding|upwards of)\s*$/.test(lead)) c.qualifier = 'over';
    else if (/(?:at least|minimum of|no less than)\s*$/.test(lead)) c.qualifier = 'at_least';
    else if (/(?:less than|under|below)\s*$/.test(lead)) c.qualifier = 'under';
    else if (/(?:at most|up to|no more than|maximum of|max\.?)\s*$/.test(lead)) c.qualifier = 'at_most';
  }
  return claims.sort((a, b) => a.start - b.start);
}

function amountMatches(claim: MoneyClaim, fact: AmountFact, opts: Required<GroundingOptions>): boolean {
  const exp = currencyExponent(claim.currency ?? fact.currency);
  const claimMinor = claim.minor ?? Math.round((claim.major ?? 0) * 10 ** exp);
  const values = fact.unitsUncertain && typeof fact.raw === 'number' ? [fact.value, fact.raw] : [fact.value];
  const unit = 10 ** exp;
  return values.some((f) => {
    switch (claim.qualifier) {
      case 'approx':
        return Math.abs(claimMinor - f) <= Math.max(opts.approximateTolerance * Math.abs(f), unit);
      case 'over':
        return f > claimMinor;
      case 'at_least':
        return f >= claimMinor;
      case 'under':
        return f < claimMinor;
      case 'at_most':
        return f <= claimMinor;
      default:
        return claim.hasFraction ? claimMinor === f : Math.abs(claimMinor - f) < unit;
    }
  });
}

function currencyClash(claim: MoneyClaim, fact: AmountFact): boolean {
  return claim.currency !== undefined && fact.currency !== undefined && claim.currency !== fact.currency && !(claim.currency === 'USD' && /\$/.test(claim.text) && ['CAD', 'AUD', 'NZD', 'SGD', 'HKD', 'MXN'].includes(fact.currency));
}

/** A fact's amount as a person reads it: `EUR 129.99`, or `129.99` without a currency. */
function formatAmount(minor: number, currency: string | undefined): string {
  const exp = currencyExponent(currency);
  const major = (minor / 10 ** exp).toFixed(exp);
  return currency ? `${currency} ${major}` : major;
}

function describeAmount(f: AmountFact): string {
  return `${f.key} ${typeof f.raw === 'string' ? `"${f.raw}"` : f.raw} (${formatAmount(f.value, f.currency)})`;
}

const REFUND_CONTEXT = /\b(?:refund(?:ed|ing|s)?|reimburs\w*|credited back|money back|pay(?:ing)? you back|back to (?:you|your (?:card|account|bank)))\b/i;
const OTHER_ROLE_CONTEXT: ReadonlyArray<[RegExp, AmountRole]> = [
  [/\b(?:shipping|postage|delivery (?:fee|charge|cost))\b/i, 'shipping'],
  [/\b(?:tax|vat)\b/i, 'tax'],
  [/\b(?:discount|voucher|coupon|gift card|credit|goodwill|off)\b/i, 'discount'],
  [/\b(?:fee|surcharge|penalty)\b/i, 'fee'],
  [/\b(?:subtotal)\b/i, 'subtotal'],
];
const TOTAL_CONTEXT = /\b(?:total|totals|totalled|totaled|cost|costs|costing|price|priced|charged|paid|pay|amount|came to|comes to|worth|spent|bill|billed|value|for)\b/i;

/**
 * What an amount in the answer is, from the words around it in its clause; `weak` when only another
 * clause of the sentence speaks of a refund ("ord_7 has been refunded: €50.00 is on its way back").
 */
function amountRoleNear(text: string, sentence: Sentence, cs: number, ce: number, claim: MoneyClaim): { role: AmountRole; weak: boolean } {
  const before = text.slice(Math.max(cs, claim.start - 40), claim.start);
  const after = text.slice(claim.end, Math.min(ce, claim.end + 24));
  const around = `${before} ${after}`;
  if (REFUND_CONTEXT.test(around)) return { role: 'refund', weak: false };
  if (/^\W*(?:incl(?:uding|\.)?|inc\.?|with|plus)\s+(?:vat|tax(?:es)?|shipping|postage|delivery)\b/i.test(after)) return { role: 'total', weak: false };
  for (const [re, role] of OTHER_ROLE_CONTEXT) if (re.test(before.slice(-20)) || re.test(after)) return { role, weak: false };
  if (REFUND_CONTEXT.test(text.slice(sentence.start, sentence.end))) return { role: 'refund', weak: true };
  return { role: 'total', weak: false };
}

/** Checks money in the sentence; returns the spans it read so that dates do not read them again. */
function checkAmounts(sc: SentenceContext, who: string, span: SpanOf, opts: Required<GroundingOptions>, out: GuardrailFinding[]): TextSpan[] {
  const { text, sentence } = sc;
  const claims = findMoney(text, sentence.start, sentence.end);
  for (const claim of claims) {
    const [cs, ce] = clauseAt(sentence, claim.start);
    const { role, weak } = amountRoleNear(text, sentence, cs, ce, claim);
    const clauseText = text.slice(cs, ce);
    const modal = MODAL.test(text.slice(cs, claim.start));
    if (role === 'refund') {
      checkRefund(sc, claim, modal, weak, who, span, opts, out);
      continue;
    }
    const totalLike = (f: AmountFact) => (role === 'total' ? f.role === 'total' || f.role === 'subtotal' || f.role === 'balance' : f.role === role);
    const target = resolveTarget(sc, claim.start, (e) => e.amounts.some(totalLike));
    if (!target) continue;
    if (target.attachment === 'any' && !TOTAL_CONTEXT.test(clauseText)) continue;
    if (modal && target.attachment !== 'named') continue;
    const candidates = target.entities.flatMap((e) => e.amounts.filter(totalLike));
    if (candidates.some((f) => amountMatches(claim, f, opts) && !currencyClash(claim, f))) continue;
    // Sums ("€178 for both orders") and crossed attachments ("ord_6 and ord_7 cost €45.50 and €129.99 respectively").
    const sentenceEntities = target.sentenceNamed ?? [];
    const pool = [...new Set([...candidatesOf(target), ...sentenceEntities])];
    const poolFacts = pool.map((e) => e.amounts.filter(totalLike)).filter((l) => l.length > 0);
    if (poolFacts.flat().some((f) => amountMatches(claim, f, opts) && !currencyClash(claim, f))) continue;
    if (poolFacts.length > 1 && subsetSumMatches(claim, poolFacts.map((l) => l[0]!), opts)) continue;
    const clash = candidates.find((f) => amountMatches(claim, f, opts));
    const evidence = target.entities
      .map((e) => {
        const f = e.amounts.filter(totalLike).pop();
        return f ? `${f.source} returned ${describeAmount(f)} for ${e.ref.id}` : undefined;
      })
      .filter((x): x is string => x !== undefined);
    const what = clash ? `${claim.text} (a different currency)` : claim.text;
    const roleWord = role === 'total' ? 'amount' : `${role} amount`;
    out.push(finding('amount', ATTACHMENT_SCORE[target.attachment], span(claim.start, claim.end), `${who} gives ${what} as the ${roleWord} of ${target.label}; ${evidence.join('; ')}`));
  }
  return claims.map((c) => ({ start: c.start, end: c.end }));
}

function subsetSumMatches(claim: MoneyClaim, facts: readonly AmountFact[], opts: Required<GroundingOptions>): boolean {
  const list = facts.slice(0, 10);
  const currency = list[0]?.currency;
  if (list.some((f) => f.currency !== currency)) return false;
  for (let mask = 1; mask < 1 << list.length; mask++) {
    if ((mask & (mask - 1)) === 0) continue;
    let sum = 0;
    list.forEach((f, i) => {
      if (mask & (1 << i)) sum += f.value;
    });
    const pseudo: AmountFact = { source: '', path: '', key: '', attribute: 'amount', value: sum, role: 'total', raw: sum };
    if (currency) pseudo.currency = currency;
    if (amountMatches(claim, pseudo, opts)) return true;
  }
  return false;
}

function checkRefund(sc: SentenceContext, claim: MoneyClaim, modal: boolean, weak: boolean, who: string, span: SpanOf, opts: Required<GroundingOptions>, out: GuardrailFinding[]): void {
  const target = resolveTarget(sc, claim.start, (e) => e.refunds.length > 0 || e.amounts.some((f) => f.role === 'total' || f.role === 'subtotal'));
  if (!target) return;
  const exceeded: string[] = [];
  const mismatched: string[] = [];
  let supported = false;
  for (const e of target.entities) {
    if (e.refunds.length > 0 && !modal) {
      const pool = weak ? [...e.refunds, ...e.amounts] : e.refunds; // a weak refund reading may be the order's own amount
      if (pool.some((f) => amountMatches(claim, f, opts) && !currencyClash(claim, f))) {
        supported = true;
        break;
      }
      const f = e.refunds[e.refunds.length - 1]!;
      mismatched.push(`${f.source} returned a refund of ${describeAmount(f)} for ${e.ref.id}`);
      continue;
    }
    const totals = e.amounts.filter((f) => f.role === 'total' || f.role === 'subtotal');
    if (totals.length === 0) {
      supported = true;
      break;
    }
    const largest = totals.reduce((a, b) => (b.value >= a.value ? b : a));
    const exp = currencyExponent(claim.currency ?? largest.currency);
    const claimMinor = claim.minor ?? Math.round((claim.major ?? 0) * 10 ** exp);
    const limit = Math.max(...totals.flatMap((f) => (f.unitsUncertain && typeof f.raw === 'number' ? [f.value, f.raw] : [f.value])));
    if (claim.qualifier === 'approx' || claim.qualifier === 'under' || claimMinor <= limit + (claim.hasFraction ? 0 : 10 ** exp - 1)) {
      supported = true;
      break;
    }
    exceeded.push(`${largest.source} returned ${describeAmount(largest)} for ${e.ref.id}`);
  }
  if (supported) return;
  const score = ATTACHMENT_SCORE[target.attachment];
  if (mismatched.length > 0 && exceeded.length === 0) {
    out.push(finding('amount', score, span(claim.start, claim.end), `${who} gives a refund of ${claim.text} for ${target.label}; ${mismatched.join('; ')}`));
  } else {
    out.push(finding('amount', score, span(claim.start, claim.end), `${who} gives a refund of ${claim.text} for ${target.label}, more than its total; ${[...exceeded, ...mismatched].join('; ')}`));
  }
}

// --- dates

interface DateClaim {
  start: number;
  end: number;
  text: string;
  /** Readings (more than one when day and month could be swapped). */
  readings: Array<{ year?: number; month: number; day?: number }>;
}

const DATE_PATTERNS: ReadonlyArray<{ re: RegExp; read: (m: RegExpMatchArray, opts: Required<GroundingOptions>) => DateClaim['readings'] }> = [
  {
    re: /\b(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b/g,
    read: (m) => [{ year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) }],
  },
  {
    re: new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th)?(?:\\s+of)?\\s+(${MONTH_PATTERN})\\b\\.?(?:,?\\s+(\\d{4})\\b)?`, 'gi'),
    read: (m) => [{ year: m[3] ? Number(m[3]) : undefined, month: MONTHS[m[2]!.toLowerCase()]!, day: Number(m[1]) }],
  },
  {
    re: new RegExp(`\\b(${MONTH_PATTERN})\\b\\.?\\s+(\\d{1,2})(?:st|nd|rd|th)?\\b(?![:.,]?\\d)(?:,?\\s+(\\d{4})\\b)?`, 'gi'),
    read: (m) => [{ year: m[3] ? Number(m[3]) : undefined, month: MONTHS[m[1]!.toLowerCase()]!, day: Number(m[2]) }],
  },
  {
    re: /\b(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})\b/g,
    read: (m, opts) => {
      const a = Number(m[1]);
      const b = Number(m[3]);
      const year = m[4]!.length === 2 ? 2000 + Number(m[4]) : Number(m[4]);
      const dayFirst = { year, month: b, day: a };
      const monthFirst = { year, month: a, day: b };
      if (a > 12) return [dayFirst];
      if (b > 12) return [monthFirst];
      if (opts.numericDateOrder === 'day_first' || m[2] === '.') return [dayFirst];
      if (opts.numericDateOrder === 'month_first') return [monthFirst];
      return [dayFirst, monthFirst];
    },
  },
  {
    re: new RegExp(`\\b(${MONTH_PATTERN})\\b\\.?,?\\s+(\\d{4})\\b`, 'gi'),
    read: (m) => [{ year: Number(m[2]), month: MONTHS[m[1]!.toLowerCase()]! }],
  },
  {
    re: new RegExp(`\\bin\\s+(${MONTH_PATTERN})\\b`, 'gi'),
    read: (m) => [{ month: MONTHS[m[1]!.toLowerCase()]! }],
  },
];

function findDates(text: string, from: number, to: number, taken: readonly TextSpan[], opts: Required<GroundingOptions>): DateClaim[] {
  const body = text.slice(from, to);
  const claims: DateClaim[] = [];
  const used: TextSpan[] = [...taken];
  for (const { re, read } of DATE_PATTERNS) {
    for (const m of body.matchAll(re)) {
      const start = from + m.index;
      const end = start + m[0].length;
      if (used.some((u) => start < u.end && end > u.start)) continue;
      // "may" is a verb unless capitalised; "mar", "jun" etc. must be followed by the day to count (handled by the patterns).
      const monthWord = /[A-Za-z]+/.exec(m[0])?.[0];
      if (monthWord && monthWord.toLowerCase() === 'may' && monthWord !== 'May') continue;
      const readings = read(m, opts).filter((r) => r.month >= 1 && r.month <= 12 && (r.day === undefined || (r.day >= 1 && r.day <= 31)));
      if (readings.length === 0) continue;
      // The period after "Oct." belongs to the date, after "October." to the sentence.
      const trimmed = /[A-Za-z]{5,}\.$/.test(m[0]) ? m[0].slice(0, -1) : m[0];
      used.push({ start, end: start + trimmed.length });
      claims.push({ start, end: start + trimmed.length, text: trimmed.trim(), readings });
    }
  }
  return claims.sort((a, b) => a.start - b.start);
}

const DATE_ROLE_WORDS: ReadonlyArray<[RegExp, DateRole]> = [
  [/\b(?:placed|ordered|order date|purchased|bought|made|submitted|created|opened|signed up|joined|registered|customer since|member since|since|issued)\b/gi, 'created'],
  [/\b(?:shipped|dispatched|sent out|sent|left)\b/gi, 'shipped'],
  [/\b(?:delivered|arrived|received)\b/gi, 'delivered'],
  [/\b(?:expected|estimated|eta|should|scheduled|arrive by|arriving|will arrive)\b/gi, 'expected'],
  [/\b(?:due|payable)\b/gi, 'due'],
  [/\b(?:refunded|refund)\b/gi, 'refunded'],
  [/\bcancel+ed\b/gi, 'cancelled'],
];

function dateRoleNear(text: string, sentence: Sentence, cs: number, ce: number, claim: DateClaim): DateRole | undefined {
  if (/\bby\s+(?:the\s+)?$/i.test(text.slice(cs, claim.start))) return 'expected'; // "arrive by 8 October"
  const nearest = (from: number, to: number, after: boolean) => {
    let best: { role: DateRole; distance: number } | undefined;
    for (const [re, role] of DATE_ROLE_WORDS) {
      for (const m of text.slice(from, to).matchAll(re)) {
        const s = from + m.index;
        const e = s + m[0].length;
        if (s >= claim.start && s < claim.end) continue;
        if (!after && s >= claim.end) continue;
        const distance = e <= claim.start ? claim.start - e : s - claim.end + 8; // prefer words before the date
        if (!best || distance < best.distance) best = { role, distance };
      }
    }
    return best?.role;
  };
  // In its clause; else, for "ordered ord_6 on 14 Sep and ord_7 on 12 Oct", the verb earlier in the sentence.
  return nearest(cs, ce, true) ?? nearest(sentence.start, claim.start, false);
}

function addDays(iso: string, days: number): string {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  const t = Date.UTC(y, m - 1, d) + days * 86_400_000;
  const date = new Date(t);
  return `${date.getUTCFullYear()}-${String(date.getUTCMonth() + 1).padStart(2, '0')}-${String(date.getUTCDate()).padStart(2, '0')}`;
}

function dateMatches(claim: DateClaim, fact: DateFact, opts: Required<GroundingOptions>): boolean {
  const slack = fact.hasTime ? opts.timestampSlackDays : 0;
  const days: string[] = [fact.value];
  for (let d = 1; d <= slack; d++) days.push(addDays(fact.value, -d), addDays(fact.value, d));
  return days.some((iso) => {
    const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
    return claim.readings.some((r) => (r.year === undefined || r.year === y) && r.month === m && (r.day === undefined || r.day === d));
  });
}

function readableDate(iso: string): string {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  return `${d} ${MONTH_NAMES[m - 1]} ${y}`;
}

const ROLE_PHRASES: Record<DateRole, string> = {
  created: 'was placed on',
  shipped: 'shipped on',
  delivered: 'was delivered on',
  expected: 'is expected on',
  due: 'is due on',
  refunded: 'was refunded on',
  cancelled: 'was cancelled on',
  updated: 'was updated on',
  other: 'is dated',
};

function checkDates(sc: SentenceContext, who: string, span: SpanOf, opts: Required<GroundingOptions>, taken: readonly TextSpan[], out: GuardrailFinding[]): void {
  const { text, sentence } = sc;
  for (const claim of findDates(text, sentence.start, sentence.end, taken, opts)) {
    const [cs, ce] = clauseAt(sentence, claim.start);
    // "your order from 2 October", "ord_7 (2 Oct)": a date right after the entity dates it.
    const mention = sc.mentions.filter((m) => m.end <= claim.start && claim.start - m.end <= 12).pop();
    const between = mention ? text.slice(mention.end, claim.start) : '';
    const datesEntity = mention !== undefined && /^\s*(?:\(|,)?\s*(?:from|of|dated)?\s*$/i.test(between) && /\S/.test(between);
    let role = datesEntity ? 'created' : dateRoleNear(text, sentence, cs, ce, claim);
    if ((role === 'delivered' || role === 'shipped') && MODAL.test(text.slice(cs, claim.start))) role = 'expected';
    if (role === undefined) continue;
    if (role !== 'expected' && role !== 'due' && FUTURE.test(text.slice(cs, claim.start))) continue; // "will be issued on 15 February"
    const roles: DateRole[] = role === 'created' ? ['created', 'other'] : [role];
    const relevant = (e: EntityView) => e.dates.filter((d) => roles.includes(d.role));
    const target = resolveTarget(sc, claim.start, (e) => relevant(e).length > 0);
    if (!target) continue;
    if (target.attachment === 'any' && target.entities.length > 1 && !target.mention) continue;
    if ([...candidatesOf(target), ...(target.sentenceNamed ?? [])].some((e) => relevant(e).some((d) => dateMatches(claim, d, opts)))) continue;
    const evidence = target.entities.map((e) => {
      const d = relevant(e).pop()!;
      return `${d.source} returned ${d.key} "${d.value}"${d.hasTime ? '' : ` (${readableDate(d.value)})`} for ${e.ref.id}`;
    });
    const phrase = role === 'created' && target.entities.every((e) => e.ref.type !== 'order') ? 'was created on' : ROLE_PHRASES[role];
    out.push(finding('date', ATTACHMENT_SCORE[target.attachment], span(claim.start, claim.end), `${who} says ${target.label} ${phrase} ${claim.text}; ${evidence.join('; ')}`));
  }
}

// --- counts

const COUNT_NUMBER = `(\\d{1,4}|a single|${Object.keys(NUMBER_WORDS).filter((w) => w !== 'a single').join('|')})`;
const COUNT_LEADIN = new RegExp(
  `\\b(you have|you've got|you have got|you currently have|you've placed|you have placed|there are|there is|there's|i can see|i see|i found|we found|i've found|we have|we've got|has|have|contains|containing|with|includes|including|all|your|a total of|total of)\\s+(?:(?:only|just|exactly)\\s+)?${COUNT_NUMBER}\\s+([A-Za-z]+)\\b`,
  'gi',
);
const COUNT_TRAILER = new RegExp(
  `\\b${COUNT_NUMBER}\\s+([A-Za-z]+)\\s+(?:in total|in all|altogether|on (?:your|the|this) account|on file|on record|(?:were|was) (?:found|returned|listed))`,
  'gi',
);
/** What follows a counted noun when the count is of a part ("2 orders in transit", "one order that shipped"). */
const SUBSET_TAIL =
  /^\s+(?:in transit|that|which|who|still|currently|awaiting|pending|being|placed|shipped|delivered|cancell?ed|refunded|returned|waiting|left|on (?:its|their|the) way|to (?:be|go|ship)|from (?:last|this|the|before)|in (?:the|this|last|\d{4})|this|last|since|over|under|above|below|worth|costing|with (?!us\b)|out of|of (?:them|those|these|which))/i;
const COUNT_QUALIFIERS = /\b(?:last|first|latest|recent|past|next|other|another|additional|more|than|over|under|least|most|to|of|only)\s+$/i;

function checkCounts(sc: SentenceContext, who: string, span: SpanOf, out: GuardrailFinding[]): void {
  const { text, sentence, knowledge } = sc;
  if (knowledge.counts.length === 0) return;
  const body = text.slice(sentence.start, sentence.end);
  const claims: Array<{ start: number; end: number; n: number; noun: string }> = [];
  const read = (word: string) => (/^\d+$/.test(word) ? Number(word) : NUMBER_WORDS[word.toLowerCase()]);
  for (const m of body.matchAll(COUNT_LEADIN)) {
    const leadin = m[1]!.toLowerCase();
    const word = m[2]!;
    if (word.toLowerCase() === 'no' && !/^(?:you have|there are|i found|we found|i can see|i see|you currently have)$/.test(leadin)) continue;
    const numberAt = sentence.start + m.index + m[0].lastIndexOf(word, m[0].length - m[3]!.length - 1);
    claims.push({ start: numberAt, end: sentence.start + m.index + m[0].length, n: read(word)!, noun: m[3]!.toLowerCase() });
  }
  for (const m of body.matchAll(COUNT_TRAILER)) {
    const start = sentence.start + m.index;
    if (claims.some((c) => c.start === start)) continue;
    if (COUNT_QUALIFIERS.test(text.slice(Math.max(sentence.start, start - 20), start))) continue;
    claims.push({ start, end: start + m[1]!.length + 1 + m[2]!.length, n: read(m[1]!)!, noun: m[2]!.toLowerCase() });
  }
  for (const claim of claims) {
    if (claim.n === undefined || Number.isNaN(claim.n)) continue;
    if (SUBSET_TAIL.test(text.slice(claim.end, sentence.end))) continue; // "2 orders in transit": a part, not the whole
    if (/\b(?:other|more|another|additional|last|recent|open|new|older|previous)\s+$/i.test(text.slice(claim.start, claim.end).replace(/\S+$/, ''))) continue;
    const noun = singular(claim.noun);
    const counts = (e: EntityView) => e.counts.filter((c) => singular(c.noun) === noun);
    if (MODAL.test(text.slice(clauseAt(sentence, claim.start)[0], claim.start).replace(/\b(?:can|could) (?:see|find)\b/gi, ''))) continue;
    const entityTarget = resolveTarget(sc, claim.start, (e) => counts(e).length > 0);
    const facts = entityTarget && entityTarget.attachment !== 'any' ? entityTarget.entities.flatMap(counts) : knowledge.counts.filter((c) => singular(c.noun) === noun);
    if (facts.length === 0) continue;
    if (facts.some((c) => (c.atLeast ? claim.n >= c.value : claim.n === c.value))) continue;
    const f = facts[facts.length - 1]!;
    const whose = f.entity && entityTarget && entityTarget.attachment !== 'any' ? ` for ${f.entity.id}` : '';
    const listed = `${f.atLeast ? 'at least ' : ''}${f.value} ${f.noun}`;
    const subject = whose ? `${entityTarget!.label} has ` : '';
    out.push(
      finding('count', entityTarget ? ATTACHMENT_SCORE[entityTarget.attachment] : 0.8, span(claim.start, claim.end), `${who} says ${subject}${text.slice(claim.start, claim.end)}; ${f.source} returned ${listed}${whose}`),
    );
  }
}

// --- plan, e-mail, name (customer profile)

const PLAN_CLAIM = /\b(?:you(?:'re| are)(?: currently)? on (?:the|a|an|our) |your (?:current )?|on (?:the|a|an) )([A-Za-z][\w-]*) (?:plan|tier|subscription)\b|\byour (?:plan|tier|subscription) is (?:the |a |an )?([A-Za-z][\w-]*)/gi;
const GREETING = /^\s*(?:[Hh]i|[Hh]ello|[Hh]ey|[Dd]ear|[Gg]ood (?:morning|afternoon|evening))\s+([A-Z][a-z]+)\b/;
const NOT_NAMES = new Set(['there', 'again', 'team', 'customer', 'all', 'everyone', 'friend', 'sir', 'madam', 'valued', 'support', 'mr', 'mrs', 'ms', 'miss', 'mx', 'dr', 'prof']);

function checkProfile(sc: SentenceContext, who: string, span: SpanOf, out: GuardrailFinding[]): void {
  const { text, sentence, knowledge } = sc;
  const body = text.slice(sentence.start, sentence.end);
  if (knowledge.plans.length > 0) {
    const known = new Set(knowledge.plans.map((p) => p.value.toLowerCase()));
    for (const m of body.matchAll(PLAN_CLAIM)) {
      const plan = (m[1] ?? m[2])!;
      const start = sentence.start + m.index + m[0].indexOf(plan);
      if (MODAL.test(text.slice(clauseAt(sentence, start)[0], start)) || /\b(?:upgrade|downgrade|switch|move|change|free trial|paid)\b/i.test(plan + text.slice(clauseAt(sentence, start)[0], start))) continue;
      if (['current', 'new', 'old', 'own', 'monthly', 'annual', 'yearly'].includes(plan.toLowerCase())) continue;
      if (known.has(plan.toLowerCase())) continue;
      const p = knowledge.plans[knowledge.plans.length - 1]!;
      out.push(finding('plan', 0.8, span(start, start + plan.length), `${who} says the plan is "${plan}"; ${p.source} returned ${p.key} "${p.value}"${p.entity ? ` for ${p.entity.id}` : ''}`));
    }
  }
  if (knowledge.emails.length > 0) {
    const known = knowledge.emails.map((e) => e.value.toLowerCase());
    for (const m of body.matchAll(EMAIL_IN_TEXT)) {
      const email = m[0].replace(/\.$/, '');
      const lower = email.toLowerCase();
      if (known.includes(lower)) continue;
      const [local, domain] = lower.split('@') as [string, string];
      const start = sentence.start + m.index;
      const lead = text.slice(Math.max(sentence.start, start - 40), start);
      const similar = known.find((k) => k.split('@')[0] === local || (k.split('@')[1] === domain && editDistance(k, lower) <= 2));
      if (!similar && !/\byour (?:e-?mail|address)\b|\bon file\b/i.test(lead)) continue;
      const fact = knowledge.emails.find((e) => e.value.toLowerCase() === similar) ?? knowledge.emails[0]!;
      out.push(finding('email', 0.8, span(start, start + email.length), `${who} gives the e-mail address ${email}; ${fact.source} returned ${fact.key} "${fact.value}"${fact.entity ? ` for ${fact.entity.id}` : ''}`));
    }
  }
  if (knowledge.names.length > 0 && sentence.start === 0) {
    const m = GREETING.exec(body);
    if (m && !NOT_NAMES.has(m[1]!.toLowerCase())) {
      const name = m[1]!;
      const tokens = new Set(knowledge.names.flatMap((n) => n.value.toLowerCase().split(/\s+/)));
      if (!tokens.has(name.toLowerCase())) {
        const n = knowledge.names[knowledge.names.length - 1]!;
        const start = sentence.start + m.index + m[0].lastIndexOf(name);
        out.push(finding('name', 0.7, span(start, start + name.length), `${who} addresses "${name}"; ${n.source} returned ${n.key} "${n.value}"${n.entity ? ` for ${n.entity.id}` : ''}`));
      }
    }
  }
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

// --- fields of a JSON answer

/** A leaf that is itself a claim (an id, an amount, a status, a date, a count), not a text to read. */
function isStructuredLeaf(leaf: FieldLeaf): boolean {
  const words = keyWords(leaf.key);
  if (idKeyType(words) !== undefined || leaf.key === 'id') return true;
  const last = words[words.length - 1];
  if (last === 'status' || last === 'state') return true;
  if (typeof leaf.value === 'string' && DATE_VALUE.test(leaf.value.trim())) return true;
  if (typeof leaf.value === 'number') return true;
  return false;
}

/** Checks the structured fields of a JSON answer; returns the entities they name, as the focus of its texts. */
function checkFields(leaves: readonly FieldLeaf[], knowledge: Knowledge, opts: Required<GroundingOptions>, out: GuardrailFinding[]): EntityView[] {
  const focus: EntityView[] = [];
  const entityOf = (siblings: Record<string, unknown>): EntityView | undefined => {
    for (const [k, v] of Object.entries(siblings)) {
      if (typeof v !== 'string' && typeof v !== 'number') continue;
      if (k !== 'id' && idKeyType(keyWords(k)) === undefined) continue;
      const e = knowledge.entities.get(String(v).toLowerCase());
      if (e?.described) return e;
    }
    return undefined;
  };
  for (const leaf of leaves) {
    const words = keyWords(leaf.key);
    const refType = leaf.key === 'id' ? undefined : idKeyType(words);
    if (refType !== undefined && (typeof leaf.value === 'string' || typeof leaf.value === 'number')) {
      const id = String(leaf.value);
      const known = knowledge.entities.get(id.toLowerCase());
      if (known) {
        if (known.described) focus.push(known);
        continue;
      }
      const prefix = prefixOf(id);
      const type = knowledge.byType.has(refType) ? refType : prefix ? knowledge.prefixes.get(prefix) : undefined;
      if (type === undefined || id.trim() === '') continue;
      out.push(finding('identifier', 0.95, leaf.span, `answer field ${leaf.path} is "${id}", ${article(type)} ${type.replace(/_/g, ' ')} no tool returned (${knownList(knowledge, type, opts)})`));
    }
  }
  const fallback = (): Target | undefined => {
    if (focus.length > 0) return { entities: focus, attachment: focus.length === 1 ? 'focus' : 'any', label: focus.map((e) => e.ref.id).join(' / ') };
    return undefined;
  };
  for (const leaf of leaves) {
    const words = keyWords(leaf.key);
    const own = entityOf(leaf.siblings);
    const pick = (has: (e: EntityView) => boolean): Target | undefined => {
      if (own && has(own)) return { entities: [own], attachment: 'named', label: own.ref.id };
      const f = fallback();
      if (f && f.entities.some(has)) return { ...f, entities: f.entities.filter(has) };
      const all = knowledge.described.filter(has);
      if (all.length === 0) return undefined;
      return { entities: all, attachment: all.length === 1 ? 'only' : 'any', label: all.length === 1 ? all[0]!.ref.id : `any ${typeLabel(all)}` };
    };
    const last = words[words.length - 1];
    if (typeof leaf.value === 'number' && isAmountKey(words)) {
      const minorKey = words.some((w) => MINOR_UNIT_WORDS.has(w));
      const claim: MoneyClaim = {
        start: leaf.span.start,
        end: leaf.span.end,
        text: `${leaf.key} ${leaf.value}`,
        hasFraction: true,
        ...(minorKey ? { minor: Math.round(leaf.value) } : { major: leaf.value }),
      };
      const role = amountRoleOf(words);
      if (role === 'refund') {
        const target = pick((e) => e.refunds.length > 0 || e.amounts.some((f) => f.role === 'total' || f.role === 'subtotal'));
        if (target) checkRefundField(claim, target, leaf, opts, out);
        continue;
      }
      const like = (f: AmountFact) => (role === 'total' ? f.role === 'total' || f.role === 'subtotal' || f.role === 'balance' : f.role === role);
      const target = pick((e) => e.amounts.some(like));
      if (!target) continue;
      const facts = target.entities.flatMap((e) => e.amounts.filter(like));
      if (facts.some((f) => amountMatches(claim, f, opts)) || (!minorKey && facts.some((f) => amountMatches({ ...claim, major: undefined, minor: leaf.value as number }, f, opts)))) continue;
      const f = facts[facts.length - 1]!;
      out.push(finding('amount', ATTACHMENT_SCORE[target.attachment], leaf.span, `answer field ${leaf.path} is ${leaf.value}${minorKey ? ` (${formatAmount(leaf.value, f.currency)})` : ''}; ${f.source} returned ${describeAmount(f)} for ${f.entity?.id ?? target.label}`));
    } else if (typeof leaf.value === 'string' && (last === 'status' || last === 'state')) {
      const cls = statusClassOf(leaf.value);
      if (!cls) continue;
      const target = pick((e) => statusesFor(e, cls).length > 0);
      if (!target) continue;
      const claim: StatusClaim = { cls, present: true, negated: false, label: leaf.value };
      if (target.entities.some((e) => statusesFor(e, cls).some((s) => !statusContradicts(claim, statusClassOf(s.value)!)))) continue;
      const evidence = target.entities.map((e) => {
        const s = statusesFor(e, cls).pop()!;
        return `${s.source} returned ${s.key} "${s.value}" for ${e.ref.id}`;
      });
      out.push(finding('status', ATTACHMENT_SCORE[target.attachment], leaf.span, `answer field ${leaf.path} is "${leaf.value}"; ${evidence.join('; ')}`));
    } else if (typeof leaf.value === 'string' && DATE_VALUE.test(leaf.value.trim())) {
      const role = dateRoleOf(words);
      const roles: DateRole[] = role === 'created' || role === 'other' ? ['created', 'other'] : [role];
      const relevant = (e: EntityView) => e.dates.filter((d) => roles.includes(d.role));
      const target = pick((e) => relevant(e).length > 0);
      if (!target || (target.attachment === 'any' && role === 'other')) continue;
      const m = DATE_VALUE.exec(leaf.value.trim())!;
      const claim: DateClaim = { start: leaf.span.start, end: leaf.span.end, text: leaf.value, readings: [{ year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) }] };
      if (target.entities.some((e) => relevant(e).some((d) => dateMatches(claim, d, opts)))) continue;
      const d = relevant(target.entities[0]!).pop()!;
      out.push(finding('date', ATTACHMENT_SCORE[target.attachment], leaf.span, `answer field ${leaf.path} is "${leaf.value}"; ${d.source} returned ${d.key} "${d.value}" for ${target.entities[0]!.ref.id}`));
    } else if (typeof leaf.value === 'number' && Number.isInteger(leaf.value)) {
      const noun = countNounOfKey(words);
      if (!noun) continue;
      const n = leaf.value;
      const facts = knowledge.counts.filter((c) => singular(c.noun) === singular(noun));
      if (facts.length === 0 || facts.some((c) => (c.atLeast ? n >= c.value : n === c.value))) continue;
      const f = facts[facts.length - 1]!;
      out.push(finding('count', 0.85, leaf.span, `answer field ${leaf.path} is ${leaf.value}; ${f.source} returned ${f.atLeast ? 'at least ' : ''}${f.value} ${f.noun}`));
    }
  }
  return [...new Set(focus)];
}

function checkRefundField(claim: MoneyClaim, target: Target, leaf: FieldLeaf, opts: Required<GroundingOptions>, out: GuardrailFinding[]): void {
  for (const e of target.entities) {
    if (e.refunds.some((f) => amountMatches(claim, f, opts))) return;
    const totals = e.amounts.filter((f) => f.role === 'total' || f.role === 'subtotal');
    if (e.refunds.length === 0 && totals.length === 0) return;
    const exp = currencyExponent(totals[0]?.currency);
    const claimMinor = claim.minor ?? Math.round((claim.major ?? 0) * 10 ** exp);
    if (e.refunds.length === 0 && totals.some((f) => claimMinor <= f.value || (f.unitsUncertain && claimMinor <= Number(f.raw)))) return;
  }
  const e = target.entities[target.entities.length - 1]!;
  const total = e.amounts.filter((f) => f.role === 'total' || f.role === 'subtotal').pop();
  const refund = e.refunds[e.refunds.length - 1];
  const shown = claim.minor !== undefined ? `${leaf.value} (${formatAmount(claim.minor, total?.currency ?? refund?.currency)})` : String(leaf.value);
  const message = refund
    ? `answer field ${leaf.path} is ${shown}; ${refund.source} returned a refund of ${describeAmount(refund)} for ${e.ref.id}`
    : `answer field ${leaf.path} is ${shown}, more than the total of ${e.ref.id}; ${total!.source} returned ${describeAmount(total!)}`;
  out.push(finding('amount', ATTACHMENT_SCORE[target.attachment], leaf.span, message));
}

function article(word: string): string {
  return /^[aeiou]/i.test(word) ? 'an' : 'a';
}

// ---------------------------------------------------------------------------------------------
// For a judge model

/**
 * A compact list of the facts, one line per entity, for a judge model's prompt, e.g.
 * `ord_7 (order; get_order): status shipped; totalCents EUR 129.99; placedAt 2026-10-02; items 3`.
 */
export function renderFactsForJudge(facts: readonly Fact[]): string {
  const lines = new Map<string, { head: string; parts: string[] }>();
  const loose: string[] = [];
  const line = (entity: EntityRef, source: string) => {
    const k = entity.id.toLowerCase();
    let l = lines.get(k);
    if (!l) {
      l = { head: `${entity.id} (${entity.type}; ${source})`, parts: [] };
      lines.set(k, l);
    } else if (!l.head.includes(source)) l.head = l.head.replace(/\)$/, `, ${source})`);
    return l;
  };
  for (const fact of facts) {
    let part: string | undefined;
    switch (fact.attribute) {
      case 'identifier':
        line(fact.entity, fact.source);
        if (fact.occurrence === 'text') {
          const l = lines.get(fact.entity.id.toLowerCase())!;
          if (!l.parts.includes('mentioned only')) l.parts.push('mentioned only');
        }
        continue;
      case 'status':
        part = fact.key === 'status' || fact.key === 'state' ? `${fact.key} ${fact.value}` : `status ${fact.value} (from ${fact.key})`;
        break;
      case 'amount':
        part = `${fact.key} ${formatAmount(fact.value, fact.currency)}${fact.role !== 'total' ? ` (${fact.role})` : ''}`;
        break;
      case 'date':
        part = `${fact.key} ${fact.value}`;
        break;
      case 'count':
        part = `${fact.atLeast ? 'at least ' : ''}${fact.value} ${fact.value === 1 ? singular(fact.noun) : fact.noun}`;
        break;
      default:
        part = `${fact.key} ${JSON.stringify(fact.value)}`;
    }
    if (!fact.entity) {
      loose.push(`${fact.source}: ${part}`);
      continue;
    }
    const l = line(fact.entity, fact.source);
    if (!l.parts.includes(part)) l.parts.push(part);
  }
  const rendered = [...lines.values()].map((l) => (l.parts.length > 0 ? `${l.head}: ${l.parts.join('; ')}` : l.head));
  return [...rendered, ...[...new Set(loose)]].join('\n');
}
