import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import { head, labelsOf, PIXELS, take, toUnit, asRows } from '../../src/core/frame.js';
import { loadMnist } from '../../src/data/mnist.js';
import { evaluate } from '../../src/eval/metrics.js';
import { RandomForest } from '../../src/core/models/forest.js';
import { isProbabilityRows } from '../../src/core/models/model.js';
import { Random } from '../../src/core/util/random.js';

const test = suite('random forest');

test('a forest on a separable toy set is 100% right', () => {
  const rng = new Random(1);
  // Four classes by quadrant of two features, with an empty margin around both boundaries.
  const make = (n: number) => {
    const x = new Float32Array(n * 2);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const qx = rng.int(2);
      const qy = rng.int(2);
      x[i * 2] = qx * 0.6 + rng.next() * 0.4;
      x[i * 2 + 1] = qy * 0.6 + rng.next() * 0.4;
      y[i] = 3 + qx + 2 * qy;
    }
    return { x, y };
  };
  const train = make(400);
  const forest = RandomForest.fit(asRows(train.x, 400, 2), train.y, { trees: 10, featuresPerSplit: 2 });
  const fresh = make(1000);
  const p = forest.predictProba(fresh.x, 1000);
  assert.ok(isProbabilityRows(p, 1000));
  assert.is(evaluate(p, fresh.y).accuracy, 1);
});

const mnist = loadMnist();
const train = head(mnist.train, 2000);
const held = take(
  mnist.test,
  Array.from({ length: 500 }, (_, i) => i),
);
const x = toUnit(train.pixels);
const fit = (options: { trees: number; seed?: number }) => RandomForest.fit(asRows(x, train.n, PIXELS), labelsOf(train), { bins: 32, ...options });

test('on 2,000 MNIST images it reaches ≥ 85% on 500 test images', () => {
  const forest = fit({ trees: 30 });
  const acc = evaluate(forest.predictProba(toUnit(held.pixels), held.n), labelsOf(held)).accuracy;
  assert.ok(acc >= 0.85, `accuracy ${acc}`);
});

test('the same seed gives the same forest; another seed a different one', () => {
  const a = JSON.stringify(fit({ trees: 4 }).toJSON());
  const b = JSON.stringify(fit({ trees: 4 }).toJSON());
  const c = JSON.stringify(fit({ trees: 4, seed: 2 }).toJSON());
  assert.is(a, b);
  assert.is.not(a, c);
});

test('a JSON round-trip predicts identically', () => {
  const forest = fit({ trees: 5 });
  const again = RandomForest.load(JSON.parse(JSON.stringify(forest.toJSON())));
  const h = toUnit(held.pixels);
  assert.equal(Array.from(again.predictProba(h, 100)), Array.from(forest.predictProba(h, 100)));
});

test('damaged forest JSON is refused before it can loop or read out of bounds', () => {
  const json = fit({ trees: 2 }).toJSON();
  const tree = json.trees[0]!;
  const right = new Int32Array(Uint8Array.from(Buffer.from(tree.right, 'base64')).buffer);
  right[0] = 0; // the root's right child pointing back at itself
  const looped = { ...json, trees: [{ ...tree, right: Buffer.from(right.buffer).toString('base64') }] };
  assert.throws(() => RandomForest.load(looped), /tree 0 node 0 points outside the tree/);
  assert.throws(() => RandomForest.load({ ...json, trees: [] }), /has no trees/);
  assert.throws(() => RandomForest.load({ ...json, trees: [{ ...tree, threshold: 'AAAAAA==' }] }), /tree 0 thresholds holds 1 values, expected \d+/);
});

test.run();
