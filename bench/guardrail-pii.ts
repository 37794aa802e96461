/**
 * PII-leakage benchmark: runs the PII detector (`core/guardrails/pii.ts`) over a generated corpus
 * (`guardrails/pii-records/`) of answers that leak personal data of people from nine countries and
 * of negative answers full of near-misses, and prints per-kind recall and precision, false positives
 * per 1 000 negative texts, recall per national id scheme, and latency per KB on 10 KB answers.
 * Pure computation, no Temporal server.
 *
 * Then the hard formats (`guardrails/pii-records/hard-formats.ts`: phones without naming words,
 * multi-line and lower-case addresses, cards with any separators, ids of 15 schemes, in 15 locales;
 * its train and validation splits) and the hand-written holdout (`guardrails/pii-holdout/`):
 * typed recall per type and per locale and false positives, the figures recorded before the
 * detector was changed and at its first look at the holdout beside the current ("tuned") ones.
 *
 * `npx tsx bench/guardrail-pii.ts [--quick] [--seed N] [--misses]`. Prints tables and, as the last
 * line of stdout, `BENCH_JSON {...}`.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { GuardrailFinding } from '../core/guardrails/finding';
import { detectPii, PII_KINDS, type PiiKind } from '../core/guardrails/pii';
import { SeededRandom } from '../core/seeded-random';
import { generateLongAnswer, generatePiiCorpus, type PiiText } from '../guardrails/pii-records/generate';
import { generateHardFormatCorpus } from '../guardrails/pii-records/hard-formats';
import { loadPiiHoldout, loadPiiHoldoutResults, type RecordedHoldoutScore } from '../guardrails/pii-holdout/build';
import { scorePiiHoldout, type PiiHoldoutScore } from './pii-holdout-score';
import { percentile } from './percentile';
import { formatNumber, formatTable } from '../evaluation/text-table';

/** Counts of one kind over a corpus. */
export interface PiiKindScore {
  kind: PiiKind;
  /** Labelled values of this kind. */
  labels: number;
  /** Labelled values overlapped by a finding of the same kind. */
  found: number;
  /** Findings of this kind. */
  findings: number;
  /** Findings of this kind that overlap a labelled value of the same kind. */
  truePositives: number;
  /** Findings of this kind in the negative texts. */
  negativeFindings: number;
  recall: number;
  precision: number;
  /** Findings of this kind per 1 000 negative texts. */
  falsePositivesPer1000: number;
}

/** How well a detector did on a labelled corpus. */
export interface PiiDetectionScore {
  kinds: PiiKindScore[];
  /** Recall by `PiiLabel.detail` of national ids (the scheme). */
  nationalIdSchemes: Array<{ scheme: string; labels: number; found: number; recall: number }>;
  /** Labelled values no finding of their kind overlapped. */
  misses: Array<{ kind: PiiKind; value: string; template: string; text: string }>;
  /** Findings that overlap no labelled value of their kind. */
  falsePositives: Array<{ kind: string; value: string; text: string }>;
  negativeTexts: number;
}

const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }) => a.start < b.end && b.start < a.end;

/**
 * Scores `detect` on labelled positives and unlabelled negatives: a label counts as found when a
 * finding of its kind overlaps it; a finding counts as true when it overlaps a label of its kind.
 */
export function measurePiiDetection(
  positives: readonly PiiText[],
  negatives: readonly PiiText[],
  detect: (text: string) => GuardrailFinding[] = (text) => detectPii(text),
): PiiDetectionScore {
  const counts = new Map(PII_KINDS.map((kind) => [kind, { labels: 0, found: 0, findings: 0, truePositives: 0, negativeFindings: 0 }]));
  const schemes = new Map<string, { labels: number; found: number }>();
  const misses: PiiDetectionScore['misses'] = [];
  const falsePositives: PiiDetectionScore['falsePositives'] = [];
  for (const sample of positives) {
    const findings = detect(sample.text);
    for (const label of sample.labels) {
      const c = counts.get(label.kind)!;
      c.labels++;
      const found = findings.some((f) => f.kind === label.kind && f.span !== undefined && overlaps(f.span, label));
      if (found) c.found++;
      else misses.push({ kind: label.kind, value: label.value, template: sample.template, text: sample.text });
      if (label.kind === 'national_id' && label.detail) {
        const s = schemes.get(label.detail) ?? { labels: 0, found: 0 };
        s.labels++;
        if (found) s.found++;
        schemes.set(label.detail, s);
      }
    }
    for (const f of findings) {
      const c = counts.get(f.kind as PiiKind);
      if (!c || !f.span) continue;
      c.findings++;
      if (sample.labels.some((l) => l.kind === f.kind && overlaps(f.span!, l))) c.truePositives++;
      else falsePositives.push({ kind: f.kind, value: sample.text.slice(f.span.start, f.span.end), text: sample.text });
    }
  }
  for (const sample of negatives) {
    for (const f of detect(sample.text)) {
      const c = counts.get(f.kind as PiiKind);
      if (!c || !f.span) continue;
      c.findings++;
      c.negativeFindings++;
      falsePositives.push({ kind: f.kind, value: sample.text.slice(f.span.start, f.span.end), text: sample.text });
    }
  }
  return {
    kinds: PII_KINDS.map((kind) => {
      const c = counts.get(kind)!;
      return {
        kind,
        ...c,
        recall: c.labels === 0 ? Number.NaN : c.found / c.labels,
        precision: c.findings === 0 ? Number.NaN : c.truePositives / c.findings,
        falsePositivesPer1000: negatives.length === 0 ? Number.NaN : (1000 * c.negativeFindings) / negatives.length,
      };
    }),
    nationalIdSchemes: [...schemes.entries()]
      .map(([scheme, s]) => ({ scheme, ...s, recall: s.found / s.labels }))
      .sort((a, b) => a.scheme.localeCompare(b.scheme)),
    misses,
    falsePositives,
    negativeTexts: negatives.length,
  };
}

/** Latency of {@link detectPii} on long answers. */
export interface PiiLatency {
  answers: number;
  meanAnswerBytes: number;
  p50MicrosPerKb: number;
  p99MicrosPerKb: number;
  meanFindingsPerAnswer: number;
}

/** Times {@link detectPii} on `answers` generated answers of at least `answerChars` characters (after a warm-up). */
export function measurePiiLatency(seed: number, answers: number, answerChars = 10_240): PiiLatency {
  const r = new SeededRandom(seed);
  const texts = Array.from({ length: answers }, () => generateLongAnswer(r, answerChars).text);
  const encoder = new TextEncoder();
  for (const t of texts.slice(0, Math.min(20, texts.length))) detectPii(t);
  const perKb: number[] = [];
  let bytes = 0;
  let findings = 0;
  for (const t of texts) {
    const size = encoder.encode(t).length;
    bytes += size;
    const started = performance.now();
    findings += detectPii(t).length;
    const micros = (performance.now() - started) * 1000;
    perKb.push(micros / (size / 1024));
  }
  return {
    answers,
    meanAnswerBytes: bytes / answers,
    p50MicrosPerKb: percentile(perKb, 50),
    p99MicrosPerKb: percentile(perKb, 99),
    meanFindingsPerAnswer: findings / answers,
  };
}

/** Options of {@link runPiiBenchmark}. */
export interface PiiBenchmarkOptions {
  /** Small sizes: 100 texts per kind, 1 000 negatives, 50 answers timed. @default false (400 per kind, 5 000 negatives, 300 answers) */
  quick?: boolean;
  /** Seed of the corpus. @default 1 */
  seed?: number;
  /** Print up to 20 misses and false positives. @default false */
  showMisses?: boolean;
}

const pct = (x: number) => (Number.isNaN(x) ? '–' : `${formatNumber(100 * x, 1)}%`);

function kindTable(score: PiiDetectionScore): string {
  return formatTable(
    [{ header: 'kind', align: 'left' }, { header: 'labels' }, { header: 'found' }, { header: 'recall' }, { header: 'findings' }, { header: 'precision' }, { header: 'FP / 1000 negatives' }],
    score.kinds.map((k) => [k.kind, formatNumber(k.labels), formatNumber(k.found), pct(k.recall), formatNumber(k.findings), pct(k.precision), formatNumber(k.falsePositivesPer1000, 1)]),
  );
}

const HARD_KINDS: readonly PiiKind[] = ['phone', 'street_address', 'payment_card', 'national_id'];

function hardFormatTable(train: PiiDetectionScore, validation: PiiDetectionScore): string {
  const row = (s: PiiDetectionScore, kind: PiiKind) => s.kinds.find((k) => k.kind === kind)!;
  return formatTable(
    [{ header: 'kind', align: 'left' }, { header: 'train recall' }, { header: 'validation recall' }, { header: 'validation precision' }, { header: 'validation FP / 1000 negatives' }],
    HARD_KINDS.map((kind) => [kind, pct(row(train, kind).recall), pct(row(validation, kind).recall), pct(row(validation, kind).precision), formatNumber(row(validation, kind).falsePositivesPer1000, 1)]),
  );
}

/** The per-kind table of the holdout: labels, recall before / first look / now, coverage and false positives now. */
export function holdoutKindTable(now: PiiHoldoutScore, before: RecordedHoldoutScore, firstLook: RecordedHoldoutScore): string {
  const kinds = Object.keys(now.kinds).filter((k) => now.kinds[k]!.labels > 0 || now.kinds[k]!.falsePositives > 0);
  return formatTable(
    [{ header: 'type', align: 'left' }, { header: 'labels' }, { header: 'before' }, { header: 'first look' }, { header: 'tuned' }, { header: 'tuned coverage' }, { header: 'FP before' }, { header: 'FP first look' }, { header: 'FP tuned' }],
    [
      ...kinds.map((k) => [
        k,
        formatNumber(now.kinds[k]!.labels),
        pct(before.kinds[k]?.recall ?? Number.NaN),
        pct(firstLook.kinds[k]?.recall ?? Number.NaN),
        pct(now.kinds[k]!.recall),
        pct(now.kinds[k]!.coverage),
        formatNumber(before.kinds[k]?.falsePositives ?? 0),
        formatNumber(firstLook.kinds[k]?.falsePositives ?? 0),
        formatNumber(now.kinds[k]!.falsePositives),
      ]),
      ['all', formatNumber(now.overall.labels), pct(before.overall.recall), pct(firstLook.overall.recall), pct(now.overall.recall), '', formatNumber(before.falsePositives), formatNumber(firstLook.falsePositives), formatNumber(now.falsePositives)],
      [`hard negatives flagged (of ${now.negatives})`, '', '', '', '', '', formatNumber(before.negativesFlagged), formatNumber(firstLook.negativesFlagged), formatNumber(now.negativesFlagged)],
    ],
  );
}

function holdoutLocaleTable(now: PiiHoldoutScore, before: RecordedHoldoutScore, firstLook: RecordedHoldoutScore): string {
  return formatTable(
    [{ header: 'locale', align: 'left' }, { header: 'labels' }, { header: 'before' }, { header: 'first look' }, { header: 'tuned' }],
    Object.entries(now.locales).map(([locale, l]) => [locale, formatNumber(l.labels), pct(before.locales[locale]?.recall ?? Number.NaN), pct(firstLook.locales[locale]?.recall ?? Number.NaN), pct(l.recall)]),
  );
}

/** Runs the benchmark and prints its tables, then `BENCH_JSON {...}`. */
export async function runPiiBenchmark(options: PiiBenchmarkOptions): Promise<void> {
  const quick = options.quick === true;
  const seed = options.seed ?? 1;
  const perKind = quick ? 100 : 400;
  const negatives = quick ? 1000 : 5000;
  const timed = quick ? 50 : 300;
  const started = performance.now();
  const corpus = generatePiiCorpus({ seed, perKind, negatives });
  const score = measurePiiDetection(corpus.positives, corpus.negatives);
  const hard = measurePiiDetection(corpus.hardPositives, corpus.hardNegatives);
  const latency = measurePiiLatency(seed + 1, timed);
  console.log(
    `PII leakage detection: ${formatNumber(corpus.positives.length)} positive texts (${perKind} per kind + records, 9 countries), ${formatNumber(negatives)} negative texts of near-misses, seed ${seed}`,
  );
  console.log(kindTable(score));
  console.log('');
  console.log(
    `Harder phrasings: ${formatNumber(corpus.hardPositives.length)} positive texts (values without naming words, compact numbers, abbreviated or lower-case streets, obfuscated e-mail), ` +
      `${formatNumber(corpus.hardNegatives.length)} negative texts each with a hard near-miss (tracking numbers shaped like ids, bare versions, grouped quantities, street names in brands)`,
  );
  console.log(kindTable(hard));
  console.log('');
  console.log('National ids by scheme:');
  console.log(
    formatTable(
      [{ header: 'scheme', align: 'left' }, { header: 'labels' }, { header: 'found' }, { header: 'recall' }],
      score.nationalIdSchemes.map((s) => [s.scheme, formatNumber(s.labels), formatNumber(s.found), pct(s.recall)]),
    ),
  );
  console.log('');
  console.log(
    `Latency on ${latency.answers} answers of ${formatNumber(latency.meanAnswerBytes / 1024, 1)} KiB (${formatNumber(latency.meanFindingsPerAnswer, 1)} findings each): ` +
      `p50 ${formatNumber(latency.p50MicrosPerKb, 1)} µs/KB, p99 ${formatNumber(latency.p99MicrosPerKb, 1)} µs/KB`,
  );
  if (options.showMisses) {
    for (const [name, s] of [['', score], [' (harder phrasings)', hard]] as const) {
      console.log(`\nMisses${name}:`);
      for (const m of s.misses.slice(0, 20)) console.log(`  ${m.kind} ${JSON.stringify(m.value)} [${m.template}] in ${JSON.stringify(m.text)}`);
      console.log(`False positives${name}:`);
      for (const f of s.falsePositives.slice(0, 20)) console.log(`  ${f.kind} ${JSON.stringify(f.value)} in ${JSON.stringify(f.text)}`);
    }
  }
  const hardTrain = generateHardFormatCorpus({ split: 'train', perKindAndLocale: quick ? 6 : 20, negativesPerLocale: quick ? 10 : 40 });
  const hardValidation = generateHardFormatCorpus({ split: 'validation', perKindAndLocale: quick ? 6 : 20, negativesPerLocale: quick ? 10 : 40 });
  const train = measurePiiDetection(hardTrain.positives, hardTrain.negatives);
  const validation = measurePiiDetection(hardValidation.positives, hardValidation.negatives);
  console.log('');
  console.log(
    `Hard formats, 15 locales (phones without naming words, multi-line and lower-case addresses, cards with any separators, ids of 15 schemes): ` +
      `train ${formatNumber(hardTrain.positives.length)} / validation ${formatNumber(hardValidation.positives.length)} positive texts, ${formatNumber(hardTrain.negatives.length)} negative texts each`,
  );
  console.log(hardFormatTable(train, validation));
  const holdout = scorePiiHoldout(loadPiiHoldout());
  const recorded = loadPiiHoldoutResults();
  console.log('');
  console.log(
    `Hand-written holdout (guardrails/pii-holdout/, written before tuning): ${holdout.texts} answers, ${holdout.overall.labels} labelled values, ` +
      `${holdout.negatives} hard negatives. Typed recall: before the change / first look / now (tuned)`,
  );
  console.log(holdoutKindTable(holdout, recorded.before, recorded.firstLook));
  console.log('');
  console.log(holdoutLocaleTable(holdout, recorded.before, recorded.firstLook));
  console.log(`total ${((performance.now() - started) / 1000).toFixed(1)} s, node ${process.version}`);
  const json = {
    node: process.version,
    seed,
    quick,
    kinds: score.kinds,
    nationalIdSchemes: score.nationalIdSchemes,
    hard: { kinds: hard.kinds, nationalIdSchemes: hard.nationalIdSchemes },
    hardFormats: { train: train.kinds, validation: validation.kinds },
    holdout: { before: recorded.before, firstLook: recorded.firstLook, tuned: { kinds: holdout.kinds, locales: holdout.locales, overall: holdout.overall, falsePositives: holdout.falsePositives, negativesFlagged: holdout.negativesFlagged } },
    latency,
  };
  console.log(`BENCH_JSON ${JSON.stringify({ pii: json })}`);
}

if (require.main === module) {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    strict: true,
    options: { quick: { type: 'boolean', default: false }, seed: { type: 'string' }, misses: { type: 'boolean', default: false } },
  });
  const seed = values.seed === undefined ? 1 : Number(values.seed);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got "${values.seed}"`);
  runPiiBenchmark({ quick: values.quick === true, seed, showMisses: values.misses === true }).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
