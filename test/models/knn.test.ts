import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import { head, PIXELS, take, toUnit, asRows } from '../../src/core/frame.js';
import { loadMnist } from '../../src/data/mnist.js';
import { evaluate } from '../../src/eval/metrics.js';
import { KnnClassifier } from '../../src/core/models/knn.js';
import { isProbabilityRows } from '../../src/core/models/model.js';
import { fitPca } from '../../src/core/features/pca-fit.js';

const test = suite('kNN');
const mnist = loadMnist();
const train = head(mnist.train, 2000);
const held = take(
  mnist.test,
  Array.from({ length: 500 }, (_, i) => i),
);
const pca = fitPca(asRows(toUnit(train.pixels), train.n, PIXELS), { components: 40 });
const trainX = pca.project(toUnit(train.pixels), train.n);
const testX = pca.project(toUnit(held.pixels), held.n);

test('kNN trained on 2,000 images scores ≥ 85% on 500 test images', () => {
  const knn = KnnClassifier.fit(asRows(trainX, train.labels!.length, 40), train.labels!, { k: 4 });
  const p = knn.predictProba(testX, held.n);
  assert.ok(isProbabilityRows(p, held.n));
  const acc = evaluate(p, held.labels!).accuracy;
  assert.ok(acc >= 0.85, `accuracy ${acc}`);
});

test('nearest neighbours equal a full sort of all distances (early abandoning loses nothing)', () => {
  const knn = KnnClassifier.fit(asRows(trainX, train.labels!.length, 40), train.labels!, { k: 5 });
  const index = new Int32Array(5);
  const dist2 = new Float64Array(5);
  for (const q of [0, 17, 123]) {
    knn.nearest(testX, q, index, dist2);
    const all = Array.from({ length: train.n }, (_, p) => {
      let s = 0;
      for (let t = 0; t < 40; t++) s += (testX[q * 40 + t]! - trainX[p * 40 + t]!) ** 2;
      return [s, p] as const;
    }).sort((a, b) => a[0] - b[0]);
    assert.equal(
      Array.from(index),
      all.slice(0, 5).map((a) => a[1]),
    );
  }
});

test('an exact match takes the whole weighted vote', () => {
  const knn = KnnClassifier.fit(asRows(trainX, train.labels!.length, 40), train.labels!, { k: 4 });
  const p = knn.predictProba(trainX.subarray(0, 40), 1);
  assert.is(p[train.labels![0]!], 1);
});

test('a JSON round-trip predicts identically', () => {
  const knn = KnnClassifier.fit(asRows(trainX, train.labels!.length, 40), train.labels!, { k: 3, weighted: false });
  const again = KnnClassifier.load(JSON.parse(JSON.stringify(knn.toJSON())));
  assert.equal(Array.from(again.predictProba(testX, 50)), Array.from(knn.predictProba(testX, 50)));
  assert.is(again.k, 3);
  assert.is(again.weighted, false);
});

test('bad options and damaged JSON are clear errors', () => {
  assert.throws(() => KnnClassifier.fit(asRows(trainX, train.labels!.length, 40), train.labels!, { k: 0 }), /k must be a positive integer/);
  const j = KnnClassifier.fit(asRows(trainX, train.labels!.length, 40), train.labels!).toJSON();
  assert.throws(() => KnnClassifier.load({ ...j, name: 'SVM' }), /expected a knn block/);
  assert.throws(() => KnnClassifier.load({ ...j, features: j.features.slice(0, 1000) }), /KNN features holds \d+ values, expected 80000/);
});

test.run();
