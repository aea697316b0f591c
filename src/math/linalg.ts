import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

/** Dot product of a[ao..ao+n) and b[bo..bo+n). */
export function dot(a: Float64Array | Float32Array, ao: number, b: Float64Array | Float32Array, bo: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    s0 += a[ao + i]! * b[bo + i]!;
    s1 += a[ao + i + 1]! * b[bo + i + 1]!;
  }
  if (i < n) s0 += a[ao + i]! * b[bo + i]!;
  return s0 + s1;
}

/**
 * Mean and covariance (d×d, row-major, float64) of n rows of dimension d. Rows are mostly zeros (MNIST is ~81%
 * zeros), so the second moment is accumulated only over each row's non-zero entries, upper triangle only.
 */
export function sparseCovariance(x: Float32Array, n: number, d: number): { mean: Float64Array; cov: Float64Array } {
  const mean = new Float64Array(d);
  const cov = new Float64Array(d * d);
  const idx = new Int32Array(d);
  const val = new Float64Array(d);
  for (let r = 0; r < n; r++) {
    let m = 0;
    const off = r * d;
    for (let i = 0; i < d; i++) {
      const v = x[off + i]!;
      if (v !== 0) {
        idx[m] = i;
        val[m] = v;
        m++;
        mean[i]! += v;
      }
    }
    // Unrolled by four: this loop is ~675M multiply-adds on full MNIST.
    for (let a = 0; a < m; a++) {
      const base = idx[a]! * d;
      const va = val[a]!;
      let b = a;
      for (; b + 3 < m; b += 4) {
        cov[base + idx[b]!]! += va * val[b]!;
        cov[base + idx[b + 1]!]! += va * val[b + 1]!;
        cov[base + idx[b + 2]!]! += va * val[b + 2]!;
        cov[base + idx[b + 3]!]! += va * val[b + 3]!;
      }
      for (; b < m; b++) cov[base + idx[b]!]! += va * val[b]!;
    }
  }
  for (let i = 0; i < d; i++) mean[i]! /= n;
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      const c = cov[i * d + j]! / n - mean[i]! * mean[j]!;
      cov[i * d + j] = c;
      cov[j * d + i] = c;
    }
  }
  return { mean, cov };
}

/** Modified Gram–Schmidt on k row vectors of length d, in place. */
function orthonormalizeRows(q: Float64Array, k: number, d: number): void {
  for (let j = 0; j < k; j++) {
    for (let i = 0; i < j; i++) {
      const p = dot(q, j * d, q, i * d, d);
      for (let t = 0; t < d; t++) q[j * d + t]! -= p * q[i * d + t]!;
    }
    const norm = Math.sqrt(dot(q, j * d, q, j * d, d)) || 1;
    for (let t = 0; t < d; t++) q[j * d + t]! /= norm;
  }
}

/** z_j = C·q_j for the k rows of q (C symmetric d×d), four vectors at a time so each row of C is read once per four. */
function multiplyRows(c: Float64Array, q: Float64Array, k: number, d: number, z: Float64Array): void {
  let j = 0;
  for (; j + 3 < k; j += 4) {
    const q0 = j * d;
    const q1 = q0 + d;
    const q2 = q1 + d;
    const q3 = q2 + d;
    for (let r = 0; r < d; r++) {
      const co = r * d;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let t = 0; t < d; t++) {
        const cv = c[co + t]!;
        s0 += cv * q[q0 + t]!;
        s1 += cv * q[q1 + t]!;
        s2 += cv * q[q2 + t]!;
        s3 += cv * q[q3 + t]!;
      }
      z[q0 + r] = s0;
      z[q1 + r] = s1;
      z[q2 + r] = s2;
      z[q3 + r] = s3;
    }
  }
  for (; j < k; j++) {
    for (let r = 0; r < d; r++) z[j * d + r] = dot(c, r * d, q, j * d, d);
  }
}

/** Ritz values and vectors: diagonalise B = Qᵀ C Q (z = C·Q already computed), eigenvalues descending. */
function rayleighRitz(q: Float64Array, z: Float64Array, k: number, d: number): { values: number[]; columns: number[]; u: Matrix } {
  const b = new Matrix(k, k);
  for (let i = 0; i < k; i++) {
    for (let j = i; j < k; j++) {
      const v = dot(q, i * d, z, j * d, d);
      b.set(i, j, v);
      b.set(j, i, v);
    }
  }
  const evd = new EigenvalueDecomposition(b, { assumeSymmetric: true });
  const order = evd.realEigenvalues.map((v, i) => [v, i] as const).sort((x, y) => y[0] - x[0]);
  return { values: order.map((o) => o[0]), columns: order.map((o) => o[1]), u: evd.eigenvectorMatrix };
}

/**
 * Leading eigenpairs of a symmetric positive semi-definite matrix by block subspace iteration with
 * Rayleigh–Ritz: far cheaper than a full decomposition when only the top ~100 of 784 are wanted.
 * Stops when the leading Ritz values settle (eigenvalue error is about the square of the vector error).
 * Returns eigenvalues descending and eigenvectors as rows.
 */
export function topEigenpairs(
  c: Float64Array,
  d: number,
  count: number,
  { oversample = 16, maxIterations = 200, tolerance = 1e-9, checkEvery = 4, seed = 1 } = {},
): { values: Float64Array; vectors: Float64Array; iterations: number } {
  const k = Math.min(d, count + oversample);
  let q = new Float64Array(k * d);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < q.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    q[i] = (s >>> 0) / 4294967296 - 0.5;
  }
  orthonormalizeRows(q, k, d);
  let z = new Float64Array(k * d);
  let previous: number[] = [];
  let iterations = 0;
  for (;;) {
    multiplyRows(c, q, k, d, z);
    iterations++;
    if (iterations % checkEvery === 0 || iterations >= maxIterations) {
      const ritz = rayleighRitz(q, z, k, d);
      const settled =
        previous.length > 0 &&
        ritz.values.slice(0, count).every((v, i) => Math.abs(v - previous[i]!) <= tolerance * Math.abs(ritz.values[0]!));
      previous = ritz.values;
      if (settled || iterations >= maxIterations) return ritzVectors(ritz, q, count, d, iterations);
    }
    [q, z] = [z, q];
    orthonormalizeRows(q, k, d);
  }
}

function ritzVectors(
  ritz: { values: number[]; columns: number[]; u: Matrix },
  q: Float64Array,
  count: number,
  d: number,
  iterations: number,
): { values: Float64Array; vectors: Float64Array; iterations: number } {
  const k = ritz.values.length;
  const values = new Float64Array(count);
  const vectors = new Float64Array(count * d);
  for (let r = 0; r < count; r++) {
    const col = ritz.columns[r]!;
    values[r] = Math.max(0, ritz.values[r]!);
    for (let i = 0; i < k; i++) {
      const w = ritz.u.get(i, col);
      for (let t = 0; t < d; t++) vectors[r * d + t]! += w * q[i * d + t]!;
    }
    // Sign convention: largest-magnitude entry positive, so fits are comparable across runs.
    let big = 0;
    for (let t = 0; t < d; t++) if (Math.abs(vectors[r * d + t]!) > Math.abs(big)) big = vectors[r * d + t]!;
    if (big < 0) for (let t = 0; t < d; t++) vectors[r * d + t]! *= -1;
  }
  return { values, vectors, iterations };
}
