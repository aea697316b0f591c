import type { ClassifierType } from './classifier.js';
import { Committee } from './committee.js';
import { RandomForest } from './forest.js';
import { KnnClassifier } from './knn.js';
import { IdmKnn } from './knn-idm.js';
import { Mlp } from './mlp.js';
import { DigitModel } from './model.js';

/** Every classifier the program can read back, in the order of the model table (src/train/table.ts). */
export const CLASSIFIERS: readonly ClassifierType[] = [KnnClassifier, IdmKnn, RandomForest, Mlp, Committee];

/** A model from its JSON text; `source` (a file name) is named in every error. */
export function parseModel(text: string, source?: string): DigitModel {
  return DigitModel.fromJSON(text, CLASSIFIERS, source);
}
