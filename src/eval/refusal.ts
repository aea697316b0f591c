import { CLASSES, labelsOf, PIXELS } from '../data/frame.js';
import { decodeImage } from '../image/decode.js';
import { toMnistInput } from '../image/preprocess.js';
import type { RgbaImage } from '../image/rgba.js';
import { withTemperature } from '../models/classifier.js';
import type { Confidence, DigitModel } from '../models/model.js';
import { nonDigit } from '../samples/non-digits.js';
import { sampleSeed, STYLES } from '../samples/styles.js';
import type { TrainingData } from '../train/common.js';
import { ImageError } from '../util/errors.js';
import { Random } from '../util/random.js';
import { auroc, expectedCalibrationError, fitTemperature, reliability, thresholdKeeping } from './calibration.js';

/*
 * Fitting "how sure" and "not a digit" on held-out images only: the temperature on MNIST's validation
 * split, the refusal threshold so that at most REFUSE_AT_MOST of validation digits are refused, both MNIST's
 * and drawn ones (the sample renderer with another seed than data/samples). The non-digit images used here
 * are the validation half; the bench reports on the other half.
 */

/** The share of held-out digits the threshold may refuse, each set on its own. */
export const REFUSE_AT_MOST = 0.005;
/** Non-digit images per half: seeds [0, N) validate, [TEST_SEED, TEST_SEED + N) test. */
export const NON_DIGITS_PER_HALF = 1400;
export const NON_DIGIT_TEST_SEED = 1_000_000;
const DRAWN_SEED = 7;

/** Preprocessed 28×28 inputs, n×784 in [0,1], with labels (digits) or families (non-digits). */
export interface InputSet {
  x: Float32Array;
  n: number;
  labels: Uint8Array;
  families: string[];
  /** Images the pipeline found blank: refused already, before any model. */
  blank: number;
}

function collect(images: Iterable<{ image: RgbaImage; label: number; family: string }>): InputSet {
  const rows: Float32Array[] = [];
  const labels: number[] = [];
  const families: string[] = [];
  let blank = 0;
  for (const { image, label, family } of images) {
    try {
      rows.push(toMnistInput(image).pixels);
      labels.push(label);
      families.push(family);
    } catch (e) {
      if (!(e instanceof ImageError && e.code === 'empty')) throw e;
      blank++;
    }
  }
  const x = new Float32Array(rows.length * PIXELS);
  rows.forEach((r, i) => x.set(r, i * PIXELS));
  return { x, n: rows.length, labels: Uint8Array.from(labels), families, blank };
}

/** Non-digit images of one half, every family in turn. */
export function nonDigitSet(half: 'validation' | 'test', n = NON_DIGITS_PER_HALF): InputSet {
  const first = half === 'validation' ? 0 : NON_DIGIT_TEST_SEED;
  return collect(
    (function* () {
      for (let i = first; i < first + n; i++) {
        const { family, image } = nonDigit(i, new Random(i + 17), 'bench');
        yield { image, label: 255, family };
      }
    })(),
  );
}

/** Digits drawn by the sample renderer (every style), with a seed of their own: not data/samples. */
export async function drawnDigitSet(perStyle = 2, seed = DRAWN_SEED): Promise<InputSet> {
  const items: { image: RgbaImage; label: number; family: string }[] = [];
  for (const [s, style] of STYLES.entries()) {
    for (let digit = 0; digit < CLASSES; digit++) {
      for (let k = 0; k < perStyle; k++) {
        const { bytes } = style.make(digit, new Random(sampleSeed(seed, s, digit, k)));
        items.push({ image: await decodeImage(bytes), label: digit, family: style.name });
      }
    }
  }
  return collect(items);
}

/** The calibrated top probability of each row. */
export function topScores(p: Float32Array, n: number): number[] {
  return Array.from({ length: n }, (_, r) => Math.max(...p.subarray(r * CLASSES, (r + 1) * CLASSES)));
}

/** The share of a non-digit set refused; images the pipeline found blank are refused before any model, so they count. */
export function nonDigitsRefused(scores: number[], set: InputSet, refuses: (topProbability: number) => boolean): number {
  return (scores.filter(refuses).length + set.blank) / (set.n + set.blank);
}

/** Fits the temperature and the refusal threshold on held-out images; returns them with the figures. */
export async function fitConfidence(model: DigitModel, data: TrainingData, command: string): Promise<Confidence> {
  const labels = labelsOf(data.validation);
  const raw = model.rawProba(data.validationX, data.validation.n);
  const temperature = fitTemperature(raw, labels);
  const calibrated = withTemperature(raw, labels.length, temperature);
  const drawn = await drawnDigitSet();
  const drawnScores = topScores(withTemperature(model.rawProba(drawn.x, drawn.n), drawn.n, temperature), drawn.n);
  const mnistScores = topScores(calibrated, labels.length);
  const refuseBelow = Math.min(thresholdKeeping(mnistScores, REFUSE_AT_MOST), thresholdKeeping(drawnScores, REFUSE_AT_MOST));
  const others = nonDigitSet('validation');
  const otherScores = topScores(withTemperature(model.rawProba(others.x, others.n), others.n, temperature), others.n);
  const refused = (s: number[]) => s.filter((v) => v < refuseBelow).length / s.length;
  return {
    temperature: Number(temperature.toFixed(4)),
    refuseBelow: Number(refuseBelow.toFixed(6)),
    fittedOn: `temperature: NLL on MNIST's ${labels.length}-image validation split; threshold: refuses at most ${REFUSE_AT_MOST * 100}% of those and of ${drawn.n} drawn digits (sample renderer, seed ${DRAWN_SEED})`,
    figures: {
      validationEceBefore: round(expectedCalibrationError(reliability(raw, labels))),
      validationEceAfter: round(expectedCalibrationError(reliability(calibrated, labels))),
      validationDigitsRefused: round(refused(mnistScores)),
      drawnDigitsRefused: round(refused(drawnScores)),
      validationNonDigitsRefused: round(nonDigitsRefused(otherScores, others, (v) => v < refuseBelow)),
      validationAuroc: round(auroc(mnistScores, otherScores)),
    },
    command,
  };
}

const round = (v: number) => Number(v.toFixed(5));
