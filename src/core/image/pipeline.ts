import { CLASSES } from '../frame.js';
import { argmaxRow } from '../models/classifier.js';
import { NOT_A_DIGIT, type DigitModel } from '../models/model.js';
import { ImageError } from '../util/errors.js';
import { undoMotionBlur, type LineBlurEstimate } from './deblur.js';
import { readNumber } from './number.js';
import { toMnistInput, type MnistInput, type PreprocessInfo } from './preprocess.js';
import type { RgbaImage } from './rgba.js';

export { NOT_A_DIGIT };
/** The reason given in single-digit mode when the image clearly holds several digits; `number` says which. */
export const LOOKS_LIKE_A_NUMBER = 'looks like a number';

export type Prediction =
  /** A digit; `deblurred` is the motion blur undone before it could be read (then `input` shows the result). */
  | { digit: number; confidence: number; probabilities: number[]; input: Float32Array; info: PreprocessInfo; deblurred?: LineBlurEstimate }
  /**
   * Ink the model does not take for a digit: its best guess and that guess's (calibrated) probability; or
   * several digits, with the number they read as.
   */
  | {
      digit: null;
      reason: typeof NOT_A_DIGIT | typeof LOOKS_LIKE_A_NUMBER;
      number?: string;
      guess: number;
      confidence: number;
      probabilities: number[];
      input: Float32Array;
      info: PreprocessInfo;
    }
  /** No ink at all: nothing to guess. */
  | { digit: null; reason: string; number?: undefined; guess: null; confidence: null; probabilities: null; input: null; info: null };

export interface PredictOptions {
  /**
   * A live prediction in the middle of a stroke: skips the second looks an unsure reading otherwise gets,
   * reading wide ink as a number (the "looks like a number" answer) and undoing a motion blur. About half the
   * canvases seen while drawing are wide ink; the board looks again when the stroke ends.
   */
  live?: boolean;
}

/**
 * Decoded image → prediction. An image without ink gives digit null and the reason; ink the model refuses
 * (DigitModel.refusals) gives digit null, "not a digit" and the best guess. A refused or unsure reading gets
 * two second looks (unless `live`): is it several digits (LOOKS_LIKE_A_NUMBER), and does it read better with
 * a motion blur undone (`deblurred`).
 * Decoding is the caller's (src/codecs/decode.ts on the server, a canvas in the browser), so this runs anywhere.
 */
export function predictDecoded(img: RgbaImage, model: DigitModel, { live = false }: PredictOptions = {}): Prediction {
  let prepared: ReturnType<typeof toMnistInput>;
  try {
    prepared = toMnistInput(img);
  } catch (e) {
    if (e instanceof ImageError && e.code === 'empty')
      return { digit: null, reason: e.message, guess: null, confidence: null, probabilities: null, input: null, info: null };
    throw e;
  }
  const p = model.predictProba(prepared.pixels, 1);
  const best = argmaxRow(p, 0);
  // Six decimals is plenty to show, and the confidence is then exactly the digit's listed probability.
  const probabilities = Array.from(p.subarray(0, CLASSES), (v) => Number(v.toFixed(6)));
  const seen = { confidence: probabilities[best]!, probabilities, input: prepared.pixels, info: prepared.info };
  const digitScore = model.digitScores(prepared.pixels, 1, p)[0]!;
  const refused = model.confidence !== null && digitScore < 1;
  // A confident one-digit reading stands: a blurred or low-resolution digit breaks into pieces that may read
  // as a number, while a real number rarely reads as one sure digit (the model learnt squeezed digits as outliers).
  if (!live && (refused || p[best]! < SURE_ONE_DIGIT)) {
    const number = numberIn(img, model, prepared);
    if (number !== null) return { digit: null, reason: LOOKS_LIKE_A_NUMBER, number, guess: best, ...seen };
    const deblurred = model.confidence !== null && digitScore >= DEBLUR_MIN_SCORE ? deblurredReading(img, model, prepared.info, seen.confidence) : null;
    if (deblurred) return deblurred;
  }
  if (refused) return { digit: null, reason: NOT_A_DIGIT, guess: best, ...seen };
  return { digit: best, ...seen };
}

/**
 * An unsure reading is tried again with the image's motion blur undone if it looks at least this much like a
 * digit (DigitModel.digitScores, where 1 is the refusal line) and the image shows a motion blur clearly
 * (deblur.ts); that reading is taken if it is a digit, not refused, and DEBLUR_MARGIN surer. Without the first
 * rule a deblurred dot or scribble often reads as a digit. Chosen on validation images (docs/decisions.md).
 */
export const DEBLUR_MIN_SCORE = 0.5;
export const DEBLUR_MARGIN = 0.1;

/**
 * The reading of the image with its likeliest motion blur undone (src/core/image/deblur.ts), if it is a digit read
 * DEBLUR_MARGIN surer than `confidence`; else null. The answer keeps the image's own preprocessing facts.
 */
function deblurredReading(img: RgbaImage, model: DigitModel, info: PreprocessInfo, confidence: number): Prediction | null {
  const undone = undoMotionBlur(img, info.box, info.polarity);
  if (!undone) return null;
  const { image, blur } = undone;
  const q = predictDecoded(image, model, { live: true });
  if (q.digit === null || q.confidence < confidence + DEBLUR_MARGIN) return null;
  return { ...q, info, deblurred: blur };
}

/**
 * The calibrated probability above which a one-digit reading is kept even if the ink also reads as a
 * number: a blurred digit breaks into pieces that read as one (docs/decisions.md).
 */
export const SURE_ONE_DIGIT = 0.95;

/** Ink at least this wide for its height may be several digits side by side, and is read as a number to see. */
const WIDE_INK = 0.8;

/**
 * The number an image clearly holds, or null: read as a number, it gives two or more digits, none refused,
 * and they are three or more or stand apart (none had to be cut from its neighbour: not one stroke cut in two).
 */
function numberIn(img: RgbaImage, model: DigitModel, { info: { box }, analysis }: MnistInput): string | null {
  if (box.width < WIDE_INK * box.height) return null;
  const { number, digits, cuts } = readNumber(img, model, undefined, analysis);
  if (digits.length < 2 || number.length !== digits.length) return null;
  return digits.length >= 3 || cuts === 0 ? number : null;
}
