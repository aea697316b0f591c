import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { TaskResult } from './predict-task.js';

/** Turns image bytes into a prediction; the server only sees this interface. */
export interface Predictor {
  predict(bytes: Uint8Array): Promise<TaskResult>;
  close(): Promise<void>;
}

/**
 * A pool of worker threads, each with its own copy of the model, so decoding and prediction never block
 * the HTTP event loop (one thread per core by default).
 */
export function poolPredictor(modelPath: string, maxPixels: number, threads = availableParallelism()): Predictor {
  const pool = new Piscina({
    filename: new URL('./predict-worker.mjs', import.meta.url).href,
    workerData: { modelPath, maxPixels },
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: Infinity,
  });
  const inFlight = new Set<Promise<TaskResult>>();
  return {
    predict: (bytes) => {
      // Copy into a transferable buffer: the request's Buffer may share a pooled ArrayBuffer.
      const copy = new Uint8Array(bytes);
      const task = pool.run(copy, { transferList: [copy.buffer] }) as Promise<TaskResult>;
      inFlight.add(task);
      void task.finally(() => inFlight.delete(task)).catch(() => {});
      return task;
    },
    // Graceful: every task already asked for finishes, queued ones too (a client that hung up still left
    // its task in the queue, and piscina's close would fail those), then the threads stop.
    close: async () => {
      await Promise.allSettled(inFlight);
      await pool.close();
    },
  };
}
