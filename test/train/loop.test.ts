import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import { Mlp } from '../../src/core/models/mlp.js';
import { learningRate, trainLoop, type LoopSpec } from '../../src/train/loop.js';
import { initMlp } from '../../src/train/mlp-steps.js';

const test = suite('the one MLP training loop');

/** 40 rows of 4 "pixels": class 0 dark on the left, class 1 on the right. */
function spec(rows: (epoch: number) => ArrayLike<number>): LoopSpec {
  const n = 40;
  const pixels = new Uint8Array(n * 784);
  const labels = new Uint8Array(n);
  for (let r = 0; r < n; r++) {
    labels[r] = r % 2;
    for (let p = 0; p < 392; p++) pixels[r * 784 + p + (r % 2) * 392] = 200;
  }
  return {
    sizes: [784, 8, 2],
    pixels,
    labels,
    features: null,
    augment: null,
    batch: 8,
    weightDecay: 0,
    workers: 2,
    seed: 1,
    lr: 1e-2,
    warmupEpochs: 0,
    minLrFraction: 1,
    epochs: 10,
    rows,
    rowsPerEpoch: n,
    validation: null,
    task: 'test',
  };
}

test('one schedule: warm-up, cosine decay to a floor, or a constant rate', () => {
  const s = { lr: 1, warmupEpochs: 1, minLrFraction: 0.01, epochs: 11 };
  assert.is(learningRate(s, 0), 0.05);
  assert.is(learningRate(s, 0.5), 0.5);
  assert.is(learningRate(s, 1), 1);
  assert.ok(Math.abs(learningRate(s, 6) - 0.505) < 1e-12);
  assert.ok(Math.abs(learningRate(s, 11) - 0.01) < 1e-12);
  assert.is(learningRate({ lr: 0.3, warmupEpochs: 0, minLrFraction: 1, epochs: 5 }, 3.7), 0.3);
});

test('the batch builder decides what is trained on: two separable classes are learnt', async () => {
  const s = spec(() => Int32Array.from({ length: 40 }, (_, i) => i));
  const { state } = await trainLoop(s, { params: initMlp(s.sizes, 1).params });
  const p = new Mlp(s.sizes, state.best).predictProba(
    Float32Array.from(s.pixels, (v) => v / 255),
    40,
  );
  for (let r = 0; r < 40; r++) assert.ok(p[r * 2 + (r % 2)]! > 0.5, `row ${r}`);
  assert.is(state.epoch, 10);
  assert.is(state.step, 50);
});

test('a thread that fails rejects the run with its error, and the loop does not hang', async () => {
  const s = spec(() => Int32Array.from({ length: 40 }, (_, i) => (i === 30 ? 999 : i)));
  const e = await trainLoop(s, { params: initMlp(s.sizes, 1).params }).then(
    () => null,
    (err: Error) => err,
  );
  assert.match(String(e?.message), /training thread \d failed: row 999 of the epoch's order is not one of the 40 training rows/);
});

test('a batch builder that gives the wrong number of rows is an error', async () => {
  const s = spec(() => new Int32Array(39));
  const e = await trainLoop(s, { params: initMlp(s.sizes, 1).params }).then(
    () => null,
    (err: Error) => err,
  );
  assert.match(String(e?.message), /gave 39 rows for epoch 1, not 40/);
});

test.run();
