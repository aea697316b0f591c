import { CLASSES } from '../data/frame.js';
import { argmaxRow } from '../models/classifier.js';
import { NOT_A_DIGIT, type DigitModel } from '../models/model.js';
import { ImageError } from '../util/errors.js';
import { readNumber } from './number.js';
import { toMnistInput, type PreprocessInfo } from './preprocess.js';
import type { RgbaImage } from './rgba.js';

export { NOT_A_DIGIT };
/** The reason given in single-digit mode when the image clearly holds several digits; `number` says which. */
export const LOOKS_LIKE_A_NUMBER = 'looks like a number';

export type Prediction =
  | { digit: number; confidence: number; probabilities: number[]; input: Float32Array; info: PreprocessInfo }
  /**
   * Ink the model does not take for a digit: its best guess and that guess's (calibrated) probability; or
   * several digits, with the number they read as.
   */
  | { digit: null; reason: typeof NOT_A_DIGIT | typeof LOOKS_LIKE_A_NUMBER; number?: string; guess: number; confidence: number; probabilities: number[]; input: Float32Array; info: PreprocessInfo }
  /** No ink at all: nothing to guess. */
  | { digit: null; reason: string; number?: undefined; guess: null; confidence: null; probabilities: null; input: null; info: null };

export interface PredictOptions {
  /**
   * Whether unsure, wide ink is also read as a number (the "looks like a number" answer), which segments and
   * reads it again. The board skips it for its live predictions in the middle of a stroke (about half the
   * canvases seen while drawing are wide ink) and checks when the stroke ends.
   */
  numberCheck?: boolean;
}

/**
 * Decoded image → prediction. An image without ink gives digit null and the reason; ink the model refuses
 * (DigitModel.refusals) gives digit null, "not a digit" and the best guess.
 * Decoding is the caller's (src/image/decode.ts on the server, a canvas in the browser), so this runs anywhere.
 */
export function predictDecoded(img: RgbaImage, model: DigitModel, { numberCheck = true }: PredictOptions = {}): Prediction {
  let prepared;
  try {
    prepared = toMnistInput(img);
  } catch (e) {
    if (e instanceof ImageError && e.code === 'empty') return { digit: null, reason: e.message, guess: null, confidence: null, probabilities: null, input: null, info: null };
    throw e;
  }
  const p = model.predictProba(prepared.pixels, 1);
  const best = argmaxRow(p, 0);
  // Six decimals is plenty to show, and the confidence is then exactly the digit's listed probability.
  const probabilities = Array.from(p.subarray(0, CLASSES), (v) => Number(v.toFixed(6)));
  const seen = { confidence: probabilities[best]!, probabilities, input: prepared.pixels, info: prepared.info };
  const refused = model.refusals(prepared.pixels, 1, p)[0]!;
  // A confident one-digit reading stands: a blurred or low-resolution digit breaks into pieces that may read
  // as a number, while a real number rarely reads as one sure digit (the model learnt squeezed digits as outliers).
  const number = !numberCheck || (!refused && p[best]! >= SURE_ONE_DIGIT) ? null : numberIn(img, model, prepared.info.box);
  if (number !== null) return { digit: null, reason: LOOKS_LIKE_A_NUMBER, number, guess: best, ...seen };
  if (refused) return { digit: null, reason: NOT_A_DIGIT, guess: best, ...seen };
  return { digit: best, ...seen };
}

/**
 * The calibrated probability above which a one-digit reading is kept even if the ink also reads as a
 * number. Chosen on the numbers bench's tuning half and on corrupted MNIST training digits: at 0.95, 1 of 232
 * two- and three-digit numbers answers one digit, and 13 of 23 blurred or 8-px digits answered "looks like a
 * number" read as their digit instead.
 */
export const SURE_ONE_DIGIT = 0.95;

/** Ink at least this wide for its height may be several digits side by side, and is read as a number to see. */
const WIDE_INK = 0.8;

/**
 * The number an image clearly holds, or null: read as a number, it gives two or more digits, none refused,
 * and they are three or more or stand apart (none had to be cut from its neighbour: not one stroke cut in two).
 */
function numberIn(img: RgbaImage, model: DigitModel, box: PreprocessInfo['box']): string | null {
  if (box.width < WIDE_INK * box.height) return null;
  const { number, digits, cuts } = readNumber(img, model);
  if (digits.length < 2 || number.length !== digits.length) return null;
  return digits.length >= 3 || cuts === 0 ? number : null;
}
