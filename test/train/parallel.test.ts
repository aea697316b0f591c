import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import { head, PIXELS, toUnit, asRows } from '../../src/core/frame.js';
import { loadMnist } from '../../src/data/mnist.js';
import { fitPcaParallel, projectParallel } from '../../src/train/parallel.js';
import { fitPca } from '../../src/core/features/pca-fit.js';

const test = suite('PCA on all cores');
const sample = head(loadMnist().train, 600);
const x = toUnit(sample.pixels);

test('the parallel fit and projection equal the single-threaded ones', async () => {
  const serial = fitPca(asRows(x, sample.n, PIXELS), { components: 20 });
  const parallel = await fitPcaParallel(asRows(x, sample.n, PIXELS), { components: 20 });
  for (let c = 0; c < 20; c++) {
    let dot = 0;
    for (let i = 0; i < PIXELS; i++) dot += serial.vectors[c * PIXELS + i]! * parallel.vectors[c * PIXELS + i]!;
    assert.ok(Math.abs(dot) > 0.99999, `component ${c + 1}: ${dot}`);
  }
  assert.equal(Array.from(await projectParallel(serial, x, sample.n)), Array.from(serial.project(x, sample.n)));
});

test.run();
