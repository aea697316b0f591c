import { projectRows } from '../math/linalg.js';
import { ModelFormatError } from '../util/errors.js';
import { decodeFloat32, encodeTensor } from '../util/tensors.js';
import { modelBlock } from '../util/model-json.js';

export interface PcaJson {
  name: 'PCA';
  version: 1;
  inputSize: number;
  components: number;
  /** Fraction of the total variance each kept component explains. */
  explainedVariance: number[];
  mean: string;
  /** components×inputSize, row-major, base64 little-endian float32. */
  vectors: string;
}

/**
 * Principal components: projection is a sparse-aware kernel, on one thread, anywhere. Fitting is in
 * pca-fit.ts, so that the pages, which only project, carry no eigen-solver; src/train/parallel.ts spreads
 * the fit and projection over all cores.
 */
export class Pca {
  /** vectorsT is inputSize×components so a non-zero input pixel adds one contiguous row. */
  readonly vectorsT: Float32Array;
  /** mean·Wᵀ, subtracted once instead of centring every input. */
  readonly meanProjection: Float32Array;

  constructor(
    readonly inputSize: number,
    readonly components: number,
    readonly mean: Float32Array,
    readonly vectors: Float32Array,
    readonly explainedVariance: number[],
  ) {
    this.vectorsT = new Float32Array(inputSize * components);
    this.meanProjection = new Float32Array(components);
    for (let c = 0; c < components; c++) {
      let mp = 0;
      for (let i = 0; i < inputSize; i++) {
        const w = vectors[c * inputSize + i] as number;
        this.vectorsT[i * components + c] = w;
        mp += w * (mean[i] as number);
      }
      this.meanProjection[c] = mp;
    }
  }

  /** The same PCA keeping only its first `components`. */
  truncate(components: number): Pca {
    if (components > this.components) throw new RangeError(`cannot keep ${components} of ${this.components} components`);
    return new Pca(this.inputSize, components, this.mean, this.vectors.slice(0, components * this.inputSize), this.explainedVariance.slice(0, components));
  }

  /** Projects n rows of x (n×inputSize) to n×components on this thread. */
  /** One row of components back to the input space: mean + Σ features[c]·vectors[c]. */
  reconstruct(features: Float32Array): Float32Array {
    const out = Float32Array.from(this.mean);
    for (let c = 0; c < this.components; c++) {
      const f = features[c]!;
      for (let i = 0; i < this.inputSize; i++) out[i]! += f * this.vectors[c * this.inputSize + i]!;
    }
    return out;
  }

  project(x: Float32Array, n: number): Float32Array {
    const out = new Float32Array(n * this.components);
    projectRows(x, this.inputSize, this.components, this.vectorsT, this.meanProjection, 0, n, out);
    return out;
  }

  toJSON(): PcaJson {
    return {
      name: 'PCA',
      version: 1,
      inputSize: this.inputSize,
      components: this.components,
      explainedVariance: this.explainedVariance.map((v) => Number(v.toPrecision(6))),
      mean: encodeTensor(this.mean),
      vectors: encodeTensor(this.vectors),
    };
  }

  static load(json: unknown): Pca {
    const j = modelBlock<PcaJson>(json, 'PCA', 1);
    const d = j.inputSize;
    const k = j.components;
    if (!Number.isInteger(d) || !Number.isInteger(k) || (d as number) < 1 || (k as number) < 1 || (k as number) > (d as number)) {
      throw new ModelFormatError('invalid model: PCA inputSize/components are not valid sizes');
    }
    if (!Array.isArray(j.explainedVariance) || j.explainedVariance.length !== k) {
      throw new ModelFormatError('invalid model: PCA explainedVariance must have one entry per component');
    }
    return new Pca(
      d as number,
      k as number,
      decodeFloat32(j.mean, d as number, 'PCA mean'),
      decodeFloat32(j.vectors, (d as number) * (k as number), 'PCA vectors'),
      j.explainedVariance.map(Number),
    );
  }
}
