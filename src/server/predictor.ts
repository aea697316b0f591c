import { availableParallelism } from 'node:os';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { imageSize, MAX_PIXELS, sniffFormat } from '../codecs/decode.js';
import type { DigitModel } from '../core/models/model.js';
import { workerPool } from '../io/worker.js';
import { runTask, type PredictMode, type SeenResult, type Task, type TaskResult } from './predict-task.js';

/** Turns image bytes into a prediction; the server only sees this interface. */
export interface Predictor {
  predict(bytes: Uint8Array, mode?: PredictMode): Promise<TaskResult>;
  /** What the model saw of the image (piece `piece` of a number), as raw values: what a correction stores. */
  see(bytes: Uint8Array, mode: PredictMode, piece: number): Promise<SeenResult>;
  close(): Promise<void>;
}

/**
 * A pool of worker threads, each with its own copy of the model, so decoding and prediction never block
 * the HTTP event loop (one thread per core by default).
 */
export function poolPredictor(modelPath: string, { maxPixels = MAX_PIXELS, threads = availableParallelism() } = {}): Predictor {
  const pool = workerPool(new URL('./predict-thread.ts', import.meta.url), {
    workerData: { modelPath, maxPixels },
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: Infinity,
  });
  const inFlight = new Set<Promise<unknown>>();
  const run = (bytes: Uint8Array, task: Task): Promise<unknown> => {
    // Copy into a transferable buffer: the request's Buffer may share a pooled ArrayBuffer.
    const copy = new Uint8Array(bytes);
    const running = pool.run({ bytes: copy, task }, { transferList: [copy.buffer] }) as Promise<unknown>;
    inFlight.add(running);
    void running.finally(() => inFlight.delete(running)).catch(() => {});
    return running;
  };
  return {
    predict: (bytes, mode = 'digit') => run(bytes, { kind: 'predict', mode }) as Promise<TaskResult>,
    see: (bytes, mode, piece) => run(bytes, { kind: 'see', mode, piece }) as Promise<SeenResult>,
    // Graceful: every task already asked for finishes, queued ones too (a client that hung up still left
    // its task in the queue, and piscina's close would fail those), then the threads stop.
    close: async () => {
      await Promise.allSettled(inFlight);
      await pool.close();
    },
  };
}

/** Images up to this many pixels (a 280×280 board drawing is 78,400) are predicted inline... */
export const INLINE_MAX_PIXELS = 300_000;
/**
 * ...unless this many times wider than tall (or taller than wide): the work of reading a number grows with
 * its pieces, not its pixels, and a 5450×54 strip of 300 strokes held an event loop for a second.
 */
export const INLINE_MAX_ASPECT = 8;

/**
 * What the server uses: images up to `inlineMaxPixels` (a board drawing, a Paint file: a few ms) are predicted
 * on the calling thread, and larger ones (photos: decoding alone can take a second) in a pool thread, so
 * one big upload never holds up the requests behind it. Run one server process per core (node:cluster) and
 * both cores do the small-image work without a hand-off between threads, which costs more than the work.
 */
export function servingPredictor(
  model: DigitModel,
  modelPath: string,
  options: { maxPixels?: number; inlineMaxPixels?: number; pool?: Predictor } = {},
): Predictor {
  const { maxPixels = MAX_PIXELS, inlineMaxPixels = INLINE_MAX_PIXELS } = options;
  // The thread (and its copy of the model) starts with the first big image: many processes on a many-core
  // machine need not each hold one for photos that may never come.
  let pool: Predictor | undefined;
  const big = (bytes: Uint8Array): Predictor | null => {
    const size = headerSize(bytes);
    if (size === null) return null;
    const { width, height } = size;
    const inline = width * height <= inlineMaxPixels && Math.max(width, height) <= INLINE_MAX_ASPECT * Math.min(width, height);
    return inline ? null : (pool ??= options.pool ?? poolPredictor(modelPath, { maxPixels, threads: 1 }));
  };
  // One image per turn of the event loop: twenty files in one upload do not hold up other requests for all twenty.
  const here = async (bytes: Uint8Array, task: Task) => {
    await nextTurn();
    return runTask(model, bytes, maxPixels, task);
  };
  return {
    predict: async (bytes, mode = 'digit') => big(bytes)?.predict(bytes, mode) ?? ((await here(bytes, { kind: 'predict', mode })) as TaskResult),
    see: async (bytes, mode, piece) => big(bytes)?.see(bytes, mode, piece) ?? ((await here(bytes, { kind: 'see', mode, piece })) as SeenResult),
    close: async () => pool?.close(),
  };
}

/** Width × height from the header, or null when there is no readable header (the decoder then says why). */
function headerSize(bytes: Uint8Array): { width: number; height: number } | null {
  const format = sniffFormat(bytes);
  if (!format) return null;
  try {
    const { width, height } = imageSize(bytes, format);
    return width > 0 && height > 0 ? { width, height } : null;
  } catch {
    return null;
  }
}
