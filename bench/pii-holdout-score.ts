/**
 * Scores a PII detector on the hand-written holdout (`guardrails/pii-holdout/`): typed recall per
 * kind and per locale (a label counts as found when a finding of its kind overlaps it), the share
 * of labelled characters covered by findings of the right kind, false positives (findings that
 * overlap no label of their kind) and hard negatives reported as anything.
 */
import type { GuardrailFinding } from '../core/guardrails/finding';
import { detectPii, PII_KINDS, type PiiKind } from '../core/guardrails/pii';
import type { PiiHoldoutText } from '../guardrails/pii-holdout/holdout';

/** Labels, found and recall of one group (a kind or a locale). */
export interface HoldoutRecall {
  labels: number;
  found: number;
  recall: number;
}

/** How a detector did on the holdout. */
export interface PiiHoldoutScore {
  texts: number;
  /** Per kind: typed recall and the share of the labelled characters covered by findings of that kind. */
  kinds: Record<string, HoldoutRecall & { coverage: number; falsePositives: number }>;
  /** Per locale, all kinds together. */
  locales: Record<string, HoldoutRecall>;
  /** All labels together. */
  overall: HoldoutRecall;
  /** Findings that overlap no label of their kind. */
  falsePositives: number;
  /** Hard negatives (order numbers, dates, …) overlapped by any finding. */
  negatives: number;
  negativesFlagged: number;
  misses: Array<{ id: string; kind: PiiKind; value: string }>;
  falsePositiveValues: Array<{ id: string; kind: string; value: string }>;
}

const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }) => a.start < b.end && b.start < a.end;
const recallOf = (labels: number, found: number): HoldoutRecall => ({ labels, found, recall: labels === 0 ? Number.NaN : found / labels });

/** Scores `detect` (by default {@link detectPii}) on the holdout `texts`. */
export function scorePiiHoldout(texts: readonly PiiHoldoutText[], detect: (text: string) => GuardrailFinding[] = (text) => detectPii(text)): PiiHoldoutScore {
  const kinds = new Map<string, { labels: number; found: number; chars: number; covered: number; falsePositives: number }>(
    PII_KINDS.map((k) => [k, { labels: 0, found: 0, chars: 0, covered: 0, falsePositives: 0 }]),
  );
  const locales = new Map<string, { labels: number; found: number }>();
  let falsePositives = 0;
  let negatives = 0;
  let negativesFlagged = 0;
  const misses: PiiHoldoutScore['misses'] = [];
  const falsePositiveValues: PiiHoldoutScore['falsePositiveValues'] = [];
  for (const t of texts) {
    const findings = detect(t.text).filter((f) => f.span !== undefined) as Array<GuardrailFinding & { span: { start: number; end: number } }>;
    const locale = locales.get(t.locale) ?? { labels: 0, found: 0 };
    locales.set(t.locale, locale);
    for (const l of t.labels) {
      const k = kinds.get(l.kind)!;
      const same = findings.filter((f) => f.kind === l.kind && overlaps(f.span, l));
      k.labels++;
      locale.labels++;
      k.chars += l.end - l.start;
      for (let i = l.start; i < l.end; i++) if (same.some((f) => f.span.start <= i && i < f.span.end)) k.covered++;
      if (same.length > 0) {
        k.found++;
        locale.found++;
      } else misses.push({ id: t.id, kind: l.kind, value: l.value });
    }
    for (const f of findings) {
      if (t.labels.some((l) => l.kind === f.kind && overlaps(f.span, l))) continue;
      falsePositives++;
      const k = kinds.get(f.kind);
      if (k) k.falsePositives++;
      falsePositiveValues.push({ id: t.id, kind: f.kind, value: t.text.slice(f.span.start, f.span.end) });
    }
    for (const n of t.negatives) {
      negatives++;
      if (findings.some((f) => overlaps(f.span, n))) negativesFlagged++;
    }
  }
  const total = [...kinds.values()].reduce((a, k) => ({ labels: a.labels + k.labels, found: a.found + k.found }), { labels: 0, found: 0 });
  return {
    texts: texts.length,
    kinds: Object.fromEntries(
      [...kinds].map(([kind, k]) => [kind, { ...recallOf(k.labels, k.found), coverage: k.chars === 0 ? Number.NaN : k.covered / k.chars, falsePositives: k.falsePositives }]),
    ),
    locales: Object.fromEntries([...locales].sort(([a], [b]) => a.localeCompare(b)).map(([locale, l]) => [locale, recallOf(l.labels, l.found)])),
    overall: recallOf(total.labels, total.found),
    falsePositives,
    negatives,
    negativesFlagged,
    misses,
    falsePositiveValues,
  };
}
