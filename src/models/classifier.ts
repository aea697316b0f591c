import { CLASSES } from '../data/frame.js';

/** The surface every classifier offers (the ml.js pattern): predict, and save to JSON. */
export interface Classifier {
  /** The model's one name ('knn', 'forest', 'mlp'): CLI flag, metadata kind and JSON name alike. */
  readonly name: string;
  /** Input feature size. */
  readonly inputSize: number;
  /** Class probabilities for n rows of x (n×inputSize): n×10, each row summing to 1. */
  predictProba(x: Float32Array, n: number): Float32Array;
  toJSON(): ClassifierJson;
  /** Pictures of what it learnt, by name: each a list of 784-long vectors to show as 28×28 tiles. */
  pictures?(): Record<string, () => Float32Array[]>;
}

export interface ClassifierJson {
  name: string;
  version: number;
  [key: string]: unknown;
}

/** What the core needs to read a classifier back: its name, the names older files used, and `load`. */
export interface ClassifierType {
  readonly kind: string;
  /** Names files written before the one-name table used: still read, never written. */
  readonly legacyNames: readonly string[];
  load(json: unknown): Classifier;
}

/** Index of the largest of the 10 probabilities in row r. */
export function argmaxRow(p: Float32Array, r: number, classes = CLASSES): number {
  let best = 0;
  let bestValue = -Infinity;
  for (let c = 0; c < classes; c++) {
    const v = p[r * classes + c] as number;
    if (v > bestValue) {
      bestValue = v;
      best = c;
    }
  }
  return best;
}

export function argmaxRows(p: Float32Array, n: number, classes = CLASSES): Uint8Array {
  const out = new Uint8Array(n);
  for (let r = 0; r < n; r++) out[r] = argmaxRow(p, r, classes);
  return out;
}
