import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import { asRows, head, labelsOf, PIXELS, toUnit } from '../../src/core/frame.js';
import { RandomForest } from '../../src/core/models/forest.js';
import { loadMnist } from '../../src/data/mnist.js';
import { binShared, DEFAULT_FOREST, growForest } from '../../src/train/forest.js';

const test = suite('threaded forest');

test('the threads grow the very trees RandomForest.fit grows on one thread, with one thread or two', async () => {
  const train = head(loadMnist().train, 800);
  const x = toUnit(train.pixels);
  const options = { ...DEFAULT_FOREST, trees: 4, bins: 32, seed: 3 };
  const alone = JSON.stringify(RandomForest.fit(asRows(x, train.n, PIXELS), labelsOf(train), options).toJSON());
  for (const workers of [1, 2]) {
    const threaded = await growForest(binShared(x, train.n, PIXELS, options.bins, labelsOf(train)), { ...options, workers });
    assert.is(JSON.stringify(threaded.toJSON()), alone, `${workers} threads`);
  }
  // The seed matters, so the comparison can fail.
  const other = await growForest(binShared(x, train.n, PIXELS, options.bins, labelsOf(train)), { ...options, seed: 4, workers: 2 });
  assert.is.not(JSON.stringify(other.toJSON()), alone);
});

test.run();
