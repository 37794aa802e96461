import { z } from 'zod';
import type { GuardrailFinding, TextSpan } from './finding';
import { DEFAULT_INJECTION_DETECTOR_OPTIONS, detectInjection, InjectionDetectorOptionsSchema, type InjectionDetectorOptions, type InjectionVerdict } from './injection';

/**
 * Prompt-injection detection of long texts in bounded windows: {@link detectInjection} runs on
 * overlapping windows of at most `windowChars` characters, so the work grows linearly with the
 * text's length whatever the text is, and a caller can yield between windows
 * ({@link scanInjectionWindows}). A text that fits one window gets exactly the verdict of
 * {@link detectInjection}.
 *
 * Consecutive windows share `overlapChars` characters, so any stretch of text up to that long lies
 * whole inside one window. The detector's widest context is about 4,200 characters (evidence looks
 * for an AI-addressing anchor up to 3,000 characters before and 1,200 after it; a URL is read up to
 * 2,000 characters, ROT13 up to 2,000 after its mention, reversed text 1,000 either side of its
 * keyword; evidence 600 characters apart is grouped): the default overlap of 8 KiB covers it twice.
 *
 * The verdict of a long text is the strongest window's score (so its band), and the findings of all
 * windows, in the original text's coordinates, strongest first, overlapping duplicates from the
 * shared parts dropped. What reaches further than a window (a hidden region or an encoded blob
 * longer than the overlap, the weak whole-text pull of a distant anchor) is judged on what each
 * window sees of it.
 *
 * Pure (zod and sibling modules only) and deterministic, like the detector.
 */

/** How a long text is cut into windows. */
export const InjectionWindowOptionsSchema = z
  .object({
    /** Most characters (UTF-16 code units) the detector reads at once. @default 65_536 */
    windowChars: z.number().int().min(1024).default(65_536),
    /** Characters consecutive windows share, so that evidence across a boundary lies whole in one. @default 8_192 */
    overlapChars: z.number().int().min(0).default(8_192),
  })
  .refine((o) => o.overlapChars <= o.windowChars / 2, { message: 'overlapChars must be at most half of windowChars' });

/** Options of the windowed scan; every field is optional, see {@link DEFAULT_INJECTION_WINDOW_OPTIONS}. */
export type InjectionWindowOptions = z.input<typeof InjectionWindowOptionsSchema>;

/** The defaults of {@link InjectionWindowOptions}. */
export const DEFAULT_INJECTION_WINDOW_OPTIONS: Readonly<z.output<typeof InjectionWindowOptionsSchema>> = Object.freeze(InjectionWindowOptionsSchema.parse({}));

/**
 * The windows of a text of `text.length` characters: one window for a text that fits, else windows
 * of `windowChars` starting every `windowChars - overlapChars` characters, the last one ending at
 * the end. No window starts or ends inside a surrogate pair.
 */
export function injectionWindows(text: string, options?: InjectionWindowOptions): TextSpan[] {
  const { windowChars, overlapChars } = options === undefined ? DEFAULT_INJECTION_WINDOW_OPTIONS : InjectionWindowOptionsSchema.parse(options);
  const n = text.length;
  if (n <= windowChars) return [{ start: 0, end: n }];
  const step = windowChars - overlapChars;
  const windows: TextSpan[] = [];
  for (let start = 0; ; start += step) {
    const last = start + windowChars >= n;
    let from = start;
    let to = last ? n : start + windowChars;
    if (from > 0 && isLowSurrogate(text.charCodeAt(from))) from++;
    if (to < n && isLowSurrogate(text.charCodeAt(to))) to--;
    windows.push({ start: from, end: to });
    if (last) return windows;
  }
}

/**
 * Scans `text` window by window: yields each window once the detector has read it, and returns the
 * verdict for the whole text. Drive it to the end in one go ({@link detectInjectionInWindows}) or
 * yield to other work between windows.
 */
export function* scanInjectionWindows(
  text: string,
  options: { detector?: InjectionDetectorOptions; windows?: InjectionWindowOptions } = {},
): Generator<TextSpan, InjectionVerdict, void> {
  const windows = injectionWindows(text, options.windows);
  if (windows.length === 1) {
    const verdict = detectInjection(text, options.detector);
    yield windows[0]!;
    return verdict;
  }
  const o = options.detector === undefined ? DEFAULT_INJECTION_DETECTOR_OPTIONS : InjectionDetectorOptionsSchema.parse(options.detector);
  let score = 0;
  const found: GuardrailFinding[] = [];
  for (const window of windows) {
    const verdict = detectInjection(text.slice(window.start, window.end), o);
    score = Math.max(score, verdict.score);
    for (const f of verdict.findings) found.push(f.span ? { ...f, span: { start: f.span.start + window.start, end: f.span.end + window.start } } : f);
    yield window;
  }
  const band = score >= o.injectionThreshold ? 'injection' : score >= o.uncertainThreshold ? 'uncertain' : 'clean';
  return { score, band, findings: strongestDistinct(found, o.maxFindings) };
}

/** {@link scanInjectionWindows} run to the end at once: the verdict for the whole text. */
export function detectInjectionInWindows(text: string, options: { detector?: InjectionDetectorOptions; windows?: InjectionWindowOptions } = {}): InjectionVerdict {
  const scan = scanInjectionWindows(text, options);
  for (;;) {
    const step = scan.next();
    if (step.done) return step.value;
  }
}

/** Findings strongest first, at most `max`, without a second finding of the same detector and kind over the same text. */
function strongestDistinct(findings: GuardrailFinding[], max: number): GuardrailFinding[] {
  const sorted = [...findings].sort((a, b) => b.score - a.score || (a.span?.start ?? 0) - (b.span?.start ?? 0));
  const kept: GuardrailFinding[] = [];
  for (const f of sorted) {
    if (kept.length >= max) break;
    const duplicate = kept.some((k) => k.detector === f.detector && k.kind === f.kind && (!k.span || !f.span ? !k.span && !f.span : k.span.start < f.span.end && f.span.start < k.span.end));
    if (!duplicate) kept.push(f);
  }
  return kept;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}
