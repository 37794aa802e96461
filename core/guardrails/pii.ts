/**
 * PII leakage detection for an agent's final answers: e-mail addresses, phone numbers, payment
 * cards, IBANs, national identity numbers, IP addresses and street addresses, found with regular
 * expressions, checked with each number's own checksum where it has one, and weighed by the words
 * around them. Pure: no Node modules, so it may run in a workflow sandbox as well as in an activity.
 *
 * A value that belongs to the session's own scope (the customer the session serves) is not a leak:
 * pass such values as {@link PiiDetectorOptions.allowed}, typically built with
 * {@link collectPiiValues} from that customer's own records.
 */
import type { GuardrailFinding, TextSpan } from './finding';

/** The kinds of personal data {@link detectPii} looks for; a finding's `kind`. */
export type PiiKind = 'email' | 'phone' | 'payment_card' | 'iban' | 'national_id' | 'ip_address' | 'street_address';

/** Every {@link PiiKind}, in the order their detectors claim text (earlier kinds win overlaps). */
export const PII_KINDS: readonly PiiKind[] = ['email', 'iban', 'payment_card', 'national_id', 'ip_address', 'phone', 'street_address'];

/** What {@link redactPii} puts in place of each kind. */
export const PII_PLACEHOLDERS: Readonly<Record<PiiKind, string>> = {
  email: '[EMAIL]',
  phone: '[PHONE]',
  payment_card: '[CARD]',
  iban: '[IBAN]',
  national_id: '[NATIONAL_ID]',
  ip_address: '[IP]',
  street_address: '[ADDRESS]',
};

/** Options of {@link detectPii}. */
export interface PiiDetectorOptions {
  /**
   * Values of the session's own scope: a detected value equal to one of them after
   * {@link normalizePiiValue} (a phone number also when one ends with the other, a street address
   * also when one contains the other) is not reported. @default []
   */
  allowed?: readonly string[];
  /** The kinds to look for. @default all of {@link PII_KINDS} */
  kinds?: readonly PiiKind[];
  /**
   * Findings scored below this are dropped. Some values are scored low on purpose: role mailboxes
   * (`support@…`) 0.4, private and link-local IP addresses 0.45. @default 0.5
   */
  minScore?: number;
}

/** The defaults of {@link PiiDetectorOptions}, in one place. */
export const DEFAULT_PII_DETECTOR_OPTIONS: Readonly<Required<PiiDetectorOptions>> = {
  allowed: [],
  kinds: PII_KINDS,
  minScore: 0.5,
};

/**
 * The PII in `text`: one finding per value, category `pii`, `kind` a {@link PiiKind}, `detector`
 * `pii.<kind>`, the span in `text`, a score in [0, 1] and a message that names the kind and at
 * most the value's last few characters. Findings do not overlap and come in text order.
 */
export function detectPii(text: string, options: PiiDetectorOptions = {}): GuardrailFinding[] {
  const kinds = new Set(options.kinds ?? DEFAULT_PII_DETECTOR_OPTIONS.kinds);
  const minScore = options.minScore ?? DEFAULT_PII_DETECTOR_OPTIONS.minScore;
  const allowList = options.allowed && options.allowed.length > 0 ? new AllowList(options.allowed) : undefined;
  const accepted = claimSpans(text, kinds);
  const findings: GuardrailFinding[] = [];
  for (const c of accepted) {
    if (c.score <= 0 || c.score < minScore) continue;
    if (allowList?.allows(c.kind, c.value)) continue;
    findings.push({
      detector: `pii.${c.kind}`,
      category: 'pii',
      kind: c.kind,
      score: c.score,
      span: { start: c.start, end: c.end },
      message: c.message,
    });
  }
  return findings;
}

/**
 * The form in which values of `kind` are compared with the allow-list: e-mail addresses trimmed and
 * lower-cased; phone numbers as their digits; cards, IBANs and national ids as their letters and
 * digits, upper-cased; IPv6 addresses fully expanded, lower-cased; street addresses lower-cased with
 * punctuation dropped, `ß` as `ss` and whitespace collapsed.
 */
export function normalizePiiValue(kind: PiiKind, value: string): string {
  switch (kind) {
    case 'email':
      return value.trim().toLowerCase();
    case 'phone':
      return value.replace(/\D/g, '');
    case 'payment_card':
    case 'iban':
    case 'national_id':
      return value.replace(/[^0-9A-Za-z]/g, '').toUpperCase();
    case 'ip_address': {
      const trimmed = value.trim().toLowerCase();
      return trimmed.includes(':') ? (expandIpv6(trimmed) ?? trimmed) : trimmed;
    }
    case 'street_address':
      return value
        .toLowerCase()
        .replace(/ß/g, 'ss')
        .replace(/[,.;:()"'’/]/g, ' ')
        .replace(/\s+/g, ' ')
        .trim();
  }
}

/**
 * Every value in `record` (a tool output: objects, arrays, strings, numbers) that could be
 * personal data, for the allow-list of a session whose scope `record` belongs to: the PII that
 * {@link detectPii} finds in each string, and the whole value under keys that name personal data
 * (`email`, `phone`, `address`, `street`, `iban`, `card`, `ssn`, `ip`, …). Deduplicated, in the
 * order found.
 */
export function collectPiiValues(record: unknown): string[] {
  const values = new Set<string>();
  const seen = new Set<object>();
  const visit = (node: unknown, key: string | undefined, depth: number): void => {
    if (depth > MAX_COLLECT_DEPTH) return;
    if (typeof node === 'string') {
      const trimmed = node.trim();
      if (key !== undefined && isPiiKey(key) && trimmed.length >= 3) values.add(trimmed);
      for (const f of detectPii(node, { minScore: COLLECT_MIN_SCORE })) if (f.span) values.add(node.slice(f.span.start, f.span.end));
    } else if (typeof node === 'number' || typeof node === 'bigint') {
      if (key !== undefined && isPiiKey(key)) values.add(String(node));
    } else if (node !== null && typeof node === 'object') {
      if (seen.has(node)) return;
      seen.add(node);
      if (Array.isArray(node)) {
        for (const item of node) visit(item, key, depth + 1);
      } else {
        for (const [k, v] of Object.entries(node)) visit(v, k, depth + 1);
      }
    }
  };
  visit(record, undefined, 0);
  return [...values];
}

/**
 * `text` with the span of each finding replaced by its kind's placeholder ({@link PII_PLACEHOLDERS};
 * `[PII]` for other kinds). Overlapping or touching spans are merged into one placeholder, that of
 * the longest of them. Findings without a span are ignored.
 */
export function redactPii(text: string, findings: readonly GuardrailFinding[]): string {
  const spans = findings
    .filter((f): f is GuardrailFinding & { span: TextSpan } => f.span !== undefined && f.span.end > f.span.start)
    .map((f) => ({ start: Math.max(0, f.span.start), end: Math.min(text.length, f.span.end), kind: f.kind }))
    .sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: Array<{ start: number; end: number; kind: string; longest: number }> = [];
  for (const s of spans) {
    const last = merged[merged.length - 1];
    if (last && s.start <= last.end) {
      if (s.end - s.start > last.longest) {
        last.kind = s.kind;
        last.longest = s.end - s.start;
      }
      last.end = Math.max(last.end, s.end);
    } else {
      merged.push({ ...s, longest: s.end - s.start });
    }
  }
  let out = '';
  let at = 0;
  for (const m of merged) {
    out += text.slice(at, m.start) + placeholderOf(m.kind);
    at = m.end;
  }
  return out + text.slice(at);
}

// ---------------------------------------------------------------------------------------------
// Claiming spans

/** A value a detector found, before the allow-list and the score threshold. */
interface Candidate {
  kind: PiiKind;
  start: number;
  end: number;
  score: number;
  /** The value as {@link normalizePiiValue} gives it. */
  value: string;
  message: string;
}

type Scanner = (text: string, push: (candidate: Candidate) => void) => void;

/** Detectors in order of precedence: checksummed and well-delimited kinds first. */
const SCANNERS: ReadonlyArray<readonly [PiiKind, Scanner]> = [
  ['email', scanEmails],
  ['iban', scanIbans],
  ['payment_card', scanCards],
  ['national_id', scanNationalIds],
  ['ip_address', scanIpAddresses],
  ['phone', scanPhones],
  ['street_address', scanStreetAddresses],
];

/**
 * Runs the detectors in order of precedence; a candidate overlapping one already accepted is
 * dropped (within a detector, higher scores first). Low scores and allowed values still claim
 * their text, so that no weaker detector reports a piece of them.
 */
function claimSpans(text: string, kinds: ReadonlySet<PiiKind>): Candidate[] {
  const accepted: Candidate[] = [];
  for (const [kind, scan] of SCANNERS) {
    if (!kinds.has(kind)) continue;
    const found: Candidate[] = [];
    scan(text, (c) => found.push(c));
    found.sort((a, b) => b.score - a.score || a.start - b.start);
    for (const c of found) {
      if (!accepted.some((a) => c.start < a.end && a.start < c.end)) accepted.push(c);
    }
  }
  return accepted.sort((a, b) => a.start - b.start);
}

/** The `width` characters before `start`, lower-cased. */
function before(text: string, start: number, width: number): string {
  return text.slice(Math.max(0, start - width), start).toLowerCase();
}

/** The `width` characters after `end`, lower-cased. */
function after(text: string, end: number, width: number): string {
  return text.slice(end, end + width).toLowerCase();
}

/**
 * Words that, just before a number, say it is some business reference rather than personal data.
 * Ending the window: the number follows them with at most a few characters (`#`, `:`, `no.`).
 */
const REFERENCE_CONTEXT =
  /\b(?:order|invoice|inv|tracking|track|shipment|parcel|fedex|ups|dhl|usps|gls|dpd|tnt|colissimo|awb|waybill|ref|reference|ticket|case|sku|part|item|model|serial|batch|lot|po|receipt|booking|confirmation|transaction|txn|account|acct|customer|cust|id|isbn|imei|meid|iccid|version|build)\s*(?:no\.?|number|nr\.?|num|#|id)?\s*[:#.-]?\s*$/;

/** Words right after a number that make it a quantity or an amount (`647 019 602 units`). */
const QUANTITY_AFTER = /^\s*(?:units|items|pieces|pcs|people|users|rows|records|times|visits|views|calls|customers|orders|euros?|eur|usd|dollars|pounds|gbp|km|kg|bytes|kb|mb|gb|€|\$|£)(?![a-z])/;

function hasReferenceContext(text: string, start: number): boolean {
  return REFERENCE_CONTEXT.test(before(text, start, 24));
}

/** The last `n` characters of a value's letters and digits, for messages. */
function lastChars(value: string, n: number): string {
  return value.replace(/[^0-9A-Za-z]/g, '').slice(-n);
}

// ---------------------------------------------------------------------------------------------
// E-mail addresses

/** What follows the `@` of an e-mail address; sticky, tried right after the `@`. */
const EMAIL_DOMAIN = /(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}(?![\w-])/iy;

/** Characters of the local part of an e-mail address: letters, digits, `._%+-`. */
function isEmailLocalChar(code: number): boolean {
  return isAlnum(code) || code === 46 || code === 95 || code === 37 || code === 43 || code === 45;
}

/** Mailboxes of a role, not a person: reported only when `minScore` is lowered to 0.4. */
const ROLE_MAILBOX =
  /^(?:no-?reply|do-?not-?reply|support|info|help|helpdesk|contact|sales|billing|invoices?|admin|hello|team|service|customer-?service|customercare|care|privacy|security|abuse|postmaster|webmaster|hostmaster|office|orders|returns|careers|jobs|press|marketing|accounts|notifications?|alerts?|dpo|legal)$/i;

/** Top-level "domains" that are really file extensions (`logo@2x.png`). */
const FILE_EXTENSIONS = new Set(['png', 'jpg', 'jpeg', 'gif', 'svg', 'webp', 'bmp', 'ico', 'css', 'js', 'mjs', 'cjs', 'ts', 'tsx', 'jsx', 'json', 'html', 'htm', 'xml', 'pdf', 'txt', 'md', 'zip', 'gz', 'yaml', 'yml']);

/** The "at" of an obfuscated e-mail address: ` at `, `[at]`, `(at)`, `{at}`. */
const OBFUSCATED_AT = /\s+at\s+|\s*(?:\[at\]|\(at\)|\{at\})\s*/gi;
/** The local part before an obfuscated "at", read in a bounded window that ends at it. */
const OBFUSCATED_LOCAL = /(?<![\w.+-])[a-z0-9][a-z0-9._+-]*(?:(?:\s+dot\s+|\s*(?:\[dot\]|\(dot\)|\{dot\})\s*)[a-z0-9_+-]+)*$/i;
/** The domain after an obfuscated "at": labels joined by ` dot `, `[dot]`, `(dot)`; sticky. */
const OBFUSCATED_DOMAIN = /[a-z0-9-]+(?:(?:\s+dot\s+|\s*(?:\[dot\]|\(dot\)|\{dot\})\s*)[a-z0-9-]+)+(?![\w])/iy;
const OBFUSCATION_HINT = /\bdot\b|\[dot\]|\(dot\)|\{dot\}/i;
const OBFUSCATED_DOT = /\s+dot\s+|\s*(?:\[dot\]|\(dot\)|\{dot\})\s*/gi;
/** Longest local part or domain read around an obfuscated "at". */
const OBFUSCATED_PART_MAX = 96;
/** Top-level domains that "… dot com" must end with to be read as an address. */
const COMMON_TLDS = new Set(['com', 'org', 'net', 'edu', 'gov', 'io', 'co', 'uk', 'de', 'fr', 'es', 'it', 'nl', 'ca', 'in', 'eu', 'info', 'biz', 'me', 'us', 'be', 'ch', 'at', 'pt', 'ie', 'se', 'dk', 'no', 'fi', 'pl', 'au', 'nz', 'jp', 'br', 'mx', 'ru', 'cn']);

function scanEmails(text: string, push: (c: Candidate) => void): void {
  if (OBFUSCATION_HINT.test(text)) {
    // Anchored on each "at", each side read in a bounded window: linear in the text.
    for (const at of text.matchAll(OBFUSCATED_AT)) {
      const atStart = at.index!;
      const atEnd = atStart + at[0].length;
      const local = OBFUSCATED_LOCAL.exec(text.slice(Math.max(0, atStart - OBFUSCATED_PART_MAX), atStart));
      if (!local) continue;
      const window = text.slice(atEnd, atEnd + OBFUSCATED_PART_MAX);
      OBFUSCATED_DOMAIN.lastIndex = 0;
      const domainMatch = OBFUSCATED_DOMAIN.exec(window);
      if (!domainMatch || (domainMatch[0].length === window.length && atEnd + window.length < text.length)) continue;
      const domain = domainMatch[0].replace(OBFUSCATED_DOT, '.').toLowerCase();
      if (!COMMON_TLDS.has(domain.slice(domain.lastIndexOf('.') + 1))) continue;
      const localPart = local[0].replace(OBFUSCATED_DOT, '.');
      const address = `${localPart}@${domain}`;
      push({
        kind: 'email',
        start: atStart - local[0].length,
        end: atEnd + domainMatch[0].length,
        score: ROLE_MAILBOX.test(localPart) ? 0.4 : 0.85,
        value: normalizePiiValue('email', address),
        message: `e-mail address, obfuscated (domain ${domain})`,
      });
    }
  }
  // Anchored on each "@": cheaper than a pattern tried at every letter.
  for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', at + 1)) {
    let start = at;
    while (start > 0 && isEmailLocalChar(text.charCodeAt(start - 1))) start--;
    if (start === at || at - start > 64 || !isAlnum(text.charCodeAt(start)) || text.charCodeAt(at - 1) === 46) continue;
    EMAIL_DOMAIN.lastIndex = at + 1;
    const domainMatch = EMAIL_DOMAIN.exec(text);
    if (!domainMatch) continue;
    const end = at + 1 + domainMatch[0].length;
    const local = text.slice(start, at);
    const domain = domainMatch[0].toLowerCase();
    const tld = domain.slice(domain.lastIndexOf('.') + 1);
    if (FILE_EXTENSIONS.has(tld)) continue;
    const role = ROLE_MAILBOX.test(local);
    push({
      kind: 'email',
      start,
      end,
      score: role ? 0.4 : 0.95,
      value: normalizePiiValue('email', text.slice(start, end)),
      message: `e-mail address${role ? ' of a role' : ''} (domain ${domain})`,
    });
  }
}

// ---------------------------------------------------------------------------------------------
// IBANs (ISO 13616)

/** IBAN length of each country of the IBAN registry. */
const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BR: 29, BY: 28, CH: 21, CR: 22, CY: 28, CZ: 24,
  DE: 22, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28,
  HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20,
  LV: 21, MC: 27, MD: 24, ME: 22, MK: 19, MR: 27, MT: 31, MU: 30, NL: 18, NO: 15, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29,
  RO: 24, RS: 22, SA: 24, SC: 31, SE: 24, SI: 19, SK: 24, SM: 27, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26, UA: 29, VA: 22,
  VG: 24, XK: 20,
};

const IBAN_START = /(?<![0-9A-Za-z])([A-Z]{2}|[a-z]{2})\d{2}(?= ?[0-9A-Za-z])/g;

function isAlnum(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/** The ISO 7064 mod 97-10 check of an IBAN (letters and digits, upper case). */
function ibanChecksumValid(iban: string): boolean {
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (let i = 0; i < rearranged.length; i++) {
    const code = rearranged.charCodeAt(i);
    if (code >= 65 && code <= 90) remainder = (remainder * 100 + code - 55) % 97;
    else remainder = (remainder * 10 + code - 48) % 97;
  }
  return remainder === 1;
}

function scanIbans(text: string, push: (c: Candidate) => void): void {
  for (const m of text.matchAll(IBAN_START)) {
    const country = m[1]!.toUpperCase();
    // Upper case as written; all lower case is accepted too (copied from forms), mixed case is not.
    const lower = m[1] !== country;
    const length = IBAN_LENGTHS[country];
    if (length === undefined) continue;
    // Consume the IBAN's characters: compact, or grouped by single spaces after every 4.
    let pos = m.index + 4;
    let count = 4;
    let compact = '';
    while (count < length && pos < text.length) {
      const code = text.charCodeAt(pos);
      if (isDigit(code) || (lower ? code >= 97 && code <= 122 : code >= 65 && code <= 90)) {
        compact += text[pos]!.toUpperCase();
        count++;
        pos++;
      } else if (code === 32 && count % 4 === 0 && isAlnum(text.charCodeAt(pos + 1))) {
        pos++;
      } else {
        break;
      }
    }
    if (count < length || (pos < text.length && isAlnum(text.charCodeAt(pos)))) continue;
    const iban = text.slice(m.index, m.index + 4).toUpperCase() + compact;
    // An IBAN-shaped value with a wrong checksum is no IBAN, but no phone or card number either:
    // it claims its text with score 0 and is never reported.
    const valid = ibanChecksumValid(iban);
    push({ kind: 'iban', start: m.index, end: pos, score: valid ? 0.97 : 0, value: iban, message: `IBAN (${country}, ends ${iban.slice(-4)}${valid ? '' : ', invalid checksum'})` });
  }
}

// ---------------------------------------------------------------------------------------------
// Payment cards

const CARD = /(?<![\w.,+-]|\d )\d(?:[ .-]?\d){12,18}(?![\w]|[ .,-]\d)/g;
const CARD_CONTEXT = /\b(?:card|cards|visa|mastercard|master card|amex|american express|discover|jcb|diners|unionpay|maestro|carte|karte|kreditkarte|tarjeta|carta|kaart|creditcard|pan|cc)\b/;

/** Luhn (mod 10) check of a string of digits. */
function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** The card brand of a number from its issuer identification prefix and length, or undefined. */
function cardBrand(digits: string): string | undefined {
  const n = digits.length;
  const p2 = Number(digits.slice(0, 2));
  const p3 = Number(digits.slice(0, 3));
  const p4 = Number(digits.slice(0, 4));
  const p6 = Number(digits.slice(0, 6));
  if (digits[0] === '4' && (n === 13 || n === 16 || n === 19)) return 'Visa';
  if (((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) && n === 16) return 'Mastercard';
  if ((p2 === 34 || p2 === 37) && n === 15) return 'American Express';
  if ((p4 === 6011 || (p3 >= 644 && p3 <= 649) || p2 === 65 || (p6 >= 622126 && p6 <= 622925)) && n >= 16 && n <= 19) return 'Discover';
  if (p4 >= 3528 && p4 <= 3589 && n >= 16 && n <= 19) return 'JCB';
  if (((p3 >= 300 && p3 <= 305) || p2 === 36 || p2 === 38 || p2 === 39) && n >= 14 && n <= 19) return 'Diners Club';
  if (p2 === 62 && n >= 16 && n <= 19) return 'UnionPay';
  if ((p2 === 50 || (p2 >= 56 && p2 <= 69)) && n >= 12 && n <= 19) return 'Maestro';
  return undefined;
}

/** Groupings in which card numbers are written (by spaces, dashes or dots): 4-4-4-4(-3), Amex 4-6-5, Diners 4-6-4. */
function cardGroupingValid(groups: readonly number[]): boolean {
  if (groups.length === 1) return true;
  if (groups.length === 3 && groups[0] === 4 && groups[1] === 6 && (groups[2] === 5 || groups[2] === 4)) return true;
  return groups.every((g, i) => (i < groups.length - 1 ? g === 4 : g >= 1 && g <= 4));
}

function scanCards(text: string, push: (c: Candidate) => void): void {
  for (const m of text.matchAll(CARD)) {
    const raw = m[0];
    const separators = new Set(raw.replace(/\d/g, ''));
    if (separators.size > 1) continue;
    const digits = raw.replace(/\D/g, '');
    const groups = raw.split(/[ .-]/).map((g) => g.length);
    if (!cardGroupingValid(groups) || !luhnValid(digits)) continue;
    const brand = cardBrand(digits);
    if (brand === undefined) continue;
    const context = CARD_CONTEXT.test(before(text, m.index, 40));
    if (!context && groups.length === 1 && hasReferenceContext(text, m.index)) continue;
    push({
      kind: 'payment_card',
      start: m.index,
      end: m.index + raw.length,
      score: context ? 0.98 : groups.length > 1 ? 0.95 : 0.9,
      value: digits,
      message: `payment card (${brand}, ends ${digits.slice(-4)})`,
    });
  }
}

// ---------------------------------------------------------------------------------------------
// National identity numbers

/** One national numbering scheme: its pattern, its check, and the words that name it. */
interface NationalIdScheme {
  name: string;
  pattern: RegExp;
  /** Whether the match is a valid number of the scheme (checksum, structure). */
  valid: (match: RegExpMatchArray) => boolean;
  /** Words that name the number, looked for shortly before (or just after) it. */
  context: RegExp;
  /** Score without context words, or 0 when the scheme needs them (too weak a check alone). */
  bareScore: (match: RegExpMatchArray) => number;
}

const VERHOEFF_D = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5], [2, 3, 4, 0, 1, 7, 8, 9, 5, 6], [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
  [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1], [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
  [8, 7, 6, 5, 9, 3, 2, 1, 0, 4], [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];
const VERHOEFF_P = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4], [5, 8, 0, 3, 7, 9, 6, 1, 4, 2], [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
  [9, 4, 5, 3, 1, 2, 6, 8, 7, 0], [4, 2, 8, 6, 5, 7, 3, 9, 0, 1], [2, 7, 9, 3, 8, 0, 6, 4, 1, 5], [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];

function verhoeffValid(digits: string): boolean {
  let c = 0;
  for (let i = 0; i < digits.length; i++) {
    const digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    c = VERHOEFF_D[c]![VERHOEFF_P[i % 8]![digit]!]!;
  }
  return c === 0;
}

/** Remainder modulo 97 of a decimal string of any length. */
function mod97(digits: string): number {
  let r = 0;
  for (let i = 0; i < digits.length; i++) r = (r * 10 + digits.charCodeAt(i) - 48) % 97;
  return r;
}

function digitsOf(s: string): string {
  return s.replace(/\D/g, '');
}

/** US SSN: area 001–899 but not 666, group 01–99, serial 0001–9999. */
function ssnValid(digits: string): boolean {
  const area = Number(digits.slice(0, 3));
  return area !== 0 && area !== 666 && area < 900 && digits.slice(3, 5) !== '00' && digits.slice(5) !== '0000';
}

/** French NIR: sex, year, month, department (2A/2B for Corsica), commune, order, key = 97 − (number mod 97). */
function nirValid(m: RegExpMatchArray): boolean {
  const compact = m[0].replace(/[ .]/g, '').toUpperCase();
  const month = Number(compact.slice(3, 5));
  if (month === 0 || (month > 12 && month < 20) || (month > 42 && month < 50)) return false;
  const body = compact.slice(0, 13).replace('2A', '19').replace('2B', '18');
  if (!/^\d{13}$/.test(body)) return false;
  return 97 - mod97(body) === Number(compact.slice(13));
}

/** German Steuer-ID: 11 digits, no leading 0, one digit twice or thrice in the first ten, ISO 7064 MOD 11,10 check digit. */
function steuerIdValid(digits: string): boolean {
  if (digits.length !== 11 || digits[0] === '0') return false;
  const counts = new Array<number>(10).fill(0);
  for (let i = 0; i < 10; i++) counts[digits.charCodeAt(i) - 48]!++;
  const repeated = counts.filter((c) => c > 1);
  if (repeated.length !== 1 || repeated[0]! > 3) return false;
  let product = 10;
  for (let i = 0; i < 10; i++) {
    let sum = (digits.charCodeAt(i) - 48 + product) % 10;
    if (sum === 0) sum = 10;
    product = (sum * 2) % 11;
  }
  const check = (11 - product) % 10;
  return check === digits.charCodeAt(10) - 48;
}

const DNI_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';

/** Spanish DNI (8 digits + letter) or NIE (X/Y/Z + 7 digits + letter): the letter is number mod 23. */
function dniValid(m: RegExpMatchArray): boolean {
  const compact = m[0].replace(/[ -]/g, '').toUpperCase();
  const prefix = 'XYZ'.indexOf(compact[0]!);
  const number = Number((prefix >= 0 ? String(prefix) + compact.slice(1, 8) : compact.slice(0, 8)));
  return DNI_LETTERS[number % 23] === compact[8];
}

/** Values of the characters in odd positions of a codice fiscale, `0`–`9` then `A`–`Z`. */
const CF_ODD = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];

/** Italian codice fiscale: the 16th character checks the first 15. */
function codiceFiscaleValid(m: RegExpMatchArray): boolean {
  const cf = m[0].toUpperCase();
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    const code = cf.charCodeAt(i);
    const index = code <= 57 ? code - 48 : code - 65 + 10;
    sum += i % 2 === 0 ? CF_ODD[index]! : code <= 57 ? code - 48 : code - 65;
  }
  return String.fromCharCode(65 + (sum % 26)) === cf[15];
}

/** Dutch BSN: 9 digits passing the 11-proof (9a + 8b + … + 2h − i ≡ 0 mod 11). */
function bsnValid(digits: string): boolean {
  if (digits.length !== 9 || /^0+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += (digits.charCodeAt(i) - 48) * (9 - i);
  sum -= digits.charCodeAt(8) - 48;
  return sum % 11 === 0;
}

/** UK National Insurance number prefixes that are never issued. */
const NINO_BAD_PREFIXES = new Set(['BG', 'GB', 'NK', 'KN', 'TN', 'NT', 'ZZ']);

const NATIONAL_ID_SCHEMES: readonly NationalIdScheme[] = [
  {
    name: 'IT codice fiscale',
    pattern: /(?<![\w])[A-Z]{6}[\dLMNPQRSTUV]{2}[ABCDEHLMPRST][\dLMNPQRSTUV]{2}[A-Z][\dLMNPQRSTUV]{3}[A-Z](?![\w])/g,
    valid: codiceFiscaleValid,
    context: /codice fiscale|\bc\.?f\.?\b|tax code|fiscal code/,
    bareScore: () => 0.95,
  },
  {
    name: 'FR NIR',
    pattern: /(?<![\w.-]|\d )[1-478][ .]?\d{2}[ .]?\d{2}[ .]?(?:\d{2}|2[AB])[ .]?\d{3}[ .]?\d{3}[ .]?\d{2}(?![\w]|[ .,-]\d)/g,
    valid: nirValid,
    context: /s[ée]curit[ée] sociale|\bs[ée]cu\b|\bnir\b|\binsee\b|social security/,
    bareScore: () => 0.9,
  },
  {
    name: 'UK NINO',
    pattern: /(?<![\w])[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z](?: ?\d{2} ?\d{2} ?\d{2} ?| \d{6} )[A-D](?![\w])/g,
    valid: (m) => !NINO_BAD_PREFIXES.has(m[0].slice(0, 2)),
    context: /national insurance|\bni\b|\bnino\b/,
    bareScore: () => 0.9,
  },
  {
    name: 'ES DNI/NIE',
    pattern: /(?<![\w-])(?:\d{8}|[XYZ][ -]?\d{7})[ -]?[A-HJ-NP-TV-Z](?![\w])/g,
    valid: dniValid,
    context: /\b(?:dni|nie|nif|d\.n\.i\.?|documento|identidad|extranjero)\b/,
    bareScore: (m) => (/^[XYZ]/.test(m[0]) ? 0.9 : 0.85),
  },
  {
    name: 'US SSN',
    pattern: /(?<![\w.+-]|\d )\d{3}([- ]?)\d{2}\1\d{4}(?![\w]|[ .,-]\d)/g,
    valid: (m) => ssnValid(digitsOf(m[0])),
    context: /\bssn\b|social security|\bss#|soc\.? ?sec/,
    bareScore: (m) => (m[1] === '-' ? 0.75 : 0),
  },
  {
    name: 'IN Aadhaar',
    pattern: /(?<![\w.+-]|\d )[2-9]\d{3}([ -]?)\d{4}\1\d{4}(?![\w]|[ .,-]\d)/g,
    valid: (m) => verhoeffValid(digitsOf(m[0])),
    context: /aadhaa?r|\buid\b|uidai|आधार/,
    bareScore: (m) => (m[1] === '' ? 0 : 0.65),
  },
  {
    name: 'DE Steuer-ID',
    pattern: /(?<![\w.+-]|\d )[1-9]\d([ ]?)\d{3}\1\d{3}\1\d{3}(?![\w]|[ .,-]\d)/g,
    valid: (m) => steuerIdValid(digitsOf(m[0])),
    context: /steuer-?id|steuer-?identifikations|identifikationsnummer|\bidnr\b|\bid-nr|\btin\b|tax id|tax identification|steuernummer/,
    bareScore: (m) => (m[1] === ' ' ? 0.6 : 0),
  },
  {
    name: 'NL BSN',
    pattern: /(?<![\w.+-]|\d )\d{4}([. ]?)\d{2}\1\d{3}(?![\w]|[ .,-]\d)|(?<![\w.+-]|\d )\d{3} \d{3} \d{3}(?![\w]|[ .,-]\d)/g,
    valid: (m) => bsnValid(digitsOf(m[0])),
    context: /\bbsn\b|burgerservicenummer|sofinummer|sofi-nummer|citizen service number/,
    bareScore: (m) => (m[1] === '.' ? 0.6 : 0),
  },
  {
    name: 'CA SIN',
    pattern: /(?<![\w.+-]|\d )\d{3}([ -]?)\d{3}\1\d{3}(?![\w]|[ .,-]\d)/g,
    valid: (m) => m[0][0] !== '8' && luhnValid(digitsOf(m[0])),
    context: /\bsin\b|social insurance|assurance sociale|\bnas\b/,
    bareScore: () => 0,
  },
];

/** Words that say a number identifies a person, whatever the scheme. */
const IDENTITY_CONTEXT = /identity|identification|identité|identität|identidad|identità|identiteit|\bid card|\bid number|national id|personal number|citizen/;

function scanNationalIds(text: string, push: (c: Candidate) => void): void {
  for (const scheme of NATIONAL_ID_SCHEMES) {
    for (const m of text.matchAll(scheme.pattern)) {
      const start = m.index!;
      const end = start + m[0].length;
      const windowBefore = before(text, start, 48);
      const named = scheme.context.test(windowBefore) || scheme.context.test(after(text, end, 16));
      const valid = scheme.valid(m);
      if (QUANTITY_AFTER.test(after(text, end, 12))) continue;
      let score: number;
      if (!valid) {
        // Named but invalid: not an id, and not a phone number either; claims its text unreported.
        if (!named) continue;
        score = 0;
      } else if (named) score = 0.97;
      else if (IDENTITY_CONTEXT.test(windowBefore) && !hasReferenceContext(text, start)) score = Math.max(0.85, scheme.bareScore(m));
      else {
        score = scheme.bareScore(m);
        if (score === 0 || (score < 0.9 && hasReferenceContext(text, start))) continue;
      }
      push({
        kind: 'national_id',
        start,
        end,
        score,
        value: normalizePiiValue('national_id', m[0]),
        message: `national id (${scheme.name}, ends ${lastChars(m[0], 2)}${valid ? '' : ', invalid check'})`,
      });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// IP addresses

const IPV4 = /(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\w]|\.\d)/g;

/** Words before a dotted quad that make it a version or section number. */
const VERSION_CONTEXT =
  /(?:\bv|\bver\.?|version|release|build|firmware|\bfw|\brev\.?|revision|section|chapter|clause|§|node(?:\.js)?|python|java|chrome|firefox|safari|\bios|android|windows|macos|\bos|sdk|api|update|upgrade|install|patch|app)(?:\s+(?:to|is|was|of|the|from|at|version|release))?\s*$/;
/** Words right after a dotted quad that make it a version. */
const VERSION_AFTER = /^\s*(?:or (?:later|newer|above|higher)|and (?:later|above|up)|\+(?!\d)|-(?:beta|alpha|rc)|is (?:out|available|released))/;

function ipv4Class(octets: readonly number[]): 'public' | 'private' | 'reserved' {
  const [a, b] = [octets[0]!, octets[1]!];
  if (a === 0 || a === 127 || a >= 224 || a === 255) return 'reserved';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127)) {
    return 'private';
  }
  return 'public';
}

/** The eight groups of an IPv6 address, as 4-digit lower-case hex joined by `:`, or undefined if it is not one. */
function expandIpv6(address: string): string | undefined {
  let text = address.toLowerCase();
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    // An IPv4 tail (::ffff:192.0.2.1) stands for the last two groups.
    const octets = last.split('.').map(Number);
    if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o > 255)) return undefined;
    const high = ((octets[0]! << 8) | octets[1]!).toString(16);
    const low = ((octets[2]! << 8) | octets[3]!).toString(16);
    text = `${text.slice(0, lastColon + 1)}${high}:${low}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string): string[] | undefined => {
    if (part === '') return [];
    const groups = part.split(':');
    return groups.every((g) => /^[0-9a-f]{1,4}$/.test(g)) ? groups : undefined;
  };
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  if (!head || !rest) return undefined;
  let groups: string[];
  if (halves.length === 2) {
    const missing = 8 - head.length - rest.length;
    if (missing < 1) return undefined;
    groups = [...head, ...new Array<string>(missing).fill('0'), ...rest];
  } else {
    if (head.length !== 8) return undefined;
    groups = head;
  }
  return groups.map((g) => g.padStart(4, '0')).join(':');
}

function isIpv6Char(code: number): boolean {
  return isDigit(code) || (code >= 97 && code <= 102) || (code >= 65 && code <= 70) || code === 58 || code === 46;
}

function isWordChar(code: number): boolean {
  return isAlnum(code) || code === 95;
}

function scanIpAddresses(text: string, push: (c: Candidate) => void): void {
  // IPv6: each run of hex digits, colons and dots around a colon, read once.
  for (let colon = text.indexOf(':'); colon !== -1; ) {
    let start = colon;
    while (start > 0 && isIpv6Char(text.charCodeAt(start - 1))) start--;
    let end = colon + 1;
    while (end < text.length && isIpv6Char(text.charCodeAt(end))) end++;
    colon = text.indexOf(':', end);
    while (end > start && text.charCodeAt(end - 1) === 46) end--;
    if (text.charCodeAt(end - 1) === 58 && text.charCodeAt(end - 2) !== 58) end--;
    if ((start > 0 && isWordChar(text.charCodeAt(start - 1))) || isWordChar(text.charCodeAt(end)) || text.charCodeAt(start) === 46) continue;
    const raw = text.slice(start, end);
    const groups = raw.split(':').filter((g) => g !== '');
    if (groups.length < 2 || !/\d/.test(raw)) continue;
    const expanded = expandIpv6(raw);
    if (expanded === undefined || /^0000:0000:0000:0000:0000:0000:0000:000[01]$/.test(expanded)) continue;
    const first = parseInt(expanded.slice(0, 4), 16);
    const local = (first & 0xffc0) === 0xfe80 || (first & 0xfe00) === 0xfc00;
    push({
      kind: 'ip_address',
      start,
      end,
      score: local ? 0.45 : 0.9,
      value: expanded,
      message: `IPv6 address (${local ? 'local' : 'public'})`,
    });
  }
  for (const m of text.matchAll(IPV4)) {
    const octets = m[0].split('.').map(Number);
    const cls = ipv4Class(octets);
    if (cls === 'reserved') continue;
    if (VERSION_CONTEXT.test(before(text, m.index!, 24)) || VERSION_AFTER.test(after(text, m.index! + m[0].length, 16))) continue;
    push({
      kind: 'ip_address',
      start: m.index!,
      end: m.index! + m[0].length,
      score: cls === 'private' ? 0.45 : 0.9,
      value: m[0],
      message: `IPv4 address (${cls})`,
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Phone numbers

const PHONE = /(?<![\wÀ-ÿ+#@/.=-]|\d )(?:\(\+\d{1,3}\)[ -]?|\+ ?|00)?\(?\d(?:(?:[ .\u00a0-]|\) ?| ?\()?\d){6,17}/g;
const PHONE_CONTEXT =
  /\b(?:phone|phones|tel|tél|telephone|téléphone|telefon|telefono|teléfono|telefoon|telefoonnummer|mobile|mobil|móvil|movil|mobiel|cellulare|cell|cellphone|handy|portable|call|calls|called|ring|sms|text|whatsapp|fax|contact|reach|dial|landline|fixe|festnetz|fijo|fisso|vast)\b/;

/** Country calling codes and the lengths of their national numbers (digits after the code). */
const CALLING_CODES: Readonly<Record<string, readonly [number, number]>> = {
  '1': [10, 10], '7': [10, 10], '20': [9, 10], '27': [9, 9], '30': [10, 10], '31': [9, 9], '32': [8, 9], '33': [9, 9], '34': [9, 9],
  '36': [8, 9], '39': [6, 11], '40': [9, 9], '41': [9, 9], '43': [4, 13], '44': [9, 10], '45': [8, 8], '46': [7, 13], '47': [8, 8],
  '48': [9, 9], '49': [6, 13], '51': [8, 11], '52': [10, 10], '54': [10, 11], '55': [10, 11], '56': [9, 9], '57': [8, 10],
  '60': [7, 10], '61': [9, 9], '62': [7, 12], '63': [8, 10], '64': [8, 10], '65': [8, 8], '66': [8, 9], '81': [9, 10], '82': [8, 10],
  '84': [9, 10], '86': [10, 11], '90': [10, 10], '91': [10, 10], '92': [9, 10], '351': [9, 9], '352': [6, 11], '353': [7, 9],
  '358': [6, 12], '420': [9, 9], '421': [9, 9], '971': [8, 9], '972': [8, 9], '966': [9, 9], '234': [8, 10], '212': [9, 9],
};

/** A US ZIP+4 code (`04554-8342`), never a phone number. */
const ZIP_PLUS_4 = /^\d{5}-\d{4}$/;

/** A date that starts the candidate (`15.03.2024 10`, `2024-03-15`), but not a dotted phone number (`06.12.34.56.78`). */
const DATE_SHAPE = /^(?:\d{1,2}([./-])\d{1,2}\1\d{2,4}(?!\d|\1\d)|\d{4}([./-])\d{1,2}\2\d{1,2}(?!\d|\2\d))/;

function sameGroups(groups: readonly number[], ...shapes: ReadonlyArray<readonly number[]>): boolean {
  return shapes.some((shape) => shape.length === groups.length && shape.every((g, i) => g === groups[i]));
}

/** The score of a national (no country code) number, or 0 if it has no known national shape. */
function nationalPhoneScore(digits: string, groups: readonly number[], context: boolean): number {
  const n = digits.length;
  const compact = groups.length === 1;
  const grouped = (score: number) => (compact ? (context ? 0.75 : 0) : context ? Math.min(0.95, score + 0.1) : score);
  // North America: [2-9]XX [2-9]XX XXXX, optionally 1 first.
  const nanp = n === 11 && digits[0] === '1' ? digits.slice(1) : digits;
  const nanpGroups = n === 11 && groups[0] === 1 ? groups.slice(1) : groups;
  if (nanp.length === 10 && /^[2-9]\d\d[2-9]/.test(nanp) && (compact || sameGroups(nanpGroups, [3, 3, 4], [3, 7]))) return grouped(0.8);
  // Trunk prefix 0 (UK, FR, DE, IT landlines, NL, IN landlines), groups of two or more digits.
  if (digits[0] === '0' && digits[1] !== '0' && n >= 9 && n <= 12 && groups.every((g) => g >= 2)) return grouped(0.75);
  // Spain: 9 digits from 6, 7, 8 or 9.
  if (n === 9 && /^[6-9]/.test(digits) && (compact || sameGroups(groups, [3, 3, 3], [3, 2, 2, 2], [2, 3, 2, 2]))) return grouped(0.7);
  // Italian mobiles: 3XX XXX XXXX.
  if (n === 10 && digits[0] === '3' && (compact || sameGroups(groups, [3, 3, 4], [3, 7], [3, 4, 3]))) return grouped(0.7);
  // Indian mobiles: XXXXX XXXXX from 6–9.
  if (n === 10 && /^[6-9]/.test(digits) && (compact || sameGroups(groups, [5, 5], [3, 3, 4]))) return grouped(0.7);
  return 0;
}

function scanPhones(text: string, push: (c: Candidate) => void): void {
  for (const m of text.matchAll(PHONE)) {
    const raw = m[0];
    const start = m.index!;
    const end = start + raw.length;
    const next = text.charCodeAt(end);
    if (isAlnum(next) || ((next === 46 || next === 44 || next === 45) && isDigit(text.charCodeAt(end + 1)))) continue;
    if (DATE_SHAPE.test(raw) || ZIP_PLUS_4.test(raw)) continue;
    const separators = raw.replace(/[\d+()]/g, '');
    if (separators.includes('.') && /[ \u00a0-]/.test(separators)) continue;
    if ((raw.match(/\(/g)?.length ?? 0) !== (raw.match(/\)/g)?.length ?? 0)) continue;
    const international = raw.startsWith('+') || raw.startsWith('(+') || raw.startsWith('00');
    if (hasReferenceContext(text, start) || QUANTITY_AFTER.test(after(text, end, 12))) continue;
    const windowBefore = before(text, start, 32);
    const context = PHONE_CONTEXT.test(windowBefore.slice(windowBefore.lastIndexOf('\n') + 1));
    let score = 0;
    let label = 'national';
    if (international) {
      // "+44 (0)20 …": the trunk 0 in parentheses is not dialled from abroad.
      const body = raw.replace(/^(\(\+|\+ ?|00)/, '').replace(/\(0\)/, '');
      const digits = digitsOf(body);
      const groups = body.split(/[^\d]+/).filter((g) => g !== '').map((g) => g.length);
      if (groups.filter((g) => g === 1).length > 2) continue;
      const code = [digits.slice(0, 1), digits.slice(0, 2), digits.slice(0, 3)].find((c) => CALLING_CODES[c] !== undefined);
      if (code !== undefined) {
        const [min, max] = CALLING_CODES[code]!;
        // "+44 07700 …": a trunk 0 written after the code by mistake is common; it is not counted.
        const trunkZero = digits[code.length] === '0' && code !== '39' ? 1 : 0;
        const national = digits.length - code.length - trunkZero;
        if (national < min || national > max) continue;
        if (code === '1' && !/^[2-9]\d\d[2-9]/.test(digits.slice(1))) continue;
        score = (context ? 0.97 : 0.9) - 0.05 * trunkZero;
        label = `+${code}`;
      } else {
        if (digits.length < 8 || digits.length > 15) continue;
        score = context ? 0.8 : 0.6;
        label = 'international';
      }
    } else {
      const digits = digitsOf(raw);
      const groups = raw.split(/[^\d]+/).filter((g) => g !== '').map((g) => g.length);
      if (digits.length > 12 || groups.length > 6) continue;
      score = nationalPhoneScore(digits, groups, context);
      if (score === 0) continue;
    }
    push({
      kind: 'phone',
      start,
      end,
      score,
      value: normalizePiiValue('phone', raw),
      message: `phone number (${label}, ends ${lastChars(raw, 2)})`,
    });
  }
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

// ---------------------------------------------------------------------------------------------
// Street addresses

const L = "\\p{L}'’";
/** A capitalised word of a street name; dots only inside it (`Saint-Jean`, `J.F.Kennedy`), never the full stop after it. */
const CAP = `\\p{Lu}[${L}-]*(?:\\.[${L}-]+)*`;

/** English: [Flat 4, ] 12[a] Name Name Street|St|Road|… [NW] (UK, US, CA, IN). */
const EN_STREET = new RegExp(
  String.raw`(?<![\p{L}\p{N}])(?:(?:Flat|Apt\.?|Apartment|Unit|Suite|Ste\.?)\s*#?\d{1,4}[A-Za-z]?,?\s+)?\d{1,5}[A-Za-z]?(?:-\d{1,5})?,?\s+` +
    String.raw`(?:(?:${CAP}|\d{1,3}(?:st|nd|rd|th))\s+){1,4}` +
    String.raw`(?:(?:Street|street|Avenue|avenue|Road|road|Boulevard|Lane|lane|Drive|drive|Court|Place|Terrace|Way|Close|Crescent|Square|Parkway|Highway|Gardens|Grove|Mews|Row|Walk|Circle|Trail|Hill|Park|Marg|Nagar|Cross)` +
    String.raw`|(?:St|Ave|Rd|Blvd|Ln|Dr|Ct|Pl|Cres|Sq|Pkwy|Hwy|Cir)\.?)` +
    String.raw`(?:\s+(?:North|South|East|West|NE|NW|SE|SW|N\.?W\.?|S\.?E\.?))?(?![\p{L}\p{N}])`,
  'gu',
);

/** French: 12[ bis], rue|avenue|boulevard|… [de la] Name (FR, CA-QC). */
const FR_STREET = new RegExp(
  String.raw`(?<![\p{L}\p{N}])\d{1,4}(?:\s?(?:bis|ter|[A-Da-d])(?![\p{L}]))?,?\s+` +
    String.raw`(?:rue|Rue|r\.|avenue|Avenue|av\.|Av\.|boulevard|Boulevard|bd|Bd|place|Place|allée|Allée|impasse|Impasse|chemin|Chemin|quai|Quai|route|Route|cours|Cours|square|Square|passage|Passage|faubourg|Faubourg|rond-point|Rond-Point)\s+` +
    String.raw`(?:(?:de\s+la|de\s+l['’]|des|du|de|d['’]|la|le|les|l['’])\s*)?${CAP}(?:[\s-]+(?:(?:de|du|des|la|le|les|et|sur|en|d['’]|l['’])\s*)?${CAP}){0,3}`,
  'gu',
);

/**
 * German and Dutch street-type endings (Hauptstraße 5, Karl-Marx-Allee 90, Kerkstraat 12) and
 * separate type words after an adjective (Berliner Str. 12, Frankfurter Allee 5): found by the
 * ending followed by a number, then read backwards to the start of the name.
 */
const STREET_ENDING = /(?:stra(?:ße|sse|at)|str\.|weg|allee|platz|gasse|damm|ufer|chaussee|pfad|steig|laan|plein|gracht|kade|singel|dijk|steeg|ring)(?=\s{1,3}\d)/giu;
/** The house number after a German or Dutch street: 5, 12a, 12 a, 3-5, 263-B. Sticky. */
const COMPOUND_HOUSE_NUMBER = /\s{1,3}\d{1,4}(?:\s?[a-zA-Z](?![\p{L}])|-\d{1,3}(?!\d)|-[A-Za-z]{1,2}(?![\p{L}]))?(?![\p{L}\p{N}])/uy;
const LETTER = /\p{L}/u;
const UPPER = /\p{Lu}/u;

function isLetterAt(text: string, i: number): boolean {
  return i >= 0 && i < text.length && LETTER.test(text[i]!);
}

/** The span of a German or Dutch street with its number, from the ending found at `m`, or undefined. */
function compoundStreetAt(text: string, m: RegExpMatchArray): TextSpan | undefined {
  const endingStart = m.index!;
  const endingEnd = endingStart + m[0].length;
  let start = endingStart;
  while (start > 0 && (isLetterAt(text, start - 1) || text[start - 1] === '-')) start--;
  if (start > 0 && /[\p{N}]/u.test(text[start - 1]!)) return undefined;
  if (start < endingStart) {
    // One word: the ending is attached to a capitalised name (not "Bring", "Spring": no "ring").
    if (!UPPER.test(text[start]!) || m[0].toLowerCase() === 'ring') return undefined;
  } else {
    // A separate type word, capitalised, after an adjective in -er/-sche/-scher.
    if (!UPPER.test(text[endingStart]!)) return undefined;
    let prevEnd = start;
    while (prevEnd > 0 && text[prevEnd - 1] === ' ') prevEnd--;
    if (prevEnd === start || prevEnd < start - 1) return undefined;
    let prevStart = prevEnd;
    while (prevStart > 0 && isLetterAt(text, prevStart - 1)) prevStart--;
    const adjective = text.slice(prevStart, prevEnd);
    if (!UPPER.test(adjective[0] ?? '') || !/(?:er|sche|scher)$/.test(adjective) || (prevStart > 0 && /[\p{N}]/u.test(text[prevStart - 1]!))) return undefined;
    start = prevStart;
  }
  COMPOUND_HOUSE_NUMBER.lastIndex = endingEnd;
  const number = COMPOUND_HOUSE_NUMBER.exec(text);
  if (!number) return undefined;
  return { start, end: endingEnd + number[0].length };
}

/** Spanish: Calle|Avenida|Plaza|C/ [de la] Name[,] [nº] 5. */
const ES_STREET = new RegExp(
  String.raw`(?<![\p{L}\p{N}])(?:(?:Calle|calle|C\/|Avenida|avenida|Avda\.|Av\.|Plaza|plaza|Pza\.|Paseo|paseo|P\.º|Camino|Carrera|Ronda|Travesía|Rambla|Glorieta)\s*` +
    String.raw`(?:(?:de\s+la|de\s+los|de\s+las|del|de|la|las|los|el)\s+)?${CAP}(?:\s+(?:(?:de|del|la|las|los|y|el)\s+)?${CAP}){0,3}|Gran Vía)` +
    String.raw`,?\s+(?:n[º°o]\.?\s*)?\d{1,4}(?:\s?[A-Za-z](?![\p{L}]))?(?:,?\s*\d{1,2}[º°ª]\s?[A-Za-z]?(?![\p{L}]))?(?![\p{L}\p{N}])`,
  'gu',
);

/** Italian: Via|Viale|Piazza|Corso [del] Name[,] [n.] 10[/a]. */
const IT_STREET = new RegExp(
  String.raw`(?<![\p{L}\p{N}])(?:Via|Viale|V\.le|Piazza|P\.zza|P\.za|Piazzale|P\.le|Corso|C\.so|Largo|Vicolo|Strada|Lungomare|Lungotevere|Borgo|Contrada)\s+` +
    String.raw`(?:(?:dei|degli|delle|della|dello|del|di|de['’]|d['’]|dell['’]|San|Santa|Sant['’])\s*)?${CAP}(?:\s+(?:(?:dei|degli|delle|della|dello|del|di|d['’]|dell['’])\s*)?${CAP}){0,3}` +
    String.raw`,?\s+(?:n\.\s*)?\d{1,4}(?:\s?[A-Za-z](?![\p{L}])|\/[A-Za-z0-9]{1,2})?(?![\p{L}\p{N}])`,
  'gu',
);

const STREET_PATTERNS: ReadonlyArray<readonly [string, RegExp]> = [
  ['EN', EN_STREET],
  ['FR', FR_STREET],
  ['ES', ES_STREET],
  ['IT', IT_STREET],
];

const CITY = String.raw`(?:St\.\s|Ste\.\s)?\p{Lu}[\p{L}'’-]+(?:[ -](?:(?:am|an|sur|de|del|di|en|im|upon|on|la|le)\s+)?\p{Lu}[\p{L}'’-]+){0,2}`;
const POSTCODE_AFTER_CITY = String.raw`(?:\d{5}(?:-\d{4})?|[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}|[A-Z]\d[A-Z]\s?\d[A-Z]\d|\d{3}\s?\d{3})`;

/**
 * What may follow a street: a flat or floor, then "postcode city" (FR, DE, ES, IT, NL) or
 * "city[, state] postcode" (US, UK, CA, IN). Sticky: tried right where the street ends.
 */
const ADDRESS_TAIL = new RegExp(
  String.raw`(?:,?\s*(?:(?:Apt|Apartment|Suite|Ste|Unit|Flat|Piso|Planta|Esc\.|Int\.|Interno|Scala|Étage|App\.?)\s*\.?\s*#?\s*[\w-]{1,5}|\d{1,2}[º°ª]\s?[A-Za-z]?|#\s?\d{1,5}[A-Za-z]?)(?![\p{L}\p{N}]))?` +
    String.raw`(?:,?[ \t]*\n?[ \t]*(?:(?:[A-Z]-)?(?:\d{5}|\d{4}\s?[A-Z]{2}(?![\p{L}])|\d{4})\s+${CITY}(?:\s+\(?[A-Z]{2}\)?(?![\p{L}]))?` +
    String.raw`|(?:${CITY},\s+)?${CITY},?\s+(?:(?:[A-Z]{2}|\([A-Z]{2}\))\s+)?${POSTCODE_AFTER_CITY})(?![\p{L}\p{N}]))?`,
  'uy',
);

function scanStreetAddresses(text: string, push: (c: Candidate) => void): void {
  const streets: Array<{ style: string; start: number; end: number }> = [];
  for (const [style, pattern] of STREET_PATTERNS) {
    for (const m of text.matchAll(pattern)) streets.push({ style, start: m.index!, end: m.index! + m[0].length });
  }
  for (const m of text.matchAll(STREET_ENDING)) {
    const span = compoundStreetAt(text, m);
    if (span) streets.push({ style: 'DE/NL', ...span });
  }
  for (const street of streets) {
    const { style, start } = street;
    let end = street.end;
    ADDRESS_TAIL.lastIndex = end;
    const tail = ADDRESS_TAIL.exec(text);
    const withPostcode = tail !== null && /\d/.test(tail[0]) && LETTER.test(tail[0]) && tail[0].length > 4;
    if (tail) end += tail[0].length;
    push({
      kind: 'street_address',
      start,
      end,
      score: withPostcode ? 0.9 : 0.8,
      value: normalizePiiValue('street_address', text.slice(start, end)),
      message: `street address (${style} style${withPostcode ? ', with postcode' : ''})`,
    });
  }
}

// ---------------------------------------------------------------------------------------------
// The allow-list

/** The allowed values, normalised once per kind. */
class AllowList {
  private readonly exact: ReadonlyMap<PiiKind, ReadonlySet<string>>;
  private readonly phones: readonly string[];
  private readonly addresses: readonly string[];

  constructor(values: readonly string[]) {
    const exact = new Map<PiiKind, Set<string>>();
    for (const kind of PII_KINDS) exact.set(kind, new Set(values.map((v) => normalizePiiValue(kind, v)).filter((v) => v !== '')));
    this.exact = exact;
    this.phones = [...exact.get('phone')!].map(significantPhoneDigits).filter((d) => d.length >= 7);
    this.addresses = [...exact.get('street_address')!].filter((a) => a.length >= 8 && /\d/.test(a)).map((a) => ` ${a} `);
  }

  allows(kind: PiiKind, normalised: string): boolean {
    if (this.exact.get(kind)?.has(normalised)) return true;
    if (kind === 'phone') {
      const digits = significantPhoneDigits(normalised);
      if (digits.length < 7) return false;
      return this.phones.some((p) => (p.length >= digits.length ? p.endsWith(digits) : digits.endsWith(p)));
    }
    if (kind === 'street_address' && normalised.length >= 8) {
      const padded = ` ${normalised} `;
      return this.addresses.some((a) => a.includes(padded) || padded.includes(a));
    }
    return false;
  }
}

/** A phone number's digits without the international or trunk prefix zeros. */
function significantPhoneDigits(digits: string): string {
  return digits.replace(/^0+/, '');
}

// ---------------------------------------------------------------------------------------------
// Collecting values

const MAX_COLLECT_DEPTH = 32;
/** Low enough to collect role mailboxes and private IP addresses too: allowing them costs nothing. */
const COLLECT_MIN_SCORE = 0.3;

/** Words in a key that say its value is personal data. */
const PII_KEY_WORDS = new Set([
  'email', 'mail', 'phone', 'mobile', 'tel', 'telephone', 'fax', 'cell', 'address', 'street', 'addr', 'line1', 'line2',
  'iban', 'card', 'pan', 'ssn', 'nino', 'nir', 'dni', 'nie', 'nif', 'bsn', 'sin', 'aadhaar', 'fiscale', 'national', 'tax', 'steuer',
  'steuerid', 'ip', 'ipv4', 'ipv6',
]);

function isPiiKey(key: string): boolean {
  return key
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .some((word) => PII_KEY_WORDS.has(word));
}

function placeholderOf(kind: string): string {
  return (PII_PLACEHOLDERS as Readonly<Record<string, string>>)[kind] ?? '[PII]';
}
