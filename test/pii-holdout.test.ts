/**
 * The PII detector on the hand-written holdout (`guardrails/pii-holdout/`): the holdout file is
 * current and well-formed, the detector does at least as well as the README's table says (so the
 * README cannot drift above what the code does), hard cases of each family are found with their
 * type, hard negatives are not reported, and 1 MB of adversarial input goes through the windowed
 * path. Pure: `npx jest -c test/support/pure.jest.config.js test/pii-holdout.test.ts`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scorePiiHoldout } from '../bench/pii-holdout-score';
import { detectPii, PII_WINDOW_CHARS, PII_WINDOW_OVERLAP, piiWindows, type PiiKind } from '../core/guardrails/pii';
import { measurePiiDetection } from '../bench/guardrail-pii';
import { generateHardFormatCorpus } from '../guardrails/pii-records/hard-formats';
import { buildHoldoutJsonl, loadPiiHoldout, loadPiiHoldoutResults, PII_HOLDOUT_DIR } from '../guardrails/pii-holdout/build';
import { parseHoldoutSource, PiiHoldoutFormatError } from '../guardrails/pii-holdout/holdout';

const holdout = loadPiiHoldout();
const score = scorePiiHoldout(holdout);

/** The rows of the README's holdout table: type → figures as printed (percentages as fractions). */
function readmeHoldoutTable(): Map<string, { before: number; firstLook: number; tuned: number; fpTuned: number }> {
  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
  const header = readme.indexOf('| type | labels | before | first look | tuned | FP before | FP first look | FP tuned |');
  if (header === -1) throw new Error('README.md has no PII holdout table');
  const rows = new Map<string, { before: number; firstLook: number; tuned: number; fpTuned: number }>();
  for (const line of readme.slice(header).split('\n').slice(2)) {
    if (!line.startsWith('|')) break;
    const cells = line.split('|').map((c) => c.trim());
    const fraction = (cell: string) => Number(cell.replace('%', '')) / 100;
    rows.set(cells[1]!, { before: fraction(cells[3]!), firstLook: fraction(cells[4]!), tuned: fraction(cells[5]!), fpTuned: Number(cells[8]) });
  }
  return rows;
}

describe('the PII holdout', () => {
  it('is current with its hand-written source and large enough', () => {
    expect(readFileSync(join(PII_HOLDOUT_DIR, 'holdout.jsonl'), 'utf8')).toBe(buildHoldoutJsonl());
    expect(holdout.length).toBeGreaterThanOrEqual(150);
    expect(holdout.reduce((n, t) => n + t.labels.length, 0)).toBeGreaterThanOrEqual(250);
    expect(new Set(holdout.map((t) => t.locale)).size).toBeGreaterThanOrEqual(9);
    for (const t of holdout) {
      for (const l of [...t.labels, ...t.negatives]) expect(t.text.slice(l.start, l.end)).toBe(l.value);
    }
  });

  it('refuses a malformed source with a typed error naming the record', () => {
    expect(() => parseHoldoutSource('@@ US\nCall ⟦x:123⟧')).toThrow(PiiHoldoutFormatError);
    expect(() => parseHoldoutSource('@@ US\nCall ⟦x:123⟧')).toThrow(/pii-h-001: unknown marker code "x"/);
    expect(() => parseHoldoutSource('@@ usa\ntext')).toThrow(/locale "usa"/);
  });

  it('is scored at least as well as the README states, and the recorded runs are the README’s', () => {
    const table = readmeHoldoutTable();
    const recorded = loadPiiHoldoutResults();
    expect(table.size).toBeGreaterThanOrEqual(5);
    for (const [type, row] of table) {
      const now = type === 'all' ? { recall: score.overall.recall, falsePositives: score.falsePositives } : score.kinds[type]!;
      const before = type === 'all' ? recorded.before.overall.recall : recorded.before.kinds[type]!.recall;
      const firstLook = type === 'all' ? recorded.firstLook.overall.recall : recorded.firstLook.kinds[type]!.recall;
      expect({ type, tuned: now.recall }).toEqual({ type, tuned: expect.any(Number) });
      expect(now.recall).toBeGreaterThanOrEqual(row.tuned - 0.0005);
      expect(now.falsePositives).toBeLessThanOrEqual(row.fpTuned);
      expect(Math.abs(before - row.before)).toBeLessThan(0.0006);
      expect(Math.abs(firstLook - row.firstLook)).toBeLessThan(0.0006);
    }
  });
});

describe('hard cases of the holdout', () => {
  /** The kinds of the findings that overlap `value` in the holdout text that holds it. */
  function kindsAt(value: string): string[] {
    const t = holdout.find((h) => h.text.includes(value));
    if (!t) throw new Error(`no holdout text holds ${JSON.stringify(value)}`);
    const start = t.text.indexOf(value);
    return detectPii(t.text)
      .filter((f) => f.span!.start < start + value.length && start < f.span!.end)
      .map((f) => f.kind);
  }

  it.each<[PiiKind, string]>([
    ['phone', '030 901820'],
    ['phone', '+81 3-1234-5678'],
    ['phone', '(11) 98765-4321'],
    ['phone', '0176 / 9876 5432'],
    ['phone', '06-12345678'],
    ['phone', '+52 1 33 1234 5678'],
    ['street_address', 'c/ mayor 5, 3º izq, 28013 madrid'],
    ['street_address', '1-2-3 shibuya, shibuya-ku, tokyo 150-0002'],
    ['street_address', 'Hauptstr. 12a\n10115 Berlin'],
    ['street_address', 'rua augusta 100, apto 2'],
    ['street_address', 'ul. Marszałkowska 84/92, 00-514 Warszawa'],
    ['street_address', 'flat 3, 12 baker st, london nw1 6xe'],
    ['payment_card', '4111 1111-1111.1111'],
    ['payment_card', '5425/2334/3010/9903'],
    ['payment_card', '3714 496353 98431'],
    ['national_id', '381.562.940-33'],
    ['national_id', 'BQKPS4821M'],
    ['national_id', 'Y-2938475-D'],
    ['national_id', '92071533688'],
  ])('%s %j is found with its type', (kind, value) => {
    expect(kindsAt(value)).toEqual([kind]);
  });

  it.each(['842 1937 5521', '35-209900-176148-1', '1Z 999 AA1 01 2345 6784', '978-0-306-40615-7', '1.299,00 €', '15.03.2024', '4006381333931', '100 200 3004', '1 249 500'])(
    'hard negative %j is not reported',
    (value) => {
      expect(kindsAt(value)).toEqual([]);
    },
  );
});

describe('beyond the holdout', () => {
  const found = (text: string) => detectPii(text).map((f) => [f.kind, text.slice(f.span!.start, f.span!.end)]);

  it.each([
    ['Adress: Storgatan 12, 111 51 Stockholm', 'Storgatan 12, 111 51 Stockholm'],
    ['Adresse: Nørregade 7, 1165 København K', 'Nørregade 7, 1165 København K'],
    ['Adresse: Karl Johans gate 22, 0159 Oslo', 'Karl Johans gate 22, 0159 Oslo'],
    ['Adres: Bağdat Caddesi No: 12', 'Bağdat Caddesi No: 12'],
  ])('street types of more languages: %j', (text, value) => {
    expect(found(text)).toEqual([['street_address', value]]);
  });

  it.each(['Boarding is at Departure Gate 12 from 9:40.', 'The Main Gate 3 entrance is closed.', 'We sold 111 51 units.', 'Results via email 5 times a day.'])('no address in %j', (text) => {
    expect(found(text)).toEqual([]);
  });

  it('reads two numbers joined by a slash as two', () => {
    expect(found('Reach us on 0408 417 439 / 1300 267 273.')).toEqual([
      ['phone', '0408 417 439'],
      ['phone', '1300 267 273'],
    ]);
  });

  it('does at least this well on the generated hard formats’ validation split', () => {
    const corpus = generateHardFormatCorpus({ split: 'validation', perKindAndLocale: 8, negativesPerLocale: 20 });
    const byKind = Object.fromEntries(measurePiiDetection(corpus.positives, corpus.negatives).kinds.map((k) => [k.kind, k]));
    for (const kind of ['phone', 'street_address', 'payment_card'] as const) expect({ kind, recall: byKind[kind]!.recall >= 0.95 }).toEqual({ kind, recall: true });
    // Ids without a naming word (a SIN, a TFN, an NHS number) read as phone numbers: the rest of the ids are found.
    expect(byKind.national_id!.recall).toBeGreaterThanOrEqual(0.75);
    for (const k of Object.values(byKind)) expect(k.falsePositivesPer1000).toBeLessThanOrEqual(5);
  });
});

describe('detectPii on adversarial input of up to 1 MB', () => {
  const MB = 1 << 20;
  const fill = (unit: string) => unit.repeat(Math.ceil(MB / unit.length)).slice(0, MB);

  it.each([
    ['digits and spaces', fill('1 ')],
    ['digit groups joined by slashes', fill('12 / ')],
    ['cards with mixed separators', fill('4111 1111-1111.1111 / ').slice(0, MB / 4)],
    ['street-like words', fill('12 main st, ').slice(0, MB / 4)],
  ])('reads %s window by window and reports only whole values', (_, text) => {
    const windows = piiWindows(text.length);
    expect(windows.length).toBeGreaterThan(1);
    expect(windows[0]).toEqual({ start: 0, end: PII_WINDOW_CHARS });
    expect(windows[windows.length - 1]!.end).toBe(text.length);
    for (let i = 1; i < windows.length; i++) expect(windows[i]!.start).toBe(windows[i - 1]!.end - PII_WINDOW_OVERLAP);
    const findings = detectPii(text);
    for (let i = 1; i < findings.length; i++) expect(findings[i]!.span!.start).toBeGreaterThanOrEqual(findings[i - 1]!.span!.end);
    for (const f of findings.slice(0, 50)) expect(f.span!.end - f.span!.start).toBeLessThanOrEqual(400);
  });

  it('finds a value across a window boundary once, with its span in the whole text', () => {
    const boundary = PII_WINDOW_CHARS - PII_WINDOW_OVERLAP / 2;
    const phone = '+44 20 7946 0958';
    const pad = (n: number) => 'Lorem ipsum dolor sit amet. '.repeat(Math.ceil(n / 28)).slice(0, n - 1) + ' ';
    // The number starts in the first window's own part and ends in the shared part; then one in the second window's.
    const text = pad(boundary - 5) + phone + ' ' + pad(PII_WINDOW_OVERLAP) + phone + ' ' + pad(200_000);
    const findings = detectPii(text);
    expect(findings.map((f) => [f.kind, text.slice(f.span!.start, f.span!.end)])).toEqual([
      ['phone', phone],
      ['phone', phone],
    ]);
    expect(findings[0]!.span!.start).toBe(boundary - 5);
  });
});
