import { CLASSES, labelsOf, PIXELS } from '../data/frame.js';
import { decodeImage } from '../image/decode.js';
import { toMnistInput } from '../image/preprocess.js';
import type { RgbaImage } from '../image/rgba.js';
import { withTemperature } from '../models/classifier.js';
import { digitScore, type Confidence, type DigitModel } from '../models/model.js';
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
  for (const [i, r] of rows.entries()) x.set(r, i * PIXELS);
  return { x, n: rows.length, labels: Uint8Array.from(labels), families, blank };
}

/** Non-digit images of one half, every family in turn. */
export function* nonDigitImages(half: 'validation' | 'test', n = NON_DIGITS_PER_HALF): Generator<{ image: RgbaImage; label: number; family: string }> {
  const first = half === 'validation' ? 0 : NON_DIGIT_TEST_SEED;
  for (let i = first; i < first + n; i++) {
    const { family, image } = nonDigit(i, new Random(i + 17), 'bench');
    yield { image, label: 255, family };
  }
}

/** Non-digit images of one half, preprocessed. */
export function nonDigitSet(half: 'validation' | 'test', n = NON_DIGITS_PER_HALF): InputSet {
  return collect(nonDigitImages(half, n));
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

/** The share of a non-digit set the model refuses; images the pipeline found blank are refused before any model, so they count. */
export function nonDigitsRefused(model: DigitModel, set: InputSet): number {
  return (model.refusals(set.x, set.n, model.predictProba(set.x, set.n)).filter(Boolean).length + set.blank) / (set.n + set.blank);
}

/** The detector's shares of held-out digits it may refuse on its own, tried in turn: the top-probability rule gets the rest. */
const DETECTOR_SHARES = [0, 0.001, 0.002, 0.003, 0.004, 0.005];

/**
 * The highest top-probability threshold that, with the rows already refused by the detector, refuses at most
 * `fraction` of these digits; -1 when the detector alone refuses more.
 */
function topThresholdWithin(top: number[], refusedByDetector: boolean[], fraction: number): number {
  const rest = top.filter((_, i) => !refusedByDetector[i]).sort((a, b) => a - b);
  const allowed = Math.floor(fraction * top.length) - (top.length - rest.length);
  return allowed < 0 ? -1 : (rest[allowed] ?? 1);
}

/** A digit set's calibrated top probabilities and, with a detector, its "a digit" probabilities. */
export interface Scored {
  top: number[];
  digitness: Float32Array | null;
}

/**
 * The two thresholds: for each share the detector may refuse on its own (DETECTOR_SHARES), its threshold
 * keeps that share of MNIST validation and of drawn digits, and the top-probability threshold is the highest
 * that keeps the union within REFUSE_AT_MOST of each; of those pairs, the one refusing most validation
 * non-digits (the smaller detector share on a tie). Without a detector: the top-probability threshold alone.
 */
export function fitThresholds(digitSets: Scored[], others: Scored & { blank: number }): { refuseBelow: number; digitBelow: number; nonDigitsRefused: number } {
  let best = { refuseBelow: 0, digitBelow: 0, nonDigitsRefused: -1 };
  for (const share of others.digitness ? DETECTOR_SHARES : [0]) {
    const digitBelow = share === 0 ? 0 : Math.min(...digitSets.map((s) => thresholdKeeping(Array.from(s.digitness!), share)));
    const byDetector = (s: Scored) => s.top.map((_, i) => s.digitness !== null && s.digitness[i]! < digitBelow);
    const refuseBelow = Math.min(...digitSets.map((s) => topThresholdWithin(s.top, byDetector(s), REFUSE_AT_MOST)));
    if (refuseBelow < 0) continue;
    const refused = byDetector(others).filter((d, i) => d || others.top[i]! < refuseBelow).length;
    const rate = (refused + others.blank) / (others.top.length + others.blank);
    if (rate > best.nonDigitsRefused) best = { refuseBelow, digitBelow, nonDigitsRefused: rate };
  }
  return best;
}

/**
 * Fits the temperature and the refusal thresholds on held-out images; returns them with the figures. With a
 * detector (the model's own unless another is given) both rules are fitted together.
 */
export async function fitConfidence(model: DigitModel, data: TrainingData, command: string, detector = model.confidence?.detector): Promise<Confidence> {
  const labels = labelsOf(data.validation);
  const raw = model.rawProba(data.validationX, data.validation.n);
  const temperature = fitTemperature(raw, labels);
  const calibrated = withTemperature(raw, labels.length, temperature);
  const scored = (set: InputSet, p: Float32Array): Scored => ({ top: topScores(p, set.n), digitness: detector?.digitness(set.x, set.n) ?? null });
  const mnist = scored({ x: data.validationX, n: labels.length, labels, families: [], blank: 0 }, calibrated);
  const drawnSet = await drawnDigitSet();
  const drawn = scored(drawnSet, withTemperature(model.rawProba(drawnSet.x, drawnSet.n), drawnSet.n, temperature));
  const othersSet = nonDigitSet('validation');
  const others = { ...scored(othersSet, withTemperature(model.rawProba(othersSet.x, othersSet.n), othersSet.n, temperature)), blank: othersSet.blank };
  const { refuseBelow, digitBelow, nonDigitsRefused: validationNonDigitsRefused } = fitThresholds([mnist, drawn], others);
  // The model's own scale (DigitModel.digitScores): below 1 is refused; the AUROC's score too.
  const score = (s: Scored) => s.top.map((v, i) => digitScore(v, s.digitness?.[i] ?? null, refuseBelow, digitBelow));
  const refused = (s: Scored) => score(s).filter((v) => v < 1).length / s.top.length;
  return {
    temperature: Number(temperature.toFixed(4)),
    refuseBelow: Number(refuseBelow.toFixed(6)),
    fittedOn: `temperature: NLL on MNIST's ${labels.length}-image validation split; ${detector ? 'thresholds (top probability, and the digit detector\'s "a digit")' : 'threshold'}: refuse at most ${REFUSE_AT_MOST * 100}% of those and of ${drawnSet.n} drawn digits (sample renderer, seed ${DRAWN_SEED})${detector ? ', the pair refusing most of the validation half of the non-digit set' : ''}`,
    figures: {
      validationEceBefore: round(expectedCalibrationError(reliability(raw, labels))),
      validationEceAfter: round(expectedCalibrationError(reliability(calibrated, labels))),
      validationDigitsRefused: round(refused(mnist)),
      drawnDigitsRefused: round(refused(drawn)),
      validationNonDigitsRefused: round(validationNonDigitsRefused),
      validationAuroc: round(auroc(score(mnist), score(others))),
    },
    command,
    ...(detector && { digitBelow: Number(digitBelow.toFixed(6)), detector }),
  };
}

const round = (v: number) => Number(v.toFixed(5));
