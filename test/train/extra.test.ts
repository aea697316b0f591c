import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import { PIXELS } from '../../src/core/frame.js';
import { NON_DIGIT_LABEL } from '../../src/core/models/mlp.js';
import { trainingData } from '../../src/train/common.js';
import { extraSamples } from '../../src/train/extra.js';
import { pieceLabels } from '../../src/train/extra-task.js';

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

test('pieces of touching numbers are labelled by the ink they hold: one whole digit as it, two run together as not a digit, a part left out', () => {
  // Three digits "471"; the 1's ink is 10, the others' 100.
  const held = [
    [100, 0, 0], // the 4 whole
    [97, 2, 0], // the 4 with a speck of the 7: still the 4
    [60, 0, 0], // part of the 4 only: left out
    [0, 90, 3], // the 7 with the tip of the 1 on it: 3 of 93 is the 1's, within the stray share
    [0, 100, 10], // the 7 and the whole 1 run together: not a digit, though the 1 is a tenth of it
    [0, 20, 10], // the 1 with a fifth of the 7: neither
    [0, 0, 10], // the 1 alone
  ].map((h) => Float64Array.from(h));
  assert.equal(pieceLabels(held, '471'), [4, 4, null, 7, NON_DIGIT_LABEL, null, 1]);
});

test('numbers of touching MNIST digits give labelled pieces of both kinds, the same for the same seed', async () => {
  const data = trainingData();
  const a = await extraSamples(data, { outliers: 0, corrupted: 0, typed: 0, pieces: 12 }, 4);
  const b = await extraSamples(data, { outliers: 0, corrupted: 0, typed: 0, pieces: 12 }, 4);
  assert.equal(Array.from(a.labels), Array.from(b.labels));
  const labels = Array.from(a.labels);
  assert.ok(labels.length > 12, `${labels.length} pieces from 12 numbers`);
  assert.ok(labels.some((l) => l === NON_DIGIT_LABEL) && labels.some((l) => l < NON_DIGIT_LABEL), labels.join(','));
});

test.run();
