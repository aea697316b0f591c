import { CLASSES } from '../core/frame.js';
import { argmaxRow, withTemperature } from '../core/models/classifier.js';

/*
 * Confidence that means something: temperature scaling (Guo et al. 2017) fitted on held-out images,
 * expected calibration error, and the area under the ROC curve of a "this is a digit" score.
 */

/** Mean negative log-likelihood of the true labels. */
export function nll(p: Float32Array, labels: Uint8Array): number {
  let s = 0;
  for (let r = 0; r < labels.length; r++) s -= Math.log(Math.max(p[r * CLASSES + labels[r]!]!, 1e-30));
  return s / labels.length;
}

/** The temperature that minimises the NLL of the labels, by golden-section search on log T in [1/8, 8]. */
export function fitTemperature(p: Float32Array, labels: Uint8Array): number {
  const loss = (logT: number) => nll(withTemperature(p, labels.length, Math.exp(logT)), labels);
  let a = Math.log(1 / 8);
  let b = Math.log(8);
  const g = (Math.sqrt(5) - 1) / 2;
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  let fc = loss(c);
  let fd = loss(d);
  for (let i = 0; i < 40; i++) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - g * (b - a);
      fc = loss(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + g * (b - a);
      fd = loss(d);
    }
  }
  return Math.exp((a + b) / 2);
}

export interface ReliabilityBin {
  from: number;
  to: number;
  n: number;
  confidence: number;
  accuracy: number;
}

/** Confidence of the top class against how often it is right, in `bins` equal-width bins. */
export function reliability(p: Float32Array, labels: Uint8Array, bins = 15): ReliabilityBin[] {
  const out = Array.from({ length: bins }, (_, b) => ({ from: b / bins, to: (b + 1) / bins, n: 0, confidence: 0, accuracy: 0 }));
  for (let r = 0; r < labels.length; r++) {
    const best = argmaxRow(p, r);
    const conf = p[r * CLASSES + best]!;
    const bin = out[Math.min(bins - 1, Math.floor(conf * bins))]!;
    bin.n++;
    bin.confidence += conf;
    bin.accuracy += best === labels[r] ? 1 : 0;
  }
  for (const b of out) {
    if (b.n) {
      b.confidence /= b.n;
      b.accuracy /= b.n;
    }
  }
  return out;
}

/** Expected calibration error: the n-weighted mean |accuracy − confidence| over the bins. */
export function expectedCalibrationError(bins: ReliabilityBin[]): number {
  const total = bins.reduce((a, b) => a + b.n, 0);
  return bins.reduce((a, b) => a + (b.n / total) * Math.abs(b.accuracy - b.confidence), 0);
}

/** Area under the ROC curve of a score that should be higher for positives: P(score⁺ > score⁻), ties half. */
export function auroc(positive: number[], negative: number[]): number {
  const all = [...positive.map((s) => [s, 1] as const), ...negative.map((s) => [s, 0] as const)].sort((x, y) => x[0] - y[0]);
  let rankSum = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j]![0] === all[i]![0]) j++;
    const midRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (all[k]![1] === 1) rankSum += midRank;
    i = j;
  }
  const np = positive.length;
  return (rankSum - (np * (np + 1)) / 2) / (np * negative.length);
}

/** The score below which at most `fraction` of these (positive) scores fall: a refusal threshold. */
export function thresholdKeeping(scores: number[], fraction: number): number {
  const sorted = [...scores].sort((a, b) => a - b);
  return sorted[Math.floor(fraction * sorted.length)]!;
}
