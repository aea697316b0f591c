import type { ClassifierLoader } from './model.js';
import { DigitModel } from './model.js';
import { KnnClassifier } from './knn.js';
import { Mlp } from './mlp.js';
import { RandomForest } from './forest.js';

/** Every classifier the program can load, by its JSON name. */
export const CLASSIFIERS: Record<string, ClassifierLoader> = {
  KNN: (j) => KnnClassifier.load(j),
  MLP: (j) => Mlp.load(j),
  RandomForest: (j) => RandomForest.load(j),
};

export const BEST_MODEL_PATH = 'models/best.json';

export function loadModel(path = BEST_MODEL_PATH): DigitModel {
  return DigitModel.readFile(path, CLASSIFIERS);
}

export function parseModel(text: string, source?: string): DigitModel {
  return DigitModel.fromJSON(text, CLASSIFIERS, source);
}

