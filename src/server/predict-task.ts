import { toAnswer, toNumberAnswer, type Answer, type NumberAnswer } from '../api.js';
import { inputDataUrl } from '../eval/visuals.js';
import { decodeImage } from '../image/decode.js';
import { readNumber } from '../image/number.js';
import { predictDecoded } from '../image/pipeline.js';
import type { DigitModel } from '../models/model.js';
import { ImageError } from '../util/errors.js';

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
