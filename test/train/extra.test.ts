import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import { PIXELS } from '../../src/core/frame.js';
import { NON_DIGIT_LABEL } from '../../src/core/models/mlp.js';
import { trainingData } from '../../src/train/common.js';
import { extraSamples } from '../../src/train/extra.js';

const test = suite('extra training images');

test('outliers, corrupted and typed digits come back preprocessed, labelled, and the same for the same seed', async () => {
  const data = trainingData();
  const counts = { outliers: 8, corrupted: 6, typed: 4 };
  const a = await extraSamples(data, counts, 4);
  const b = await extraSamples(data, counts, 4);
  assert.is(a.labels.length + a.empty, 18);
  assert.is(a.pixels.length, a.labels.length * PIXELS);
  assert.equal(Array.from(a.labels), Array.from(b.labels));
  assert.equal(Buffer.compare(Buffer.from(a.pixels), Buffer.from(b.pixels)), 0);
  const outliers = Array.from(a.labels).filter((l) => l === NON_DIGIT_LABEL).length;
  assert.ok(outliers >= 6 && outliers <= 8, `${outliers} outliers`);
  assert.ok(Array.from(a.labels).every((l) => l <= NON_DIGIT_LABEL));
  // Each is a 28×28 like MNIST's: some ink, and the frame's edge left blank.
  for (let r = 0; r < a.labels.length; r++) {
    const img = a.pixels.subarray(r * PIXELS, (r + 1) * PIXELS);
    assert.ok(
      img.some((v) => v >= 128),
      `image ${r} has ink`,
    );
    assert.ok(
      img.subarray(0, 28).every((v) => v === 0),
      `image ${r} keeps MNIST's empty top row`,
    );
  }
});

test.run();
