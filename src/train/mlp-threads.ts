import type { Worker } from 'node:worker_threads';
import { PIXELS } from '../core/frame.js';
import { kernelMemory } from '../core/math/kernels.js';
import { mlpLayout } from '../core/models/mlp.js';
import type { AugmentOptions } from './augment.js';
import { CTL_WORDS, type MlpWorkerData, type MlpWorkerReply, type MlpWorkerRequest } from './mlp-protocol.js';
import { startWorker } from '../io/worker.js';

/** The trainer's views of the memory it shares with its threads. */
export interface SharedViews {
  params: Float32Array;
  m: Float32Array;
  v: Float32Array;
  pixels: Uint8Array;
  labels: Uint8Array;
  order: Int32Array;
  evalX: Float32Array;
  evalProba: Float32Array;
  stepLr: Float32Array;
  control: Int32Array;
}

function shared(bytes: number): SharedArrayBuffer {
  return new SharedArrayBuffer(Math.max(4, bytes));
}

/** What the threads train on: n images (pixels, or precomputed features) and the validation inputs. */
export interface SharedInputs {
  sizes: number[];
  pixels: Uint8Array;
  labels: Uint8Array;
  /** n × sizes[0] features instead of pixels (an input transform), or null. */
  features: Float32Array | null;
  /** The length of an epoch's row order (the batch builder's). */
  rowsPerEpoch: number;
  evalX: Float32Array;
  evalN: number;
  augment: AugmentOptions | null;
  batch: number;
  workers: number;
}

/**
 * Worker threads that share the network's parameters, Adam moments and the training images; each computes
 * gradients on its share of every batch, then updates its share of the parameters (src/train/mlp-worker.ts).
 */
export class MlpThreads {
  readonly views: SharedViews;
  private readonly workers: Worker[];
  private readonly pending: { resolve: (r: MlpWorkerReply) => void; reject: (e: Error) => void }[][];
  /** The first thread's failure: every request waiting or to come is rejected with it. */
  private failure: Error | null = null;
  /** Set by close(): the threads' exits from then on are expected. */
  private closing = false;

  constructor(inputs: SharedInputs) {
    const { sizes, workers: count } = inputs;
    const n = inputs.labels.length;
    // Each worker takes at most its share of a batch at once.
    const layout = mlpLayout(sizes, { training: true, threads: count, blockRows: Math.ceil(inputs.batch / count) });
    const memory = kernelMemory(layout.bytes, true);
    const data: Omit<MlpWorkerData, 'worker'> = {
      memory,
      layout,
      pixels: shared(n * PIXELS),
      features: inputs.features ? shared(inputs.features.length * 4) : null,
      labels: shared(n),
      order: shared(inputs.rowsPerEpoch * 4),
      evalX: shared(inputs.evalX.length * 4),
      evalProba: shared(inputs.evalN * sizes[sizes.length - 1]! * 4),
      augment: inputs.augment,
      workers: count,
      stepLr: shared(Math.ceil(inputs.rowsPerEpoch / inputs.batch) * 4),
      control: shared(CTL_WORDS * 4),
    };
    this.views = {
      params: new Float32Array(memory.buffer, layout.params, layout.paramCount),
      m: new Float32Array(memory.buffer, layout.m, layout.paramCount),
      v: new Float32Array(memory.buffer, layout.v, layout.paramCount),
      pixels: new Uint8Array(data.pixels),
      labels: new Uint8Array(data.labels),
      order: new Int32Array(data.order),
      evalX: new Float32Array(data.evalX),
      evalProba: new Float32Array(data.evalProba),
      stepLr: new Float32Array(data.stepLr),
      control: new Int32Array(data.control),
    };
    this.views.pixels.set(inputs.pixels);
    this.views.labels.set(inputs.labels);
    this.views.evalX.set(inputs.evalX);
    if (inputs.features && data.features) new Float32Array(data.features).set(inputs.features);

    this.pending = Array.from({ length: count }, () => []);
    this.workers = Array.from({ length: count }, (_, worker) => {
      const w = startWorker(new URL('./mlp-worker.ts', import.meta.url), { workerData: { ...data, worker } });
      w.on('message', (r: MlpWorkerReply) => this.pending[worker]!.shift()?.resolve(r));
      w.on('error', (e) => this.fail(new Error(`training thread ${worker} failed: ${e.message}`, { cause: e })));
      w.on('exit', (code) => this.fail(new Error(`training thread ${worker} exited (code ${code})`)));
      return w;
    });
  }

  /**
   * Sends one request to each worker (requests[i] to worker i) and waits for all replies. A thread that
   * fails rejects it. The others may be waiting at a barrier for the one that failed: close() ends them.
   */
  all(requests: MlpWorkerRequest[]): Promise<MlpWorkerReply[]> {
    return Promise.all(
      requests.map(
        (req, i) =>
          new Promise<MlpWorkerReply>((resolve, reject) => {
            if (this.failure) return reject(this.failure);
            this.pending[i]!.push({ resolve, reject });
            this.workers[i]!.postMessage(req);
          }),
      ),
    );
  }

  private fail(e: Error): void {
    if (this.closing) return;
    this.failure ??= e;
    for (const waiting of this.pending) for (const p of waiting.splice(0)) p.reject(this.failure);
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** [start..start+count) split into `parts` contiguous ranges, as [from, count]. */
export function split(start: number, count: number, parts: number): [number, number][] {
  return Array.from({ length: parts }, (_, i) => {
    const a = start + Math.floor((count * i) / parts);
    const b = start + Math.floor((count * (i + 1)) / parts);
    return [a, b - a];
  });
}
