import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLASSES, head, PIXELS, toUnit, asRows } from '../../src/core/frame.js';
import { loadMnist } from '../../src/data/mnist.js';
import { InputTransform } from '../../src/core/features/transform.js';
import { KnnClassifier } from '../../src/core/models/knn.js';
import { DigitModel, type ModelMetadata } from '../../src/core/models/model.js';
import { loadModel } from '../../src/io/model-file.js';
import { parseModel } from '../../src/core/models/registry.js';
import { ModelFormatError } from '../../src/core/util/errors.js';
import { fitPca } from '../../src/core/features/pca-fit.js';

const test = suite('model JSON');
const train = head(loadMnist().train, 500);
const x = toUnit(train.pixels);
const pca = fitPca(asRows(x, train.n, PIXELS), { components: 20 });
const metadata: ModelMetadata = {
  kind: 'knn',
  description: 'test model',
  created: '2026-01-01T00:00:00.000Z',
  command: 'test',
  seed: 0,
  data: { 'train-images-idx3-ubyte': 'abc' },
  preprocessing: 'deskew → PCA-20',
  hyperparameters: { k: 3 },
  trainSeconds: 1,
  metrics: {},
};
const model = new DigitModel(
  metadata,
  new InputTransform(true, pca),
  KnnClassifier.fit(asRows(pca.project(x, train.n), train.labels!.length, 20), train.labels!, { k: 3 }),
);
const text = JSON.stringify(model.toJSON(), null, 1);

test('metadata comes before the parameters', () => {
  const keys = Object.keys(JSON.parse(text));
  assert.equal(keys.slice(0, 4), ['name', 'format', 'kind', 'description']);
  assert.ok(keys.indexOf('metrics') < keys.indexOf('input') && keys.indexOf('input') < keys.indexOf('classifier'));
});

test('load(JSON.parse(JSON.stringify(m))) predicts the same', () => {
  const again = parseModel(text);
  assert.equal(Array.from(again.predictProba(x, 30)), Array.from(model.predictProba(x, 30)));
  assert.is(again.metadata.command, 'test');
  assert.is(again.input.deskew, true);
});

const broken: [string, string, RegExp][] = [
  ['truncated JSON', text.slice(0, text.length / 2), /not valid JSON \(truncated or damaged\?\)/],
  ['JSON that is not a model', '{"hello": 1}', /is not a mnist-digit-model file/],
  ['a future format version', text.replace('"format": 1', '"format": 2'), /format version 2; this program reads version 1/],
  ['an unknown classifier', text.replace('"name": "knn"', '"name": "SVM"'), /unknown classifier "SVM"/],
  ['PCA and classifier that do not fit together', text.replace('"inputSize": 20', '"inputSize": 21'), /./],
  ['an array', '[1,2,3]', /not a mnist-digit-model file/],
];
for (const [name, body, message] of broken) {
  test(`${name} is a ModelFormatError`, () => {
    assert.throws(
      () => parseModel(body, 'm.json'),
      (e: Error) => e instanceof ModelFormatError && message.test(e.message),
    );
  });
}

test('files from before the one-name table (KNN, pca-knn) still load, under the one name', () => {
  const legacy = text.replace('"name": "knn"', '"name": "KNN"').replace('"kind": "knn"', '"kind": "pca-knn"');
  assert.ok(legacy.includes('"KNN"') && legacy.includes('"pca-knn"'));
  const again = parseModel(legacy);
  assert.is(again.metadata.kind, 'knn');
  assert.is(again.classifier.name, 'knn');
  assert.equal(Array.from(again.predict(x, 30)), Array.from(model.predict(x, 30)));
});

test('predict gives the most probable digit of each row', () => {
  const p = model.predictProba(x, 20);
  const digits = model.predict(x, 20);
  for (let r = 0; r < 20; r++) {
    const row = Array.from(p.subarray(r * CLASSES, (r + 1) * CLASSES));
    assert.is(digits[r], row.indexOf(Math.max(...row)));
  }
});

test('a confidence block round-trips, scales probabilities by its temperature, and is checked on load', () => {
  const calibrated = parseModel(text);
  calibrated.confidence = { temperature: 2, refuseBelow: 0.3, fittedOn: 'test', figures: { ece: 0.01 }, command: 'test' };
  const again = parseModel(JSON.stringify(calibrated.toJSON()));
  assert.equal(again.confidence, calibrated.confidence);
  const keys = Object.keys(calibrated.toJSON());
  assert.ok(keys.indexOf('confidence') < keys.indexOf('input'), 'before the parameters');
  const raw = again.rawProba(x, 5);
  const p = again.predictProba(x, 5);
  assert.equal(Array.from(again.predict(x, 5)), Array.from(model.predict(x, 5)));
  const top = (a: Float32Array, r: number) => Math.max(...a.subarray(r * CLASSES, (r + 1) * CLASSES));
  for (let r = 0; r < 5; r++) assert.ok(top(p, r) <= top(raw, r) + 1e-6, 'a temperature above 1 softens');
  const bad = JSON.stringify({ ...calibrated.toJSON(), confidence: { temperature: -1, refuseBelow: 0.5 } });
  assert.throws(() => parseModel(bad, 'c.json'), /c\.json: invalid model: "confidence" needs a positive temperature/);
});

test('an error inside a block names the file it came from', () => {
  const at = text.lastIndexOf('"k": 3'); // the classifier's k, after the metadata's
  const damaged = `${text.slice(0, at)}"k": 0${text.slice(at + 6)}`;
  assert.throws(() => parseModel(damaged, 'models/mine.json'), /^models\/mine\.json: invalid model: knn k\/inputSize\/points/);
});

test('a missing model file says how to make one', () => {
  assert.throws(() => loadModel('/nonexistent/model.json'), /cannot read model file \/nonexistent\/model.json: no such file; train one with npm run train/);
});

test('the committed best model loads and gives probability rows', () => {
  const best = loadModel();
  const p = best.predictProba(x, 5);
  assert.is(p.length, 5 * CLASSES);
  const dir = mkdtempSync(join(tmpdir(), 'model-'));
  writeFileSync(join(dir, 'm.json'), JSON.stringify(best.toJSON()));
  assert.equal(Array.from(loadModel(join(dir, 'm.json')).predictProba(x, 5)), Array.from(p));
});

test.run();
