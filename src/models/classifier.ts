/** The surface every classifier offers (the ml.js pattern): fit is a static per model, then these. */
export interface Classifier {
  /** The classifier's JSON name, e.g. 'KNN'; `load` checks it. */
  readonly name: string;
  /** Input feature size. */
  readonly inputSize: number;
  /** Class probabilities for n rows of x (n×inputSize): n×10, each row summing to 1. */
  predictProba(x: Float32Array, n: number): Float32Array;
  toJSON(): ClassifierJson;
}

export interface ClassifierJson {
  name: string;
  version: number;
  [key: string]: unknown;
}

/** Index of the largest of the 10 probabilities in row r. */
export function argmaxRow(p: Float32Array, r: number, classes = 10): number {
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

export function argmaxRows(p: Float32Array, n: number, classes = 10): Uint8Array {
  const out = new Uint8Array(n);
  for (let r = 0; r < n; r++) out[r] = argmaxRow(p, r, classes);
  return out;
}
