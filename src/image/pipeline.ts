import { CLASSES } from '../data/frame.js';
import { argmaxRow } from '../models/classifier.js';
import type { DigitModel } from '../models/model.js';
import { ImageError } from '../util/errors.js';
import { toMnistInput, type PreprocessInfo } from './preprocess.js';
import type { RgbaImage } from './rgba.js';

export type Prediction =
  | { digit: number; confidence: number; probabilities: number[]; input: Float32Array; info: PreprocessInfo }
  | { digit: null; reason: string; confidence: null; probabilities: null; input: null; info: null };

/**
 * Decoded image → prediction; an image without ink gives digit null and the reason, not a guess. Decoding
 * is the caller's (src/image/decode.ts on the server, a canvas in the browser), so this runs anywhere.
 */
export function predictDecoded(img: RgbaImage, model: DigitModel): Prediction {
  let prepared;
  try {
    prepared = toMnistInput(img);
  } catch (e) {
    if (e instanceof ImageError && e.code === 'empty') return { digit: null, reason: e.message, confidence: null, probabilities: null, input: null, info: null };
    throw e;
  }
  const p = model.predictProba(prepared.pixels, 1);
  const digit = argmaxRow(p, 0);
  // Six decimals is plenty to show, and the confidence is then exactly the digit's listed probability.
  const probabilities = Array.from(p.subarray(0, CLASSES), (v) => Number(v.toFixed(6)));
  return {
    digit,
    confidence: probabilities[digit]!,
    probabilities,
    input: prepared.pixels,
    info: prepared.info,
  };
}
