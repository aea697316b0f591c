import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import { asRows, head, labelsOf, PIXELS, take, toUnit } from '../../src/core/frame.js';
import { fitPca } from '../../src/core/features/pca-fit.js';
import { KnnClassifier } from '../../src/core/models/knn.js';
import { loadMnist } from '../../src/data/mnist.js';
import { evaluate } from '../../src/eval/metrics.js';
import { knnGrid } from '../../src/train/knn.js';

const test = suite('kNN validation grid');
const mnist = loadMnist();
const fit = head(mnist.train, 1500);
const validation = take(
  mnist.train,
  Array.from({ length: 300 }, (_, i) => 50_000 + i),
);

test('each row of the grid is the accuracy of that PCA size and k fitted on its own', async () => {
  const fitX = asRows(toUnit(fit.pixels), fit.n, PIXELS);
  const valX = asRows(toUnit(validation.pixels), validation.n, PIXELS);
  const grid = await knnGrid(fitX, labelsOf(fit), valX, labelsOf(validation), { components: [12, 30], ks: [1, 3, 6], deskew: false });
  assert.equal(
    grid.map((r) => [r.components, r.k]),
    [
      [12, 1],
      [12, 3],
      [12, 6],
      [30, 1],
      [30, 3],
      [30, 6],
    ],
  );
  const pcas = new Map([12, 30].map((c) => [c, fitPca(fitX, { components: c })]));
  for (const row of grid) {
    const pca = pcas.get(row.components)!;
    const knn = KnnClassifier.fit(asRows(pca.project(fitX.x, fit.n), fit.n, row.components), labelsOf(fit), { k: row.k });
    const alone = evaluate(knn.predictProba(pca.project(valX.x, validation.n), validation.n), labelsOf(validation)).accuracy;
    assert.ok(Math.abs(row.validationAccuracy - alone) < 1e-9, `PCA ${row.components}, k ${row.k}: grid ${row.validationAccuracy}, alone ${alone}`);
  }
  // The grid does choose: its accuracies are not all one number.
  assert.ok(new Set(grid.map((r) => r.validationAccuracy)).size > 1);
});

test.run();
