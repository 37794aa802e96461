import type { TextSpan } from './finding';

/**
 * Normalisation of untrusted text before guardrail detectors read it: the text a model would
 * "understand" is recovered from the forms that hide it from a naive matcher, and every character of
 * the result remembers where it came from, so that findings report spans in the original text.
 *
 * - {@link foldText}: NFKD compatibility folding (full-width and styled letters, ligatures), accents
 *   dropped, lower case, Cyrillic and Greek lookalikes mapped to Latin, invisible characters
 *   (zero-width, bidi controls, soft hyphens, tag characters, variation selectors) removed and
 *   counted, HTML entities and JSON/JS escapes (`\n`, `\u0069`) decoded in place.
 * - {@link stripTags}: known HTML tags removed (block tags become line breaks), the text-bearing
 *   attributes (`alt`, `title`, `aria-label`, `placeholder`, `content`, `value`, `data-*`) kept.
 *   Tags that are not HTML (`<system>`, `</tool_result>`) stay: they are signals.
 * - {@link joinLetterSpacedWords}: `i g n o r e`, `i.g.n.o.r.e`, `I-G-N-O-R-E` become words.
 * - {@link findHiddenRegions}: HTML comments, elements hidden by CSS (`display:none`,
 *   `visibility:hidden`, `font-size:0`, zero opacity or height, off-screen, white text on no or a
 *   white background), the `hidden` attribute, `aria-hidden`, hiding classes, Markdown comments.
 * - {@link decodeEmbeddedBlobs}: base64, hex, %-encoded runs, numeric HTML entities, `\u` escapes,
 *   Unicode tag characters, ROT13 (when the text names it) and reversed text, decoded when they
 *   hold readable text, so that the decoded text can be scanned as an extra segment.
 *
 * Everything is pure (no Node modules, no I/O, no clock), linear in the text's length, and free of
 * regular expressions that can backtrack catastrophically: it may run in a Temporal workflow.
 */

// ---------------------------------------------------------------------------------------------
// Public types

/** Counts of what {@link foldText} removed or rewrote. */
export interface FoldStats {
  /** Invisible characters removed (zero-width, bidi controls, soft hyphens, tag characters, variation selectors). */
  invisible: number;
  /** Invisible characters that sat between two letters, splitting a word for a matcher but not for a reader. */
  invisibleInsideWords: number;
  /** Bidi override characters (U+202D, U+202E), which reverse the displayed order of text. */
  bidiOverrides: number;
  /** Letters replaced by their Latin lookalike (Cyrillic, Greek, Latin small capitals). */
  confusables: number;
  /** HTML entities and JSON/JS escapes decoded in place. */
  escapesDecoded: number;
}

/** How a word was disguised. */
export type ObfuscationKind =
  | 'confusable'
  | 'compatibility'
  | 'invisible_split'
  | 'escaped_letters'
  | 'letter_spacing';

/** A word whose letters were disguised in the original text, found while normalising. */
export interface ObfuscatedWord {
  kind: ObfuscationKind;
  /** The word as normalised (lower case Latin). */
  word: string;
  /** Where it is in the original text. */
  span: TextSpan;
}

/** Text after {@link foldText} (and optionally {@link stripTags} and {@link joinLetterSpacedWords}). */
export interface FoldedText {
  /** The normalised text. */
  text: string;
  /**
   * `offsets[i]` is the index in the source text of the character that produced `text[i]`;
   * `offsets[text.length]` is the source's length. Never decreasing.
   */
  offsets: Int32Array;
  stats: FoldStats;
  obfuscatedWords: ObfuscatedWord[];
}

/** Why a region of a text is not shown to a person reading it. */
export type HiddenRegionKind =
  | 'html_comment'
  | 'css_hidden'
  | 'hidden_attribute'
  | 'aria_hidden'
  | 'offscreen'
  | 'white_text'
  | 'tiny_text'
  | 'markdown_comment'
  | 'unicode_tags';

/** A part of the original text that a person would not see rendered. */
export interface HiddenRegion {
  kind: HiddenRegionKind;
  /** The whole region, markup included. */
  span: TextSpan;
}

/** How an embedded blob was encoded. */
export type BlobEncoding = 'base64' | 'hex' | 'percent' | 'html_entities' | 'unicode_escapes' | 'unicode_tags' | 'rot13' | 'reversed';

/** An encoded run of the original text that decodes to readable text. */
export interface DecodedBlob {
  encoding: BlobEncoding;
  /** Where the encoded run is in the original text. */
  span: TextSpan;
  /** The decoded text. */
  text: string;
}

/** A piece of text to scan: the original itself, or a blob decoded out of it. */
export interface NormalizedSegment {
  /** `text`: the original text normalised; `decoded`: a blob decoded out of it (or out of another decoded blob). */
  origin: 'text' | 'decoded';
  /** How the blob was encoded, for decoded segments. */
  encoding?: BlobEncoding;
  /** The normalised text of the segment. */
  text: string;
  /** Original offsets of each character of `text`, for `text` segments; decoded segments map to `span` as a whole. */
  offsets?: Int32Array;
  /** The part of the original text the segment comes from. */
  span: TextSpan;
  /** 0 for the original text, 1 for a blob in it, 2 for a blob in a blob. */
  depth: number;
}

/** Everything a detector needs from {@link normalizeText}. */
export interface NormalizedText {
  /** The original text normalised first, then every decoded blob. */
  segments: NormalizedSegment[];
  hiddenRegions: HiddenRegion[];
  obfuscatedWords: ObfuscatedWord[];
  stats: FoldStats & { letterSpacedRuns: number; decodedBlobs: number };
}

/** Options of {@link normalizeText}. */
export interface NormalizeOptions {
  /** Decode embedded blobs into extra segments. @default true */
  decodeBlobs?: boolean;
  /** Most decoded segments returned. @default 24 */
  maxDecodedSegments?: number;
  /** Most characters decoded in all. @default 65536 */
  maxDecodedChars?: number;
  /** How deep blobs inside decoded blobs are decoded. @default 2 */
  maxDepth?: number;
}

/** The defaults of {@link NormalizeOptions}. */
export const DEFAULT_NORMALIZE_OPTIONS: Readonly<Required<NormalizeOptions>> = {
  decodeBlobs: true,
  maxDecodedSegments: 24,
  maxDecodedChars: 65_536,
  maxDepth: 2,
};

// ---------------------------------------------------------------------------------------------
// Character tables

/** Uppercase Cyrillic and Greek letters that look like Latin capitals, to the Latin lower case letter. */
const UPPER_CONFUSABLES: Record<string, string> = {
  А: 'a', В: 'b', Е: 'e', Ѕ: 's', І: 'i', Ј: 'j', К: 'k', М: 'm', Н: 'h', О: 'o', Р: 'p', С: 'c', Т: 't', Х: 'x', У: 'y', Ү: 'y', Ԁ: 'd', Ԛ: 'q', Ԝ: 'w', Ӏ: 'l',
  Α: 'a', Β: 'b', Ε: 'e', Ζ: 'z', Η: 'h', Ι: 'i', Κ: 'k', Μ: 'm', Ν: 'n', Ο: 'o', Ρ: 'p', Τ: 't', Υ: 'y', Χ: 'x',
};

/** Lower case letters of other scripts that look like Latin lower case letters. */
const LOWER_CONFUSABLES: Record<string, string> = {
  а: 'a', в: 'b', е: 'e', ё: 'e', к: 'k', м: 'm', н: 'h', о: 'o', п: 'n', р: 'p', с: 'c', т: 't', у: 'y', х: 'x', ь: 'b', ѕ: 's', і: 'i', ї: 'i', ј: 'j', ԁ: 'd', ԛ: 'q', ԝ: 'w', һ: 'h', ӏ: 'l', ү: 'y', ɡ: 'g', ɑ: 'a', ɩ: 'i', ʏ: 'y', ո: 'n', ս: 'u', օ: 'o',
  α: 'a', β: 'b', γ: 'y', ε: 'e', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x', ω: 'w', ϲ: 'c', ϳ: 'j',
  ᴀ: 'a', ʙ: 'b', ᴄ: 'c', ᴅ: 'd', ᴇ: 'e', ɢ: 'g', ʜ: 'h', ɪ: 'i', ᴊ: 'j', ᴋ: 'k', ʟ: 'l', ᴍ: 'm', ɴ: 'n', ᴏ: 'o', ᴘ: 'p', ʀ: 'r', ꜱ: 's', ᴛ: 't', ᴜ: 'u', ᴠ: 'v', ᴡ: 'w', ᴢ: 'z',
};

/** Letters that NFKD leaves alone but a matcher should read as Latin, and punctuation variants. */
const SPECIAL_FOLDS: Record<string, string> = {
  ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', đ: 'd', ł: 'l', ı: 'i', ſ: 's', þ: 'th', ð: 'd',
  '\u2018': "'", '\u2019': "'", '\u201a': "'", '\u201b': "'", '\u2032': "'", '\u00b4': "'", '\u02bc': "'",
  '\u201c': '"', '\u201d': '"', '\u201e': '"', '\u201f': '"', '\u2033': '"', '\u00ab': '"', '\u00bb': '"',
  '\u2010': '-', '\u2011': '-', '\u2012': '-', '\u2013': '-', '\u2014': '-', '\u2015': '-', '\u2212': '-',
  '\u2028': '\n', '\u2029': '\n', '\u0085': '\n',
};

/** Named HTML entities worth decoding in place (the rest are left as they are). */
const NAMED_ENTITIES: Record<string, number> = {
  amp: 38, lt: 60, gt: 62, quot: 34, apos: 39, nbsp: 160, shy: 173, zwnj: 0x200c, zwj: 0x200d, lrm: 0x200e, rlm: 0x200f,
  hellip: 0x2026, mdash: 0x2014, ndash: 0x2013, lsquo: 0x2018, rsquo: 0x2019, ldquo: 0x201c, rdquo: 0x201d, laquo: 171, raquo: 187,
  eacute: 233, egrave: 232, ecirc: 234, euml: 235, aacute: 225, agrave: 224, acirc: 226, auml: 228, iacute: 237, icirc: 238, iuml: 239,
  oacute: 243, ocirc: 244, ouml: 246, uacute: 250, ugrave: 249, ucirc: 251, uuml: 252, ccedil: 231, ntilde: 241, szlig: 223,
  Eacute: 201, Agrave: 192, Ccedil: 199, Ouml: 214, Uuml: 220, Auml: 196, Ntilde: 209, copy: 169, reg: 174, trade: 0x2122, euro: 0x20ac,
};

/** Is `cp` an invisible or formatting code point that a reader does not see? */
function isInvisible(cp: number): boolean {
  if (cp < 0xad) return false;
  return (
    cp === 0xad ||
    cp === 0x34f ||
    cp === 0x61c ||
    cp === 0x115f ||
    cp === 0x1160 ||
    cp === 0x17b4 ||
    cp === 0x17b5 ||
    cp === 0x180e ||
    (cp >= 0x200b && cp <= 0x200f) ||
    (cp >= 0x202a && cp <= 0x202e) ||
    (cp >= 0x2060 && cp <= 0x206f) ||
    cp === 0x3164 ||
    cp === 0xfeff ||
    cp === 0xffa0 ||
    (cp >= 0xfe00 && cp <= 0xfe0f) ||
    (cp >= 0xe0000 && cp <= 0xe007f) ||
    (cp >= 0xe0100 && cp <= 0xe01ef) ||
    (cp >= 0x1d173 && cp <= 0x1d17a)
  );
}

/** Combining marks dropped after NFKD (accents, and marks stacked on letters to disguise them). */
function isCombiningMark(c: number): boolean {
  return (c >= 0x300 && c <= 0x36f) || (c >= 0x1ab0 && c <= 0x1aff) || (c >= 0x1dc0 && c <= 0x1dff) || (c >= 0x20d0 && c <= 0x20ff) || (c >= 0xfe20 && c <= 0xfe2f);
}

const isAsciiLetter = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
const isAsciiAlnum = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
const isHexDigit = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);

/** What one non-ASCII code point folds to, and whether it was a lookalike or a compatibility form. */
interface CodePointFold {
  text: string;
  kind: 0 | 1 | 2 | 3; // 0 plain, 1 confusable, 2 compatibility letter (full-width, styled), 3 other script letter
}

const foldCache = new Map<number, CodePointFold>();

function foldCodePoint(cp: number): CodePointFold {
  const cached = foldCache.get(cp);
  if (cached) return cached;
  const ch = String.fromCodePoint(cp);
  let result: CodePointFold;
  const upper = UPPER_CONFUSABLES[ch];
  const lower = LOWER_CONFUSABLES[ch];
  const special = SPECIAL_FOLDS[ch];
  if (upper !== undefined) result = { text: upper, kind: 1 };
  else if (lower !== undefined) result = { text: lower, kind: 1 };
  else if (special !== undefined) result = { text: special, kind: 0 };
  else {
    const decomposed = ch.normalize('NFKD');
    let out = '';
    for (let k = 0; k < decomposed.length; k++) {
      const c = decomposed.charCodeAt(k);
      if (isCombiningMark(c)) continue;
      out += decomposed[k];
    }
    out = out.toLowerCase();
    let mapped = '';
    let confusable = false;
    for (const piece of out) {
      const m = LOWER_CONFUSABLES[piece] ?? SPECIAL_FOLDS[piece];
      if (m !== undefined) {
        mapped += m;
        confusable ||= LOWER_CONFUSABLES[piece] !== undefined;
      } else mapped += piece;
    }
    let kind: CodePointFold['kind'] = 0;
    if (confusable) kind = 1;
    else if (decomposed !== ch && /^[a-z0-9]+$/.test(mapped) && !/^[a-z]$/i.test(ch.normalize('NFD').charAt(0))) kind = 2;
    else if (mapped.length > 0 && mapped.toUpperCase() !== mapped && !/[a-z]/.test(mapped)) kind = 3;
    result = { text: mapped, kind };
  }
  if (foldCache.size < 20_000) foldCache.set(cp, result);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Output buffer with offsets

/**
 * The platform's UTF-16 decoder when there is one (Node, browsers and Temporal's workflow sandbox all
 * provide `TextDecoder`): five times faster than `String.fromCharCode.apply` on large buffers.
 */
const UTF16_DECODER: { decode(units: Uint16Array): string } | undefined = (() => {
  const Decoder = (globalThis as { TextDecoder?: new (label: string) => { decode(units: Uint16Array): string } }).TextDecoder;
  try {
    return Decoder ? new Decoder('utf-16le') : undefined;
  } catch {
    return undefined;
  }
})();

/** A growable UTF-16 buffer whose every unit remembers an offset in a source text. */
class MappedBuilder {
  units: Uint16Array;
  offsets: Int32Array;
  length = 0;

  constructor(capacity: number) {
    this.units = new Uint16Array(Math.max(16, capacity));
    this.offsets = new Int32Array(Math.max(16, capacity) + 1);
  }

  push(unit: number, offset: number): void {
    if (this.length >= this.units.length) this.grow();
    this.units[this.length] = unit;
    this.offsets[this.length] = offset;
    this.length++;
  }

  pushString(s: string, offset: number): void {
    for (let k = 0; k < s.length; k++) this.push(s.charCodeAt(k), offset);
  }

  last(): number {
    return this.length > 0 ? this.units[this.length - 1]! : -1;
  }

  private grow(): void {
    const units = new Uint16Array(this.units.length * 2);
    units.set(this.units);
    const offsets = new Int32Array(units.length + 1);
    offsets.set(this.offsets);
    this.units = units;
    this.offsets = offsets;
  }

  toString(): string {
    if (UTF16_DECODER) return UTF16_DECODER.decode(this.units.subarray(0, this.length));
    let out = '';
    for (let i = 0; i < this.length; i += 8192) {
      out += String.fromCharCode.apply(null, this.units.subarray(i, Math.min(this.length, i + 8192)) as unknown as number[]);
    }
    return out;
  }

  /** The offsets, trimmed, with the end sentinel. */
  finishOffsets(end: number): Int32Array {
    const offsets = this.offsets.slice(0, this.length + 1);
    offsets[this.length] = end;
    return offsets;
  }
}

// ---------------------------------------------------------------------------------------------
// foldText

/**
 * Folds `text` for matching: NFKD compatibility forms, accents dropped, lower case, lookalike letters
 * mapped to Latin, invisible characters removed, HTML entities and backslash escapes decoded. Every
 * character of the result keeps the offset of the source character it came from.
 */
export function foldText(text: string): FoldedText {
  const n = text.length;
  // Fast path: plain ASCII without entities or escapes folds to its lower case, offset for offset
  // (an `&` or `\` that starts no entity or escape is plain: the slow path copies it as it is).
  let plain = true;
  for (let k = 0; k < n; k++) {
    const c = text.charCodeAt(k);
    if (c >= 128 || (c === 38 && decodeEntityAt(text, k) !== undefined) || (c === 92 && k + 1 < n && decodeBackslashAt(text, k) !== undefined)) {
      plain = false;
      break;
    }
  }
  if (plain) {
    const offsets = new Int32Array(n + 1);
    for (let k = 0; k <= n; k++) offsets[k] = k;
    return { text: text.toLowerCase(), offsets, stats: { invisible: 0, invisibleInsideWords: 0, bidiOverrides: 0, confusables: 0, escapesDecoded: 0 }, obfuscatedWords: [] };
  }
  const out = new MappedBuilder(n + 16);
  const stats: FoldStats = { invisible: 0, invisibleInsideWords: 0, bidiOverrides: 0, confusables: 0, escapesDecoded: 0 };
  const obfuscatedWords: ObfuscatedWord[] = [];

  // The word being built, for disguise statistics.
  let wordStartOut = -1;
  let wordStartOrig = 0;
  let wordLatin = 0;
  let wordConfusable = 0;
  let wordCompat = 0;
  let wordOther = 0;
  let wordEscapedLetters = 0;
  let wordInvisible = 0;
  let pendingInvisible = false;

  const endWord = (endOrig: number): void => {
    if (wordStartOut < 0) return;
    const disguised =
      wordInvisible > 0 ||
      wordEscapedLetters >= 2 ||
      (wordConfusable > 0 && wordOther === 0 && (wordLatin > 0 || wordConfusable >= 3)) ||
      (wordCompat >= 3 && wordOther === 0);
    if (disguised && out.length - wordStartOut >= 2) {
      let word = '';
      for (let k = wordStartOut; k < out.length; k++) word += String.fromCharCode(out.units[k]!);
      const kind: ObfuscationKind =
        wordConfusable > 0 ? 'confusable' : wordInvisible > 0 ? 'invisible_split' : wordEscapedLetters >= 2 ? 'escaped_letters' : 'compatibility';
      obfuscatedWords.push({ kind, word, span: { start: wordStartOrig, end: endOrig } });
    }
    wordStartOut = -1;
  };

  /** Emits folded output for one code point (already decoded from any escape). */
  const emit = (cp: number, origin: number, originEnd: number, escaped: boolean): void => {
    let s: string;
    let kind: CodePointFold['kind'] = 0;
    if (cp < 128) {
      s = cp >= 65 && cp <= 90 ? String.fromCharCode(cp + 32) : String.fromCharCode(cp);
    } else {
      if (isInvisible(cp)) {
        stats.invisible++;
        if (cp === 0x202d || cp === 0x202e) stats.bidiOverrides++;
        pendingInvisible = true;
        return;
      }
      const folded = foldCodePoint(cp);
      s = folded.text;
      kind = folded.kind;
      if (kind === 1) stats.confusables++;
    }
    for (let k = 0; k < s.length; k++) {
      const c = s.charCodeAt(k);
      const alnum = isAsciiAlnum(c) || (c >= 0xc0 && !(c >= 0x2000 && c <= 0x2bff) && !(c >= 0x3000 && c <= 0x303f));
      if (alnum) {
        if (wordStartOut < 0) {
          wordStartOut = out.length;
          wordStartOrig = origin;
          wordLatin = wordConfusable = wordCompat = wordOther = wordEscapedLetters = wordInvisible = 0;
        } else if (pendingInvisible) {
          wordInvisible++;
          stats.invisibleInsideWords++;
        }
        if (kind === 1) wordConfusable++;
        else if (kind === 2) wordCompat++;
        else if (kind === 3) wordOther++;
        else if (c >= 97 && c <= 122) {
          wordLatin++;
          if (escaped) wordEscapedLetters++;
        }
      } else {
        endWord(origin);
      }
      pendingInvisible = false;
      out.push(c, origin);
    }
    void originEnd;
  };

  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c < 128) {
      // Fast path: plain ASCII that is neither an entity nor an escape.
      if (c !== 38 && c !== 92) {
        const lower = c >= 65 && c <= 90 ? c + 32 : c;
        if ((lower >= 97 && lower <= 122) || (lower >= 48 && lower <= 57)) {
          if (wordStartOut < 0) {
            wordStartOut = out.length;
            wordStartOrig = i;
            wordLatin = wordConfusable = wordCompat = wordOther = wordEscapedLetters = wordInvisible = 0;
          } else if (pendingInvisible) {
            wordInvisible++;
            stats.invisibleInsideWords++;
          }
          if (lower >= 97) wordLatin++;
        } else if (wordStartOut >= 0) {
          if (wordInvisible > 0 || wordConfusable > 0 || wordCompat > 0 || wordEscapedLetters > 0) endWord(i);
          else wordStartOut = -1;
        }
        pendingInvisible = false;
        if (out.length < out.units.length) {
          out.units[out.length] = lower;
          out.offsets[out.length] = i;
          out.length++;
        } else out.push(lower, i);
        i++;
        continue;
      }
      if (c === 38 /* & */) {
        const decoded = decodeEntityAt(text, i);
        if (decoded) {
          stats.escapesDecoded++;
          emit(decoded.cp, i, i + decoded.length, decoded.cp < 128 && isAsciiLetter(decoded.cp));
          i += decoded.length;
          continue;
        }
      } else if (c === 92 /* \ */ && i + 1 < n) {
        const decoded = decodeBackslashAt(text, i);
        if (decoded) {
          stats.escapesDecoded++;
          emit(decoded.cp, i, i + decoded.length, decoded.cp < 128 && isAsciiLetter(decoded.cp));
          i += decoded.length;
          continue;
        }
      }
      emit(c, i, i + 1, false);
      i++;
      continue;
    }
    const cp = text.codePointAt(i)!;
    const width = cp > 0xffff ? 2 : 1;
    emit(cp, i, i + width, false);
    i += width;
  }
  endWord(n);
  return { text: out.toString(), offsets: out.finishOffsets(n), stats, obfuscatedWords };
}

/** Decodes an HTML entity at `i` (`&amp;`, `&#105;`, `&#x69;`), or undefined. */
function decodeEntityAt(text: string, i: number): { cp: number; length: number } | undefined {
  const limit = Math.min(text.length, i + 12);
  let j = i + 1;
  while (j < limit && text.charCodeAt(j) !== 59 /* ; */) {
    const c = text.charCodeAt(j);
    if (!(isAsciiLetter(c) || (c >= 48 && c <= 57) || c === 35)) return undefined;
    j++;
  }
  if (j >= limit) return undefined;
  const body = text.slice(i + 1, j);
  let cp: number | undefined;
  if (body.charCodeAt(0) === 35 /* # */) {
    const hex = body.charCodeAt(1) === 120 || body.charCodeAt(1) === 88;
    const digits = hex ? body.slice(2) : body.slice(1);
    if (digits.length === 0 || digits.length > 7) return undefined;
    cp = parseInt(digits, hex ? 16 : 10);
    if (!Number.isFinite(cp) || cp <= 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return undefined;
  } else {
    cp = NAMED_ENTITIES[body];
    if (cp === undefined) return undefined;
  }
  return { cp, length: j - i + 1 };
}

/** Decodes a backslash escape at `i` (`\n`, `\t`, `\"`, `\u0069`, `\x69`), or undefined. */
function decodeBackslashAt(text: string, i: number): { cp: number; length: number } | undefined {
  const next = text.charCodeAt(i + 1);
  switch (next) {
    case 110: // n
    case 114: // r
      return { cp: 10, length: 2 };
    case 116: // t
      return { cp: 32, length: 2 };
    case 34: // "
    case 39: // '
    case 47: // /
    case 92: // \
      return { cp: next, length: 2 };
    case 117: {
      // u
      if (i + 6 > text.length) return undefined;
      for (let k = i + 2; k < i + 6; k++) if (!isHexDigit(text.charCodeAt(k))) return undefined;
      let cp = parseInt(text.slice(i + 2, i + 6), 16);
      let length = 6;
      if (cp >= 0xd800 && cp <= 0xdbff && text.charCodeAt(i + 6) === 92 && text.charCodeAt(i + 7) === 117 && i + 12 <= text.length) {
        const low = parseInt(text.slice(i + 8, i + 12), 16);
        if (low >= 0xdc00 && low <= 0xdfff) {
          cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
          length = 12;
        }
      }
      if (cp >= 0xd800 && cp <= 0xdfff) return undefined;
      return { cp, length };
    }
    case 120: {
      // x
      if (i + 4 > text.length || !isHexDigit(text.charCodeAt(i + 2)) || !isHexDigit(text.charCodeAt(i + 3))) return undefined;
      return { cp: parseInt(text.slice(i + 2, i + 4), 16), length: 4 };
    }
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// stripTags

/** HTML element names whose tags are markup, not content. */
const HTML_TAGS = new Set(
  (
    'a abbr address area article aside audio b base bdi bdo blockquote body br button canvas caption center cite code col colgroup ' +
    'dd del details dfn dialog div dl dt em embed fieldset figcaption figure font footer form h1 h2 h3 h4 h5 h6 head header hr html i iframe img ' +
    'input ins kbd label legend li link main map mark meta meter nav noscript object ol optgroup option p param picture pre progress q ' +
    's samp script section select small source span strike strong style sub summary sup svg table tbody td template textarea tfoot th thead ' +
    'time title tr track tt u ul var video wbr'
  ).split(' '),
);

/** Tags after which a reader sees a new line. */
const BLOCK_TAGS = new Set(
  'address article aside blockquote body br dd details dialog div dl dt fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 head header hr html li main nav ol p pre section summary table tbody td tfoot th thead title tr ul'.split(' '),
);

/** Attributes whose value a reader (or a model reading the markup) sees as text. */
const TEXT_ATTRIBUTES = new Set(['alt', 'title', 'aria-label', 'placeholder', 'content', 'value', 'label', 'summary']);
/** Attributes whose URL value is kept as `name="url"`, so that URL checks still see links and images. */
const URL_ATTRIBUTES = new Set(['src', 'href', 'action', 'formaction', 'poster', 'background', 'data', 'srcset']);

/**
 * Removes known HTML tags from folded text (lower case), keeping the values of text-bearing
 * attributes. Block tags become line breaks, inline tags a space. Unknown tags stay.
 */
export function stripTags(folded: FoldedText): FoldedText {
  const { text, offsets } = folded;
  if (text.indexOf('<') < 0) return folded;
  const n = text.length;
  const out = new MappedBuilder(n);
  let i = 0;
  let changed = false;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 60 /* < */) {
      const end = scanTag(text, i);
      if (end > 0) {
        changed = true;
        const closing = text.charCodeAt(i + 1) === 47;
        let j = i + (closing ? 2 : 1);
        const nameStart = j;
        while (j < end && (isAsciiAlnum(text.charCodeAt(j)) || text.charCodeAt(j) === 45)) j++;
        const name = text.slice(nameStart, j);
        out.push(BLOCK_TAGS.has(name) ? 10 : 32, offsets[i]!);
        if (!closing) keepTextAttributes(text, offsets, j, end - 1, out);
        i = end;
        continue;
      }
    }
    out.push(c, offsets[i]!);
    i++;
  }
  if (!changed) return folded;
  return { ...folded, text: out.toString(), offsets: out.finishOffsets(offsets[n]!) };
}

/** If a known HTML tag starts at `i`, the index just after its `>`; else -1. */
function scanTag(text: string, i: number): number {
  let j = i + 1;
  if (text.charCodeAt(j) === 47) j++;
  const nameStart = j;
  while (j < text.length && j - nameStart <= 12 && (isAsciiAlnum(text.charCodeAt(j)) || text.charCodeAt(j) === 45)) j++;
  if (j === nameStart || !HTML_TAGS.has(text.slice(nameStart, j))) return -1;
  const after = text.charCodeAt(j);
  if (!(after === 62 || after === 47 || after === 32 || after === 10 || after === 9 || after === 13)) return -1;
  const limit = Math.min(text.length, j + 4000);
  let quote = 0;
  for (let k = j; k < limit; k++) {
    const ch = text.charCodeAt(k);
    if (quote) {
      if (ch === quote) quote = 0;
    } else if (ch === 34 || ch === 39) quote = ch;
    else if (ch === 62) return k + 1;
    else if (ch === 60) return -1;
  }
  return -1;
}

/** Copies the values of text-bearing attributes of the tag body `text[from, to)` to `out`. */
function keepTextAttributes(text: string, offsets: Int32Array, from: number, to: number, out: MappedBuilder): void {
  let k = from;
  while (k < to) {
    while (k < to && !(isAsciiLetter(text.charCodeAt(k)) || text.charCodeAt(k) === 45)) k++;
    const nameStart = k;
    while (k < to && (isAsciiAlnum(text.charCodeAt(k)) || text.charCodeAt(k) === 45 || text.charCodeAt(k) === 95 || text.charCodeAt(k) === 58)) k++;
    const name = text.slice(nameStart, k);
    while (k < to && text.charCodeAt(k) === 32) k++;
    if (text.charCodeAt(k) !== 61 /* = */) continue;
    k++;
    while (k < to && text.charCodeAt(k) === 32) k++;
    const quote = text.charCodeAt(k);
    let valueStart: number;
    let valueEnd: number;
    if (quote === 34 || quote === 39) {
      valueStart = k + 1;
      valueEnd = text.indexOf(String.fromCharCode(quote), valueStart);
      if (valueEnd < 0 || valueEnd > to) valueEnd = to;
      k = valueEnd + 1;
    } else {
      valueStart = k;
      while (k < to && text.charCodeAt(k) !== 32) k++;
      valueEnd = k;
    }
    if (name.length > 0 && (TEXT_ATTRIBUTES.has(name) || name.startsWith('data-')) && valueEnd > valueStart) {
      for (let v = valueStart; v < valueEnd; v++) out.push(text.charCodeAt(v), offsets[v]!);
      out.push(32, offsets[valueEnd]!);
    } else if (URL_ATTRIBUTES.has(name) && valueEnd > valueStart && /^(?:https?:|\/\/|www\.)/.test(text.slice(valueStart, valueStart + 8))) {
      for (let v = nameStart; v < valueStart; v++) out.push(text.charCodeAt(v), offsets[v]!);
      for (let v = valueStart; v < valueEnd; v++) out.push(text.charCodeAt(v), offsets[v]!);
      out.push(34, offsets[valueEnd]!);
      out.push(32, offsets[valueEnd]!);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// joinLetterSpacedWords

const SPACING_SEPARATORS = new Set([32, 46, 45, 95, 42, 124, 47, 43, 126, 183, 0x2022]);

/**
 * Joins words written one letter at a time with a separator (`i g n o r e`, `i.g.n.o.r.e`,
 * `I-G-N-O-R-E`): runs of at least four single letters (or digits) with the same one-character
 * separator, and shorter runs next to such a run (`a l l  p r e v i o u s`). Works on folded text.
 */
export function joinLetterSpacedWords(folded: FoldedText): FoldedText {
  const { text, offsets } = folded;
  const n = text.length;
  // Find the runs: [start, end) of the run, letters count.
  const runs: { start: number; end: number; letters: number; join: boolean }[] = [];
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isAsciiAlnum(c) && (i === 0 || !isAsciiAlnum(text.charCodeAt(i - 1))) && i + 2 < n && !isAsciiAlnum(text.charCodeAt(i + 1))) {
      const sep = text.charCodeAt(i + 1);
      if (SPACING_SEPARATORS.has(sep) && isAsciiAlnum(text.charCodeAt(i + 2))) {
        let letters = 1;
        let j = i;
        while (j + 2 < n && text.charCodeAt(j + 1) === sep && isAsciiAlnum(text.charCodeAt(j + 2)) && (j + 3 >= n || !isAsciiAlnum(text.charCodeAt(j + 3)))) {
          j += 2;
          letters++;
        }
        let alpha = 0;
        for (let k = i; k <= j; k += 2) if (text.charCodeAt(k) >= 97) alpha++;
        if (letters >= 2 && alpha >= 2) {
          runs.push({ start: i, end: j + 1, letters, join: letters >= 4 || (letters === 3 && sep === 32) });
          i = j + 1;
          continue;
        }
      }
    }
    i++;
  }
  if (!runs.some((r) => r.join)) return folded;
  // Short runs next to a joined run (the words of a letter-spaced sentence) are joined too.
  for (let pass = 0; pass < 2; pass++) {
    for (let r = 0; r < runs.length; r++) {
      const run = runs[r]!;
      if (run.join) continue;
      const prev = runs[r - 1];
      const next = runs[r + 1];
      if ((prev?.join && run.start - prev.end <= 4) || (next?.join && next.start - run.end <= 4)) run.join = true;
    }
  }
  const out = new MappedBuilder(n);
  const obfuscatedWords = [...folded.obfuscatedWords];
  let pos = 0;
  for (const run of runs) {
    if (!run.join) continue;
    for (let k = pos; k < run.start; k++) out.push(text.charCodeAt(k), offsets[k]!);
    let word = '';
    for (let k = run.start; k < run.end; k += 2) {
      out.push(text.charCodeAt(k), offsets[k]!);
      word += text[k];
    }
    if (run.letters >= 3) obfuscatedWords.push({ kind: 'letter_spacing', word, span: { start: offsets[run.start]!, end: offsets[run.end - 1]! + 1 } });
    pos = run.end;
  }
  for (let k = pos; k < n; k++) out.push(text.charCodeAt(k), offsets[k]!);
  return { ...folded, text: out.toString(), offsets: out.finishOffsets(offsets[n]!), obfuscatedWords };
}

// ---------------------------------------------------------------------------------------------
// findHiddenRegions

const VOID_ELEMENTS = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr']);
const HIDING_CLASSES = new Set(['hidden', 'd-none', 'sr-only', 'visually-hidden', 'screen-reader-text', 'invisible', 'hide', 'is-hidden', 'u-hidden', 'visuallyhidden', 'offscreen']);
const HIDING_HINT = /hidden|style|class|aria/i;
const OPEN_TAG = /<([a-zA-Z][a-zA-Z0-9-]{0,30})(\s[^<>]{0,3000})?\/?>/g;
const MARKDOWN_COMMENT = /^[ \t]{0,3}\[[^\]\n]{0,40}\]:[ \t]*(?:#|<>)[ \t]*[("'][^\n]*$/gm;

/**
 * Regions of `text` that a person does not see when it is rendered: HTML comments, elements hidden by
 * CSS or attributes, Markdown comments (`[//]: # (…)`). Sorted by start; may nest.
 */
export function findHiddenRegions(text: string): HiddenRegion[] {
  const regions: HiddenRegion[] = [];
  if (text.indexOf('<') >= 0) {
    // HTML comments.
    let from = 0;
    for (;;) {
      const start = text.indexOf('<!--', from);
      if (start < 0) break;
      const close = text.indexOf('-->', start + 4);
      const end = close < 0 ? text.length : close + 3;
      regions.push({ kind: 'html_comment', span: { start, end } });
      from = end;
    }
    // Hidden elements (the lower-case copy for finding their ends is made on the first one).
    let lower: string | undefined;
    OPEN_TAG.lastIndex = 0;
    let match: RegExpExecArray | null;
    let guard = 0;
    while ((match = OPEN_TAG.exec(text)) !== null && guard++ < 5000) {
      const attributes = match[2];
      if (!attributes || !HIDING_HINT.test(attributes)) continue;
      const kind = hidingKind(attributes.toLowerCase());
      if (!kind) continue;
      const name = match[1]!.toLowerCase();
      const tagEnd = match.index + match[0].length;
      const end = VOID_ELEMENTS.has(name) || match[0].endsWith('/>') ? tagEnd : closingTagEnd((lower ??= asciiLowerCase(text)), name, tagEnd);
      regions.push({ kind, span: { start: match.index, end } });
    }
  }
  if (text.indexOf(']:') >= 0) {
    MARKDOWN_COMMENT.lastIndex = 0;
    let match: RegExpExecArray | null;
    while ((match = MARKDOWN_COMMENT.exec(text)) !== null) {
      regions.push({ kind: 'markdown_comment', span: { start: match.index, end: match.index + match[0].length } });
    }
  }
  regions.sort((a, b) => a.span.start - b.span.start);
  return regions;
}

/** Lower-cases ASCII letters only, so that indexes stay the same. */
function asciiLowerCase(text: string): string {
  return text.replace(/[A-Z]+/g, (s) => s.toLowerCase());
}

/** The end of the element opened by a `<name …>` tag ending at `from`, counting nested elements of the same name. */
function closingTagEnd(lower: string, name: string, from: number): number {
  const open = `<${name}`;
  const close = `</${name}`;
  let depth = 1;
  let pos = from;
  const limit = Math.min(lower.length, from + 100_000);
  while (pos < limit) {
    const nextClose = lower.indexOf(close, pos);
    if (nextClose < 0) return Math.min(lower.length, limit);
    let nextOpen = lower.indexOf(open, pos);
    while (nextOpen >= 0 && nextOpen < nextClose && isAsciiAlnum(lower.charCodeAt(nextOpen + open.length))) nextOpen = lower.indexOf(open, nextOpen + 1);
    if (nextOpen >= 0 && nextOpen < nextClose) {
      depth++;
      pos = nextOpen + open.length;
      continue;
    }
    depth--;
    const gt = lower.indexOf('>', nextClose);
    const end = gt < 0 ? lower.length : gt + 1;
    if (depth === 0) return end;
    pos = end;
  }
  return limit;
}

/** Why a tag with these (lower case) attributes hides its content, or undefined. */
function hidingKind(attributes: string): HiddenRegionKind | undefined {
  if (/(?:^|\s)hidden(?:[\s=/]|$)/.test(attributes)) return 'hidden_attribute';
  if (/type\s*=\s*["']?hidden/.test(attributes)) return 'hidden_attribute';
  if (/aria-hidden\s*=\s*["']?true/.test(attributes)) return 'aria_hidden';
  const classMatch = /class\s*=\s*["']([^"']{0,300})["']/.exec(attributes);
  if (classMatch && classMatch[1]!.split(/\s+/).some((c) => HIDING_CLASSES.has(c))) return 'css_hidden';
  const styleMatch = /style\s*=\s*(?:"([^"]{0,2000})"|'([^']{0,2000})')/.exec(attributes);
  if (!styleMatch) return undefined;
  const style = (styleMatch[1] ?? styleMatch[2] ?? '').replace(/\s+/g, '');
  if (style.length === 0) return undefined;
  if (/(?:^|;)display:none/.test(style) || /(?:^|;)visibility:(?:hidden|collapse)/.test(style)) return 'css_hidden';
  if (/(?:^|;)opacity:0?\.?0*(?:;|$|!)/.test(style)) return 'css_hidden';
  if (/(?:^|;)font-size:0(?:\.\d+)?(?:px|pt|em|rem|%)?(?:;|$|!)/.test(style) || /(?:^|;)font-size:[01]px/.test(style)) return 'tiny_text';
  if (/(?:^|;)(?:max-)?height:0(?:px)?(?:;|$|!)/.test(style) && /overflow:hidden/.test(style)) return 'css_hidden';
  if (/(?:^|;)(?:max-)?width:0(?:px)?(?:;|$|!)/.test(style) && /overflow:hidden/.test(style)) return 'css_hidden';
  if (/(?:^|;)(?:left|top|right|text-indent|margin-left):-\d{3,}/.test(style)) return 'offscreen';
  if (/clip:rect\(0/.test(style) || /transform:scale\(0\)/.test(style)) return 'css_hidden';
  if (/(?:^|;)color:(?:#fff(?:fff)?|white|rgba?\(255,255,255)(?:;|$|!|,|\))/.test(style)) {
    const background = /background(?:-color)?:([^;]+)/.exec(style);
    if (!background || /^(?:#fff(?:fff)?|white|rgba?\(255,255,255|transparent|none)/.test(background[1]!)) return 'white_text';
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// decodeEmbeddedBlobs

const HEX_CANDIDATE = /(?:\\x[0-9a-fA-F]{2}){6,}|(?:0x[0-9a-fA-F]{2}[,\s]{0,2}){6,}|(?:[0-9a-fA-F]{2}[\s:]?){12,}/g;
const PERCENT_CANDIDATE = /(?:[A-Za-z0-9._~+!*'():/,;=&@?-]{0,24}%[0-9a-fA-F]{2}){4,}[A-Za-z0-9._~+!*'():/,;=&@?-]{0,24}/g;
const ENTITY_CANDIDATE = /(?:&#[xX]?[0-9a-fA-F]{1,6};[^&<\n]{0,2}){5,}/g;
const UNICODE_ESCAPE_CANDIDATE = /(?:\\u[0-9a-fA-F]{4}[^\\\n]{0,2}){5,}/g;

/** Options of {@link decodeEmbeddedBlobs}. */
export interface DecodeBlobOptions {
  /** Most blobs returned. @default 24 */
  maxBlobs?: number;
  /** Most decoded characters in all. @default 65536 */
  maxChars?: number;
}

/**
 * Finds encoded runs in `text` that decode to readable text (mostly printable, with letters and
 * spaces): base64 (standard and URL-safe, wrapped lines joined), hex (`\x69`, `0x69`, plain or
 * spaced pairs), %-encoding, numeric HTML entities, `\u` escapes, Unicode tag characters, ROT13 when
 * the text mentions it, and text written backwards when it holds reversed keywords. Binary data,
 * hashes and identifiers are not returned.
 */
export function decodeEmbeddedBlobs(text: string, options: DecodeBlobOptions = {}): DecodedBlob[] {
  const maxBlobs = options.maxBlobs ?? DEFAULT_NORMALIZE_OPTIONS.maxDecodedSegments;
  let budget = options.maxChars ?? DEFAULT_NORMALIZE_OPTIONS.maxDecodedChars;
  const blobs: DecodedBlob[] = [];
  const add = (encoding: BlobEncoding, start: number, end: number, decoded: string | undefined): void => {
    if (decoded === undefined || blobs.length >= maxBlobs || budget <= 0) return;
    const clipped = decoded.length > budget ? decoded.slice(0, budget) : decoded;
    budget -= clipped.length;
    blobs.push({ encoding, span: { start, end }, text: clipped });
  };

  // base64, with wrapped lines (MIME, PEM) joined: a linear scan for runs of the alphabet.
  const n = text.length;
  let match: RegExpExecArray | null;
  let pending: { start: number; end: number } | undefined;
  const flushBase64 = (): void => {
    if (!pending) return;
    add('base64', pending.start, pending.end, decodeBase64Text(text.slice(pending.start, pending.end).replace(/\s+/g, '')));
    pending = undefined;
  };
  // One pass finds the runs of the base64 alphabet (at least 20 long) and the windows of hex digits.
  const windows: [number, number][] = [];
  let b64Start = -1;
  let hexStart = -1;
  let hexDigits = 0;
  for (let k = 0; k <= n; k++) {
    const c = k < n ? text.charCodeAt(k) : 0;
    const cls = c < 128 ? BLOB_CLASS[c]! : 0;
    if (cls & 1) {
      if (b64Start < 0) b64Start = k;
    } else if (b64Start >= 0) {
      if (k - b64Start >= 20) {
        let end = k;
        while (end < n && end - k < 2 && text.charCodeAt(end) === 61) end++;
        if (pending && (pending.end - pending.start) % 4 === 0 && /^\r?\n[ \t]*$/.test(text.slice(pending.end, b64Start)) && pending.end - pending.start >= 40) pending.end = end;
        else {
          flushBase64();
          if (looksLikeBase64(text.slice(b64Start, k))) pending = { start: b64Start, end };
        }
      }
      b64Start = -1;
    }
    if (cls & 2) {
      if (hexStart < 0) hexStart = k;
      hexDigits++;
    } else if (hexStart >= 0 && !(cls & 4)) {
      if (hexDigits >= 24) windows.push([hexStart, k]);
      hexStart = -1;
      hexDigits = 0;
    }
  }
  flushBase64();

  // hex: the regular expression runs only on windows with enough hex digits.
  for (const [from, to] of windows) {
    HEX_CANDIDATE.lastIndex = 0;
    const window = text.slice(from, to);
    while ((match = HEX_CANDIDATE.exec(window)) !== null) add('hex', from + match.index, from + match.index + match[0].length, decodeHexText(match[0]));
  }

  if (text.indexOf('%') >= 0) {
    for (const [from, to] of percentWindows(text)) {
      PERCENT_CANDIDATE.lastIndex = 0;
      const window = text.slice(from, to);
      while ((match = PERCENT_CANDIDATE.exec(window)) !== null) add('percent', from + match.index, from + match.index + match[0].length, decodePercentText(match[0]));
    }
  }

  if (text.indexOf('&#') >= 0) {
    ENTITY_CANDIDATE.lastIndex = 0;
    while ((match = ENTITY_CANDIDATE.exec(text)) !== null) {
      const decoded = match[0].replace(/&#([xX]?)([0-9a-fA-F]{1,6});/g, (_all, x: string, digits: string) => safeFromCodePoint(parseInt(digits, x ? 16 : 10)));
      add('html_entities', match.index, match.index + match[0].length, readableOrUndefined(decoded));
    }
  }

  if (text.indexOf('\\u') >= 0) {
    UNICODE_ESCAPE_CANDIDATE.lastIndex = 0;
    while ((match = UNICODE_ESCAPE_CANDIDATE.exec(text)) !== null) {
      const decoded = match[0].replace(/\\u([0-9a-fA-F]{4})/g, (_all, digits: string) => String.fromCharCode(parseInt(digits, 16)));
      add('unicode_escapes', match.index, match.index + match[0].length, readableOrUndefined(decoded));
    }
  }

  // The same written as JSON escapes: \udb40\udc41…
  if (text.indexOf('\\udb40') >= 0 || text.indexOf('\\uDB40') >= 0) {
    const escaped = /(?:\\u[dD][bB]40\\u[dD][cC][0-7][0-9a-fA-F]){4,}/g;
    while ((match = escaped.exec(text)) !== null) {
      const decoded = match[0].replace(/\\u[dD][bB]40\\u[dD][cC]([0-7][0-9a-fA-F])/g, (_all, low: string) => String.fromCharCode(parseInt(low, 16))).replace(/[\x00-\x1f\x7f]/g, '');
      if (decoded.length >= 4) add('unicode_tags', match.index, match.index + match[0].length, decoded);
    }
  }
  // Unicode tag characters (U+E0020–U+E007E) spell ASCII invisibly.
  if (text.indexOf('\udb40') >= 0) {
    let runStart = -1;
    let decoded = '';
    for (let k = 0; k <= text.length; k++) {
      const cp = k < text.length ? text.codePointAt(k)! : 0;
      if (cp >= 0xe0020 && cp <= 0xe007e) {
        if (runStart < 0) runStart = k;
        decoded += String.fromCharCode(cp - 0xe0000);
        k++;
        continue;
      }
      if (cp >= 0xe0000 && cp <= 0xe007f) {
        k++;
        continue;
      }
      if (runStart >= 0) {
        if (decoded.length >= 4) add('unicode_tags', runStart, k, decoded);
        runStart = -1;
        decoded = '';
      }
    }
  }

  // ROT13 after a mention of it, reversed text around a reversed keyword: bounded windows, not the whole text.
  const rotMention = text.indexOf('13') >= 0 && (text.indexOf('rot') >= 0 || text.indexOf('ROT') >= 0 || text.indexOf('Rot') >= 0) ? /rot[\s-]?13\b/i.exec(text) : null;
  if (rotMention) {
    const end = Math.min(text.length, rotMention.index + 2000);
    add('rot13', rotMention.index, end, rot13(text.slice(rotMention.index, end)));
  }
  // One scan for all the keywords (lower or upper case, as below) before looking for each.
  for (const keyword of REVERSED_KEYWORD.test(text) ? REVERSED_KEYWORDS : []) {
    const at = Math.max(text.indexOf(keyword), text.indexOf(keyword.toUpperCase()));
    if (at < 0) continue;
    const from = Math.max(0, text.lastIndexOf('\n', at) + 1, at - 1000);
    const newline = text.indexOf('\n', at);
    const to = Math.min(newline < 0 ? text.length : newline, at + 1000);
    add('reversed', from, to, [...text.slice(from, to)].reverse().join(''));
    break;
  }
  return blobs;
}

/** Character classes of ASCII for the blob scanners: 1 base64 alphabet, 2 hex digit, 4 hex separator. */
const BLOB_CLASS = (() => {
  const table = new Uint8Array(128);
  for (let c = 0; c < 128; c++) {
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47 || c === 95 || c === 45) table[c]! |= 1;
    if ((c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70)) table[c]! |= 2;
    if (c === 32 || c === 58 || c === 44 || c === 92 || c === 120 || c === 10) table[c]! |= 4;
  }
  return table;
})();

/** Windows of `text` with at least four `%XX` escapes close together. */
function percentWindows(text: string): [number, number][] {
  const windows: [number, number][] = [];
  let first = -1;
  let last = -1;
  let count = 0;
  for (let k = text.indexOf('%'); k >= 0; k = text.indexOf('%', k + 1)) {
    if (!isHexDigit(text.charCodeAt(k + 1)) || !isHexDigit(text.charCodeAt(k + 2))) continue;
    if (last >= 0 && k - last <= 27) {
      last = k;
      count++;
      continue;
    }
    if (count >= 4) windows.push([Math.max(0, first - 24), Math.min(text.length, last + 27)]);
    first = last = k;
    count = 1;
  }
  if (count >= 4) windows.push([Math.max(0, first - 24), Math.min(text.length, last + 27)]);
  return windows;
}

const REVERSED_KEYWORDS = ['snoitcurtsni', 'suoiverp', 'erongi', 'dragersid', 'tpmorp metsys'];
/** Any of {@link REVERSED_KEYWORDS}, in lower or in upper case. */
const REVERSED_KEYWORD = new RegExp([...REVERSED_KEYWORDS, ...REVERSED_KEYWORDS.map((k) => k.toUpperCase())].join('|'));

function looksLikeBase64(candidate: string): boolean {
  // Identifiers and words are not base64: demand a mix of character classes.
  let upper = 0;
  let lowerCount = 0;
  let digits = 0;
  for (let k = 0; k < candidate.length; k++) {
    const c = candidate.charCodeAt(k);
    if (c >= 65 && c <= 90) upper++;
    else if (c >= 97 && c <= 122) lowerCount++;
    else if (c >= 48 && c <= 57) digits++;
  }
  return upper > 0 && lowerCount > 0 && (digits > 0 || upper >= 3);
}

const BASE64_VALUES = (() => {
  const table = new Int16Array(128).fill(-1);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let k = 0; k < alphabet.length; k++) table[alphabet.charCodeAt(k)] = k;
  table[45] = 62; // -
  table[95] = 63; // _
  return table;
})();

/** Decodes base64 (standard or URL-safe) to bytes; stops at the first character outside the alphabet. */
function decodeBase64Bytes(s: string, maxBytes: number): number[] {
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (let k = 0; k < s.length && bytes.length < maxBytes; k++) {
    const c = s.charCodeAt(k);
    if (c === 61) break;
    const v = c < 128 ? BASE64_VALUES[c]! : -1;
    if (v < 0) break;
    buffer = ((buffer << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >> bits) & 0xff);
    }
  }
  return bytes;
}

function decodeBase64Text(s: string): string | undefined {
  // Check a prefix first: most candidates (images, keys, hashes) are binary.
  const probe = decodeBase64Bytes(s.slice(0, 64), 48);
  if (utf8Readable(probe) === undefined) return undefined;
  return utf8Readable(decodeBase64Bytes(s, 49_152));
}

function decodeHexText(s: string): string | undefined {
  const digits = s.replace(/\\x|0x|[^0-9a-fA-F]/g, '');
  if (digits.length % 2 !== 0) return undefined;
  const bytes: number[] = [];
  for (let k = 0; k < digits.length; k += 2) bytes.push(parseInt(digits.slice(k, k + 2), 16));
  return utf8Readable(bytes);
}

function decodePercentText(s: string): string | undefined {
  try {
    return readableOrUndefined(decodeURIComponent(s.replace(/\+/g, ' ')));
  } catch {
    return undefined;
  }
}

function safeFromCodePoint(cp: number): string {
  return Number.isFinite(cp) && cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) ? String.fromCodePoint(cp) : '';
}

/** UTF-8 bytes to a string if they are valid UTF-8 and readable text; else undefined. */
function utf8Readable(bytes: number[]): string | undefined {
  let out = '';
  for (let k = 0; k < bytes.length; ) {
    const b = bytes[k]!;
    let cp: number;
    let extra: number;
    if (b < 0x80) {
      cp = b;
      extra = 0;
    } else if (b >= 0xc2 && b < 0xe0) {
      cp = b & 0x1f;
      extra = 1;
    } else if (b >= 0xe0 && b < 0xf0) {
      cp = b & 0x0f;
      extra = 2;
    } else if (b >= 0xf0 && b < 0xf5) {
      cp = b & 0x07;
      extra = 3;
    } else return undefined;
    if (k + extra >= bytes.length && extra > 0) break; // a character cut by the end of a prefix
    for (let e = 1; e <= extra; e++) {
      const next = bytes[k + e]!;
      if ((next & 0xc0) !== 0x80) return undefined;
      cp = (cp << 6) | (next & 0x3f);
    }
    out += String.fromCodePoint(cp);
    k += extra + 1;
  }
  return readableOrUndefined(out);
}

/** The string if it reads as text (printable, some letters, a space), else undefined. */
function readableOrUndefined(s: string): string | undefined {
  if (s.length < 8) return undefined;
  let printable = 0;
  let letters = 0;
  let spaces = 0;
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c === 32) spaces++;
    if ((c >= 32 && c < 127) || c === 10 || c === 13 || c === 9 || c >= 0xa0) printable++;
    if (isAsciiLetter(c) || c >= 0xc0) letters++;
  }
  if (printable / s.length < 0.95 || letters / s.length < 0.45 || spaces === 0) return undefined;
  return s;
}

function rot13(text: string): string {
  return text.replace(/[A-Za-z]/g, (ch) => {
    const base = ch <= 'Z' ? 65 : 97;
    return String.fromCharCode(((ch.charCodeAt(0) - base + 13) % 26) + base);
  });
}

// ---------------------------------------------------------------------------------------------
// normalizeText

/** Folds, strips tags from and joins letter-spaced words of `text`: the full normalisation of one segment. */
export function normalizeSegmentText(text: string): FoldedText {
  let folded = foldText(text);
  folded = stripTags(folded);
  if (hasLetterSpacing(folded.text)) folded = joinLetterSpacedWords(folded);
  return folded;
}

/** Quick test for three single letters with the same one-character separator (`a b c`, `a.b.c`). */
function hasLetterSpacing(text: string): boolean {
  const n = text.length - 4;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (!isAsciiAlnum(c)) continue;
    if (c < 97) {
      // Digits: skip the number (IP addresses and dates are not letter-spaced words).
      while (i + 1 < n && isAsciiAlnum(text.charCodeAt(i + 1))) i++;
      continue;
    }
    const sep = text.charCodeAt(i + 1);
    if (!SPACING_SEPARATORS.has(sep)) {
      // Skip the rest of this word.
      while (i + 1 < n && isAsciiAlnum(text.charCodeAt(i + 1))) i++;
      continue;
    }
    if ((i === 0 || !isAsciiAlnum(text.charCodeAt(i - 1))) && isAsciiAlnum(text.charCodeAt(i + 2)) && text.charCodeAt(i + 3) === sep && isAsciiAlnum(text.charCodeAt(i + 4)) && !isAsciiAlnum(text.charCodeAt(i + 5))) return true;
  }
  return false;
}

/**
 * Normalises `text` for detectors: the folded original as the first segment (with offsets into the
 * original), the decoded blobs as further segments, the hidden regions and the disguised words.
 */
export function normalizeText(text: string, options: NormalizeOptions = {}): NormalizedText {
  const decodeBlobs = options.decodeBlobs ?? DEFAULT_NORMALIZE_OPTIONS.decodeBlobs;
  const maxSegments = options.maxDecodedSegments ?? DEFAULT_NORMALIZE_OPTIONS.maxDecodedSegments;
  const maxChars = options.maxDecodedChars ?? DEFAULT_NORMALIZE_OPTIONS.maxDecodedChars;
  const maxDepth = options.maxDepth ?? DEFAULT_NORMALIZE_OPTIONS.maxDepth;

  const primary = normalizeSegmentText(text);
  const segments: NormalizedSegment[] = [{ origin: 'text', text: primary.text, offsets: primary.offsets, span: { start: 0, end: text.length }, depth: 0 }];
  const hiddenRegions = findHiddenRegions(text);
  const obfuscatedWords = [...primary.obfuscatedWords];
  const letterSpacedRuns = obfuscatedWords.filter((w) => w.kind === 'letter_spacing').length;

  if (decodeBlobs) {
    let budget = maxChars;
    const queue: { source: string; span: TextSpan | undefined; depth: number }[] = [{ source: text, span: undefined, depth: 1 }];
    while (queue.length > 0) {
      const item = queue.shift()!;
      if (item.depth > maxDepth) continue;
      const blobs = decodeEmbeddedBlobs(item.source, { maxBlobs: maxSegments - (segments.length - 1), maxChars: budget });
      for (const blob of blobs) {
        if (segments.length - 1 >= maxSegments || budget <= 0) break;
        budget -= blob.text.length;
        const span = item.span ?? blob.span;
        const folded = normalizeSegmentText(blob.text);
        segments.push({ origin: 'decoded', encoding: blob.encoding, text: folded.text, span, depth: item.depth });
        if (blob.encoding === 'unicode_tags' && item.depth === 1) hiddenRegions.push({ kind: 'unicode_tags', span: blob.span });
        if (blob.encoding !== 'rot13' && blob.encoding !== 'reversed') queue.push({ source: blob.text, span, depth: item.depth + 1 });
      }
    }
  }
  return {
    segments,
    hiddenRegions,
    obfuscatedWords,
    stats: { ...primary.stats, letterSpacedRuns, decodedBlobs: segments.length - 1 },
  };
}

/** The span in the original text of `[start, end)` of a segment's text. */
export function toOriginalSpan(segment: NormalizedSegment, start: number, end: number): TextSpan {
  const offsets = segment.offsets;
  if (!offsets) return { ...segment.span };
  const last = offsets.length - 1;
  const s = offsets[Math.max(0, Math.min(start, last))]!;
  const e = end > start ? offsets[Math.max(0, Math.min(end - 1, last))]! + 1 : s;
  return { start: s, end: Math.max(s, Math.min(e, offsets[last]!)) };
}
