/**
 * Writes `holdout.jsonl` from the hand-written `holdout.txt` (one JSON object per text, with its
 * labelled spans and hard negatives), after checking that every card passes Luhn.
 * `npx tsx guardrails/pii-holdout/build.ts [--check]`: `--check` only verifies the file is current.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseHoldoutSource, type PiiHoldoutText } from './holdout';

export const PII_HOLDOUT_DIR = __dirname;

/** The holdout as `holdout.jsonl` holds it. */
export function loadPiiHoldout(): PiiHoldoutText[] {
  return readFileSync(join(PII_HOLDOUT_DIR, 'holdout.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as PiiHoldoutText);
}

/** Figures of one recorded run of the detector on the holdout (`results.json`). */
export interface RecordedHoldoutScore {
  measured: string;
  texts: number;
  overall: { labels: number; found: number; recall: number };
  kinds: Record<string, { labels: number; found: number; recall: number; coverage: number; falsePositives: number }>;
  locales: Record<string, { labels: number; found: number; recall: number }>;
  falsePositives: number;
  negatives: number;
  negativesFlagged: number;
}

/** The recorded runs: the detector before the change, and its first look at the holdout after it. */
export function loadPiiHoldoutResults(): { before: RecordedHoldoutScore; firstLook: RecordedHoldoutScore } {
  return JSON.parse(readFileSync(join(PII_HOLDOUT_DIR, 'results.json'), 'utf8')) as { before: RecordedHoldoutScore; firstLook: RecordedHoldoutScore };
}

/** The JSON lines that `holdout.txt` gives. */
export function buildHoldoutJsonl(): string {
  const texts = parseHoldoutSource(readFileSync(join(PII_HOLDOUT_DIR, 'holdout.txt'), 'utf8'));
  for (const t of texts) {
    for (const l of t.labels) {
      if (l.kind !== 'payment_card') continue;
      const digits = l.value.replace(/\D/g, '');
      let sum = 0;
      for (let i = 0; i < digits.length; i++) {
        let d = Number(digits[digits.length - 1 - i]);
        if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
        sum += d;
      }
      if (sum % 10 !== 0 || digits.length < 12 || digits.length > 19) throw new Error(`${t.id}: card ${l.value} fails Luhn or its length`);
    }
  }
  return texts.map((t) => JSON.stringify(t)).join('\n') + '\n';
}

if (require.main === module) {
  const out = join(PII_HOLDOUT_DIR, 'holdout.jsonl');
  const built = buildHoldoutJsonl();
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(out, 'utf8');
    } catch {
      // missing: not current
    }
    if (current !== built) {
      console.error('guardrails/pii-holdout/holdout.jsonl is out of date: run npx tsx guardrails/pii-holdout/build.ts');
      process.exit(1);
    }
  } else {
    writeFileSync(out, built);
  }
  const texts = built.trim().split('\n').map((l) => JSON.parse(l) as PiiHoldoutText);
  const byKind = new Map<string, number>();
  for (const t of texts) for (const l of t.labels) byKind.set(l.kind, (byKind.get(l.kind) ?? 0) + 1);
  console.log(
    `${texts.length} texts, ${new Set(texts.map((t) => t.locale)).size} locales, ${texts.reduce((n, t) => n + t.labels.length, 0)} labels (${[...byKind].map(([k, n]) => `${k} ${n}`).join(', ')}), ` +
      `${texts.reduce((n, t) => n + t.negatives.length, 0)} hard negatives`,
  );
}
