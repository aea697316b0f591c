import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import { head, PIXELS, SIDE, toUnit } from '../../src/core/frame.js';
import { InputTransform } from '../../src/core/features/transform.js';
import { normaliseWidth } from '../../src/core/features/width.js';
import { loadMnist } from '../../src/data/mnist.js';

const test = suite('width normalisation');

/** The columns and rows holding ink of at least 0.1. */
function inkBox(img: Float32Array): { left: number; right: number; top: number; bottom: number } {
  const box = { left: SIDE, right: -1, top: SIDE, bottom: -1 };
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      if (img[y * SIDE + x]! < 0.1) continue;
      box.left = Math.min(box.left, x);
      box.right = Math.max(box.right, x);
      box.top = Math.min(box.top, y);
      box.bottom = Math.max(box.bottom, y);
    }
  }
  return box;
}

test('every digit comes out the given width, as tall as it was, centred; a blank stays blank', () => {
  const n = 200;
  const x = toUnit(head(loadMnist().test, n).pixels);
  for (const width of [10, 14, 20]) {
    const out = normaliseWidth(x, n, width);
    for (let r = 0; r < n; r++) {
      const before = inkBox(x.subarray(r * PIXELS, (r + 1) * PIXELS));
      const after = inkBox(out.subarray(r * PIXELS, (r + 1) * PIXELS));
      const w = after.right - after.left + 1;
      // The scaled edge pixels may fall just under the ink level: within a pixel of the width on each side.
      assert.ok(Math.abs(w - width) <= 2, `digit ${r} at width ${width}: ${w} px wide`);
      // Its rows stay where they were; a faint end row may fade under the ink level when squeezed.
      assert.ok(after.top >= before.top - 4 && Math.abs(after.bottom - after.top - (before.bottom - before.top)) <= 1, `digit ${r} keeps its height`);
      assert.ok(Math.abs((after.left + after.right) / 2 - (SIDE - 1) / 2) <= 1.5, `digit ${r} centred`);
    }
  }
  assert.equal(Array.from(normaliseWidth(new Float32Array(PIXELS), 1, 14)), Array.from(new Float32Array(PIXELS)));
});

test('the input block carries it: JSON round trip, the order deskew → width, and out-of-range widths refused', () => {
  const t = new InputTransform(true, null, 14);
  assert.equal(t.toJSON(), { deskew: true, width: 14, pca: null });
  assert.is(InputTransform.load(t.toJSON()).width, 14);
  assert.is(t.describe(), 'deskew → width 14 px');
  // Files without the field read as before, and write as before.
  assert.equal(new InputTransform(false, null).toJSON(), { deskew: false, pca: null });
  assert.is(InputTransform.load({ deskew: false, pca: null }).width, null);
  assert.throws(() => InputTransform.load({ deskew: false, pca: null, width: 30 }), /"input" width must be 8\.\.20 px, got 30/);
  assert.throws(() => new InputTransform(false, null, 7), /a normalised width must be 8\.\.20 px, got 7/);
  const x = toUnit(head(loadMnist().test, 3).pixels);
  assert.equal(Array.from(t.apply(x, 3)), Array.from(normaliseWidth(new InputTransform(true, null).apply(x, 3), 3, 14)));
});

test.run();
