/* Numeric kernels on flat typed arrays: no dependencies, so worker threads load them quickly. */

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
 * Adds rows [from, to) of x (n×d) into `sum` (d) and the upper triangle of `moments` (d×d, float64). Rows
 * are mostly zeros (MNIST is ~81% zeros), so the second moment runs only over each row's non-zeros.
 */
export function accumulateMoments(x: Float32Array, d: number, from: number, to: number, sum: Float64Array, moments: Float64Array): void {
  const idx = new Int32Array(d);
  const val = new Float64Array(d);
  for (let r = from; r < to; r++) {
    let m = 0;
    const off = r * d;
    for (let i = 0; i < d; i++) {
      const v = x[off + i]!;
      if (v !== 0) {
        idx[m] = i;
        val[m] = v;
        m++;
        sum[i]! += v;
      }
    }
    // Unrolled by four: this loop is ~1.2G multiply-adds on full deskewed MNIST.
    for (let a = 0; a < m; a++) {
      const base = idx[a]! * d;
      const va = val[a]!;
      let b = a;
      for (; b + 3 < m; b += 4) {
        moments[base + idx[b]!]! += va * val[b]!;
        moments[base + idx[b + 1]!]! += va * val[b + 1]!;
        moments[base + idx[b + 2]!]! += va * val[b + 2]!;
        moments[base + idx[b + 3]!]! += va * val[b + 3]!;
      }
      for (; b < m; b++) moments[base + idx[b]!]! += va * val[b]!;
    }
  }
}

/** Mean and full symmetric covariance from n rows' sums and upper-triangle second moments (in place). */
export function covarianceFromMoments(sum: Float64Array, moments: Float64Array, n: number, d: number): { mean: Float64Array; cov: Float64Array } {
  const mean = sum.map((s) => s / n);
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      const c = moments[i * d + j]! / n - mean[i]! * mean[j]!;
      moments[i * d + j] = c;
      moments[j * d + i] = c;
    }
  }
  return { mean, cov: moments };
}

/** Mean and covariance (d×d, row-major, float64) of n rows of dimension d, on this thread. */
export function sparseCovariance(x: Float32Array, n: number, d: number): { mean: Float64Array; cov: Float64Array } {
  const sum = new Float64Array(d);
  const moments = new Float64Array(d * d);
  accumulateMoments(x, d, 0, n, sum, moments);
  return covarianceFromMoments(sum, moments, n, d);
}

/**
 * Rows [from, to) of x (·×d) projected onto k components: out[r] = x[r]·W − mean·W, with W stored d×k so
 * each non-zero input adds one contiguous row. Only non-zero inputs are touched.
 */
export function projectRows(
  x: Float32Array,
  d: number,
  k: number,
  vectorsT: Float32Array,
  meanProjection: Float32Array,
  from: number,
  to: number,
  out: Float32Array,
): void {
  const acc = new Float64Array(k);
  const nonZero = new Int32Array(d);
  for (let r = from; r < to; r++) {
    const xo = r * d;
    let m = 0;
    for (let i = 0; i < d; i++) if (x[xo + i] !== 0) nonZero[m++] = i;
    for (let c = 0; c < k; c++) acc[c] = -meanProjection[c]!;
    for (let a = 0; a < m; a++) {
      const i = nonZero[a]!;
      const v = x[xo + i]!;
      const wo = i * k;
      let c = 0;
      for (; c + 3 < k; c += 4) {
        acc[c]! += v * vectorsT[wo + c]!;
        acc[c + 1]! += v * vectorsT[wo + c + 1]!;
        acc[c + 2]! += v * vectorsT[wo + c + 2]!;
        acc[c + 3]! += v * vectorsT[wo + c + 3]!;
      }
      for (; c < k; c++) acc[c]! += v * vectorsT[wo + c]!;
    }
    out.set(acc, r * k);
  }
}
