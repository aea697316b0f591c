import { CLASSES } from '../data/frame.js';
import { argmaxRow } from '../models/classifier.js';
import { NOT_A_DIGIT, type DigitModel } from '../models/model.js';
import { ImageError } from '../util/errors.js';
import { toMnistInput, type PreprocessInfo } from './preprocess.js';
import type { RgbaImage } from './rgba.js';

export { NOT_A_DIGIT };

export type Prediction =
  | { digit: number; confidence: number; probabilities: number[]; input: Float32Array; info: PreprocessInfo }
  /** Ink the model does not take for a digit: its best guess and that guess's (calibrated) probability. */
  | { digit: null; reason: typeof NOT_A_DIGIT; guess: number; confidence: number; probabilities: number[]; input: Float32Array; info: PreprocessInfo }
  /** No ink at all: nothing to guess. */
  | { digit: null; reason: string; guess: null; confidence: null; probabilities: null; input: null; info: null };

/**
 * Decoded image → prediction. An image without ink gives digit null and the reason; ink whose calibrated
 * top probability is below the model's refusal threshold gives digit null, "not a digit" and the best guess.
 * Decoding is the caller's (src/image/decode.ts on the server, a canvas in the browser), so this runs anywhere.
 */
export function predictDecoded(img: RgbaImage, model: DigitModel): Prediction {
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
  if (model.confidence && p[best]! < model.confidence.refuseBelow) return { digit: null, reason: NOT_A_DIGIT, guess: best, ...seen };
  return { digit: best, ...seen };
}
