/**
 * The hand-written PII holdout (`holdout.txt`, written before the detector was tuned; see README):
 * its marked-up source read into texts with labelled spans. Pure: the caller reads the files.
 *
 * In the source, a record starts with a line `@@ LOCALE`; its text runs to the next such line.
 * A value is marked `⟦code:value⟧`: `p` phone, `a` street address, `c` payment card, `n` national
 * id, `e` e-mail, `i` IBAN, `ip` IP address; `~what` marks a hard negative (an order number, a
 * date, a price…) that no detector should report.
 */
import type { PiiKind } from '../../core/guardrails/pii';

/** A labelled span of a holdout text. */
export interface PiiHoldoutSpan {
  start: number;
  end: number;
  value: string;
}

/** One holdout text: an answer an agent could give, with its PII and its hard negatives marked. */
export interface PiiHoldoutText {
  id: string;
  locale: string;
  text: string;
  labels: Array<PiiHoldoutSpan & { kind: PiiKind }>;
  /** Near-misses that are not personal data; `what` says what they are (`order`, `date`, …). */
  negatives: Array<PiiHoldoutSpan & { what: string }>;
}

/** The marker codes of the source and the kinds they stand for. */
export const HOLDOUT_CODES: Readonly<Record<string, PiiKind>> = {
  p: 'phone',
  a: 'street_address',
  c: 'payment_card',
  n: 'national_id',
  e: 'email',
  i: 'iban',
  ip: 'ip_address',
};

/** A malformed holdout source: names the record and what is wrong. */
export class PiiHoldoutFormatError extends Error {
  override readonly name = 'PiiHoldoutFormatError';
}

const MARK = /⟦([~\w]+):([^⟦⟧]*)⟧/g;

/** Reads the marked-up source into texts with their labelled spans, in order; ids `pii-h-001`, …. */
export function parseHoldoutSource(source: string): PiiHoldoutText[] {
  const records = source.split(/^@@ /m).slice(1);
  return records.map((record, index) => {
    const id = `pii-h-${String(index + 1).padStart(3, '0')}`;
    const newline = record.indexOf('\n');
    if (newline === -1) throw new PiiHoldoutFormatError(`${id}: no text after the locale line`);
    const locale = record.slice(0, newline).trim();
    if (!/^[A-Z]{2}$/.test(locale)) throw new PiiHoldoutFormatError(`${id}: locale "${locale}" is not two capital letters`);
    const marked = record.slice(newline + 1).replace(/\n+$/, '');
    let text = '';
    let at = 0;
    const labels: PiiHoldoutText['labels'] = [];
    const negatives: PiiHoldoutText['negatives'] = [];
    for (const m of marked.matchAll(MARK)) {
      text += marked.slice(at, m.index);
      const [, code, value] = m as unknown as [string, string, string];
      const span = { start: text.length, end: text.length + value.length, value };
      if (value.trim() !== value || value === '') throw new PiiHoldoutFormatError(`${id}: marked value ${JSON.stringify(value)} has surrounding spaces or is empty`);
      if (code.startsWith('~')) negatives.push({ ...span, what: code.slice(1) });
      else {
        const kind = HOLDOUT_CODES[code];
        if (!kind) throw new PiiHoldoutFormatError(`${id}: unknown marker code "${code}"`);
        labels.push({ ...span, kind });
      }
      text += value;
      at = m.index + m[0].length;
    }
    text += marked.slice(at);
    if (/[⟦⟧]/.test(text)) throw new PiiHoldoutFormatError(`${id}: unbalanced marker`);
    return { id, locale, text, labels, negatives };
  });
}
