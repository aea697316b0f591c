import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import {
  areaResize,
  bilinearResize,
  blockMedians,
  boxBlur,
  boxMax,
  complement,
  componentsAbove,
  dilate,
  Histogram,
  neighbourDifferences,
  reused,
  stretch,
} from '../../src/core/image/kernels.js';
import { Random } from '../../src/core/util/random.js';

const test = suite('image kernels');
const rng = new Random(9);
const randomImage = (w: number, h: number) => Float32Array.from({ length: w * h }, () => rng.next());
const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
const close = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

test('area resize keeps the mean, and by a whole factor is the block mean', () => {
  const img = randomImage(30, 21);
  close(mean(areaResize(img, 30, 21, 7, 5)), mean(img), 1e-5, 'mean');
  const small = areaResize(img, 30, 21, 10, 7);
  let s = 0;
  for (let y = 0; y < 3; y++) for (let x = 0; x < 3; x++) s += img[y * 30 + x]!;
  close(small[0]!, s / 9, 1e-6, 'first block');
});

test('a bilinear resize to the same size is the identity; of a constant, that constant', () => {
  const img = randomImage(9, 6);
  assert.equal(Array.from(bilinearResize(img, 9, 6, 9, 6)), Array.from(img));
  for (const v of bilinearResize(new Float32Array(12).fill(0.3), 4, 3, 17, 11)) close(v, 0.3, 1e-6, 'constant');
});

test('a bilinear resize gives, to the bit, the textbook per-pixel formula, enlarging and shrinking', () => {
  const rng = new Random(23);
  for (const [sw, sh, dw, dh] of [
    [4, 4, 140, 140],
    [9, 6, 3, 17],
    [1, 5, 7, 2],
    [13, 11, 64, 50],
  ] as const) {
    const src = Float32Array.from({ length: sw * sh }, () => rng.uniform(0, 1));
    const out = bilinearResize(src, sw, sh, dw, dh);
    for (let y = 0; y < dh; y++)
      for (let x = 0; x < dw; x++) {
        const syf = Math.min(sh - 1, Math.max(0, ((y + 0.5) * sh) / dh - 0.5));
        const sxf = Math.min(sw - 1, Math.max(0, ((x + 0.5) * sw) / dw - 0.5));
        const [y0, x0] = [Math.floor(syf), Math.floor(sxf)];
        const [y1, x1] = [Math.min(sh - 1, y0 + 1), Math.min(sw - 1, x0 + 1)];
        const [fy, fx] = [syf - y0, sxf - x0];
        const v = (1 - fy) * ((1 - fx) * src[y0 * sw + x0]! + fx * src[y0 * sw + x1]!) + fy * ((1 - fx) * src[y1 * sw + x0]! + fx * src[y1 * sw + x1]!);
        assert.is(out[y * dw + x], Math.fround(v), `${sw}×${sh} → ${dw}×${dh} at (${x}, ${y})`);
      }
  }
});

test('box max and dilation never lower a pixel, and erosion (negated) never raises one', () => {
  const img = randomImage(16, 12);
  for (const out of [boxMax(img, 16, 12, 2), dilate(img, 16, 12, 3)]) for (const [i, v] of out.entries()) assert.ok(v >= img[i]!);
  assert.equal(Array.from(boxMax(img, 16, 12, 0)), Array.from(img));
  const neg = img.map((v) => -v);
  for (const [i, v] of dilate(neg, 16, 12, 1).entries()) assert.ok(-v <= img[i]!);
});

test('box max is the maximum over each (2r+1)² window clipped to the image, for any size and radius', () => {
  const rng = new Random(17);
  for (const [w, h] of [
    [1, 1],
    [5, 3],
    [16, 12],
    [13, 29],
    [64, 64],
    [70, 7],
  ] as const) {
    const img = Float32Array.from({ length: w * h }, () => rng.uniform(-1, 1));
    // Up to r 4 windowMax reads each window; from 5 maxAxis uses block maxima (van Herk): both are checked.
    for (const r of [0, 1, 2, 3, 4, 5, 6, 40]) {
      const out = boxMax(img, w, h, r);
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          let m = -Infinity;
          for (let yy = Math.max(0, y - r); yy <= Math.min(h - 1, y + r); yy++)
            for (let xx = Math.max(0, x - r); xx <= Math.min(w - 1, x + r); xx++) m = Math.max(m, img[yy * w + xx]!);
          assert.is(out[y * w + x], m, `${w}×${h}, r ${r}, (${x}, ${y})`);
        }
    }
  }
});

test('a lone bright pixel dilates into a round pen, not a square', () => {
  const img = new Float32Array(15 * 15);
  img[7 * 15 + 7] = 1;
  const out = dilate(img, 15, 15, 3);
  assert.is(out[7 * 15 + 10], 1, 'three steps along an axis');
  assert.is(out[4 * 15 + 4], 0, 'the square corner stays off');
});

test('box blur keeps a constant image and spreads a point evenly over its window', () => {
  for (const v of boxBlur(new Float32Array(20).fill(0.6), 5, 4, 1)) close(v, 0.6, 1e-6, 'constant');
  const img = new Float32Array(49);
  img[24] = 9;
  const out = boxBlur(img, 7, 7, 1);
  close(out[24]!, 1, 1e-6, 'centre');
  close(out[16]!, 1, 1e-6, 'diagonal neighbour');
  assert.is(out[0], 0);
});

test('components: 8-connected pixels above the threshold, with their areas and boxes', () => {
  // Two blobs: a diagonal pair (one component under 8-connectivity) and a separate 2×2 square.
  const w = 6;
  const img = new Float32Array(w * 5);
  img[0] = img[w + 1] = 1;
  for (const [y, x] of [
    [3, 3],
    [3, 4],
    [4, 3],
    [4, 4],
  ])
    img[y! * w + x!] = 0.9;
  img[2 * w + 5] = 0.1; // below the threshold
  img[4 * w + 2] = 0.7; // joins the square at its bottom left
  const { labels, areas, boxes } = componentsAbove(img, w, 5, 0.5);
  assert.is(labels[0], labels[w + 1]);
  assert.is.not(labels[0], labels[3 * w + 3]);
  assert.is(labels[2 * w + 5], 0);
  assert.equal(areas, [0, 2, 5], 'labelled in the order of their first pixels');
  assert.equal(
    boxes.slice(1),
    [
      { label: 1, left: 0, top: 0, right: 1, bottom: 1 },
      { label: 2, left: 2, top: 3, right: 4, bottom: 4 },
    ],
    'each box holds exactly its pixels',
  );
});

test('the histogram answers quantiles and Otsu splits two levels between them', () => {
  const values = Float32Array.from({ length: 1000 }, (_, i) => (i < 700 ? 0.1 : 0.8));
  const h = new Histogram(values);
  close(h.quantile(0.5), 0.1, 1 / 1024, 'median');
  close(h.quantile(0.9), 0.8, 1 / 1024, '90th percentile');
  const t = h.otsuThreshold();
  assert.ok(t > 0.1 && t <= 0.8, `threshold ${t}`);
  close(new Histogram(values, 0.5).quantile(0), 0.8, 1 / 1024, 'above 0.5');
  const below = new Histogram(values).below(0.5);
  assert.is(below.total, 700);
  close(below.quantile(1), 0.1, 1 / 1024, 'the largest value below 0.5');
});

test('block medians: paper reads 0, a grey tile its grey level to 1/64', () => {
  const img = new Float32Array(8 * 4).fill(0.005);
  for (let y = 0; y < 4; y++) for (let x = 4; x < 8; x++) img[y * 8 + x] = 0.5;
  const grid = blockMedians(img, 8, 4, 4);
  assert.is(grid[0], 0);
  close(grid[1]!, 0.5, 1 / 64, 'grey tile');
});

test('complement and stretch map values as stated, clamping outside the range', () => {
  assert.equal(Array.from(complement(Float32Array.from([0, 0.25, 1]))), [1, 0.75, 0]);
  const v = Float32Array.from([0.1, 0.2, 0.5, 0.8, 0.9]);
  stretch(v, 0.2, 0.8);
  assert.equal(
    Array.from(v, (x) => Number(x.toFixed(6))),
    [0, 0, 0.5, 1, 1],
  );
});

test('a kernel given an array to fill ("into") gives the same values as a new one, in it, even when it is the input', () => {
  const w = 23;
  const h = 17;
  const src = randomImage(w, h);
  const cases: [string, (into?: Float32Array) => Float32Array, number][] = [
    ['box max', (into) => boxMax(src, w, h, 3, into), w * h],
    ['box blur', (into) => boxBlur(src, w, h, 2, into), w * h],
    ['dilate', (into) => dilate(src, w, h, 2, into), w * h],
    ['area resize', (into) => areaResize(src, w, h, 9, 7, into), 63],
    ['bilinear resize', (into) => bilinearResize(src, w, h, 40, 30, into), 1200],
    ['neighbour differences', (into) => neighbourDifferences(src, w, h, into), (w - 1) * h],
  ];
  for (const [what, run, n] of cases) {
    const expected = run();
    const into = reused(`test ${what}`, n).fill(Number.NaN);
    assert.ok(run(into) === into, `${what}: the answer is the array given`);
    assert.equal(Array.from(into), Array.from(expected), what);
  }
  const inPlace = src.slice();
  assert.equal(Array.from(boxBlur(inPlace, w, h, 2, inPlace)), Array.from(boxBlur(src, w, h, 2)), 'box blur into its own input');
});

test('reused: the same memory again for a slot, grown when asked for more; over 1 MB not kept', () => {
  const a = reused('test slot', 100);
  const b = reused('test slot', 50);
  assert.ok(a.buffer === b.buffer, 'one slot, one buffer');
  assert.is(b.length, 50);
  assert.ok(reused('test slot', 200).buffer !== a.buffer, 'grown');
  assert.ok(reused('another slot', 50).buffer !== reused('test slot', 50).buffer, 'slots apart');
  const labels = reused('test labels', 30, Int32Array);
  assert.ok(labels instanceof Int32Array && labels.length === 30, 'int32 labels on request');
  assert.ok(reused('test labels', 20, Int32Array).buffer === labels.buffer, 'int32 slots are kept too');
  const [big, bigAgain] = [reused('big', 2 ** 18), reused('big', 2 ** 18)];
  assert.ok(big.buffer === bigAgain.buffer, 'a 512 × 512 image is kept');
  const [huge, hugeAgain] = [reused('huge', 2 ** 18 + 1), reused('huge', 2 ** 18 + 1)];
  assert.ok(huge.buffer !== hugeAgain.buffer, 'over 1 MB, fresh each time');
});

test.run();
