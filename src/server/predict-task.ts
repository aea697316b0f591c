import { inputDataUrl } from '../eval/visuals.js';
import { decodeImage } from '../image/decode.js';
import { predictDecoded } from '../image/pipeline.js';
import type { DigitModel } from '../models/model.js';
import { ImageError } from '../util/errors.js';

/** What a prediction task returns across the thread boundary: plain data, errors as codes. */
export type TaskResult =
  | { ok: true; digit: number; confidence: number; probabilities: number[]; input: string }
  /** Refused: no ink (reason only), or "not a digit" with the best guess, its probability and what the model saw. */
  | { ok: true; digit: null; reason: string; guess?: number; confidence?: number; probabilities?: number[]; input?: string }
  | { ok: false; code: ImageError['code']; error: string };

export async function predictTask(model: DigitModel, bytes: Uint8Array, maxPixels: number): Promise<TaskResult> {
  try {
    const p = predictDecoded(await decodeImage(bytes, { maxPixels }), model);
    if (p.digit === null) {
      if (p.guess === null) return { ok: true, digit: null, reason: p.reason };
      return { ok: true, digit: null, reason: p.reason, guess: p.guess, confidence: p.confidence, probabilities: p.probabilities, input: inputDataUrl(p.input) };
    }
    return { ok: true, digit: p.digit, confidence: p.confidence, probabilities: p.probabilities, input: inputDataUrl(p.input) };
  } catch (e) {
    if (e instanceof ImageError) return { ok: false, code: e.code, error: e.message };
    throw e;
  }
}
