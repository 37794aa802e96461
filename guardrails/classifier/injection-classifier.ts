/**
 * The shipped prompt-injection classifier: `weights.json` (written by `train.ts`) decoded once, on
 * first use. Pure: the weights are a JSON data module, so this runs anywhere the detector runs.
 */
import weightsFile from './weights.json';
import { decodeClassifier, type ClassifierWeightsFile, type InjectionClassifier } from './model';

let shipped: InjectionClassifier | undefined;

/** The shipped weights file as data. */
export const SHIPPED_CLASSIFIER_WEIGHTS = weightsFile as unknown as ClassifierWeightsFile;

/** The shipped classifier, decoded on first call. */
export function shippedInjectionClassifier(): InjectionClassifier {
  shipped ??= decodeClassifier(SHIPPED_CLASSIFIER_WEIGHTS);
  return shipped;
}
