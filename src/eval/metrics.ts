import { CLASSES } from '../core/frame.js';
import { argmaxRow } from '../core/models/classifier.js';
import type { DigitModel } from '../core/models/model.js';

export interface ClassMetrics {
  digit: number;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface Evaluation {
  n: number;
  correct: number;
  accuracy: number;
  /** 95% Wilson score interval for the accuracy. */
  ci95: [number, number];
  perClass: ClassMetrics[];
  /** confusion[true][predicted] counts. */
  confusion: number[][];
  /** Most frequent off-diagonal cells, largest first. */
  mostConfused: { true: number; predicted: number; count: number }[];
  predictions: Uint8Array;
  confidences: Float32Array;
}

/** Wilson score interval: better than the normal approximation near 100%. */
export function wilson(correct: number, n: number, z = 1.959964): [number, number] {
  if (n === 0) return [0, 1];
  const p = correct / n;
  const denom = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denom;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

export function evaluate(probabilities: Float32Array, labels: Uint8Array): Evaluation {
  const n = labels.length;
  const confusion = Array.from({ length: CLASSES }, () => new Array<number>(CLASSES).fill(0));
  const predictions = new Uint8Array(n);
  const confidences = new Float32Array(n);
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const p = argmaxRow(probabilities, i);
    predictions[i] = p;
    confidences[i] = probabilities[i * CLASSES + p] as number;
    const t = labels[i] as number;
    (confusion[t] as number[])[p]! += 1;
    if (p === t) correct++;
  }
  const perClass: ClassMetrics[] = [];
  for (let d = 0; d < CLASSES; d++) {
    const tp = (confusion[d] as number[])[d] as number;
    const support = (confusion[d] as number[]).reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((a, row) => a + (row[d] as number), 0);
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    perClass.push({ digit: d, precision, recall, f1, support });
  }
  const mostConfused: Evaluation['mostConfused'] = [];
  confusion.forEach((row, t) => {
    row.forEach((count, p) => {
      if (t !== p && count > 0) mostConfused.push({ true: t, predicted: p, count });
    });
  });
  mostConfused.sort((a, b) => b.count - a.count);
  return {
    n,
    correct,
    accuracy: n ? correct / n : 0,
    ci95: wilson(correct, n),
    perClass,
    confusion,
    mostConfused: mostConfused.slice(0, 10),
    predictions,
    confidences,
  };
}

/** Predicts n images (n×784, [0,1]) with the model, timing it, and evaluates against their labels. */
export function timedEvaluation(model: DigitModel, x: Float32Array, labels: Uint8Array): { evaluation: Evaluation; msPerImage: number } {
  const start = performance.now();
  const proba = model.predictProba(x, labels.length);
  const msPerImage = (performance.now() - start) / labels.length;
  return { evaluation: evaluate(proba, labels), msPerImage };
}

export function percent(x: number, digits = 2): string {
  return `${(100 * x).toFixed(digits)}%`;
}

/** A plain-text report: accuracy with CI, per-class table, confusion matrix, most-confused pairs. */
export function formatEvaluation(e: Evaluation, title: string, msPerImage?: number): string {
  const lines = [title, `accuracy ${percent(e.accuracy)} (${e.correct}/${e.n}), 95% CI ${percent(e.ci95[0])} – ${percent(e.ci95[1])}`];
  if (msPerImage !== undefined) lines.push(`prediction time ${msPerImage.toFixed(3)} ms per image`);
  lines.push('', 'digit  precision  recall     f1  support');
  for (const c of e.perClass) {
    lines.push(
      `${String(c.digit).padStart(5)}  ${percent(c.precision).padStart(9)}  ${percent(c.recall).padStart(6)}  ${percent(c.f1).padStart(6)}  ${String(c.support).padStart(7)}`,
    );
  }
  lines.push('', 'confusion matrix (rows: true, columns: predicted)');
  lines.push(`     ${Array.from({ length: CLASSES }, (_, d) => String(d).padStart(5)).join('')}`);
  for (const [t, row] of e.confusion.entries()) lines.push(String(t).padStart(5) + row.map((v) => String(v).padStart(5)).join(''));
  lines.push(
    '',
    `most confused (true → predicted): ${e.mostConfused
      .slice(0, 5)
      .map((m) => `${m.true}→${m.predicted} ×${m.count}`)
      .join(', ')}`,
  );
  return lines.join('\n');
}
