import { CLASSES } from '../frame.js';
import { ModelFormatError } from '../util/errors.js';
import { ALPHABET, decodeFloat32, encodeTensor } from '../util/tensors.js';
import { type Picture, unitsPicture } from './pictures.js';
import type { Classifier, ClassifierJson } from './classifier.js';
import { modelBlock } from '../util/model-json.js';
import { Arena, type Kernels, kernelMemory, kernelsOn } from '../math/kernels.js';

/** One thread's working space: an input block of `blockRows` rows, each layer's outputs and output gradients. */
export interface ThreadLayout {
  /** Activations block per layer, input first: blockRows × sizes[l]. */
  acts: number[];
  /** Gradient of the loss at each activation block (index 0 unused). */
  deltas: number[];
  /** This thread's summed gradients (0: an inference-only network has none). */
  grads: number;
  /** Kernel scratch: 8 bytes × max(largest layer, blockRows). */
  pairs: number;
}

/**
 * Where a network's arrays sit in kernel memory (byte offsets): the parameters and AdamW moments, shared by
 * all threads, and each thread's own gradients and working space.
 */
export interface MlpLayout {
  sizes: number[];
  paramCount: number;
  params: number;
  /** AdamW's moments; 0 for an inference-only network. */
  m: number;
  v: number;
  blockRows: number;
  threads: ThreadLayout[];
  bytes: number;
}

/** Rows a network forwards at a time when predicting: enough to amortise each call, small enough to stay in cache. */
const PREDICT_ROWS = 64;

/** The layout of a network of `sizes` in memory: for training (moments, gradients) on `threads` threads, or not. */
export function mlpLayout(sizes: number[], o: { training: boolean; threads?: number; blockRows?: number }): MlpLayout {
  const arena = new Arena();
  const paramCount = Mlp.paramCount(sizes);
  const params = arena.floats(paramCount);
  const m = o.training ? arena.floats(paramCount) : 0;
  const v = o.training ? arena.floats(paramCount) : 0;
  const blockRows = o.blockRows ?? PREDICT_ROWS;
  const threads = Array.from({ length: o.threads ?? 1 }, () => ({
    grads: o.training ? arena.floats(paramCount) : 0,
    acts: sizes.map((s) => arena.floats(blockRows * s)),
    deltas: sizes.map((s, l) => (l === 0 || !o.training ? 0 : arena.floats(blockRows * s))),
    pairs: arena.floats(2 * Math.max(blockRows, ...sizes)),
  }));
  return { sizes, paramCount, params, m, v, blockRows, threads, bytes: arena.bytes };
}

/**
 * A fully connected layer, weights stored input-major (in×out) so that a zero input skips a whole row:
 * MNIST pixels are ~81% zeros and about half of ReLU outputs are zero, in the forward pass and in the
 * weight gradient alike. Its arrays are views into kernel memory; `at` holds their byte offsets.
 */
export class Dense {
  readonly w: Float32Array;
  readonly b: Float32Array;
  readonly gw: Float32Array;
  readonly gb: Float32Array;

  constructor(
    readonly inSize: number,
    readonly outSize: number,
    buffer: ArrayBufferLike,
    readonly at: { w: number; b: number; gw: number; gb: number },
  ) {
    this.w = new Float32Array(buffer, at.w, inSize * outSize);
    this.b = new Float32Array(buffer, at.b, outSize);
    this.gw = at.gw ? new Float32Array(buffer, at.gw, inSize * outSize) : new Float32Array(0);
    this.gb = at.gb ? new Float32Array(buffer, at.gb, outSize) : new Float32Array(0);
  }

  static paramCount(inSize: number, outSize: number): number {
    return inSize * outSize + outSize;
  }
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
export const NON_DIGIT_LABEL = CLASSES;
/**
 * The default weight of a not-a-digit image's loss against a digit's (Hendrycks et al. use 0.5): digits come
 * first. Committee members train with less (`--non-digit-weight`, docs/decisions.md).
 */
export const NON_DIGIT_WEIGHT = 0.5;

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

/**
 * A softmax multilayer perceptron with ReLU hidden layers. Its parameters sit in one flat Float32Array in
 * kernel memory (src/core/math/kernels.wat), where the SIMD kernels run every layer over blocks of rows.
 */
export class Mlp implements Classifier {
  static readonly kind = 'mlp';
  static readonly legacyNames = ['MLP'];
  readonly name = Mlp.kind;
  readonly layers: Dense[];
  readonly params: Float32Array;
  /** This thread's summed gradients; empty for an inference-only network. */
  readonly grads: Float32Array;
  /** The kernels and this thread's working space, for the training steps (src/train/mlp-steps.ts). */
  readonly k: Kernels;
  readonly ws: ThreadLayout;

  readonly sizes: number[];
  readonly layout: MlpLayout;

  /**
   * A network of `sizes` with its own memory, holding a copy of `params` if given (zeros otherwise); with
   * `training`, also room for its gradients and AdamW moments. With `on`, the network laid out there
   * instead, worked on as thread `thread`, with no copy: how the trainer's threads share one.
   */
  constructor(sizes: number[], params?: Float32Array, o: { training?: boolean; on?: { k: Kernels; layout: MlpLayout; thread: number } } = {}) {
    Mlp.checkSizes(sizes);
    const layout = o.on?.layout ?? mlpLayout(sizes, { training: o.training ?? false });
    if (layout.sizes.join() !== sizes.join()) throw new RangeError(`layout for ${layout.sizes.join('-')}, not ${sizes.join('-')}`);
    this.sizes = sizes;
    this.layout = layout;
    this.k = o.on?.k ?? kernelsOn(kernelMemory(layout.bytes));
    this.ws = layout.threads[o.on?.thread ?? 0]!;
    const buffer = this.k.memory.buffer;
    this.params = new Float32Array(buffer, layout.params, layout.paramCount);
    this.grads = this.ws.grads ? new Float32Array(buffer, this.ws.grads, layout.paramCount) : new Float32Array(0);
    this.layers = [];
    let at = layout.params;
    const grad = (p: number) => (this.ws.grads ? this.ws.grads - layout.params + p : 0);
    for (let l = 0; l + 1 < sizes.length; l++) {
      const [inSize, outSize] = [sizes[l]!, sizes[l + 1]!];
      const b = at + inSize * outSize * 4;
      this.layers.push(new Dense(inSize, outSize, buffer, { w: at, b, gw: grad(at), gb: grad(b) }));
      at = b + outSize * 4;
    }
    if (params) {
      if (params.length !== layout.paramCount) throw new RangeError(`expected ${layout.paramCount} parameters, got ${params.length}`);
      this.params.set(params);
    }
  }

  private static checkSizes(sizes: number[]): void {
    if (sizes.length < 2 || sizes.some((s) => !Number.isInteger(s) || s < 1)) throw new RangeError(`invalid layer sizes ${sizes.join('-')}`);
    if (sizes[sizes.length - 1]! < 2) throw new RangeError('the last layer needs at least 2 outputs');
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

  /** Rows the input block holds: what forwardBlock and trainBlock take at most. */
  get blockRows(): number {
    return this.layout.blockRows;
  }

  /** The input block (blockRows × inputSize): fill its first rows, then forwardBlock or trainBlock them. */
  inputBlock(): Float32Array {
    return new Float32Array(this.k.memory.buffer, this.ws.acts[0]!, this.blockRows * this.inputSize);
  }

  /** Forward pass of the input block's first `rows` rows; returns their probabilities (rows × outputs), a view. */
  forwardBlock(rows: number): Float32Array {
    const { k, ws } = this;
    this.layers.forEach((layer, l) => {
      const relu = l + 1 < this.layers.length ? 1 : 0;
      k.forward(ws.acts[l]!, rows, layer.inSize, layer.outSize, layer.at.w, layer.at.b, ws.acts[l + 1]!, relu, ws.pairs);
    });
    const probs = new Float32Array(this.k.memory.buffer, ws.acts[this.layers.length]!, rows * this.outputs);
    for (let r = 0; r < rows; r++) softmax(probs, r * this.outputs, this.outputs);
    return probs;
  }

  /** The probabilities of n rows of x, written to out (n × outputs). */
  predictInto(x: Float32Array, n: number, out: Float32Array): void {
    const input = this.inputBlock();
    const d = this.inputSize;
    for (let s = 0; s < n; s += this.blockRows) {
      const count = Math.min(this.blockRows, n - s);
      input.set(x.subarray(s * d, (s + count) * d));
      out.set(this.forwardBlock(count), s * this.outputs);
    }
  }

  predictProba(x: Float32Array, n: number): Float32Array {
    const out = new Float32Array(n * this.outputs);
    this.predictInto(x, n, out);
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
      layers: this.layers.map((l) => ({ w: encodeTensor(l.w), b: encodeTensor(l.b) })),
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
        const scale = decodeFloat32(block.scale, layer.outSize, `MLP layer ${l} weight scales`);
        for (let k = 0; k < wq.length; k++) {
          const q = ALPHABET.indexOf(wq[k]!);
          if (q < 0) throw new ModelFormatError(`invalid model: MLP layer ${l} quantised weight ${k} is ${JSON.stringify(wq[k])}, not a base64 character`);
          layer.w[k] = (q - 32) * scale[k % layer.outSize]!;
        }
      } else {
        layer.w.set(decodeFloat32(block?.w, layer.w.length, `MLP layer ${l} weights`));
      }
      layer.b.set(decodeFloat32(block?.b, layer.b.length, `MLP layer ${l} biases`));
    });
    for (const v of net.params) if (!Number.isFinite(v)) throw new ModelFormatError('invalid model: MLP weights contain NaN or infinity');
    return net;
  }
}
