import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import { accumulateMoments, covarianceFromMoments, dot, projectRows, sparseCovariance } from '../../src/core/math/linalg.js';
import { Random } from '../../src/core/util/random.js';

const test = suite('linear algebra kernels');
const rng = new Random(11);

/** n×d rows, most entries zero as in MNIST. */
function sparseRows(n: number, d: number): Float32Array {
  return Float32Array.from({ length: n * d }, () => (rng.next() < 0.7 ? 0 : rng.next()));
}

test('dot equals the plain sum for odd and even lengths and offsets', () => {
  for (const n of [0, 1, 2, 7, 8]) {
    const a = Float64Array.from({ length: n + 3 }, () => rng.next() - 0.5);
    const b = Float64Array.from({ length: n + 1 }, () => rng.next() - 0.5);
    let s = 0;
    for (let i = 0; i < n; i++) s += a[i + 3]! * b[i + 1]!;
    assert.ok(Math.abs(dot(a, 3, b, 1, n) - s) < 1e-12, `n ${n}`);
  }
});

test('the sparse covariance equals the dense textbook one, and is symmetric', () => {
  const n = 50;
  const d = 9;
  const x = sparseRows(n, d);
  const { mean, cov } = sparseCovariance(x, n, d);
  for (let i = 0; i < d; i++) {
    let m = 0;
    for (let r = 0; r < n; r++) m += x[r * d + i]!;
    assert.ok(Math.abs(mean[i]! - m / n) < 1e-9);
  }
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let r = 0; r < n; r++) s += (x[r * d + i]! - mean[i]!) * (x[r * d + j]! - mean[j]!);
      assert.ok(Math.abs(cov[i * d + j]! - s / n) < 1e-9, `cov[${i}][${j}]`);
      assert.is(cov[i * d + j], cov[j * d + i]);
    }
  }
});

test('moments summed over row ranges give the covariance of all rows', () => {
  const n = 40;
  const d = 6;
  const x = sparseRows(n, d);
  const sum = new Float64Array(d);
  const moments = new Float64Array(d * d);
  accumulateMoments(x, d, 0, 13, sum, moments);
  accumulateMoments(x, d, 13, n, sum, moments);
  const split = covarianceFromMoments(sum, moments, n, d);
  const whole = sparseCovariance(x, n, d);
  for (const [i, v] of split.cov.entries()) assert.ok(Math.abs(v - whole.cov[i]!) < 1e-12);
});

test('projectRows equals (x − mean)·W, touching only the rows asked for', () => {
  const n = 5;
  const d = 8;
  const k = 3;
  const x = sparseRows(n, d);
  const w = Float32Array.from({ length: d * k }, () => rng.next() - 0.5); // d×k
  const mean = Float32Array.from({ length: d }, () => rng.next());
  const meanProjection = new Float32Array(k);
  for (let c = 0; c < k; c++) for (let i = 0; i < d; i++) meanProjection[c]! += mean[i]! * w[i * k + c]!;
  const out = new Float32Array(n * k).fill(7);
  projectRows(x, d, k, w, meanProjection, 1, 4, out);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < k; c++) {
      if (r < 1 || r >= 4) {
        assert.is(out[r * k + c], 7);
        continue;
      }
      let s = 0;
      for (let i = 0; i < d; i++) s += (x[r * d + i]! - mean[i]!) * w[i * k + c]!;
      assert.ok(Math.abs(out[r * k + c]! - s) < 1e-5, `row ${r} component ${c}`);
    }
  }
});

test.run();
