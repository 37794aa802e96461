/**
 * Figures of a prompt-injection detector on the holdout, per attack family: caught (band
 * `injection` or `uncertain`, i.e. blocked or flagged under the default policy), blocked (band
 * `injection`), and false positives on the benign hard negatives (caught, and blocked). Pure: the
 * caller passes the samples and the detector.
 */
import { HOLDOUT_FAMILIES, type HoldoutFamily, type HoldoutSample } from './assemble';

/** A detector's band for one text. */
export type BandOf = (text: string) => 'clean' | 'uncertain' | 'injection';

/** Counts for one family (or for the benign samples). */
export interface FamilyFigures {
  samples: number;
  /** Band `injection` or `uncertain`. */
  caught: number;
  /** Band `injection`. */
  blocked: number;
}

/** The figures of one detector on the holdout. */
export interface HoldoutFigures {
  families: Record<HoldoutFamily, FamilyFigures>;
  attacks: FamilyFigures;
  benign: FamilyFigures;
}

/** Judges every sample once. */
export function measureHoldout(samples: readonly HoldoutSample[], bandOf: BandOf): HoldoutFigures {
  const empty = (): FamilyFigures => ({ samples: 0, caught: 0, blocked: 0 });
  const families = Object.fromEntries(HOLDOUT_FAMILIES.map((f) => [f, empty()])) as Record<HoldoutFamily, FamilyFigures>;
  const attacks = empty();
  const benign = empty();
  for (const s of samples) {
    const band = bandOf(s.text);
    const targets = s.label === 'benign' ? [benign] : [attacks, families[s.family as HoldoutFamily]];
    for (const t of targets) {
      t.samples++;
      if (band !== 'clean') t.caught++;
      if (band === 'injection') t.blocked++;
    }
  }
  return { families, attacks, benign };
}

/** `caught/samples` as a percentage with one decimal. */
export const share = (n: number, of: number): string => (of === 0 ? '-' : `${((100 * n) / of).toFixed(1)}%`);
