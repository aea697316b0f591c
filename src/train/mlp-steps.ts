import { Mlp, NON_DIGIT_LABEL, NON_DIGIT_WEIGHT } from '../core/models/mlp.js';
import { Random } from '../core/util/random.js';

/*
 * The training steps of an MLP, on its kernels: kept out of the class so that the pages, which only
 * predict, do not carry them. The trainer's threads (mlp-worker.ts) run them on one shared network.
 */

/** AdamW's settings for one step; `step` counts from 1 for Adam's bias correction. */
export interface AdamwStep {
  lr: number;
  weightDecay: number;
  step: number;
  /** Samples the gradients were summed over. */
  batch: number;
}

const BETA1 = 0.9;
const BETA2 = 0.999;

/** A network of `sizes` with He initialisation (normal, std √(2/fan-in)) and zero biases, ready to train. */
export function initMlp(sizes: number[], seed: number): Mlp {
  const net = new Mlp(sizes, undefined, { training: true });
  const rng = new Random(seed);
  for (const layer of net.layers) {
    const std = Math.sqrt(2 / layer.inSize);
    for (let i = 0; i < layer.w.length; i++) layer.w[i] = rng.gaussian() * std;
  }
  return net;
}

/**
 * Forward and backward over the input block's first `rows` rows with their labels, adding their gradients
 * to the network's thread's. Returns the summed cross-entropy loss and how many were classified right. With
 * softmax + cross-entropy, dL/dlogits = p − target: one-hot for a digit; for NON_DIGIT_LABEL the uniform
 * distribution (outlier exposure, Hendrycks et al. 2019), which teaches low confidence on it; its loss
 * weighs `nonDigitWeight` of a digit's.
 */
export function trainBlock(net: Mlp, labels: ArrayLike<number>, rows: number, nonDigitWeight = NON_DIGIT_WEIGHT): { loss: number; correct: number } {
  const { k, ws } = net;
  const probs = net.forwardBlock(rows);
  const last = net.layers.length;
  const out = net.outputs;
  const delta = new Float32Array(k.memory.buffer, ws.deltas[last]!, rows * out);
  let loss = 0;
  let correct = 0;
  for (let r = 0; r < rows; r++) {
    const label = labels[r]!;
    const o = r * out;
    if (label === NON_DIGIT_LABEL) {
      for (let c = 0; c < out; c++) {
        delta[o + c] = nonDigitWeight * (probs[o + c]! - 1 / out);
        loss -= (nonDigitWeight * Math.log(Math.max(probs[o + c]!, 1e-12))) / out;
      }
      continue;
    }
    let best = 0;
    for (let c = 0; c < out; c++) {
      delta[o + c] = probs[o + c]! - (c === label ? 1 : 0);
      if (probs[o + c]! > probs[o + best]!) best = c;
    }
    if (best === label) correct++;
    loss -= Math.log(Math.max(probs[o + label]!, 1e-12));
  }
  for (let l = last - 1; l >= 0; l--) {
    const layer = net.layers[l]!;
    k.weightGradient(ws.acts[l]!, ws.deltas[l + 1]!, rows, layer.inSize, layer.outSize, layer.at.gw, layer.at.gb, ws.pairs);
    if (l > 0) k.backward(ws.deltas[l + 1]!, rows, layer.inSize, layer.outSize, layer.at.w, ws.acts[l]!, ws.deltas[l]!);
  }
  return { loss, correct };
}

/**
 * One AdamW step (decoupled weight decay, on weights only) on params[from..to) from `grads`' same range,
 * the gradients summed over the batch. Ranges let threads update disjoint slices of shared parameters.
 */
export function adamw(net: Mlp, from: number, to: number, o: AdamwStep, grads = net.grads): void {
  const { k, layout } = net;
  if (!layout.m) throw new RangeError('this network was made for inference: it has no AdamW moments');
  const c1 = 1 / (1 - BETA1 ** o.step);
  const c2 = 1 / (1 - BETA2 ** o.step);
  const g = grads.byteOffset - layout.params;
  let start = 0;
  for (const layer of net.layers) {
    for (const [size, decay] of [
      [layer.w.length, o.lr * o.weightDecay],
      [layer.b.length, 0],
    ] as const) {
      const a = Math.max(from, start);
      const b = Math.min(to, start + size);
      const at = layout.params + a * 4;
      if (b > a) k.adamw(at, at + g, layout.m + a * 4, layout.v + a * 4, b - a, o.lr, decay, c1, c2, 1 / o.batch);
      start += size;
    }
  }
}

/** dst[from..to) += src[from..to), two gradient arrays in the network's memory. */
export function addGradients(net: Mlp, dst: Float32Array, src: Float32Array, from: number, to: number): void {
  net.k.add(dst.byteOffset + from * 4, src.byteOffset + from * 4, to - from);
}

/**
 * One AdamW step on one thread over the batch `rows` of x (·×inputSize) with their labels, as the
 * trainer's threads take it together. Returns the batch's summed loss.
 */
export function trainBatch(net: Mlp, x: Float32Array, labels: Uint8Array, rows: ArrayLike<number>, o: Omit<AdamwStep, 'batch'>): number {
  net.grads.fill(0);
  const input = net.inputBlock();
  let loss = 0;
  for (let s = 0; s < rows.length; s += net.blockRows) {
    const count = Math.min(net.blockRows, rows.length - s);
    const blockLabels = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      const r = rows[s + i]!;
      input.set(x.subarray(r * net.inputSize, (r + 1) * net.inputSize), i * net.inputSize);
      blockLabels[i] = labels[r]!;
    }
    loss += trainBlock(net, blockLabels, count).loss;
  }
  adamw(net, 0, net.params.length, { ...o, batch: rows.length });
  return loss;
}
