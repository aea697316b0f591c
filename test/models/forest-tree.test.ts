import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import { CLASSES } from '../../src/core/frame.js';
import { binFeatures, growTree } from '../../src/core/models/forest-tree.js';
import { Random } from '../../src/core/util/random.js';

const test = suite('forest tree kernel');
const rng = new Random(4);

test('few distinct levels get a bin each, and each bin knows its lowest and highest level', () => {
  const x = Float32Array.from([0, 0.5, 1, 0.5, 0, 1].map((v) => v));
  const data = binFeatures(x, 6, 1, 16, Uint8Array.from([0, 1, 2, 1, 0, 2]));
  assert.equal(Array.from(data.binned), [0, 1, 2, 1, 0, 2]);
  assert.equal(Array.from(data.levelLow.subarray(0, 3)), [0, 128, 255]);
  assert.equal(Array.from(data.levelHigh.subarray(0, 3)), [0, 128, 255]);
});

test('many levels in few bins: bins are quantiles, ordered, and no bin is empty', () => {
  const n = 1000;
  const x = Float32Array.from({ length: n }, () => rng.next());
  const data = binFeatures(x, n, 1, 8, new Uint8Array(n));
  const counts = new Array<number>(8).fill(0);
  for (const b of data.binned) counts[b]!++;
  for (const c of counts) assert.ok(c > 60 && c < 200, `bin sizes ${counts}`);
  for (let i = 0; i < n; i++) {
    const level = Math.round(x[i]! * 255);
    const b = data.binned[i]!;
    assert.ok(level >= data.levelLow[b]! && level <= data.levelHigh[b]!);
  }
});

test('a grown tree is well formed: leaves hold distributions, children point forward', () => {
  const n = 300;
  const d = 5;
  const x = Float32Array.from({ length: n * d }, () => rng.next());
  const labels = Uint8Array.from({ length: n }, (_, i) => (x[i * d]! > 0.5 ? 1 : 0) + (x[i * d + 1]! > 0.5 ? 2 : 0));
  const tree = growTree(binFeatures(x, n, d, 256, labels), { featuresPerSplit: 2, maxDepth: 10, minSamplesLeaf: 1 }, 1);
  for (let node = 0; node < tree.feature.length; node++) {
    if (tree.feature[node]! < 0) {
      const o = tree.right[node]!;
      let s = 0;
      for (let c = 0; c < CLASSES; c++) s += tree.leaves[o + c]!;
      assert.ok(Math.abs(s - 255) <= CLASSES, `leaf at ${o} sums to ${s}/255`);
    } else {
      assert.ok(tree.right[node]! > node + 1 && tree.feature[node]! < d);
    }
  }
});

test('maxDepth 0 gives a single leaf with the class shares of the bootstrap sample', () => {
  const n = 200;
  const x = Float32Array.from({ length: n }, () => rng.next());
  const labels = Uint8Array.from({ length: n }, (_, i) => (i % 4 === 0 ? 3 : 5));
  const tree = growTree(binFeatures(x, n, 1, 256, labels), { featuresPerSplit: 1, maxDepth: 0, minSamplesLeaf: 1 }, 2);
  assert.is(tree.feature.length, 1);
  assert.is(tree.feature[0], -1);
  const share3 = tree.leaves[3]! / 255;
  assert.ok(share3 > 0.15 && share3 < 0.35, `share of 3: ${share3}`);
  assert.is(tree.leaves[3]! + tree.leaves[5]!, 255);
});

test.run();
