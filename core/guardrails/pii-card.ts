/**
 * Payment card numbers: 12 to 19 digits written compact or in groups with any separators (spaces,
 * dashes, dots, slashes, mixed), a known issuer range for their length, and the Luhn check. Pure.
 */
import { before, hasReferenceContext, luhnValid, type PiiCandidate } from './pii-candidate';

/**
 * A run of 13–19 digits with at most one separator (a space, or `-`, `.`, `/` with spaces around)
 * between two digits. Bounded: linear in the text.
 */
const CARD = /(?<![\w.,+/-]|\d[ -])\d(?:(?: ?[-./] ?| {1,2}|\u00a0)?\d){12,18}(?![\w]|[ .,/-]\d)/g;
const CARD_CONTEXT =
  /\b(?:card|cards|visa|mastercard|master card|amex|american express|discover|jcb|diners|unionpay|maestro|elo|hipercard|rupay|mir|carte|cb|karte|kreditkarte|tarjeta|carta|kaart|creditcard|cartão|cartao|karta|kartą|kartę|pan|cc|クレジット|カード)\b/;

/** The card brand of a number from its issuer identification prefix and length, or undefined. */
export function cardBrand(digits: string): string | undefined {
  const n = digits.length;
  const p2 = Number(digits.slice(0, 2));
  const p3 = Number(digits.slice(0, 3));
  const p4 = Number(digits.slice(0, 4));
  const p6 = Number(digits.slice(0, 6));
  if (digits[0] === '4' && (n === 13 || n === 16 || n === 19)) return 'Visa';
  if (((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) && n === 16) return 'Mastercard';
  if ((p2 === 34 || p2 === 37) && n === 15) return 'American Express';
  if (p4 >= 2200 && p4 <= 2204 && n >= 16 && n <= 19) return 'Mir';
  if ((p4 === 6011 || (p3 >= 644 && p3 <= 649) || p2 === 65 || (p6 >= 622126 && p6 <= 622925)) && n >= 16 && n <= 19) return 'Discover';
  if (p4 >= 3528 && p4 <= 3589 && n >= 16 && n <= 19) return 'JCB';
  if (((p3 >= 300 && p3 <= 305) || p2 === 36 || p2 === 38 || p2 === 39) && n >= 14 && n <= 19) return 'Diners Club';
  if ((p2 === 62 || p2 === 81) && n >= 16 && n <= 19) return 'UnionPay';
  if ((p6 === 606282 || p4 === 3841) && (n === 16 || n === 19)) return 'Hipercard';
  if ((p2 === 50 || (p2 >= 56 && p2 <= 69)) && n >= 12 && n <= 19) return 'Maestro';
  return undefined;
}

/** Whether the digit groups are a way cards are written: compact, 4-4-4-4(-3), Amex 4-6-5, Diners 4-6-4, 6-13, or groups of 3 to 6. */
function cardGroupingValid(groups: readonly number[]): boolean {
  if (groups.length === 1) return true;
  if (groups.length === 3 && groups[0] === 4 && groups[1] === 6 && (groups[2] === 5 || groups[2] === 4)) return true;
  if (groups.length === 2 && groups[0] === 6) return true;
  if (groups.every((g, i) => (i < groups.length - 1 ? g === 4 : g >= 1 && g <= 4))) return true;
  return groups.length <= 5 && groups.every((g) => g >= 3 && g <= 6);
}

export function scanCards(text: string, push: (c: PiiCandidate) => void): void {
  const pattern = new RegExp(CARD.source, 'g');
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    const raw = m[0];
    // The run may hold two numbers joined by ` / ` or ` - `: the whole run, then its parts before each such separator.
    const cuts = [raw.length, ...[...raw.matchAll(/ [/-] /g)].map((c) => c.index).reverse()];
    for (const cut of cuts) {
      const piece = raw.slice(0, cut);
      if (piece.replace(/\D/g, '').length < 13) continue;
      if (cardAt(text, m.index, piece, push)) {
        pattern.lastIndex = m.index + piece.length;
        break;
      }
    }
    // None: a second number may start after the first separator, if what is before it is a number of its own.
    const first = cuts.length > 1 ? cuts[cuts.length - 1]! : -1;
    if (pattern.lastIndex === m.index + raw.length && first >= 4 && raw.slice(0, first).replace(/\D/g, '').length >= 4) pattern.lastIndex = m.index + first + 3;
  }
}

/** Pushes the card number `raw` found at `start`, if it is one; whether it was. */
function cardAt(text: string, start: number, raw: string, push: (c: PiiCandidate) => void): boolean {
  const digits = raw.replace(/\D/g, '');
  const groups = raw.split(/[^\d]+/).map((g) => g.length);
  if (!cardGroupingValid(groups) || !luhnValid(digits)) return false;
  const brand = cardBrand(digits);
  if (brand === undefined) return false;
  const context = CARD_CONTEXT.test(before(text, start, 40));
  if (!context && (hasReferenceContext(text, start) || (groups.length === 1 && digits.length === 13))) return false;
  const separators = new Set(raw.replace(/[\d ]/g, ''));
  const mixed = separators.size > 1 || (separators.size === 1 && raw.includes(' ') && !/ [-./] /.test(raw));
  push({
    kind: 'payment_card',
    start,
    end: start + raw.length,
    score: context ? 0.98 : groups.length > 1 ? (mixed ? 0.85 : 0.95) : 0.9,
    value: digits,
    message: `payment card (${brand}, ends ${digits.slice(-4)})`,
  });
  return true;
}
