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
import { scanStreetAddresses } from './pii-address';
import { scanCards } from './pii-card';
import { after, before, isAlnum, isDigit, type PiiCandidate, type PiiKind, type PiiScanner } from './pii-candidate';
import { scanNationalIds } from './pii-national-id';
import { scanPhones } from './pii-phone';

export type { PiiKind } from './pii-candidate';


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
    if (allowList?.allows(c.kind, c.value ?? normalizePiiValue(c.kind, text.slice(c.start, c.end)))) continue;
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


/** Detectors in order of precedence: checksummed and well-delimited kinds first. */
const SCANNERS: ReadonlyArray<readonly [PiiKind, PiiScanner]> = [
  ['email', scanEmails],
  ['iban', scanIbans],
  ['payment_card', scanCards],
  ['national_id', scanNationalIds],
  ['ip_address', scanIpAddresses],
  ['phone', scanPhones],
  ['street_address', scanStreetAddresses],
];

/** Most characters (UTF-16 code units) the detectors read at once; a longer text is read in overlapping windows. */
export const PII_WINDOW_CHARS = 65_536;
/**
 * Characters consecutive windows share. Each window reports only the values that start in its own
 * middle part (all but the first and last half-overlap), so every value and the context read around
 * it (at most a few hundred characters: an address with its units and locality, 60 characters of
 * words before a number) lies whole in the window that reports it.
 */
export const PII_WINDOW_OVERLAP = 2_048;

/**
 * The windows {@link detectPii} reads a text of `length` characters in: one for a text that fits,
 * else windows of {@link PII_WINDOW_CHARS} every `PII_WINDOW_CHARS - PII_WINDOW_OVERLAP`
 * characters, the last one ending at the end. The work is linear in the text's length whatever it
 * holds: each window is bounded, and so is what any pattern reads from one position.
 */
export function piiWindows(length: number): TextSpan[] {
  if (length <= PII_WINDOW_CHARS) return [{ start: 0, end: length }];
  const step = PII_WINDOW_CHARS - PII_WINDOW_OVERLAP;
  const windows: TextSpan[] = [];
  for (let start = 0; ; start += step) {
    const end = Math.min(length, start + PII_WINDOW_CHARS);
    windows.push({ start, end });
    if (end === length) return windows;
  }
}

/** The accepted candidates of `text`, window by window, in the text's coordinates and order. */
function claimSpans(text: string, kinds: ReadonlySet<PiiKind>): PiiCandidate[] {
  const windows = piiWindows(text.length);
  if (windows.length === 1) return claimWindow(text, kinds);
  const half = PII_WINDOW_OVERLAP / 2;
  const accepted: PiiCandidate[] = [];
  windows.forEach((w, i) => {
    const ownStart = i === 0 ? 0 : w.start + half;
    const ownEnd = i === windows.length - 1 ? text.length : w.end - half;
    for (const c of claimWindow(text.slice(w.start, w.end), kinds)) {
      const start = c.start + w.start;
      if (start >= ownStart && start < ownEnd) accepted.push({ ...c, start, end: c.end + w.start });
    }
  });
  return accepted;
}

/**
 * Runs the detectors in order of precedence; a candidate overlapping one already accepted is
 * dropped (within a detector, higher scores first). Low scores and allowed values still claim
 * their text, so that no weaker detector reports a piece of them.
 */
function claimWindow(text: string, kinds: ReadonlySet<PiiKind>): PiiCandidate[] {
  const accepted: PiiCandidate[] = [];
  // Which characters accepted candidates cover: an overlap test costs the candidate's length.
  const claimed = new Uint8Array(text.length);
  for (const [kind, scan] of SCANNERS) {
    if (!kinds.has(kind)) continue;
    const found: PiiCandidate[] = [];
    scan(
      text,
      (c) => found.push(c),
      (start, end) => claimed.subarray(start, end).some((x) => x === 1),
    );
    found.sort((a, b) => b.score - a.score || a.start - b.start);
    for (const c of found) {
      if (claimed.subarray(c.start, c.end).some((x) => x === 1)) continue;
      claimed.fill(1, c.start, c.end);
      accepted.push(c);
    }
  }
  return accepted.sort((a, b) => a.start - b.start);
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

function scanEmails(text: string, push: (c: PiiCandidate) => void): void {
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

function scanIbans(text: string, push: (c: PiiCandidate) => void): void {
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

function scanIpAddresses(text: string, push: (c: PiiCandidate) => void): void {
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
