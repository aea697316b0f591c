import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import { openStore } from '../../src/feedback/store.js';
import { loadModel } from '../../src/io/model-file.js';
import { Committee } from '../../src/core/models/committee.js';
import type { Mlp } from '../../src/core/models/mlp.js';
import { DigitModel } from '../../src/core/models/model.js';
import { InputTransform } from '../../src/core/features/transform.js';
import { CLASSES, PIXELS } from '../../src/core/frame.js';
import { correctionsHash, DEFAULT_FEEDBACK_TUNE, fineTuneOnFeedback, isHeldOut } from '../../src/train/feedback.js';
import { trainingData } from '../../src/train/common.js';
import { correction } from '../helpers/feedback-contract.js';
import { countedDeslant, testMetadata } from '../helpers/models.js';
import { initMlp } from '../../src/train/mlp-steps.js';

const test = suite('fine-tuning on corrections');
// The default 4 epochs: the served committee's members, sure of an 8 at p(3) < 0.04, need them (after 3
// epochs it read the bar 3 at 0.49, after 4 at 0.94).
const quick = { ...DEFAULT_FEEDBACK_TUNE, mnistPerEpoch: 4000, outliers: 200, from: 'models/best.json', command: 'test', calibrate: false };

/** A pattern no digit looks like: a thick horizontal bar across the middle, 0..255. */
function bar(): Uint8Array {
  const x = new Uint8Array(784);
  for (let y = 12; y < 16; y++) for (let c = 4; c < 24; c++) x[y * 28 + c] = 255;
  return x;
}

test('corrections labelled 3 on a pattern teach the model to read it as 3; the original is untouched; the record says what was used', async () => {
  const store = await openStore({ databaseUrl: '', path: ':memory:' });
  for (let i = 0; i < 10; i++) await store.add({ ...correction(0, 3, 8), input: bar() });
  // Confirmations (the model's own answer picked) are kept but not learnt as corrections: 5 that say "5".
  for (let i = 0; i < 5; i++) await store.add({ ...correction(0, 5, 5), input: bar() });
  const model = loadModel();
  const x = Float32Array.from(bar(), (v) => v / 255);
  const before = model.rawProba(x, 1)[3]!;
  const originalParams = (model.classifier instanceof Committee ? model.classifier.members[0]! : (model.classifier as Mlp)).params.slice(0, 100);
  const tuned = await fineTuneOnFeedback(model, store, trainingData(), quick);
  const after = tuned.rawProba(x, 1)[3]!;
  assert.ok(after > 0.5 && after > before + 0.3, `p(3) on the bar ${before.toFixed(3)} → ${after.toFixed(3)}`);
  assert.equal((model.classifier instanceof Committee ? model.classifier.members[0]! : (model.classifier as Mlp)).params.slice(0, 100), originalParams);
  const rows = (await store.list()).filter((r) => r.label !== r.predicted);
  const f = tuned.metadata.feedback!;
  assert.is(f.used + f.heldOut, 10);
  assert.is(f.heldOut, rows.filter(isHeldOut).length);
  assert.is(f.storeHash, correctionsHash(rows));
  assert.is(f.from, 'models/best.json');
  assert.ok(tuned.metadata.metrics.validation!.accuracy > 0.98, 'MNIST not forgotten');
  // A committee whose members each see the digit their own way keeps those views, each member tuned on its own.
  const views = (m: typeof model) => (m.classifier instanceof Committee ? m.classifier.inputs?.map((t) => t.describe()) : undefined);
  assert.equal(views(tuned), views(model));
  await store.close();
});

test('a committee whose members each see the digit their own way is fine-tuned, each member on its own view', async () => {
  const store = await openStore({ databaseUrl: '', path: ':memory:' });
  for (let i = 0; i < 10; i++) await store.add({ ...correction(0, 3, 8), input: bar() });
  // Two members deslant: the rows are deslanted once, for both (the twin's own apply is never called).
  const { transform: twin, calls: twinApplied } = countedDeslant();
  const views = [new InputTransform(false, null), new InputTransform(true, null), twin];
  const nets = views.map((_, k) => initMlp([PIXELS, 8, CLASSES], 30 + k));
  const model = new DigitModel(testMetadata('committee'), new InputTransform(false, null), new Committee(nets, views));
  const tuned = await fineTuneOnFeedback(model, store, trainingData(), { ...quick, epochs: 1, outliers: 0 });
  assert.ok(tuned.classifier instanceof Committee);
  assert.equal(
    tuned.classifier.inputs?.map((t) => t.describe()),
    ['raw pixels', 'deskew', 'deskew'],
  );
  assert.is(twinApplied(), 0);
  // Each member moved from where it started (before, such a committee was an InputError).
  for (const [k, net] of tuned.classifier.members.entries()) assert.not.equal(net.params.slice(0, 50), nets[k]!.params.slice(0, 50));
  await store.close();
});

test('an empty store, and a model that is not an MLP, are clear errors', async () => {
  const store = await openStore({ databaseUrl: '', path: ':memory:' });
  const empty = await fineTuneOnFeedback(loadModel(), store, trainingData(), quick).then(
    () => null,
    (e: Error) => e.message,
  );
  assert.match(String(empty), /has no corrections to learn from/);
  await store.close();
});

test.run();
