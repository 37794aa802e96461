/**
 * Phone numbers, with or without a word naming them: a run of digits with the separators people
 * write (spaces, dots, dashes, slashes, parentheses, `(0)`, an extension), then checked against
 * the numbering plans of libphonenumber (`libphonenumber-js`, its full metadata, offline): an
 * international number must be valid for its country code; a national one must be valid in one of
 * the countries tried, and scores higher when its grouping is the one that country writes. Dates,
 * prices, quantities and numbers after reference words (order, invoice, tracking, meeting…) are not
 * phone numbers. Pure: the metadata is bundled; no I/O.
 */
import { parsePhoneNumberFromString, type CountryCode, type PhoneNumber } from 'libphonenumber-js/max';
import { after, before, digitsOf, hasReferenceContext, isAlnum, isDigit, lastChars, QUANTITY_AFTER, type PiiCandidate } from './pii-candidate';

/**
 * A run of 6–18 digits with at most one separator between two of them: a space, `.`, `-`, `/`
 * (spaces around allowed), a parenthesis, `(0)`; optionally after `+`, `00` or `(+NN)`. Bounded
 * quantifiers and one separator per gap: linear in the text.
 */
const PHONE = /(?<![\wÀ-ÿ+#@/.=-]|\d )(?:\(\+\d{1,3}\)[ -]?|\+ ?|00)?\(?\d(?:(?:[ .\u00a0-]|\) ?| ?\((?:0\) ?)?| ?\/ ?| - | ?\(0\) ?)?\d){5,17}/g;

/** Words that name a phone number, in the languages of the locales covered. */
const PHONE_CONTEXT =
  /(?:^|[^\p{L}])(?:phone|phones|tel|tél|telephone|téléphone|telefon|telefono|teléfono|telefone|telemóvel|telefoon|telefoonnummer|mobile|mobil|móvil|movil|mobiel|cellulare|cell|celular|cellphone|handy|portable|call|calls|called|ring|sms|text|whatsapp|fax|contact|contacto|contato|kontakt|reach|dial|landline|fixe|festnetz|fijo|fisso|vast|rufnummer|durchwahl|numer|komórka|電話|携帯|tel\.)(?![\p{L}])/u;

/** What may follow a number as its extension: `ext. 204`, `x12`, `poste 3`, `Durchwahl 15`. Sticky. */
const EXTENSION = /\s{0,2}(?:ext\.?|extension|x|poste|durchwahl|dw\.?|int\.?|interno|ramal)\s{0,2}\d{1,5}(?![\w])/iy;

/** Countries tried for numbers written the national way: with a trunk 0 first, or without one. */
const TRUNK_ZERO_COUNTRIES: readonly CountryCode[] = ['GB', 'DE', 'FR', 'IT', 'NL', 'JP', 'IN', 'AU', 'BE', 'CH', 'AT', 'IE', 'SE', 'FI', 'NZ', 'ZA', 'TR', 'KR', 'CN', 'BR', 'AR'];
const NO_TRUNK_COUNTRIES: readonly CountryCode[] = ['US', 'AU', 'ES', 'IT', 'PT', 'PL', 'BR', 'MX', 'IN', 'DK', 'NO', 'SG', 'GR', 'CZ', 'HU', 'CO', 'CL', 'CN'];

/** How many digits a number written the national way has in each country tried (with its trunk prefix); others are not tried. */
const NATIONAL_LENGTHS: Readonly<Partial<Record<CountryCode, readonly [number, number]>>> = {
  US: [10, 11], AU: [9, 10], ES: [9, 9], IT: [6, 11], PT: [9, 9], PL: [9, 9], BR: [10, 12], MX: [10, 12], IN: [10, 11], DK: [8, 8], NO: [8, 8],
  SG: [8, 8], GR: [10, 10], CZ: [9, 9], HU: [8, 11], CO: [10, 10], CL: [9, 9], CN: [10, 12], GB: [9, 11], DE: [5, 13], FR: [10, 10], NL: [10, 10],
  JP: [10, 11], BE: [9, 10], CH: [10, 10], AT: [5, 13], IE: [7, 10], SE: [7, 10], FI: [5, 12], NZ: [8, 10], ZA: [10, 10], TR: [11, 11], KR: [9, 11], AR: [10, 11],
};

/** A date that starts the candidate (`15.03.2024 10`, `2024-03-15`), but not a dotted phone number (`06.12.34.56.78`). */
const DATE_SHAPE = /^(?:\d{1,2}[./-]\d{1,2}[./-](?:19|20)?\d{2}(?![\d]|[./-]\d)|\d{4}[./-]\d{1,2}[./-]\d{1,2}(?![\d]|[./-]\d))/;
/** A US ZIP+4 code (`04554-8342`) or a Brazilian CEP (`01310-200`): never a phone number. */
const POSTCODE_SHAPE = /^(?:\d{5}-\d{4}|\d{5}-\d{3})$/;
/** An ISBN-13 or EAN-13 of a book (`978-0-306-40615-7`). */
const ISBN_SHAPE = /^(?:97[89]-\d{1,5}-\d{1,7}-\d{1,7}-\d|97[89]\d{10})$/;

/** An amount with thousands and decimals (`1.299,00`, `1,249.99`) or a number in thousands (`1 249 500`). */
const AMOUNT_SHAPE = /^(?:\d{1,2}([ .,])\d{3}(?:\1\d{3})*|\d{1,3}([ .,])\d{3}(?:\2\d{3})*[.,]\d{2}|\d{1,3}(?:,\d{3})+)$/;

/** The digit groups of a written number (`(030) 901 820` → 3, 3, 3). */
function groupsOf(raw: string): number[] {
  return raw
    .split(/\D+/)
    .filter((g) => g !== '')
    .map((g) => g.length);
}

function sameGroups(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((g, i) => g === b[i]);
}

/** Parses `digits` as a national number of `country`; the number when it is valid there. */
function validIn(digits: string, country: CountryCode): PhoneNumber | undefined {
  const p = parsePhoneNumberFromString(digits, country);
  if (!p || !p.isValid()) return undefined;
  if (p.country !== country && !(country === 'US' && p.country === 'CA')) return undefined;
  return p;
}

/** The score of an international number (`+`, `00`, `(+NN)` first), or 0 when it is no valid number. */
function internationalScore(raw: string): { score: number; label: string } {
  const body = raw.replace(/^\(\+(\d{1,3})\)/, '$1').replace(/^\+ ?|^00/, '').replace(/\(0\)/, '');
  let digits = digitsOf(body);
  let p = parsePhoneNumberFromString(`+${digits}`);
  let penalty = 0;
  if (!p?.isValid() && p?.countryCallingCode) {
    // Common slips: a trunk 0 written after the code (`+44 07700 …`), Mexico's old mobile 1 (`+52 1 33 …`).
    const cc = p.countryCallingCode;
    const rest = digits.slice(cc.length);
    if (rest.startsWith('0') || (cc === '52' && rest.startsWith('1')) || (cc === '54' && rest.startsWith('9'))) {
      digits = cc + rest.slice(1);
      p = parsePhoneNumberFromString(`+${digits}`);
      penalty = 0.05;
    }
  }
  if (!p) return { score: 0, label: 'international' };
  if (p.isValid()) return { score: 0.9 - penalty, label: `+${p.countryCallingCode}` };
  // A number of the right length for its code but not in a known range: still most likely a phone.
  if (p.isPossible()) return { score: 0.6, label: `+${p.countryCallingCode}, unverified` };
  return { score: 0, label: 'international' };
}

/** The score of a number written the national way, or 0 when no country tried has such a number. */
function nationalScore(raw: string, digits: string, context: boolean): { score: number; label: string } {
  const groups = groupsOf(raw);
  const compact = groups.length === 1;
  const countries = digits[0] === '0' ? TRUNK_ZERO_COUNTRIES : NO_TRUNK_COUNTRIES;
  let best: { score: number; label: string } = { score: 0, label: 'national' };
  for (const country of countries) {
    const lengths = NATIONAL_LENGTHS[country];
    if (lengths && (digits.length < lengths[0] || digits.length > lengths[1])) continue;
    const p = validIn(digits, country);
    if (!p) continue;
    const formatted = groupsOf(p.formatNational());
    const shaped = sameGroups(groups, formatted) || (groups.length >= 2 && groups.length <= 5 && groups.every((g) => g >= 2));
    let score: number;
    if (compact) {
      const type = p.getType();
      // A bare run of digits is a phone number mostly when it is a mobile's or begins with a trunk 0.
      const bare = (digits[0] === '0' && digits.length >= 10) || (digits.length === 10 && country === 'US') || (type === 'MOBILE' && digits.length >= 9);
      score = context ? 0.8 : bare ? 0.55 : 0;
    } else {
      score = sameGroups(groups, formatted) ? 0.85 : shaped ? 0.7 : 0.55;
      if (context) score = Math.min(0.97, score + 0.12);
    }
    if (score > best.score) best = { score, label: `national, ${country}` };
    if (score >= 0.85) break;
  }
  return best;
}

export function scanPhones(text: string, push: (c: PiiCandidate) => void, claimed: (start: number, end: number) => boolean = () => false): void {
  const pattern = new RegExp(PHONE.source, 'g');
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    let raw = m[0];
    let start = m.index;
    // A trailing separator and parenthesis are no part of the number, nor an opening one never closed (`(0612345678)`).
    while (/[ ./(-]$/.test(raw)) raw = raw.slice(0, -1);
    if (raw.startsWith('(') && !raw.includes(')')) {
      raw = raw.slice(1);
      start++;
    }
    // A run inside a card, an IBAN or an id already taken is no phone number: not checked at all.
    if (claimed(start, start + raw.length) && !/ [/-] /.test(raw)) continue;
    if (phoneAt(text, start, raw, push)) continue;
    // Two numbers joined by ` / ` or ` - ` (`0408 417 439 / 1300 267 273`): each on its own; the
    // last one is read again from its start, since the run may have stopped inside it.
    const parts = raw.split(/( [/-] )/);
    if (parts.length < 3) continue;
    let at = 0;
    for (const part of parts.slice(0, -1)) {
      if (!/^ [/-] $/.test(part) && !claimed(start + at, start + at + part.length)) phoneAt(text, start + at, part, push);
      at += part.length;
    }
    pattern.lastIndex = start + at;
  }
}

/** Pushes the phone number `raw` found at `start`, if it is one; whether it was. */
function phoneAt(text: string, start: number, raw: string, push: (c: PiiCandidate) => void): boolean {
  {
    let end = start + raw.length;
    const next = text.charCodeAt(end);
    if (isAlnum(next) || ((next === 46 || next === 44 || next === 45 || next === 47) && isDigit(text.charCodeAt(end + 1)))) return false;
    if (DATE_SHAPE.test(raw) || POSTCODE_SHAPE.test(raw) || AMOUNT_SHAPE.test(raw) || ISBN_SHAPE.test(raw)) return false;
    const separators = raw.replace(/[\d+()]/g, '');
    if (separators.includes('.') && /[\u00a0-]/.test(separators)) return false;
    // Dotted quads and versions (`256.10.10.10`, `124.0.6367.60`): no phone number.
    if (/^\d{1,3}(?:\.\d{1,3}){3}$/.test(raw) || (/^[\d.]+$/.test(raw) && /(?:^|\.)\d(?:\.|$)/.test(raw))) return false;
    if ((raw.match(/\(/g)?.length ?? 0) !== (raw.match(/\)/g)?.length ?? 0)) return false;
    const digits = digitsOf(raw);
    if (digits.length < 7 || digits.length > 16) return false;
    if (hasReferenceContext(text, start) || QUANTITY_AFTER.test(after(text, end, 12))) return false;
    const windowBefore = before(text, start, 32);
    const context = PHONE_CONTEXT.test(windowBefore.slice(windowBefore.lastIndexOf('\n') + 1));
    const international = raw.startsWith('+') || raw.startsWith('(+') || raw.startsWith('00');
    let result: { score: number; label: string };
    if (international) {
      if (digits.length < 8 || digits.length > 16) return false;
      result = internationalScore(raw);
      if (result.score > 0 && context) result.score = Math.min(0.97, result.score + 0.07);
    } else {
      // Seven digits are a whole number only in a few plans, and as often a postcode or a count: named ones only.
      if (digits.length < (context ? 7 : 8) || digits.length > 13) return false;
      result = nationalScore(raw, digits, context);
      if (result.score === 0) {
        // `030 901820-15`, `089 / 12 34 56 - 0`: the last group may be an extension.
        const cut = raw.match(/^(.*\d)\s?-\s?\d{1,4}$/);
        if (cut && digitsOf(cut[1]!).length >= 7) result = nationalScore(cut[1]!, digitsOf(cut[1]!), context);
      }
    }
    if (result.score === 0) return false;
    EXTENSION.lastIndex = end;
    const extension = EXTENSION.exec(text);
    if (extension) end += extension[0].length;
    push({
      kind: 'phone',
      start,
      end,
      score: result.score,
      value: digits,
      message: `phone number (${result.label}, ends ${lastChars(raw, 2)})`,
    });
    return true;
  }
}
