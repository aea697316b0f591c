import { readFileSync } from 'node:fs';
import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import { assembleKernels, KERNEL_VARIANTS } from '../../src/cli/kernels-build.js';
import { sharedKernelsOn } from '../../src/core/math/kernels-shared.js';
import { Arena, kernelMemory, kernelsOn, scratchKernels } from '../../src/core/math/kernels.js';
import {
  areaResize,
  boxBlur,
  blockMedians,
  complement,
  componentsAbove,
  halfDifference,
  Histogram,
  neighbourDifferences,
  stretch,
} from '../../src/core/image/kernels.js';
import { greyImage } from '../../src/core/image/preprocess.js';
import type { RgbaImage } from '../../src/core/image/rgba.js';
import { Random } from '../../src/core/util/random.js';

const test = suite('SIMD kernels');

test('the module served is the one its source assembles to, byte for byte', async () => {
  const texts = await assembleKernels();
  for (const [i, { file }] of KERNEL_VARIANTS.entries())
    assert.is(texts[i], readFileSync(file, 'utf8'), `${file.pathname}: run npm run build:kernels after editing src/core/math/kernels.wat`);
});

/** Random shapes: sizes 1..37 take every path (16 at a time, 4 at a time, one at a time) and their mixes. */
function* shapes(seed: number): Generator<{ rows: number; inSize: number; outSize: number; rng: Random }> {
  const rng = new Random(seed);
  for (let t = 0; t < 40; t++)
    yield { rows: 1 + Math.floor(rng.uniform(0, 6)), inSize: 1 + Math.floor(rng.uniform(0, 37)), outSize: 1 + Math.floor(rng.uniform(0, 37)), rng };
}

/** Fills `count` floats at `at` with uniform values in ±1, a fraction `zeros` of them 0, and returns a copy. */
function fill(view: Float32Array, rng: Random, zeros = 0): Float32Array {
  for (let i = 0; i < view.length; i++) view[i] = rng.uniform(0, 1) < zeros ? 0 : rng.uniform(-1, 1);
  return view.slice();
}

function close(actual: Float32Array, expected: number[], what: string): void {
  assert.is(actual.length, expected.length, what);
  for (let i = 0; i < expected.length; i++)
    assert.ok(Math.abs(actual[i]! - expected[i]!) <= 1e-5 * (1 + Math.abs(expected[i]!)), `${what} [${i}]: ${actual[i]} against ${expected[i]}`);
}

function setup(floats: number[]): { k: ReturnType<typeof kernelsOn>; at: number[]; view: (i: number) => Float32Array } {
  const arena = new Arena();
  const at = floats.map((n) => arena.floats(n));
  const k = kernelsOn(kernelMemory(arena.bytes));
  return { k, at, view: (i) => new Float32Array(k.memory.buffer, at[i]!, floats[i]!) };
}

test('forward: y = b + xW, with and without ReLU, matches a plain loop', () => {
  for (const { rows, inSize, outSize, rng } of shapes(1)) {
    for (const relu of [0, 1]) {
      const { k, at, view } = setup([rows * inSize, inSize * outSize, outSize, rows * outSize, 2 * inSize]);
      const x = fill(view(0), rng, 0.5);
      const w = fill(view(1), rng);
      const b = fill(view(2), rng);
      k.forward(at[0]!, rows, inSize, outSize, at[1]!, at[2]!, at[3]!, relu, at[4]!);
      const expected: number[] = [];
      for (let r = 0; r < rows; r++)
        for (let j = 0; j < outSize; j++) {
          let s = b[j]!;
          for (let i = 0; i < inSize; i++) s += x[r * inSize + i]! * w[i * outSize + j]!;
          expected.push(relu ? Math.max(0, s) : s);
        }
      close(view(3), expected, `forward ${rows}×${inSize}→${outSize} relu ${relu}`);
    }
  }
});

test('weightGradient: gW += xᵀdy and gb += Σdy, added to what is there, match a plain loop', () => {
  for (const { rows, inSize, outSize, rng } of shapes(2)) {
    const { k, at, view } = setup([rows * inSize, rows * outSize, inSize * outSize, outSize, 2 * rows]);
    const x = fill(view(0), rng, 0.5);
    const dy = fill(view(1), rng);
    const gw = fill(view(2), rng);
    const gb = fill(view(3), rng);
    k.weightGradient(at[0]!, at[1]!, rows, inSize, outSize, at[2]!, at[3]!, at[4]!);
    const expectedW = Array.from(gw, (g, p) => {
      const [i, j] = [Math.floor(p / outSize), p % outSize];
      let s = g;
      for (let r = 0; r < rows; r++) s += x[r * inSize + i]! * dy[r * outSize + j]!;
      return s;
    });
    const expectedB = Array.from(gb, (g, j) => {
      let s = g;
      for (let r = 0; r < rows; r++) s += dy[r * outSize + j]!;
      return s;
    });
    close(view(2), expectedW, `gW ${rows}×${inSize}→${outSize}`);
    close(view(3), expectedB, `gb ${rows}×${inSize}→${outSize}`);
  }
});

test('backward: dx = dy Wᵀ where x ≠ 0 and 0 where x = 0, matches a plain loop', () => {
  for (const { rows, inSize, outSize, rng } of shapes(3)) {
    const { k, at, view } = setup([rows * outSize, inSize * outSize, rows * inSize, rows * inSize]);
    const dy = fill(view(0), rng);
    const w = fill(view(1), rng);
    const x = fill(view(2), rng, 0.5);
    fill(view(3), rng);
    k.backward(at[0]!, rows, inSize, outSize, at[1]!, at[2]!, at[3]!);
    const expected = Array.from(x, (v, p) => {
      if (v === 0) return 0;
      const [r, i] = [Math.floor(p / inSize), p % inSize];
      let s = 0;
      for (let j = 0; j < outSize; j++) s += w[i * outSize + j]! * dy[r * outSize + j]!;
      return s;
    });
    close(view(3), expected, `dx ${rows}×${inSize}→${outSize}`);
  }
});

test('adamw and add match a plain loop on counts that are not multiples of 4', () => {
  const rng = new Random(4);
  for (const count of [1, 3, 4, 7, 16, 37]) {
    const { k, at, view } = setup([count, count, count, count, count]);
    const p = fill(view(0), rng);
    const g = fill(view(1), rng);
    const m = fill(view(2), rng);
    const v = view(3);
    for (let i = 0; i < count; i++) v[i] = rng.uniform(0, 1);
    const v0 = v.slice();
    const src = fill(view(4), rng);
    const o = { lr: 0.01, lrDecay: 0.001, c1: 1.5, c2: 2.5, scale: 0.25 };
    k.adamw(at[0]!, at[1]!, at[2]!, at[3]!, count, o.lr, o.lrDecay, o.c1, o.c2, o.scale);
    const mm: number[] = [];
    const vv: number[] = [];
    const pp: number[] = [];
    for (let i = 0; i < count; i++) {
      const gs = g[i]! * o.scale;
      mm.push(0.9 * m[i]! + 0.1 * gs);
      vv.push(0.999 * v0[i]! + 0.001 * gs * gs);
      pp.push(p[i]! - (o.lr * (mm[i]! * o.c1)) / (Math.sqrt(vv[i]! * o.c2) + 1e-8) - o.lrDecay * p[i]!);
    }
    close(view(2), mm, `m, ${count}`);
    close(view(3), vv, `v, ${count}`);
    close(view(0), pp, `p, ${count}`);
    k.add(at[1]!, at[4]!, count);
    close(
      view(1),
      Array.from(g, (a, i) => a + src[i]!),
      `add, ${count}`,
    );
  }
});

test('a shared memory runs the same kernels, for the trainer threads', () => {
  const memory = kernelMemory(1 << 16, true);
  assert.instance(memory.buffer, SharedArrayBuffer);
  const k = sharedKernelsOn(memory);
  const f = new Float32Array(memory.buffer, 16, 10);
  f.set([1, 2, 3, 4, 5, 10, 20, 30, 40, 50]);
  k.add(16, 36, 5);
  assert.equal(Array.from(f.subarray(0, 5)), [11, 22, 33, 44, 55]);
});

/**
 * The reference for greySums, greyWeight and greyFinish: the code preprocessing ran before them, one pixel at a
 * time in float64, with block sums kept in float32.
 */
function plainGrey(img: RgbaImage, factor: number): Float32Array {
  const w = Math.floor(img.width / factor);
  const h = Math.floor(img.height / factor);
  const lit = new Float32Array(w * h);
  const clear = new Float32Array(w * h);
  let weighted = 0;
  let alphaSum = 0;
  let translucent = false;
  const d = img.data;
  for (let y = 0; y < h * factor; y++)
    for (let x = 0; x < w; x++) {
      let l = 0;
      let t = 0;
      for (let dx = 0; dx < factor; dx++) {
        const p = (y * img.width + x * factor + dx) * 4;
        const a = d[p + 3]!;
        l += (0.299 * d[p]! + 0.587 * d[p + 1]! + 0.114 * d[p + 2]!) * a;
        t += 255 - a;
        if (a < 250) translucent = true;
      }
      const o = ((y / factor) | 0) * w + x;
      lit[o]! += l;
      clear[o]! += t;
      weighted += l;
      alphaSum += factor * 255 - t;
    }
  const background = translucent && alphaSum > 0 && weighted / alphaSum < 0.5 * 255 ? 1 : 0;
  return lit.map((v, i) => (v / 255 + background * clear[i]!) * (1 / (factor * factor * 255)));
}

/** A w×h RGBA image of paper with strokes of random colours, some of them translucent, and runs of every length. */
function paperWithInk(w: number, h: number, rng: Random, translucency: number): RgbaImage {
  const data = new Uint8Array(w * h * 4);
  // Half the translucent images on a transparent canvas, as a browser exports one: all four bytes 0.
  const paper = translucency > 0 && rng.next() < 0.5 ? [0, 0, 0, 0] : [rng.int(256), rng.int(256), rng.int(256), 255];
  for (let i = 0; i < w * h; i++) data.set(paper, i * 4);
  for (let s = 0; s < 40; s++) {
    const at = rng.int(w * h);
    const run = 1 + rng.int(30);
    const ink = [rng.int(256), rng.int(256), rng.int(256), rng.next() < translucency ? rng.int(256) : 255];
    for (let i = at; i < Math.min(w * h, at + run); i++) data.set(rng.next() < 0.8 ? ink : [rng.int(256), rng.int(256), rng.int(256), 255], i * 4);
  }
  return { width: w, height: h, data };
}

test("greySums, greyWeight and greyFinish give the plain loop's grey to the bit: factors 1 to 5, odd sizes, translucent or not", () => {
  const rng = new Random(5);
  for (let t = 0; t < 60; t++) {
    const factor = 1 + (t % 5);
    const img = paperWithInk(factor * (1 + rng.int(40)) + rng.int(factor), factor * (1 + rng.int(30)) + rng.int(factor), rng, t % 3 === 0 ? 0.5 : 0);
    const { grey, width, height } = greyImage(img, factor);
    assert.is(width * height, grey.length);
    assert.equal(Array.from(grey), Array.from(plainGrey(img, factor)), `${img.width}×${img.height}, factor ${factor}`);
  }
});

test("an image larger than one band of the kernels' memory is summed band by band, to the same grey", () => {
  // 1,500 × 1,000 pixels is 6 MB: two bands of 4 MB at factor 1, and at factor 3 (rows a multiple of 3).
  const rng = new Random(6);
  for (const factor of [1, 3]) {
    const img = paperWithInk(1500, 1000, rng, 0.3);
    assert.equal(Array.from(greyImage(img, factor).grey), Array.from(plainGrey(img, factor)), `factor ${factor}`);
  }
});

/** Values in [0, 1] with runs of repeats (the paper) and the edges 0 and 1 themselves. */
function levels(n: number, rng: Random): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = i > 0 && rng.next() < 0.6 ? out[i - 1]! : [0, 1, rng.next()][rng.int(3)]!;
  return out;
}

test('histogram counts as a plain loop does: every size mod 4, with and without a floor', () => {
  const rng = new Random(7);
  for (let t = 0; t < 40; t++) {
    const values = levels(rng.int(300), rng);
    const above = [-1, 0, 0.02, 0.5][t % 4]!;
    const expected = new Array<number>(1024).fill(0);
    for (const v of values) if (v > above) expected[Math.min(1023, Math.floor(v * 1024))]!++;
    const h = new Histogram(values, above);
    assert.equal(Array.from(h.counts), expected, `${values.length} values above ${above}`);
    assert.is(
      h.total,
      expected.reduce((a, b) => a + b, 0),
    );
  }
});

test("blockMedians gives each tile's median to 1/64 as a plain sort does, partial tiles included", () => {
  const rng = new Random(8);
  for (let t = 0; t < 40; t++) {
    const w = 1 + rng.int(50);
    const h = 1 + rng.int(50);
    const block = 1 + rng.int(12);
    const img = levels(w * h, rng);
    const expected: number[] = [];
    for (let y0 = 0; y0 < h; y0 += block)
      for (let x0 = 0; x0 < w; x0 += block) {
        const bins: number[] = [];
        for (let y = y0; y < Math.min(h, y0 + block); y++)
          for (let x = x0; x < Math.min(w, x0 + block); x++) bins.push(Math.min(63, Math.floor(img[y * w + x]! * 64)));
        bins.sort((a, b) => a - b);
        // The lower median's bin; a median in the lowest bin is 0.
        const b = bins[Math.floor((bins.length - 1) / 2)]!;
        expected.push(b === 0 ? 0 : (b + 0.5) / 64);
      }
    assert.equal(Array.from(blockMedians(img, w, h, block)), expected, `${w}×${h}, tiles of ${block}`);
  }
});

test('complement, stretch, halfDifference and neighbourDifferences match plain loops to the bit, every size mod 4', () => {
  const rng = new Random(9);
  for (let t = 0; t < 30; t++) {
    const w = 1 + rng.int(23);
    const h = 1 + rng.int(5);
    const a = levels(w * h, rng);
    const b = levels(w * h, rng);
    const f = Math.fround;
    assert.equal(
      Array.from(complement(a.slice())),
      Array.from(a, (v) => f(1 - v)),
      `complement of ${w * h}`,
    );
    const [low, high] = [0.1 * rng.next(), 0.5 + 0.5 * rng.next()];
    const stretched = a.slice();
    stretch(stretched, low, high);
    assert.equal(
      Array.from(stretched),
      Array.from(a, (v) => f(Math.max(0, Math.min(1, (v - low) * (1 / (high - low)))))),
      `stretch of ${w * h}`,
    );
    assert.equal(
      Array.from(halfDifference(a, b)),
      Array.from(a, (v, i) => f((v - b[i]! + 1) / 2)),
      `halfDifference of ${w * h}`,
    );
    const expected: number[] = [];
    for (let y = 0; y < h; y++) for (let x = 0; x + 1 < w; x++) expected.push(f(Math.abs(a[y * w + x + 1]! - a[y * w + x]!)));
    assert.equal(Array.from(neighbourDifferences(a, w, h)), expected, `neighbourDifferences of ${w}×${h}`);
  }
});

test('components label, measure and box the 8-connected pixels above the threshold as a plain flood fill does', () => {
  const rng = new Random(10);
  for (let t = 0; t < 30; t++) {
    const w = 1 + rng.int(40);
    const h = 1 + rng.int(40);
    // Sparse to dense, with single-pixel specks, diagonal touches and the threshold's own value.
    const density = [0.05, 0.3, 0.6, 0.9][t % 4]!;
    const img = Float32Array.from({ length: w * h }, () => (rng.next() < density ? [0.5, 1, 0.2][rng.int(3)]! : 0));
    const labels = new Int32Array(w * h);
    const areas = [0];
    const boxes = [{ label: 0, left: 0, top: 0, right: -1, bottom: -1 }];
    for (let start = 0; start < w * h; start++) {
      if (labels[start] || !(img[start]! > 0.2)) continue;
      const label = areas.length;
      const box = { label, left: w, top: Math.floor(start / w), right: -1, bottom: -1 };
      const todo = [start];
      labels[start] = label;
      let area = 0;
      while (todo.length) {
        const p = todo.pop()!;
        const [x, y] = [p % w, Math.floor(p / w)];
        area++;
        box.left = Math.min(box.left, x);
        box.right = Math.max(box.right, x);
        box.bottom = Math.max(box.bottom, y);
        for (let yy = y - 1; yy <= y + 1; yy++)
          for (let xx = x - 1; xx <= x + 1; xx++)
            if (xx >= 0 && yy >= 0 && xx < w && yy < h && !labels[yy * w + xx] && img[yy * w + xx]! > 0.2) {
              labels[yy * w + xx] = label;
              todo.push(yy * w + xx);
            }
      }
      areas.push(area);
      boxes.push(box);
    }
    const found = componentsAbove(img, w, h, 0.2);
    assert.equal(Array.from(found.labels), Array.from(labels), `labels, ${w}×${h} at density ${density}`);
    assert.equal(found.areas, areas, 'areas');
    assert.equal(found.boxes, boxes, 'boxes');
  }
});

test('the arena hands out offsets 64 bytes apart at least, from 64: never 1–31 bytes past a page-aligned source (Chromium copies those slowly)', () => {
  const arena = new Arena();
  const at = [1, 3, 16, 17, 100, 5].map((n) => arena.floats(n));
  assert.is(at[0], 64);
  for (const [i, a] of at.entries()) assert.is(a % 64, 0, `offset ${i}: ${a}`);
  assert.ok(
    at.every((a, i) => i === 0 || a >= at[i - 1]! + 64),
    'no overlap',
  );
});

test('the scratch memory is kept and grown up to 32 MB; a larger request gets a memory of its own, not kept', () => {
  const kept = scratchKernels(1 << 20);
  assert.ok(kept.memory.buffer.byteLength >= 1 << 20);
  assert.is(scratchKernels(2 << 20), kept, 'grown, the same');
  const huge = scratchKernels(40 << 20);
  assert.is.not(huge, kept);
  assert.ok(huge.memory.buffer.byteLength >= 40 << 20);
  assert.ok(scratchKernels(16).memory.buffer.byteLength <= 32 << 20, 'the kept memory did not grow to the huge request');
});

test('areaResize averages the area each output pixel covers, as a plain loop does, to the bit', () => {
  const rng = new Random(11);
  for (let t = 0; t < 30; t++) {
    const [sw, sh] = [1 + rng.int(90), 1 + rng.int(90)];
    const [dw, dh] = [1 + rng.int(sw), 1 + rng.int(sh)];
    const src = levels(sw * sh, rng);
    const [fx, fy] = [sw / dw, sh / dh];
    const expected: number[] = [];
    for (let y = 0; y < dh; y++)
      for (let x = 0; x < dw; x++) {
        let s = 0;
        for (let sy = Math.floor(y * fy); sy < Math.min(sh, Math.ceil(y * fy + fy)); sy++)
          for (let sx = Math.floor(x * fx); sx < Math.min(sw, Math.ceil(x * fx + fx)); sx++)
            s += src[sy * sw + sx]! * (Math.min(x * fx + fx, sx + 1) - Math.max(x * fx, sx)) * (Math.min(y * fy + fy, sy + 1) - Math.max(y * fy, sy));
        expected.push(Math.fround(s / (fx * fy)));
      }
    assert.equal(Array.from(areaResize(src, sw, sh, dw, dh)), expected, `${sw}×${sh} → ${dw}×${dh}`);
  }
});

test('boxBlur takes the window mean along rows then columns as a plain running sum does, to the bit', () => {
  const rng = new Random(12);
  const along = (src: Float32Array, lines: number, count: number, r: number, at: (l: number, i: number) => number) => {
    const out = new Float32Array(src.length);
    for (let l = 0; l < lines; l++) {
      let sum = 0;
      let n = 0;
      for (let i = 0; i < Math.min(r, count); i++, n++) sum += src[at(l, i)]!;
      for (let i = 0; i < count; i++) {
        if (i + r < count) {
          sum += src[at(l, i + r)]!;
          n++;
        }
        if (i - r - 1 >= 0) {
          sum -= src[at(l, i - r - 1)]!;
          n--;
        }
        out[at(l, i)] = sum / n;
      }
    }
    return out;
  };
  for (let t = 0; t < 30; t++) {
    const [w, h, r] = [1 + rng.int(40), 1 + rng.int(40), rng.int(8)];
    const src = levels(w * h, rng);
    const rows = along(src, h, w, r, (l, i) => l * w + i);
    const expected = along(rows, w, h, r, (l, i) => i * w + l);
    assert.equal(Array.from(boxBlur(src, w, h, r)), Array.from(expected), `${w}×${h}, r ${r}`);
  }
});

test.run();
