import { CLASSES } from '../data/frame.js';
import { ModelFormatError } from '../util/errors.js';
import { ALPHABET, decodeFloats, encodeFloats } from '../util/floats.js';
import { type Picture, unitsPicture } from './pictures.js';
import { Random } from '../util/random.js';
import type { Classifier, ClassifierJson } from './classifier.js';
import { modelBlock } from '../util/model-json.js';

/**
 * A fully connected layer, weights stored input-major (in×out) so that a zero input skips a whole row:
 * MNIST pixels are ~81% zeros and about half of ReLU outputs are zero, in the forward pass and in the
 * weight gradient alike. Parameters and gradients are views into the network's flat buffers.
 */
export class Dense {
  readonly w: Float32Array;
  readonly b: Float32Array;
  readonly gw: Float32Array;
  readonly gb: Float32Array;
  /** Scratch: indices of the current input's non-zero entries. */
  private readonly nonZero: Int32Array;

  constructor(
    readonly inSize: number,
    readonly outSize: number,
    params: Float32Array,
    grads: Float32Array,
    offset: number,
  ) {
    const nw = inSize * outSize;
    this.w = params.subarray(offset, offset + nw);
    this.b = params.subarray(offset + nw, offset + nw + outSize);
    this.gw = grads.subarray(offset, offset + nw);
    this.gb = grads.subarray(offset + nw, offset + nw + outSize);
    this.nonZero = new Int32Array(inSize);
  }

  static paramCount(inSize: number, outSize: number): number {
    return inSize * outSize + outSize;
  }

  /** y[yo..] = b + xᵀW for one sample. */
  forward(x: Float32Array, xo: number, y: Float32Array, yo: number): void {
    const n = this.outSize;
    const w = this.w;
    const nz = this.nonZero;
    let m = 0;
    for (let i = 0; i < this.inSize; i++) if (x[xo + i] !== 0) nz[m++] = i;
    for (let j = 0; j < n; j++) y[yo + j] = this.b[j]!;
    // Four input rows per pass: each output is loaded and stored once per four multiply-adds.
    let a = 0;
    for (; a + 3 < m; a += 4) {
      const i0 = nz[a]!;
      const i1 = nz[a + 1]!;
      const i2 = nz[a + 2]!;
      const i3 = nz[a + 3]!;
      const v0 = x[xo + i0]!;
      const v1 = x[xo + i1]!;
      const v2 = x[xo + i2]!;
      const v3 = x[xo + i3]!;
      const o0 = i0 * n;
      const o1 = i1 * n;
      const o2 = i2 * n;
      const o3 = i3 * n;
      for (let j = 0; j < n; j++) y[yo + j]! += v0 * w[o0 + j]! + v1 * w[o1 + j]! + v2 * w[o2 + j]! + v3 * w[o3 + j]!;
    }
    for (; a < m; a++) {
      const i0 = nz[a]!;
      const v0 = x[xo + i0]!;
      const o0 = i0 * n;
      for (let j = 0; j < n; j++) y[yo + j]! += v0 * w[o0 + j]!;
    }
  }

  /**
   * Accumulates this sample's gradients and, if dx is given, writes dL/dx. dx is computed only where
   * x ≠ 0: exact when x comes out of a ReLU, whose gradient is zero wherever its output is.
   */
  backward(x: Float32Array, xo: number, dy: Float32Array, dyo: number, dx: Float32Array | null, dxo: number): void {
    const n = this.outSize;
    const w = this.w;
    const gw = this.gw;
    for (let j = 0; j < n; j++) this.gb[j]! += dy[dyo + j]!;
    if (dx) dx.fill(0, dxo, dxo + this.inSize);
    for (let i = 0; i < this.inSize; i++) {
      const v = x[xo + i]!;
      if (v === 0) continue;
      const wo = i * n;
      if (dx) {
        let s = 0;
        for (let j = 0; j < n; j++) {
          const d = dy[dyo + j]!;
          s += w[wo + j]! * d;
          gw[wo + j]! += v * d;
        }
        dx[dxo + i] = s;
      } else {
        let j = 0;
        for (; j + 3 < n; j += 4) {
          gw[wo + j]! += v * dy[dyo + j]!;
          gw[wo + j + 1]! += v * dy[dyo + j + 1]!;
          gw[wo + j + 2]! += v * dy[dyo + j + 2]!;
          gw[wo + j + 3]! += v * dy[dyo + j + 3]!;
        }
        for (; j < n; j++) gw[wo + j]! += v * dy[dyo + j]!;
      }
    }
  }
}

/** ReLU in place on n values. */
export function reluForward(z: Float32Array, o: number, n: number): void {
  for (let i = 0; i < n; i++) if (z[o + i]! < 0) z[o + i] = 0;
}

/** Softmax in place, stably: subtract the max before exp so large logits cannot overflow. */
export function softmax(z: Float32Array, o: number, n: number): void {
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (z[o + i]! > max) max = z[o + i]!;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const e = Math.exp(z[o + i]! - max);
    z[o + i] = e;
    sum += e;
  }
  for (let i = 0; i < n; i++) z[o + i]! /= sum;
}

/** The training label of an image that is not a digit: its target is the uniform distribution. */
export const OUTLIER_LABEL = CLASSES;
/** The weight of a not-a-digit image's loss against a digit's (Hendrycks et al. use 0.5): digits come first. */
export const OUTLIER_WEIGHT = 0.5;

/**
 * Quantisation levels each side of zero in the compact form: 63 values a weight, 6 bits. On the 99.26% MLP,
 * 15 levels changed the digit of 3 of the 360 data/samples images (all under 61% sure) and 31 of none,
 * and the download is two thirds of int8's (397 kB against 623 kB after brotli).
 */
export const COMPACT_LEVELS = 31;

/** Parameters and AdamW moments; `decay` is 1 where weight decay applies (weights), 0 for biases. */
export interface AdamState {
  params: Float32Array;
  m: Float32Array;
  v: Float32Array;
  decay: Uint8Array;
}

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-8;

/**
 * One AdamW step (decoupled weight decay) on params[from..to), from `grad`, the gradients summed over a
 * batch of `batch` samples; `step` counts from 1 for Adam's bias correction. Ranges let threads update
 * disjoint slices of one shared buffer.
 */
export function adamwStep(
  s: AdamState,
  grad: Float32Array,
  from: number,
  to: number,
  o: { lr: number; weightDecay: number; step: number; batch: number },
): void {
  const { params, m, v, decay } = s;
  const c1 = 1 / (1 - BETA1 ** o.step);
  const c2 = 1 / (1 - BETA2 ** o.step);
  const scale = 1 / o.batch;
  const lr = o.lr;
  const lrDecay = lr * o.weightDecay;
  for (let p = from; p < to; p++) {
    const gp = grad[p]! * scale;
    const mp = BETA1 * m[p]! + (1 - BETA1) * gp;
    const vp = BETA2 * v[p]! + (1 - BETA2) * gp * gp;
    m[p] = mp;
    v[p] = vp;
    params[p]! -= lr * ((mp * c1) / (Math.sqrt(vp * c2) + EPSILON)) + decay[p]! * lrDecay * params[p]!;
  }
}

/** Per-thread activations and deltas for one sample, allocated once. */
export class Workspace {
  readonly activations: Float32Array[];
  readonly deltas: Float32Array[];
  constructor(sizes: number[]) {
    this.activations = sizes.map((s) => new Float32Array(s));
    this.deltas = sizes.map((s) => new Float32Array(s));
  }
}

export interface MlpJson extends ClassifierJson {
  name: 'mlp';
  version: 1;
  activation: 'relu';
  output: 'softmax';
  /** Layer sizes, input first, e.g. [784, 800, 10]. */
  sizes: number[];
  /**
   * Per dense layer: W (in×out, input-major) and b, base64 little-endian float32; or, in the compact form
   * for the browser, W quantised as `wq`, one base64 character per weight, with one float32 `scale` per
   * output unit (W ≈ (character's value − 32) × scale).
   */
  layers: ({ w: string; b: string } | { wq: string; scale: string; b: string })[];
}

/** A softmax multilayer perceptron with ReLU hidden layers, all parameters in one flat Float32Array. */
export class Mlp implements Classifier {
  static readonly kind = 'mlp';
  static readonly legacyNames = ['MLP'];
  readonly name = Mlp.kind;
  readonly layers: Dense[];
  readonly grads: Float32Array;

  constructor(
    readonly sizes: number[],
    readonly params: Float32Array = new Float32Array(Mlp.paramCount(sizes)),
    grads?: Float32Array,
  ) {
    if (sizes.length < 2 || sizes.some((s) => !Number.isInteger(s) || s < 1)) throw new RangeError(`invalid layer sizes ${sizes.join('-')}`);
    if (sizes[sizes.length - 1]! < 2) throw new RangeError('the last layer needs at least 2 outputs');
    if (params.length !== Mlp.paramCount(sizes)) throw new RangeError(`expected ${Mlp.paramCount(sizes)} parameters, got ${params.length}`);
    this.grads = grads ?? new Float32Array(params.length);
    this.layers = [];
    let offset = 0;
    for (let l = 0; l + 1 < sizes.length; l++) {
      this.layers.push(new Dense(sizes[l]!, sizes[l + 1]!, this.params, this.grads, offset));
      offset += Dense.paramCount(sizes[l]!, sizes[l + 1]!);
    }
  }

  get inputSize(): number {
    return this.sizes[0]!;
  }

  /** Classes out: 10 digits for a classifier, 2 (a digit or not) for the digit detector. */
  get outputs(): number {
    return this.sizes[this.sizes.length - 1]!;
  }

  static paramCount(sizes: number[]): number {
    let n = 0;
    for (let l = 0; l + 1 < sizes.length; l++) n += Dense.paramCount(sizes[l]!, sizes[l + 1]!);
    return n;
  }

  /** He initialisation (normal, std √(2/fan-in)), biases zero. */
  static init(sizes: number[], seed: number): Mlp {
    const net = new Mlp(sizes);
    const rng = new Random(seed);
    for (const layer of net.layers) {
      const std = Math.sqrt(2 / layer.inSize);
      for (let i = 0; i < layer.w.length; i++) layer.w[i] = rng.gaussian() * std;
    }
    return net;
  }

  /** 1 for each weight and 0 for each bias in the flat buffer: AdamW decays weights only. */
  decayMask(): Uint8Array {
    const mask = new Uint8Array(this.params.length);
    let offset = 0;
    for (const l of this.layers) {
      mask.fill(1, offset, offset + l.w.length);
      offset += l.w.length + l.b.length;
    }
    return mask;
  }

  /** Forward pass of one sample from x[xo..]; the probabilities end in the workspace's last activation. */
  forward(x: Float32Array, xo: number, ws: Workspace): Float32Array {
    let input = x;
    let io = xo;
    this.layers.forEach((layer, l) => {
      const out = ws.activations[l + 1]!;
      layer.forward(input, io, out, 0);
      if (l + 1 < this.layers.length) reluForward(out, 0, layer.outSize);
      input = out;
      io = 0;
    });
    const probs = ws.activations[this.layers.length]!;
    softmax(probs, 0, this.outputs);
    return probs;
  }

  /**
   * Forward and backward for one labelled sample, accumulating gradients. Returns the cross-entropy loss.
   * With softmax + cross-entropy, dL/dlogits = p − target: one-hot for a digit; for OUTLIER_LABEL the
   * uniform distribution (outlier exposure, Hendrycks et al. 2019), which teaches low confidence on it.
   */
  trainSample(x: Float32Array, xo: number, label: number, ws: Workspace): number {
    const probs = this.forward(x, xo, ws);
    const last = this.layers.length;
    const delta = ws.deltas[last]!;
    if (label === OUTLIER_LABEL) {
      let loss = 0;
      const k = this.outputs;
      for (let c = 0; c < k; c++) {
        delta[c] = OUTLIER_WEIGHT * (probs[c]! - 1 / k);
        loss -= (OUTLIER_WEIGHT * Math.log(Math.max(probs[c]!, 1e-12))) / k;
      }
      this.backward(x, xo, ws);
      return loss;
    }
    for (let c = 0; c < this.outputs; c++) delta[c] = probs[c]! - (c === label ? 1 : 0);
    this.backward(x, xo, ws);
    return -Math.log(Math.max(probs[label]!, 1e-12));
  }

  /** Backpropagates the output deltas already in the workspace, accumulating gradients. */
  private backward(x: Float32Array, xo: number, ws: Workspace): void {
    const last = this.layers.length;
    for (let l = last - 1; l >= 0; l--) {
      const layer = this.layers[l]!;
      const input = l === 0 ? x : ws.activations[l]!;
      layer.backward(input, l === 0 ? xo : 0, ws.deltas[l + 1]!, 0, l === 0 ? null : ws.deltas[l]!, 0);
    }
  }

  /**
   * One AdamW step on this thread over the batch `rows` of x (·×inputSize) with their labels: the step
   * src/train/mlp.ts takes with the batch split across threads. Returns the batch's summed loss.
   */
  trainBatch(
    x: Float32Array,
    labels: Uint8Array,
    rows: ArrayLike<number>,
    adam: AdamState,
    o: { lr: number; weightDecay: number; step: number },
    ws = new Workspace(this.sizes),
  ): number {
    this.grads.fill(0);
    let loss = 0;
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      loss += this.trainSample(x, r * this.inputSize, labels[r]!, ws);
    }
    adamwStep(adam, this.grads, 0, this.params.length, { ...o, batch: rows.length });
    return loss;
  }

  /** Fresh AdamW state for this network's parameters. */
  adamState(): AdamState {
    return { params: this.params, m: new Float32Array(this.params.length), v: new Float32Array(this.params.length), decay: this.decayMask() };
  }

  predictProba(x: Float32Array, n: number): Float32Array {
    const k = this.outputs;
    const out = new Float32Array(n * k);
    const ws = new Workspace(this.sizes);
    for (let r = 0; r < n; r++) out.set(this.forward(x, r * this.inputSize, ws), r * k);
    return out;
  }

  /** On pixel input, the first layer's weights into each hidden unit. */
  pictures(): Record<string, Picture> {
    const units = unitsPicture(this, 'First-layer units', 'digit');
    return units ? { weights: units } : {};
  }

  toJSON(): MlpJson {
    return {
      name: this.name,
      version: 1,
      activation: 'relu',
      output: 'softmax',
      sizes: this.sizes,
      layers: this.layers.map((l) => ({ w: encodeFloats(l.w), b: encodeFloats(l.b) })),
    };
  }

  /**
   * The same network with its weights quantised for the browser: each unit's incoming weights become
   * whole multiples of one scale (its largest |w| / COMPACT_LEVELS), written one base64 character per
   * weight (character k means k − 32). Biases stay float32; they are 0.1% of the parameters.
   */
  toCompactJSON(): MlpJson {
    return {
      ...this.toJSON(),
      layers: this.layers.map((l) => {
        const scale = new Float32Array(l.outSize);
        for (let i = 0; i < l.inSize; i++) for (let o = 0; o < l.outSize; o++) scale[o] = Math.max(scale[o]!, Math.abs(l.w[i * l.outSize + o]!));
        for (let o = 0; o < l.outSize; o++) scale[o] = scale[o]! / COMPACT_LEVELS || 1;
        let wq = '';
        for (let k = 0; k < l.w.length; k++) wq += ALPHABET[Math.round(l.w[k]! / scale[k % l.outSize]!) + 32];
        return { wq, scale: encodeFloats(scale), b: encodeFloats(l.b) };
      }),
    };
  }

  /** Reads an MLP block; `outputs` is the last layer's size the caller needs (10 for a digit classifier). */
  static load(json: unknown, outputs = CLASSES): Mlp {
    const j = modelBlock<MlpJson>(json, Mlp.kind, 1, Mlp.legacyNames);
    const sizes = j.sizes;
    if (!Array.isArray(sizes) || sizes.length < 2 || !sizes.every((s) => Number.isInteger(s) && s > 0 && s <= 1 << 16)) {
      throw new ModelFormatError('invalid model: MLP sizes must be a list of positive layer sizes');
    }
    if (sizes[sizes.length - 1] !== outputs) throw new ModelFormatError(`invalid model: the MLP's last layer must have ${outputs} outputs`);
    if (!Array.isArray(j.layers) || j.layers.length !== sizes.length - 1) {
      throw new ModelFormatError(`invalid model: MLP has ${sizes.length - 1} layer sizes but ${j.layers?.length ?? 0} weight blocks`);
    }
    const net = new Mlp(sizes);
    j.layers.forEach((block, l) => {
      const layer = net.layers[l]!;
      if (block && 'wq' in block) {
        const { wq } = block;
        if (typeof wq !== 'string' || wq.length !== layer.w.length)
          throw new ModelFormatError(`invalid model: MLP layer ${l} quantised weights must be ${layer.w.length} base64 characters`);
        const scale = decodeFloats(block.scale, layer.outSize, `MLP layer ${l} weight scales`);
        for (let k = 0; k < wq.length; k++) {
          const q = ALPHABET.indexOf(wq[k]!);
          if (q < 0) throw new ModelFormatError(`invalid model: MLP layer ${l} quantised weight ${k} is ${JSON.stringify(wq[k])}, not a base64 character`);
          layer.w[k] = (q - 32) * scale[k % layer.outSize]!;
        }
      } else {
        layer.w.set(decodeFloats(block?.w, layer.w.length, `MLP layer ${l} weights`));
      }
      layer.b.set(decodeFloats(block?.b, layer.b.length, `MLP layer ${l} biases`));
    });
    for (const v of net.params) if (!Number.isFinite(v)) throw new ModelFormatError('invalid model: MLP weights contain NaN or infinity');
    return net;
  }
}
