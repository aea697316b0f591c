import { sparseCovariance, topEigenpairs } from '../math/linalg.js';
import { ModelFormatError } from '../util/errors.js';
import { decodeFloats, encodeFloats } from '../util/floats.js';

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

/** Principal components, fitted on typed arrays; projection is a sparse-aware kernel. */
export class Pca {
  /** vectorsT is inputSize×components so a non-zero input pixel adds one contiguous row. */
  private readonly vectorsT: Float32Array;
  /** mean·Wᵀ, subtracted once instead of centring every input. */
  private readonly meanProjection: Float32Array;

  private constructor(
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

  /** Fits the leading `components` principal components of n rows of x (n×d). */
  static fit(x: Float32Array, n: number, d: number, { components = 50 } = {}): Pca {
    if (components < 1 || components > d) throw new RangeError(`components must be 1..${d}, got ${components}`);
    const { mean, cov } = sparseCovariance(x, n, d);
    let total = 0;
    for (let i = 0; i < d; i++) total += cov[i * d + i] as number;
    const { values, vectors } = topEigenpairs(cov, d, components);
    return new Pca(
      d,
      components,
      Float32Array.from(mean),
      Float32Array.from(vectors),
      Array.from(values, (v) => v / total),
    );
  }

  /** The same PCA keeping only its first `components`. */
  truncate(components: number): Pca {
    if (components > this.components) throw new RangeError(`cannot keep ${components} of ${this.components} components`);
    return new Pca(
      this.inputSize,
      components,
      this.mean,
      this.vectors.slice(0, components * this.inputSize),
      this.explainedVariance.slice(0, components),
    );
  }

  /** Projects n rows of x (n×inputSize) to n×components, touching only the non-zero inputs. */
  project(x: Float32Array, n: number): Float32Array {
    const d = this.inputSize;
    const k = this.components;
    const out = new Float32Array(n * k);
    const wt = this.vectorsT;
    const acc = new Float64Array(k);
    const nonZero = new Int32Array(d);
    for (let r = 0; r < n; r++) {
      const xo = r * d;
      let m = 0;
      for (let i = 0; i < d; i++) if (x[xo + i] !== 0) nonZero[m++] = i;
      for (let c = 0; c < k; c++) acc[c] = -this.meanProjection[c]!;
      for (let a = 0; a < m; a++) {
        const i = nonZero[a]!;
        const v = x[xo + i]!;
        const wo = i * k;
        let c = 0;
        for (; c + 3 < k; c += 4) {
          acc[c]! += v * wt[wo + c]!;
          acc[c + 1]! += v * wt[wo + c + 1]!;
          acc[c + 2]! += v * wt[wo + c + 2]!;
          acc[c + 3]! += v * wt[wo + c + 3]!;
        }
        for (; c < k; c++) acc[c]! += v * wt[wo + c]!;
      }
      out.set(acc, r * k);
    }
    return out;
  }

  toJSON(): PcaJson {
    return {
      name: 'PCA',
      version: 1,
      inputSize: this.inputSize,
      components: this.components,
      explainedVariance: this.explainedVariance.map((v) => Number(v.toPrecision(6))),
      mean: encodeFloats(this.mean),
      vectors: encodeFloats(this.vectors),
    };
  }

  static load(json: unknown): Pca {
    const j = json as Partial<PcaJson> | null;
    if (!j || typeof j !== 'object' || j.name !== 'PCA') throw new ModelFormatError('invalid model: expected a PCA block');
    if (j.version !== 1) throw new ModelFormatError(`invalid model: PCA version ${String(j.version)} is not supported (expected 1)`);
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
      decodeFloats(j.mean, d as number, 'PCA mean'),
      decodeFloats(j.vectors, (d as number) * (k as number), 'PCA vectors'),
      j.explainedVariance.map(Number),
    );
  }
}
