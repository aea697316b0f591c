import { CLASSES } from '../frame.js';
import type { Picture } from './pictures.js';

/** The surface every classifier offers (the ml.js pattern): predict, and save to JSON. */
export interface Classifier {
  /** The model's one name ('knn', 'forest', 'mlp'): CLI flag, metadata kind and JSON name alike. */
  readonly name: string;
  /** Input feature size. */
  readonly inputSize: number;
  /** Class probabilities for n rows of x (n×inputSize): n×10, each row summing to 1. */
  predictProba(x: Float32Array, n: number): Float32Array;
  toJSON(): ClassifierJson;
  /**
   * Pictures of what it learnt, by name. `toPixels` maps a row of its input features back to a 28×28 image
   * when the model's input transform can (a PCA's reconstruction), else it is null.
   */
  pictures?(toPixels: ((features: Float32Array) => Float32Array) | null): Record<string, Picture>;
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

/** p^(1/T), renormalised per row: softmax(logits / T) for a softmax model, computed from its probabilities. */
export function withTemperature(p: Float32Array, n: number, temperature: number): Float32Array {
  if (temperature === 1) return p;
  const out = new Float32Array(p.length);
  const inv = 1 / temperature;
  for (let r = 0; r < n; r++) {
    const o = r * CLASSES;
    let max = -Infinity;
    for (let c = 0; c < CLASSES; c++) max = Math.max(max, Math.log(Math.max(p[o + c]!, 1e-30)));
    let sum = 0;
    for (let c = 0; c < CLASSES; c++) {
      const v = Math.exp((Math.log(Math.max(p[o + c]!, 1e-30)) - max) * inv);
      out[o + c] = v;
      sum += v;
    }
    for (let c = 0; c < CLASSES; c++) out[o + c]! /= sum;
  }
  return out;
}
