import { parentPort, workerData } from 'node:worker_threads';
import { PIXELS } from '../core/frame.js';
import { sharedKernelsOn } from '../core/math/kernels-shared.js';
import { Mlp } from '../core/models/mlp.js';
import { Random } from '../core/util/random.js';
import { augment, AugmentScratch } from './augment.js';
import { addGradients, adamw, trainBlock } from './mlp-steps.js';
import {
  CTL_ARRIVED,
  CTL_GENERATION,
  CTL_STEPS_DONE,
  CTL_STOP_NOW,
  CTL_STOP_REQUESTED,
  type MlpWorkerData,
  type MlpWorkerReply,
  type MlpWorkerRequest,
} from './mlp-protocol.js';

const d = workerData as MlpWorkerData;
const net = new Mlp(d.layout.sizes, undefined, { on: { k: sharedKernelsOn(d.memory), layout: d.layout, thread: d.worker } });
/** Every worker's gradients: the update sums them. */
const grads = d.layout.threads.map((t) => new Float32Array(d.memory.buffer, t.grads, d.layout.paramCount));
const pixels = new Uint8Array(d.pixels);
const features = d.features ? new Float32Array(d.features) : null;
const inputSize = net.inputSize;
const labels = new Uint8Array(d.labels);
const order = new Int32Array(d.order);
const evalX = new Float32Array(d.evalX);
const evalProba = new Float32Array(d.evalProba);
const input = net.inputBlock();
const blockLabels = new Uint8Array(net.blockRows);
const scratch = new AugmentScratch();
const rng = new Random(0);
const stepLr = new Float32Array(d.stepLr);
const control = new Int32Array(d.control);

parentPort!.on('message', (req: MlpWorkerRequest) => {
  parentPort!.postMessage(req.type === 'epoch' ? epoch(req) : predict(req.start, req.count));
});

/**
 * All workers meet here. Messages between threads cost milliseconds on this kind of machine; an Atomics
 * barrier costs microseconds, so the whole epoch runs without a message per step. The last to arrive
 * also latches the trainer's stop request, so every worker sees the same decision.
 */
function barrier(): void {
  const generation = Atomics.load(control, CTL_GENERATION);
  if (Atomics.add(control, CTL_ARRIVED, 1) === d.workers - 1) {
    Atomics.store(control, CTL_ARRIVED, 0);
    Atomics.store(control, CTL_STOP_NOW, Atomics.load(control, CTL_STOP_REQUESTED));
    Atomics.add(control, CTL_GENERATION, 1);
    Atomics.notify(control, CTL_GENERATION);
    return;
  }
  for (let spin = 0; spin < 20_000 && Atomics.load(control, CTL_GENERATION) === generation; spin++);
  while (Atomics.load(control, CTL_GENERATION) === generation) Atomics.wait(control, CTL_GENERATION, generation);
}

function epoch(req: Extract<MlpWorkerRequest, { type: 'epoch' }>): MlpWorkerReply {
  const { n, batch, seed, firstStep, weightDecay, nonDigitWeight, paramRange } = req;
  const total: MlpWorkerReply = { loss: 0, correct: 0, steps: 0, samples: 0 };
  for (let s = 0, step = 0; s < n; s += batch, step++) {
    const count = Math.min(batch, n - s);
    const a = s + Math.floor((count * d.worker) / d.workers);
    const b = s + Math.floor((count * (d.worker + 1)) / d.workers);
    const r = gradients(a, b - a, seed, nonDigitWeight);
    total.loss += r.loss;
    total.correct += r.correct;
    total.samples += b - a;
    barrier();
    update(paramRange[0], paramRange[1], stepLr[step]!, firstStep + step, count, weightDecay);
    barrier();
    total.steps++;
    if (d.worker === 0) Atomics.store(control, CTL_STEPS_DONE, total.steps);
    if (Atomics.load(control, CTL_STOP_NOW)) break;
  }
  return total;
}

/** Sum of gradients over order[start..start+count), written to this worker's gradient buffer. */
function gradients(start: number, count: number, seed: number, nonDigitWeight: number): { loss: number; correct: number } {
  net.grads.fill(0);
  if (count > net.blockRows) throw new RangeError(`a worker's share of a batch is ${count} rows, over its block of ${net.blockRows}`);
  for (let k = 0; k < count; k++) {
    const i = start + k;
    const idx = order[i]!;
    if (!(idx >= 0 && idx < labels.length)) throw new RangeError(`row ${idx} of the epoch's order is not one of the ${labels.length} training rows`);
    const at = k * inputSize;
    if (features) {
      input.set(features.subarray(idx * inputSize, (idx + 1) * inputSize), at);
    } else if (d.augment) {
      // A seed per (epoch, position) keeps the run identical however work is split between threads.
      augment(pixels, idx * PIXELS, input, at, rng.reseed((seed ^ Math.imul(i + 1, 0x9e3779b1)) >>> 0), d.augment, scratch);
    } else {
      for (let p = 0; p < PIXELS; p++) input[at + p] = pixels[idx * PIXELS + p]! / 255;
    }
    blockLabels[k] = labels[idx]!;
  }
  return trainBlock(net, blockLabels, count, nonDigitWeight);
}

/** AdamW on params[from..to): sums all workers' gradients, decays weights (not biases). */
function update(from: number, to: number, lr: number, step: number, batch: number, weightDecay: number): void {
  // Sum the other workers' gradients into the first buffer's slice; slices are disjoint across workers.
  const g = grads[0]!;
  for (let w = 1; w < grads.length; w++) addGradients(net, g, grads[w]!, from, to);
  adamw(net, from, to, { lr, weightDecay, step, batch }, g);
}

function predict(start: number, count: number): MlpWorkerReply {
  net.predictInto(evalX.subarray(start * inputSize), count, evalProba.subarray(start * net.outputs));
  return { loss: 0, correct: 0, steps: 0, samples: count };
}
