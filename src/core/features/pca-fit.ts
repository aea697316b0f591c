import { topEigenpairs } from '../math/eigen.js';
import { sparseCovariance } from '../math/linalg.js';
import type { Rows } from '../frame.js';
import { Pca } from './pca.js';

/* Fitting a PCA, apart from the Pca class: the eigen-solver (ml-matrix) stays out of the pages' bundle. */

/** Fits the leading `components` principal components of the rows, on this thread. */
export function fitPca({ x, n, d }: Rows, { components = 50 } = {}): Pca {
  return pcaFromCovariance(sparseCovariance(x, n, d), d, components);
}

/** The fit from a covariance accumulated elsewhere (src/train/parallel.ts sums it on all cores). */
export function pcaFromCovariance({ mean, cov }: { mean: Float64Array; cov: Float64Array }, d: number, components: number): Pca {
  if (components < 1 || components > d) throw new RangeError(`components must be 1..${d}, got ${components}`);
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
