import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import { asRows, fromUnit, head, labelsOf, PIXELS, SIDE, take, toUnit } from '../../src/core/frame.js';
import { deskew } from '../../src/core/features/deskew.js';
import { fitPca } from '../../src/core/features/pca-fit.js';
import { GRID_FLOATS, idmDistance, idmFeatures } from '../../src/core/models/idm.js';
import { KnnClassifier } from '../../src/core/models/knn.js';
import { IdmKnn } from '../../src/core/models/knn-idm.js';
import { isProbabilityRows } from '../../src/core/models/model.js';
import { Random } from '../../src/core/util/random.js';
import { loadMnist } from '../../src/data/mnist.js';
import { evaluate } from '../../src/eval/metrics.js';
import { idmGrid } from '../../src/train/knn-idm.js';

const test = suite('image distortion model');

const grid = (img: Float32Array) => {
  const g = new Float32Array(GRID_FLOATS);
  idmFeatures(img, 0, 1, g);
  return g;
};

/** The IDM written out plainly: Sobel derivatives with zeros outside, every pixel's best 3×3 context within the warp. */
function plainIdm(a: Float32Array, b: Float32Array, warp: number): number {
  const px = (img: Float32Array, y: number, x: number) => (y < 0 || x < 0 || y >= SIDE || x >= SIDE ? 0 : img[y * SIDE + x]!);
  const sobel = (img: Float32Array, y: number, x: number): [number, number] => {
    if (y < 0 || x < 0 || y >= SIDE || x >= SIDE) return [0, 0];
    const gx = px(img, y - 1, x + 1) + 2 * px(img, y, x + 1) + px(img, y + 1, x + 1) - px(img, y - 1, x - 1) - 2 * px(img, y, x - 1) - px(img, y + 1, x - 1);
    const gy = px(img, y + 1, x - 1) + 2 * px(img, y + 1, x) + px(img, y + 1, x + 1) - px(img, y - 1, x - 1) - 2 * px(img, y - 1, x) - px(img, y - 1, x + 1);
    return [gx, gy];
  };
  let total = 0;
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      let best = Infinity;
      for (let v = -warp; v <= warp; v++) {
        for (let u = -warp; u <= warp; u++) {
          let s = 0;
          for (let cy = -1; cy <= 1; cy++) {
            for (let cx = -1; cx <= 1; cx++) {
              const [qa, qb] = sobel(a, y + cy, x + cx);
              const [ra, rb] = sobel(b, y + v + cy, x + u + cx);
              s += (qa - ra) ** 2 + (qb - rb) ** 2;
            }
          }
          best = Math.min(best, s);
        }
      }
      total += best;
    }
  }
  return total;
}

const mnist = loadMnist();
const digits = toUnit(head(mnist.test, 6).pixels);
const digit = (i: number) => digits.subarray(i * PIXELS, (i + 1) * PIXELS);

test('equals the plain definition on MNIST digits and on random ink, for every warp', () => {
  const rng = new Random(3);
  const noise = () => Float32Array.from({ length: PIXELS }, () => (rng.next() < 0.2 ? rng.next() : 0));
  const pairs: [Float32Array, Float32Array][] = [
    [digit(0), digit(1)],
    [digit(2), digit(3)],
    [noise(), noise()],
  ];
  for (const [a, b] of pairs) {
    for (const warp of [0, 1, 2, 3]) {
      const fast = idmDistance(grid(a), 0, grid(b), 0, warp);
      const plain = plainIdm(a, b, warp);
      assert.ok(Math.abs(fast - plain) <= 1e-4 * Math.max(1, plain), `warp ${warp}: ${fast} against ${plain}`);
    }
  }
});

test('a digit is at 0 from itself, and a shift of one pixel is forgiven by a warp of 1 but not of 0', () => {
  const a = digit(4);
  assert.is(idmDistance(grid(a), 0, grid(a), 0, 2), 0);
  const shifted = new Float32Array(PIXELS);
  for (let y = 0; y < SIDE; y++) for (let x = 1; x < SIDE; x++) shifted[y * SIDE + x] = a[y * SIDE + x - 1]!;
  assert.ok(idmDistance(grid(a), 0, grid(shifted), 0, 0) > 1);
  assert.is(idmDistance(grid(a), 0, grid(shifted), 0, 1), 0);
  // More freedom never costs more.
  const b = digit(5);
  const byWarp = [0, 1, 2, 3].map((w) => idmDistance(grid(a), 0, grid(b), 0, w));
  for (let w = 1; w < 4; w++) assert.ok(byWarp[w]! <= byWarp[w - 1]!, byWarp.join(' '));
  // With a bound below it, the distance stops early, above the bound; with one above, it is exact.
  assert.ok(idmDistance(grid(a), 0, grid(b), 0, 2, byWarp[2]! / 2) > byWarp[2]! / 2);
  assert.is(idmDistance(grid(a), 0, grid(b), 0, 2, byWarp[2]! * 2), byWarp[2]);
});

const train = head(mnist.train, 1500);
const held = take(
  mnist.test,
  Array.from({ length: 200 }, (_, i) => i),
);
const trainX = deskew(toUnit(train.pixels), train.n);
const heldX = deskew(toUnit(held.pixels), held.n);
const pca = fitPca(asRows(trainX, train.n, PIXELS), { components: 30 });
const images = fromUnit(trainX);
const features = pca.project(
  Float32Array.from(images, (v) => v / 255),
  train.n,
);

test('kNN with the IDM reads held-out digits better than the same kNN by PCA distance', () => {
  const idm = new IdmKnn({ k: 1, shortlist: 20, warp: 2 }, pca, images, labelsOf(train), features);
  const p = idm.predictProba(heldX, held.n);
  assert.ok(isProbabilityRows(p, held.n));
  const withIdm = evaluate(p, labelsOf(held)).accuracy;
  const plain = KnnClassifier.fit(asRows(pca.project(trainX, train.n), train.n, 30), labelsOf(train), { k: 1 });
  const byPca = evaluate(plain.predictProba(pca.project(heldX, held.n), held.n), labelsOf(held)).accuracy;
  assert.ok(withIdm >= 0.95 && withIdm > byPca, `IDM ${withIdm}, PCA ${byPca}`);
});

test("the validation grid's accuracy for a setting is the classifier's own with that setting (stopping early changes nothing)", async () => {
  const base = new IdmKnn({ k: 1, shortlist: 10, warp: 1 }, pca, images, labelsOf(train), features);
  const n = 60;
  const grid = await idmGrid(base, heldX, labelsOf(held), n, { shortlists: [5, 10], ks: [1, 3], warps: [1, 2] });
  assert.is(grid.length, 8);
  assert.ok(new Set(grid.map((r) => r.validationAccuracy)).size > 1, 'the settings differ in what they read');
  for (const row of grid) {
    const alone = new IdmKnn({ k: row.k, shortlist: row.shortlist, warp: row.warp }, pca, images, labelsOf(train), features);
    const accuracy = evaluate(alone.predictProba(heldX, n), labelsOf(held).subarray(0, n)).accuracy;
    assert.is(accuracy, row.validationAccuracy, JSON.stringify(row));
  }
});

test('a JSON round trip predicts identically; a damaged block is a clear error', () => {
  const idm = new IdmKnn({ k: 3, shortlist: 10, warp: 1 }, pca, images, labelsOf(train));
  const json = JSON.parse(JSON.stringify(idm.toJSON()));
  const again = IdmKnn.load(json);
  const x = heldX.subarray(0, 20 * PIXELS);
  assert.equal(Array.from(again.predictProba(x, 20)), Array.from(idm.predictProba(x, 20)));
  assert.throws(() => IdmKnn.load({ ...json, warp: 7 }), /warp must be 0\.\.3 px, got 7/);
  assert.throws(() => IdmKnn.load({ ...json, shortlist: 2 }), /need 1 ≤ k ≤ shortlist/);
  assert.throws(() => IdmKnn.load({ ...json, images: json.images.slice(0, 400) }), /knn-idm images holds \d+ values, expected 1176000/);
});

test.run();
