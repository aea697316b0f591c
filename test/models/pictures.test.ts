import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import { head, labelsOf, PIXELS, toUnit, asRows } from '../../src/core/frame.js';
import { loadMnist } from '../../src/data/mnist.js';
import { modelTree } from '../../src/eval/model-tree.js';
import { InputTransform } from '../../src/core/features/transform.js';
import { Committee } from '../../src/core/models/committee.js';
import { RandomForest } from '../../src/core/models/forest.js';
import { KnnClassifier } from '../../src/core/models/knn.js';
import { DigitModel, type ModelMetadata } from '../../src/core/models/model.js';
import { modelPictures } from '../../src/eval/visuals.js';
import { fitPca } from '../../src/core/features/pca-fit.js';
import { initMlp } from '../../src/train/mlp-steps.js';

const test = suite('pictures of what a model learned');
const train = head(loadMnist().train, 600);
const x = toUnit(train.pixels);
const labels = labelsOf(train);
const metadata = {
  kind: 'test',
  description: 'test',
  created: '',
  command: 'test',
  seed: 1,
  data: {},
  hyperparameters: {},
  metrics: {},
} as unknown as ModelMetadata;
const raw = new InputTransform(false, null);

test("an MLP's units: by weight norm the strongest first; by class a row per digit, labelled with it", () => {
  const net = initMlp([PIXELS, 30, 10], 1);
  const p = modelPictures(new DigitModel(metadata, raw, net)).weights!;
  assert.is(p.available, 30);
  const norm = (v: Float32Array) => v.reduce((a, w) => a + w * w, 0);
  const byNorm = p.tiles(5, 'norm').vectors.map(norm);
  for (let i = 1; i < 5; i++) assert.ok(byNorm[i - 1]! >= byNorm[i]!);
  const byClass = p.tiles(20, 'class');
  assert.is(byClass.columns, 2);
  assert.is(byClass.vectors.length, 20);
  // Each labelled tile's unit favours that digit: its largest output weight.
  const out = net.layers[1]!;
  byClass.labels!.forEach((label, k) => {
    if (!label) return;
    const j = Array.from({ length: 30 }, (_, u) => u).find((u) =>
      Array.from({ length: PIXELS }, (_, i) => net.layers[0]!.w[i * 30 + u]!).every((w, i) => w === byClass.vectors[k]![i]),
    )!;
    const row = Array.from({ length: 10 }, (_, c) => out.w[j * 10 + c]!);
    assert.is(row.indexOf(Math.max(...row)), Number(label));
    assert.is(Number(label), Math.floor(k / 2));
  });
});

test('a committee shows each member; a forest its split map; a PCA its mean and eigendigits; a kNN its stored digits', () => {
  const committee = modelPictures(new DigitModel(metadata, raw, new Committee([initMlp([PIXELS, 8, 10], 1), initMlp([PIXELS, 9, 10], 2)])));
  assert.equal(Object.keys(committee), ['member-1', 'member-2']);
  assert.is(committee['member-2']!.available, 9);

  const forest = RandomForest.fit(asRows(x, train.n, PIXELS), labels, { trees: 3, bins: 16 });
  const splits = modelPictures(new DigitModel(metadata, raw, forest)).splits!.tiles(1, 'index').vectors[0]!;
  const internal = forest.trees.reduce((a, t) => a + t.feature.filter((f) => f >= 0).length, 0);
  assert.is(
    splits.reduce((a, v) => a + v, 0),
    internal,
  );
  // The border of the frame is blank in MNIST: never split on.
  assert.is(splits[0], 0);

  const pca = fitPca(asRows(x, train.n, PIXELS), { components: 20 });
  const knn = KnnClassifier.fit(asRows(pca.project(x, train.n), labels.length, 20), labels, { k: 3 });
  const model = new DigitModel(metadata, new InputTransform(false, pca), knn);
  const pictures = modelPictures(model);
  assert.equal(Object.keys(pictures), ['mean', 'eigendigits', 'stored']);
  const eigen = pictures.eigendigits!.tiles(20, 'index');
  assert.is(eigen.vectors.length, 20);
  assert.match(eigen.labels![0]!, /^\d+\.\d%$/);
  // The stored digits come back close to the training images they were projected from.
  const stored = pictures.stored!.tiles(40, 'index');
  assert.is(stored.vectors.length, 40);
  assert.equal(stored.labels!.slice(0, 5), ['0', '0', '0', '0', '1']);
  const first = labels.indexOf(0);
  const error = stored.vectors[0]!.reduce((a, v, i) => a + (v - x[first * PIXELS + i]!) ** 2, 0) / PIXELS;
  assert.ok(error < 0.03, `reconstruction error ${error}`);
});

test('the model tree keeps every value but the tensors, which it summarises with their shapes', () => {
  const pca = fitPca(asRows(x, train.n, PIXELS), { components: 12 });
  const knn = KnnClassifier.fit(asRows(pca.project(x, train.n), labels.length, 12), labels, { k: 3 });
  const json = new DigitModel(metadata, new InputTransform(true, pca), knn).toJSON();
  const tree = modelTree(JSON.parse(JSON.stringify(json))) as { input: { pca: Record<string, unknown> }; classifier: Record<string, unknown>; command: string };
  assert.is(tree.command, 'test');
  assert.equal((tree.input.pca.vectors as { shape: number[] }).shape, [12, PIXELS]);
  assert.equal((tree.classifier.features as { shape: number[] }).shape, [600, 12]);
  const l = tree.classifier.labels as { $tensor: string; min: number; max: number; histogram: number[] };
  assert.is(l.$tensor, 'uint8');
  assert.is(l.min, 0);
  assert.is(l.max, 9);
  assert.is(
    l.histogram.reduce((a, b) => a + b, 0),
    600,
  );
});

test.run();
