import { writeFileSync } from 'node:fs';
import { labelsOf, PIXELS } from '../src/core/frame.js';
import { auroc, expectedCalibrationError, reliability, type ReliabilityBin } from '../src/eval/calibration.js';
import { galleryPng, type GalleryItem } from '../src/eval/gallery.js';
import { type InputSet, nonDigitImages, nonDigitSet, nonDigitsRefused, topScores } from '../src/eval/refusal.js';
import { fitConfidence } from '../src/train/confidence.js';
import { readNumber } from '../src/core/image/number.js';
import { partialDigit } from '../src/samples/non-digits.js';
import { Random } from '../src/core/util/random.js';
import { predictDecoded } from '../src/core/image/pipeline.js';
import { scoreSamples } from '../src/eval/samples.js';
import { DigitModel } from '../src/core/models/model.js';
import { argmaxRows } from '../src/core/models/classifier.js';
import type { TrainingData } from '../src/train/common.js';

export interface NonDigitFigures {
  model: string;
  /** Whether the confidence block came with the model file, or was fitted by the bench (the app then does not refuse). */
  fittedBy: 'model file' | 'bench';
  temperature: number;
  refuseBelow: number;
  /** The digit detector's threshold on "a digit", when the model has one. */
  digitBelow: number | null;
  /** The combined rule's weight of the top probability's log-odds (model.ts combinedDigitness); null: two thresholds. Absent in older results. */
  topWeight?: number | null;
  /** MNIST test digits against the non-digit test half, by the model's digit score (DigitModel.digitScores). */
  auroc: number;
  nonDigitsRefused: number;
  /**
   * The same test images through the app's whole pipeline (predictDecoded: the number check and the
   * deblurring of unsure readings included): the share it does not answer with a digit. Absent in older results.
   */
  nonDigitsNotAnswered?: number;
  /** Number mode: the share of the same test images (squeezed digits left out) read as no number. Absent in older results. */
  nonDigitsNoNumber?: number;
  /** Digits with a stroke taken away (PARTIAL_DIGITS of them), not answered with a digit. Absent in older results. */
  partialDigitsNotAnswered?: number;
  byFamily: Record<string, number>;
  mnistRefused: number;
  /** MNIST test accuracy when a refused digit counts as wrong. */
  mnistAccuracy: number;
  samplesRefused: number;
  samplesAccuracy: number;
  eceBefore: number;
  eceAfter: number;
  reliabilityBefore: ReliabilityBin[];
  reliabilityAfter: ReliabilityBin[];
  /** [share of MNIST test digits kept, accuracy on those] as the threshold rises. */
  coverage: [number, number][];
  nonDigits: number;
  /** With a detector: ms per image for one-image predictions with both rules, and with the top probability alone (same run, alternating rounds). */
  detectorCost: { withDetector: number; topOnly: number } | null;
}

/** Times one-image predictions and refusals on MNIST test digits, with and without the model's detector, in alternating rounds. */
function detectorCost(model: DigitModel, x: Float32Array): NonDigitFigures['detectorCost'] {
  const c = model.confidence;
  if (!c?.detector) return null;
  const { detector: _detector, digitBelow: _digitBelow, topWeight: _topWeight, ...rest } = c;
  // The top-probability rule alone (a combined rule's refuseBelow is 0: nothing refused; this times the classifier alone).
  const topOnly = new DigitModel(model.metadata, model.input, model.classifier, rest);
  const n = 2000;
  const time = (m: DigitModel) => {
    const start = performance.now();
    for (let i = 0; i < n; i++) {
      const image = x.subarray(i * PIXELS, (i + 1) * PIXELS);
      m.refusals(image, 1, m.predictProba(image, 1));
    }
    return (performance.now() - start) / n;
  };
  const rounds = Array.from({ length: 5 }, () => [time(model), time(topOnly)] as const);
  const median = (v: number[]) => v.sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
  return { withDetector: median(rounds.map((r) => r[0])), topOnly: median(rounds.map((r) => r[1])) };
}

/**
 * The share of the non-digit test images the whole pipeline answers without a digit, and in Number mode
 * (readNumber) the share read as no number at all; squeezed digits are left out of the second: they are numbers.
 */
function notAnswered(model: DigitModel): { oneDigit: number; numberMode: number } {
  let n = 0;
  let answered = 0;
  let shapes = 0;
  let numbers = 0;
  for (const { image, family } of nonDigitImages('test')) {
    n++;
    if (predictDecoded(image, model).digit !== null) answered++;
    if (family === 'squeezed-digits') continue;
    shapes++;
    if (readNumber(image, model).number !== '') numbers++;
  }
  return { oneDigit: 1 - answered / n, numberMode: 1 - numbers / shapes };
}

/** Partial digits (src/samples/non-digits.ts) the bench measures, from seeds of their own. */
export const PARTIAL_DIGITS = 300;
const PARTIAL_SEED = 7_000_000;

/** The share of partial digits the whole pipeline answers without a digit. */
function partialNotAnswered(model: DigitModel): number {
  let refused = 0;
  for (let i = 0; i < PARTIAL_DIGITS; i++) if (predictDecoded(partialDigit(new Random(PARTIAL_SEED + i)).image, model).digit === null) refused++;
  return refused / PARTIAL_DIGITS;
}

/** The test non-digits a model answers as a digit, as the model saw them, captioned "?>digit confidence%", family by family. */
function answeredGallery(set: InputSet, scores: number[], p: Float32Array): Buffer {
  const predicted = argmaxRows(p, set.n);
  const tops = topScores(p, set.n);
  const answered = scores.flatMap((s, i) => (s < 1 ? [] : [i])).sort((a, b) => set.families[a]!.localeCompare(set.families[b]!));
  const items: GalleryItem[] = answered.map((i) => ({ pixels: set.x, offset: i * PIXELS, truth: -1, predicted: predicted[i]!, confidence: tops[i]! }));
  return galleryPng(items, 10, 255);
}

/**
 * The refusal and calibration figures of a model on test images only: MNIST's test set, the non-digit test
 * half, data/samples. A model without a fitted confidence block gets one fitted the same way first, so
 * every model is measured alike.
 */
export async function benchNonDigits(
  model: DigitModel,
  name: string,
  data: TrainingData,
  command: string,
  galleryFile: string | null = null,
): Promise<NonDigitFigures> {
  const fittedBy = model.confidence ? 'model file' : 'bench';
  const confidence = model.confidence ?? (await fitConfidence(model, data, command));
  model.confidence = confidence;
  const labels = labelsOf(data.mnist.test);
  const raw = model.rawProba(data.testX, labels.length);
  const calibrated = model.predictProba(data.testX, labels.length);
  const digitScores = model.digitScores(data.testX, labels.length, calibrated);
  const others = nonDigitSet('test');
  const otherProba = model.predictProba(others.x, others.n);
  const otherScores = model.digitScores(others.x, others.n, otherProba);
  const refused = (s: number) => s < 1;
  const byFamily: Record<string, number> = {};
  const familyTotals: Record<string, [number, number]> = {};
  others.families.forEach((f, i) => {
    const t = (familyTotals[f] ??= [0, 0]);
    t[0] += refused(otherScores[i]!) ? 1 : 0;
    t[1]++;
  });
  for (const [f, [r, n]] of Object.entries(familyTotals)) byFamily[f] = r / n;
  if (galleryFile) writeFileSync(galleryFile, answeredGallery(others, otherScores, otherProba));
  const predicted = argmaxRows(calibrated, labels.length);
  const kept = digitScores.map((s, i) => [s, predicted[i] === labels[i] ? 1 : 0] as const).sort((a, b) => b[0] - a[0]);
  const coverage: [number, number][] = [];
  let right = 0;
  kept.forEach(([, ok], i) => {
    right += ok;
    if ((i + 1) % 100 === 0) coverage.push([(i + 1) / kept.length, right / (i + 1)]);
  });
  const samples = await scoreSamples(model, 'data/samples');
  const whole = notAnswered(model);
  const before = reliability(raw, labels);
  const after = reliability(calibrated, labels);
  return {
    model: name,
    fittedBy,
    temperature: confidence.temperature,
    refuseBelow: confidence.refuseBelow,
    digitBelow: confidence.digitBelow ?? null,
    topWeight: confidence.topWeight ?? null,
    auroc: auroc(digitScores, otherScores),
    nonDigitsRefused: nonDigitsRefused(model, others),
    nonDigitsNotAnswered: whole.oneDigit,
    nonDigitsNoNumber: whole.numberMode,
    partialDigitsNotAnswered: partialNotAnswered(model),
    byFamily,
    mnistRefused: digitScores.filter(refused).length / labels.length,
    mnistAccuracy: digitScores.filter((s, i) => !refused(s) && predicted[i] === labels[i]).length / labels.length,
    samplesRefused: samples.refused / samples.total,
    samplesAccuracy: samples.correct / samples.total,
    eceBefore: expectedCalibrationError(before),
    eceAfter: expectedCalibrationError(after),
    reliabilityBefore: before,
    reliabilityAfter: after,
    coverage,
    nonDigits: others.n + others.blank,
    detectorCost: detectorCost(model, data.testX),
  };
}
