import { toAnswer, toNumberAnswer, type Answer, type NumberAnswer } from '../core/api.js';
import { PIXELS } from '../core/frame.js';
import { inputDataUrl } from '../eval/visuals.js';
import { decodeImage } from '../codecs/decode.js';
import { readNumber } from '../core/image/number.js';
import { predictDecoded } from '../core/image/pipeline.js';
import type { DigitModel } from '../core/models/model.js';
import { ImageError } from '../core/util/errors.js';

/** What a prediction task returns across the thread boundary: plain data, errors as codes. */
export type TaskResult = { ok: true; answer: Answer | NumberAnswer } | { ok: false; code: ImageError['code']; error: string };

/** One digit per image (`digit`), or every digit in it, left to right (`number`). */
export type PredictMode = 'digit' | 'number';

export async function predictTask(model: DigitModel, bytes: Uint8Array, maxPixels: number, mode: PredictMode = 'digit'): Promise<TaskResult> {
  try {
    const img = await decodeImage(bytes, { maxPixels });
    const answer = mode === 'number' ? toNumberAnswer(readNumber(img, model), inputDataUrl) : toAnswer(predictDecoded(img, model), inputDataUrl);
    return { ok: true, answer };
  } catch (e) {
    if (e instanceof ImageError) return { ok: false, code: e.code, error: e.message };
    throw e;
  }
}

/** What the model saw of an image (one piece of it in number mode): the 28×28 as 0..255, and what it said. */
export interface Seen {
  input: Uint8Array;
  probabilities: number[];
  predicted: number | null;
}

export type SeenResult = { ok: true; seen: Seen } | { ok: false; code: ImageError['code']; error: string };

/** A task for a prediction thread: a prediction to answer, or what the model saw, for a correction to store. */
export type Task = { kind: 'predict'; mode: PredictMode } | { kind: 'see'; mode: PredictMode; piece: number };

/**
 * The server's own reading of an image for /api/feedback: the same pipeline as a prediction (piece `piece`
 * of the number in number mode), as raw values. An image with nothing to learn from is an 'empty' error.
 */
export async function seeTask(model: DigitModel, bytes: Uint8Array, maxPixels: number, mode: PredictMode, piece: number): Promise<SeenResult> {
  try {
    const img = await decodeImage(bytes, { maxPixels });
    let seen: { input: Float32Array | null; probabilities: number[] | null; digit: number | null };
    if (mode === 'number') {
      const r = readNumber(img, model);
      const d = r.digits[piece];
      if (!d) {
        const why = r.digits.length
          ? `the number has ${r.digits.length} digits (pieces 0 to ${r.digits.length - 1}); there is no piece ${piece}`
          : `nothing to learn from: ${r.reason ?? 'no digits found'}`;
        return { ok: false, code: 'empty', error: why };
      }
      seen = d;
    } else {
      const p = predictDecoded(img, model);
      if (p.input === null) return { ok: false, code: 'empty', error: `nothing to learn from: ${p.reason}` };
      seen = p;
    }
    const input = new Uint8Array(PIXELS);
    for (let i = 0; i < PIXELS; i++) input[i] = Math.round(255 * Math.min(1, Math.max(0, seen.input![i]!)));
    return { ok: true, seen: { input, probabilities: seen.probabilities!, predicted: seen.digit } };
  } catch (e) {
    if (e instanceof ImageError) return { ok: false, code: e.code, error: e.message };
    throw e;
  }
}

/** Runs a task on this thread. */
export function runTask(model: DigitModel, bytes: Uint8Array, maxPixels: number, task: Task): Promise<TaskResult | SeenResult> {
  return task.kind === 'see' ? seeTask(model, bytes, maxPixels, task.mode, task.piece) : predictTask(model, bytes, maxPixels, task.mode);
}
