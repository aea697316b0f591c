import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import { topEigenpairs } from '../../src/core/math/eigen.js';
import { sparseCovariance } from '../../src/core/math/linalg.js';
import { Random } from '../../src/core/util/random.js';

const test = suite('top eigenpairs');
const rng = new Random(3);

/** A random symmetric positive semi-definite matrix: the covariance of random rows. */
function randomCovariance(n: number, d: number): Float64Array {
  const x = Float32Array.from({ length: n * d }, () => rng.next() * (rng.next() < 0.5 ? 1 : 0.2));
  return sparseCovariance(x, n, d).cov;
}

test('each eigenpair satisfies Av = λv, values descend, vectors are orthonormal', () => {
  const d = 40;
  const c = randomCovariance(300, d);
  const count = 6;
  const { values, vectors } = topEigenpairs(c, d, count);
  for (let r = 0; r < count; r++) {
    if (r > 0) assert.ok(values[r]! <= values[r - 1]! + 1e-12, 'descending');
    for (let i = 0; i < d; i++) {
      let av = 0;
      for (let j = 0; j < d; j++) av += c[i * d + j]! * vectors[r * d + j]!;
      assert.ok(Math.abs(av - values[r]! * vectors[r * d + i]!) < 1e-6 * values[0]!, `pair ${r}, row ${i}`);
    }
    for (let s = 0; s <= r; s++) {
      let dot = 0;
      for (let t = 0; t < d; t++) dot += vectors[r * d + t]! * vectors[s * d + t]!;
      assert.ok(Math.abs(dot - (r === s ? 1 : 0)) < 1e-6, `v${r}·v${s} = ${dot}`);
    }
  }
});

test('a diagonal matrix gives its largest entries and the matching unit vectors', () => {
  const d = 12;
  const c = new Float64Array(d * d);
  const diag = [3, 9, 1, 7, 0.5, 5, 2, 0, 4, 6, 8, 1.5];
  for (const [i, v] of diag.entries()) c[i * d + i] = v;
  const { values, vectors } = topEigenpairs(c, d, 3);
  assert.equal(
    Array.from(values, (v) => Number(v.toFixed(9))),
    [9, 8, 7],
  );
  for (const [r, axis] of [1, 10, 3].entries()) assert.ok(Math.abs(vectors[r * d + axis]! - 1) < 1e-9, `vector ${r} along axis ${axis}`);
});

test('the largest entry of each vector is positive, so fits compare across runs', () => {
  const d = 20;
  const { vectors } = topEigenpairs(randomCovariance(100, d), d, 4);
  for (let r = 0; r < 4; r++) {
    const row = Array.from(vectors.subarray(r * d, (r + 1) * d));
    const big = row.reduce((a, b) => (Math.abs(b) > Math.abs(a) ? b : a), 0);
    assert.ok(big > 0);
  }
});

test.run();
