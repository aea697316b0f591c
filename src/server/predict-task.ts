import { toAnswer, type Answer } from '../api.js';
import { inputDataUrl } from '../eval/visuals.js';
import { decodeImage } from '../image/decode.js';
import { predictDecoded } from '../image/pipeline.js';
import type { DigitModel } from '../models/model.js';
import { ImageError } from '../util/errors.js';

/** What a prediction task returns across the thread boundary: plain data, errors as codes. */
export type TaskResult = { ok: true; answer: Answer } | { ok: false; code: ImageError['code']; error: string };

export async function predictTask(model: DigitModel, bytes: Uint8Array, maxPixels: number): Promise<TaskResult> {
  try {
    const p = predictDecoded(await decodeImage(bytes, { maxPixels }), model);
    return { ok: true, answer: toAnswer(p, inputDataUrl) };
  } catch (e) {
    if (e instanceof ImageError) return { ok: false, code: e.code, error: e.message };
    throw e;
  }
}
