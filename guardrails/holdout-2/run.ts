/**
 * Prints the figures of the detector as it is now (`detectInjectionInWindows`, whole text) on a
 * holdout, as JSON: `npx tsx guardrails/holdout-2/run.ts v1` for the first holdout (the development
 * set since it was looked at), `... v2` for this one. Run v2 only to record a figure (README.md says
 * when it was run, and each run is recorded in `recorded-figures.json`).
 */
import { createHash } from 'node:crypto';
import { detectInjectionInWindows } from '../../core/guardrails/injection-windows';
import { SHIPPED_CLASSIFIER_WEIGHTS } from '../classifier/injection-classifier';
import { loadHoldout } from '../holdout/assemble';
import { measureHoldout, share } from '../holdout/measure';
import { loadHoldout2 } from './assemble';

function main(): void {
  const which = process.argv[2];
  if (which !== 'v1' && which !== 'v2') {
    console.error('usage: npx tsx guardrails/holdout-2/run.ts v1|v2');
    process.exit(2);
  }
  const samples = which === 'v1' ? loadHoldout() : loadHoldout2();
  const figures = measureHoldout(samples, (t) => detectInjectionInWindows(t).band);
  const line = (name: string, f: { samples: number; caught: number; blocked: number }): string => `${name.padEnd(22)} ${String(f.samples).padStart(4)}  caught ${share(f.caught, f.samples).padStart(6)}  blocked ${share(f.blocked, f.samples).padStart(6)}`;
  for (const [name, f] of Object.entries(figures.families)) console.error(line(name, f));
  console.error(line('all attacks', figures.attacks));
  console.error(line('benign (FP)', figures.benign));
  const weightsSha256 = createHash('sha256').update(SHIPPED_CLASSIFIER_WEIGHTS.weights).digest('hex');
  console.log(JSON.stringify({ recordedAt: new Date().toISOString().slice(0, 16) + 'Z', weightsSha256, thresholds: SHIPPED_CLASSIFIER_WEIGHTS.thresholds, figures }, null, 1));
}

main();
