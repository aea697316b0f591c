import { CLASSES } from '../data/frame.js';
import { argmaxRow } from '../models/classifier.js';
import type { DigitModel } from '../models/model.js';
import { ImageError } from '../util/errors.js';
import { decodeImage, type DecodeOptions, type RgbaImage } from './decode.js';
import { toMnistInput, type PreprocessInfo } from './preprocess.js';

export type Prediction =
  | { digit: number; confidence: number; probabilities: number[]; input: Float32Array; info: PreprocessInfo }
  | { digit: null; reason: string; confidence: null; probabilities: null; input: null; info: null };

/** Preprocessed image → prediction; an image without ink gives digit null and the reason, not a guess. */
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

/** Image file bytes → prediction (decode errors throw ImageError). */
export async function predictImage(bytes: Uint8Array, model: DigitModel, options: DecodeOptions = {}): Promise<Prediction> {
  return predictDecoded(await decodeImage(bytes, options), model);
}
