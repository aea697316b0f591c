import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { dot } from './linalg.js';

/** Modified Gram–Schmidt on k row vectors of length d, in place. */
function orthonormalizeRows(q: Float64Array, k: number, d: number): void {
  for (let j = 0; j < k; j++) {
    const before = Math.sqrt(dot(q, j * d, q, j * d, d));
    let norm = projectOut(q, j, d);
    // A row the others already span (C has rank below k: its direction carries no variance) would be
    // normalised rounding noise, no longer orthogonal to the rest. Any unit vector orthogonal to them serves.
    for (let axis = j; !(norm > 1e-9 * before); axis++) {
      q.fill(0, j * d, (j + 1) * d);
      q[j * d + (axis % d)] = 1;
      projectOut(q, j, d);
      norm = projectOut(q, j, d);
    }
    for (let t = 0; t < d; t++) q[j * d + t]! /= norm;
  }
}

/** Subtracts from row j its projections on rows 0..j-1; returns what is left of its length. */
function projectOut(q: Float64Array, j: number, d: number): number {
  for (let i = 0; i < j; i++) {
    const p = dot(q, j * d, q, i * d, d);
    for (let t = 0; t < d; t++) q[j * d + t]! -= p * q[i * d + t]!;
  }
  return Math.sqrt(dot(q, j * d, q, j * d, d));
}

/**
 * z_j = C·q_j for the k rows of q (C symmetric d×d), eight vectors per pass so each row of C is read once
 * per eight: C is 4.9 MB of float64, larger than a core's cache.
 */
function multiplyRows(c: Float64Array, q: Float64Array, k: number, d: number, z: Float64Array): void {
  let j = 0;
  for (; j + 7 < k; j += 8) {
    const q0 = j * d;
    for (let r = 0; r < d; r++) {
      const co = r * d;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let s4 = 0;
      let s5 = 0;
      let s6 = 0;
      let s7 = 0;
      for (let t = 0; t < d; t++) {
        const cv = c[co + t]!;
        s0 += cv * q[q0 + t]!;
        s1 += cv * q[q0 + d + t]!;
        s2 += cv * q[q0 + 2 * d + t]!;
        s3 += cv * q[q0 + 3 * d + t]!;
        s4 += cv * q[q0 + 4 * d + t]!;
        s5 += cv * q[q0 + 5 * d + t]!;
        s6 += cv * q[q0 + 6 * d + t]!;
        s7 += cv * q[q0 + 7 * d + t]!;
      }
      z[q0 + r] = s0;
      z[q0 + d + r] = s1;
      z[q0 + 2 * d + r] = s2;
      z[q0 + 3 * d + r] = s3;
      z[q0 + 4 * d + r] = s4;
      z[q0 + 5 * d + r] = s5;
      z[q0 + 6 * d + r] = s6;
      z[q0 + 7 * d + r] = s7;
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
      const settled = previous.length > 0 && ritz.values.slice(0, count).every((v, i) => Math.abs(v - previous[i]!) <= tolerance * Math.abs(ritz.values[0]!));
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
