/**
 * The learned part of Keel's prompt-injection detector: a logistic regression over hashed features of
 * short windows of normalised text (character 3–5-grams, words and word pairs, leetspeak folded),
 * scored on every window of one to three consecutive sentences (at most {@link MAX_WINDOW_CHARS}
 * characters); a text's score is its strongest window's, so an instruction buried in the middle of a
 * long ordinary document counts as much as one standing alone.
 *
 * Linear in the text's length: every character is hashed once (each sentence's features are summed
 * once, a window's score comes from its sentences' sums), and a character belongs to at most three
 * windows. Pure and deterministic (no Node modules, no I/O): the weights are a data module
 * (`weights.json`, written by `train.ts`), decoded once on first use.
 *
 * The text given is expected to be folded already (lower case, accents and lookalike letters
 * undone, invisible characters removed: `normalizeText` in `core/guardrails/normalize.ts` does it),
 * so that the features of an obfuscated instruction equal those of a plain one.
 */

/** Number of hash buckets, as a power of two. */
export const FEATURE_BITS = 18;
const MASK = (1 << FEATURE_BITS) - 1;
/** Longest sentence piece hashed as one unit; longer sentences are cut. */
export const MAX_SENTENCE_CHARS = 300;
/** Longest window (consecutive sentences) scored as one. */
export const MAX_WINDOW_CHARS = 600;
/** Least span of a window, unless it covers the whole text: a short fragment alone is too little evidence. */
export const MIN_WINDOW_CHARS = 80;
/** Most sentences in a window. */
export const MAX_WINDOW_SENTENCES = 3;

/** The shipped weights: `weights.json`, as written by `train.ts`. */
export interface ClassifierWeightsFile {
  version: 1;
  featureBits: number;
  /** The weight of bucket `i` is `int8[i] * scale`. */
  scale: number;
  bias: number;
  /** The int8 weights, base64. */
  weights: string;
  /** Classifier scores (probabilities) from which a text is flagged (`flag`) or blocked (`block`), and under which the heuristics' uncertain band is dismissed (`dismiss`); calibrated on the training data's validation split. */
  thresholds: { flag: number; block: number; dismiss: number };
  /** SHA-256 of the training data (every training window's text and label) the weights were fitted on. */
  trainingDataSha256: string;
  /** SHA-256 of the weights string, so a test can tell the shipped weights from others. */
  weightsSha256: string;
  /** Figures of the fit, for the record. */
  training: Record<string, number | string>;
}

/** A decoded model. */
export interface InjectionClassifier {
  weights: Float32Array;
  bias: number;
  thresholds: ClassifierWeightsFile['thresholds'];
}

/** The features of one sentence piece: bucket indexes, one per occurrence. */
export type FeatureSink = (bucket: number) => void;

const SEED_CHAR = 0x811c9dc5;
const SEED_WORD = 0x9747b28c;
const SEED_PAIR = 0x5bd1e995;
const imul = Math.imul;

function mix(h: number): number {
  h ^= h >>> 16;
  h = imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h & MASK;
}

const LEET: Record<number, number> = { 48: 111, 49: 105, 51: 101, 52: 97, 53: 115, 55: 116, 56: 98, 64: 97, 36: 115 }; // 0 1 3 4 5 7 8 @ $

function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c > 127 && !isSpaceOrPunct(c));
}
function isSpaceOrPunct(c: number): boolean {
  return c === 0xa0 || (c >= 0x2000 && c <= 0x206f) || (c >= 0x3000 && c <= 0x303f) || (c >= 0xff00 && c <= 0xff0f) || (c >= 0xff1a && c <= 0xff20);
}
function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 0xa0 || c === 0x3000;
}

const buffer = new Uint16Array(MAX_SENTENCE_CHARS + 2);

/**
 * Calls `sink` with every feature of `text[start, end)` (at most {@link MAX_SENTENCE_CHARS}
 * characters): character 3-, 4- and 5-grams of the text with runs of white space collapsed and a
 * space at either end, words, leetspeak-folded words and pairs of consecutive words.
 */
export function sentenceFeatures(text: string, start: number, end: number, sink: FeatureSink): void {
  let n = 0;
  buffer[n++] = 32;
  for (let i = start; i < end && n < MAX_SENTENCE_CHARS + 1; i++) {
    let c = text.charCodeAt(i);
    if (isSpace(c)) c = 32;
    else if (c >= 65 && c <= 90) c += 32;
    if (c === 32 && buffer[n - 1] === 32) continue;
    buffer[n++] = c;
  }
  if (buffer[n - 1] !== 32) buffer[n++] = 32;
  // Character n-grams.
  for (let p = 0; p + 3 <= n; p++) {
    let h = SEED_CHAR;
    for (let k = 0; k < 5 && p + k < n; k++) {
      h = imul(h ^ buffer[p + k]!, 16777619);
      if (k >= 2) sink(mix(h ^ k));
    }
  }
  // Words, leet-folded words, word pairs.
  let previous = 0;
  let p = 0;
  while (p < n) {
    while (p < n && !isWordChar(buffer[p]!)) p++;
    if (p >= n) break;
    let h = SEED_WORD;
    let leet = SEED_WORD;
    let digits = 0;
    let letters = 0;
    const from = p;
    while (p < n && isWordChar(buffer[p]!)) {
      const c = buffer[p]!;
      h = imul(h ^ c, 16777619);
      const l = LEET[c];
      if (l !== undefined) digits++;
      else letters++;
      leet = imul(leet ^ (l ?? c), 16777619);
      p++;
    }
    if (p - from > 40) {
      previous = 0;
      continue;
    }
    const word = digits > 0 && letters > 0 ? leet : h;
    sink(mix(word));
    if (previous !== 0) sink(mix(imul(previous, 31) ^ word ^ SEED_PAIR));
    previous = word;
  }
}

/** A sentence piece of a text: `[start, end)`. */
export interface SentencePiece {
  start: number;
  end: number;
}

function isTerminator(c: number): boolean {
  return c === 46 || c === 33 || c === 63 || c === 59 || c === 0x3002 || c === 0xff01 || c === 0xff1f || c === 0xff1b;
}

/**
 * Cuts `text` into sentence pieces: after `.`, `!`, `?` or `;` followed by white space, after `。！？`,
 * at line breaks, and every {@link MAX_SENTENCE_CHARS} characters of a longer sentence. Pieces of
 * white space only are left out.
 */
export function sentencePieces(text: string, from = 0, to = text.length): SentencePiece[] {
  const pieces: SentencePiece[] = [];
  let start = from;
  const push = (end: number): void => {
    let s = start;
    while (s < end && isSpace(text.charCodeAt(s))) s++;
    if (s < end) pieces.push({ start: s, end });
    start = end;
  };
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) push(i + 1);
    else if (isTerminator(c) && (c > 127 || i + 1 >= to || isSpace(text.charCodeAt(i + 1)))) push(i + 1);
    else if (i + 1 - start >= MAX_SENTENCE_CHARS) push(i + 1);
  }
  if (start < to) push(to);
  return pieces;
}

/**
 * The windows of a list of pieces: every run of one to {@link MAX_WINDOW_SENTENCES} consecutive
 * pieces whose span is at most {@link MAX_WINDOW_CHARS} characters (a single piece always) and at
 * least {@link MIN_WINDOW_CHARS} (unless the run cannot grow: the whole text, three pieces, or the
 * last piece reached), as `[first, last]` piece indexes. Calls `visit` for each.
 */
export function forEachWindow(pieces: readonly SentencePiece[], visit: (first: number, last: number) => void): void {
  const n = pieces.length;
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n && j < i + MAX_WINDOW_SENTENCES; j++) {
      const span = pieces[j]!.end - pieces[i]!.start;
      if (j > i && span > MAX_WINDOW_CHARS) break;
      if (span >= MIN_WINDOW_CHARS || (i === 0 && j === n - 1) || j === i + MAX_WINDOW_SENTENCES - 1 || j === n - 1) visit(i, j);
    }
  }
}

/** The strongest window of a text. */
export interface ClassifierScore {
  /** Probability in [0, 1] that the window is an injected instruction. */
  score: number;
  /** The window, in the coordinates of the text scored. */
  start: number;
  end: number;
}

/** Scores every window of `text[from, to)` and returns the strongest. Linear in `to - from`. */
export function scoreText(model: InjectionClassifier, text: string, from = 0, to = text.length): ClassifierScore {
  const pieces = sentencePieces(text, from, to);
  const sums = new Float64Array(pieces.length);
  const counts = new Int32Array(pieces.length);
  const w = model.weights;
  let sum = 0;
  let count = 0;
  const sink = (b: number): void => {
    sum += w[b]!;
    count++;
  };
  for (let i = 0; i < pieces.length; i++) {
    sum = 0;
    count = 0;
    sentenceFeatures(text, pieces[i]!.start, pieces[i]!.end, sink);
    sums[i] = sum;
    counts[i] = count;
  }
  let best: ClassifierScore = { score: 0, start: from, end: from };
  let bestLogit = -Infinity;
  forEachWindow(pieces, (first, last) => {
    let s = 0;
    let c = 0;
    for (let k = first; k <= last; k++) {
      s += sums[k]!;
      c += counts[k]!;
    }
    if (c === 0) return;
    const logit = model.bias + s / Math.sqrt(c);
    if (logit > bestLogit) {
      bestLogit = logit;
      best = { score: 0, start: pieces[first]!.start, end: pieces[last]!.end };
    }
  });
  if (bestLogit === -Infinity) return best;
  return { ...best, score: 1 / (1 + Math.exp(-bestLogit)) };
}

/** Decodes a weights file (base64 int8 → floats). Pure. */
export function decodeClassifier(file: ClassifierWeightsFile): InjectionClassifier {
  if (file.version !== 1 || file.featureBits !== FEATURE_BITS) throw new Error(`classifier weights: expected version 1 with ${FEATURE_BITS} feature bits`);
  const bytes = base64ToBytes(file.weights);
  if (bytes.length !== 1 << FEATURE_BITS) throw new Error(`classifier weights: expected ${1 << FEATURE_BITS} weights, got ${bytes.length}`);
  const weights = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) weights[i] = ((bytes[i]! << 24) >> 24) * file.scale;
  return { weights, bias: file.bias, thresholds: { ...file.thresholds } };
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = (() => {
  const t = new Int16Array(128).fill(-1);
  for (let i = 0; i < B64.length; i++) t[B64.charCodeAt(i)] = i;
  return t;
})();

/** Standard base64 (with `=` padding) to bytes. */
export function base64ToBytes(s: string): Uint8Array {
  let len = s.length;
  while (len > 0 && s.charCodeAt(len - 1) === 61) len--;
  const out = new Uint8Array(Math.floor((len * 3) / 4));
  let o = 0;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < len; i++) {
    const v = B64_INDEX[s.charCodeAt(i)] ?? -1;
    if (v < 0) throw new Error('classifier weights: invalid base64');
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}
