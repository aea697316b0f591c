import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labelsOf, PIXELS, take, toUnit, asRows } from '../../src/core/frame.js';
import { evaluate } from '../../src/eval/metrics.js';
import { InputTransform } from '../../src/core/features/transform.js';
import type { Mlp } from '../../src/core/models/mlp.js';
import { isProbabilityRows } from '../../src/core/models/model.js';
import { trainingData } from '../../src/train/common.js';
import type { ProgressEvent } from '../../src/train/hooks.js';
import { fitMlp, trainMlp } from '../../src/train/mlp.js';
import { readCheckpoint } from '../../src/train/mlp-checkpoint.js';
import { InputError } from '../../src/core/util/errors.js';
import { fitPca } from '../../src/core/features/pca-fit.js';

const test = suite('MLP training');
const dir = mkdtempSync(join(tmpdir(), 'mlp-train-'));
const data = trainingData();
// 500 steps of 50 with the default augmentation, which is what makes 1,000 images enough.
const small = { hidden: [256], epochs: 25, batch: 50, lr: 3e-3, fitLimit: 1000, validateEvery: 1000, patience: 1000, workers: 2 };

test('a few hundred steps on 1,000 images reach ≥ 90% on held-out images', async () => {
  const { model, history } = await trainMlp(data, small);
  assert.ok(history.length * Math.ceil(1000 / 50) >= 300);
  const held = take(
    data.mnist.test,
    Array.from({ length: 1000 }, (_, i) => i),
  );
  const p = model.predictProba(toUnit(held.pixels), held.n);
  assert.ok(isProbabilityRows(p, held.n));
  const acc = evaluate(p, labelsOf(held)).accuracy;
  assert.ok(acc >= 0.9, `held-out accuracy ${acc}`);
});

test('training with the same seed twice gives the same weights (augmentation and two workers included)', async () => {
  const withAugment = { ...small, hidden: [32], epochs: 2, fitLimit: 600 };
  const a = await trainMlp(data, withAugment);
  const b = await trainMlp(data, withAugment);
  const c = await trainMlp(data, { ...withAugment, seed: 2 });
  const weights = (m: typeof a) => (m.model.classifier as Mlp).params;
  assert.equal(Buffer.compare(Buffer.from(weights(a).buffer), Buffer.from(weights(b).buffer)), 0);
  assert.not.equal(Buffer.compare(Buffer.from(weights(a).buffer), Buffer.from(weights(c).buffer)), 0);
});
const tiny = { hidden: [32], epochs: 3, batch: 50, fitLimit: 600, validateEvery: 1000, patience: 1000, workers: 2 };
/** The error a promise rejects with, or null. */
async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
    return null;
  } catch (e) {
    return e;
  }
}

const weightsOf = (r: { model: { classifier: unknown } }) => Array.from((r.model.classifier as Mlp).params);

test('stopping after two epochs and resuming from the checkpoint ends with the same weights as one run', async () => {
  const straight = await trainMlp(data, tiny);
  const path = join(dir, 'run.checkpoint');
  const afterTwo = join(dir, 'after-two.checkpoint');
  const events: ProgressEvent[] = [];
  // The checkpoint written after epoch 2 is copied when epoch 2 reports: that is where a Ctrl-C would leave it.
  await trainMlp(data, tiny, {
    checkpointPath: path,
    onProgress: (e) => {
      events.push(e);
      if (e.status?.startsWith('epoch 2/') && e.done === e.total * (2 / 3)) copyFileSync(path, afterTwo);
    },
  });
  assert.ok(existsSync(afterTwo), 'epoch 2 reported when it ended');
  assert.is(readCheckpoint(afterTwo).state.epoch, 2);
  const last = events[events.length - 1]!;
  assert.is(last.done, last.total, 'the last progress event says the work is done');
  const resumed = await trainMlp(data, {}, { checkpointPath: afterTwo, resume: true });
  assert.equal(weightsOf(resumed), weightsOf(straight));
  assert.is(resumed.history.length, 3);
});

test('a checkpoint keeps its input transform, which comes back as an InputTransform', async () => {
  const fit = take(
    data.fit,
    Array.from({ length: 300 }, (_, i) => i),
  );
  const pca = fitPca(asRows(toUnit(fit.pixels), fit.n, PIXELS), { components: 12 });
  const path = join(dir, 'pca.checkpoint');
  await trainMlp(data, { ...tiny, epochs: 1, augment: null, transform: new InputTransform(true, pca) }, { checkpointPath: path });
  const { options } = readCheckpoint(path);
  assert.instance(options.transform, InputTransform);
  assert.is(options.transform?.outputSize, 12);
  assert.equal(
    Array.from(options.transform!.apply(data.testX.subarray(0, PIXELS), 1)),
    Array.from(new InputTransform(true, pca).apply(data.testX.subarray(0, PIXELS), 1)),
  );
});

test('a damaged checkpoint is refused on --resume with what is wrong, naming the file', async () => {
  const path = join(dir, 'good.checkpoint');
  await trainMlp(data, { ...tiny, epochs: 1 }, { checkpointPath: path });
  const good = JSON.parse(readFileSync(path, 'utf8'));
  const cases: [string, string, RegExp][] = [
    ['truncated', readFileSync(path, 'utf8').slice(0, 500), /is not valid JSON/],
    ['not a checkpoint', JSON.stringify({ kind: 'something else' }), /is not an MLP training checkpoint/],
    ['an older version', JSON.stringify({ ...good, version: 1 }), /has version 1, and this program reads version 2/],
    [
      'hidden sizes that do not fit the weights',
      JSON.stringify({ ...good, options: { ...good.options, hidden: [33] } }),
      /does not fit its options \(784-33-10\): checkpoint params holds \d+ values/,
    ],
    ['a bad option', JSON.stringify({ ...good, options: { ...good.options, batch: 0 } }), /option "batch" must be a positive integer/],
    [
      'a non-digit weight out of range',
      JSON.stringify({ ...good, options: { ...good.options, nonDigitWeight: 2 } }),
      /option "nonDigitWeight" must be a number from 0 to 1/,
    ],
    ['a bad transform', JSON.stringify({ ...good, options: { ...good.options, transform: { deskew: 'yes' } } }), /has an invalid input transform/],
    ['a bad counter', JSON.stringify({ ...good, step: -1 }), /has no valid "step"/],
  ];
  for (const [name, text, message] of cases) {
    const bad = join(dir, 'bad.checkpoint');
    writeFileSync(bad, text);
    const e = await failure(trainMlp(data, {}, { checkpointPath: bad, resume: true }));
    assert.ok(e instanceof InputError && e.message.includes(bad) && message.test(e.message), `${name}: ${String(e)}`);
  }
  assert.match(
    String(await failure(trainMlp(data, {}, { checkpointPath: join(dir, 'none.checkpoint'), resume: true }))),
    /no such file; train without --resume first/,
  );
});

test('--from a deslanted model needs --deslant: fine-tuning keeps the view the weights learnt', async () => {
  const path = join(dir, 'deslanted.json');
  const first = await trainMlp(data, { ...tiny, epochs: 1, deslant: true });
  writeFileSync(path, JSON.stringify(first.model.toJSON()));
  const e = await failure(trainMlp(data, { ...tiny, epochs: 1, from: path }));
  assert.ok(e instanceof InputError && /reads deskew; this training reads raw pixels.*--deslant and --width/.test(e.message), String(e));
  const again = await trainMlp(data, { ...tiny, epochs: 1, deslant: true, from: path });
  assert.equal(again.model.input.toJSON(), first.model.input.toJSON());
});

test("fitMlp has the estimators' surface: rows with their sizes, labels, options; 10 digits or a two-way detector", async () => {
  const n = 1500;
  const pca = fitPca(asRows(data.fitX, n, PIXELS), { components: 30 });
  const rows = asRows(pca.project(data.fitX, n), n, 30);
  const labels = labelsOf(data.fit).subarray(0, n);
  const net = await fitMlp(rows, labels, { hidden: [32], epochs: 8, batch: 50, lr: 3e-3, workers: 2 });
  assert.equal(net.sizes, [30, 32, 10]);
  const held = 300;
  const heldX = pca.project(data.validationX, held);
  const accuracy = evaluate(net.predictProba(heldX, held), labelsOf(data.validation).subarray(0, held)).accuracy;
  assert.ok(accuracy >= 0.8, `accuracy ${accuracy}`);
  // The detector's shape: two outputs, here "a 0" against the rest.
  const zero = Uint8Array.from(labels, (l) => (l === 0 ? 0 : 1));
  const two = await fitMlp(rows, zero, { hidden: [8], epochs: 4, batch: 50, lr: 3e-3, classes: 2, workers: 1 });
  const p = two.predictProba(heldX, held);
  const right = Array.from({ length: held }, (_, i) => p[i * 2]! > 0.5 === (labelsOf(data.validation)[i] === 0)).filter(Boolean).length;
  assert.ok(right / held >= 0.95, `${right} of ${held}`);
  assert.match(String(await failure(fitMlp(rows, labels.subarray(0, 10), { hidden: [4], epochs: 1 }))), /1500 rows for 10 labels/);
});

test.run();
