import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import { PCA } from 'ml-pca';
import { head, PIXELS, toUnit, asRows } from '../../src/core/frame.js';
import { loadMnist } from '../../src/data/mnist.js';
import { Pca } from '../../src/core/features/pca.js';
import { fitPca } from '../../src/core/features/pca-fit.js';

const test = suite('PCA');
const sample = head(loadMnist().train, 600);
const x = toUnit(sample.pixels);

test("the first 50 components match ml-pca's own fit (|cosine| ≥ 0.999)", () => {
  // ml-pca's SVD takes seconds on 600 images; 300 make the same check.
  const n = 300;
  const ours = fitPca(asRows(x, n, PIXELS), { components: 50 });
  const rows = Array.from({ length: n }, (_, i) => Array.from(x.subarray(i * PIXELS, (i + 1) * PIXELS)));
  const ref = new PCA(rows, { center: true, scale: false }).getEigenvectors();
  for (let c = 0; c < 50; c++) {
    let dot = 0;
    for (let i = 0; i < PIXELS; i++) dot += ours.vectors[c * PIXELS + i]! * ref.get(i, c);
    assert.ok(Math.abs(dot) >= 0.999, `component ${c + 1}: |cos| ${Math.abs(dot)}`);
  }
});

test('explained variance is descending and below 1 in total', () => {
  const p = fitPca(asRows(x, sample.n, PIXELS), { components: 30 });
  for (let i = 1; i < 30; i++) assert.ok(p.explainedVariance[i]! <= p.explainedVariance[i - 1]! + 1e-9);
  const total = p.explainedVariance.reduce((a, b) => a + b, 0);
  assert.ok(total > 0.5 && total < 1, `total ${total}`);
});

test('projection equals (x − mean)·components computed densely', () => {
  const p = fitPca(asRows(x, sample.n, PIXELS), { components: 10 });
  const proj = p.project(x.subarray(0, 3 * PIXELS), 3);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 10; c++) {
      let s = 0;
      for (let i = 0; i < PIXELS; i++) s += (x[r * PIXELS + i]! - p.mean[i]!) * p.vectors[c * PIXELS + i]!;
      assert.ok(Math.abs(s - proj[r * 10 + c]!) < 1e-3, `row ${r} component ${c}: ${s} vs ${proj[r * 10 + c]}`);
    }
  }
});

test('a JSON round-trip projects identically', () => {
  const p = fitPca(asRows(x, sample.n, PIXELS), { components: 20 });
  const q = Pca.load(JSON.parse(JSON.stringify(p.toJSON())));
  assert.equal(Array.from(q.project(x, 10)), Array.from(p.project(x, 10)));
});

test('loading a damaged PCA block is a clear error', () => {
  const j = fitPca(asRows(x, sample.n, PIXELS), { components: 5 }).toJSON();
  assert.throws(() => Pca.load({ ...j, vectors: j.vectors.slice(0, 100) }), /PCA vectors holds \d+ values, expected 3920/);
  assert.throws(() => Pca.load({ ...j, version: 9 }), /PCA version 9 is not supported/);
});

test.run();
