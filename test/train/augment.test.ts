import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import { loadMnist } from '../../src/data/mnist.js';
import { augment, AugmentScratch, DEFAULT_AUGMENT } from '../../src/train/augment.js';
import { Random } from '../../src/core/util/random.js';

const test = suite('augmentation');
const mnist = loadMnist();
const scratch = new AugmentScratch();

function stats(img: Float32Array, o = 0): { mass: number; cx: number; cy: number } {
  let mass = 0;
  let cx = 0;
  let cy = 0;
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const v = img[o + y * 28 + x]!;
      mass += v;
      cx += v * x;
      cy += v * y;
    }
  }
  return { mass, cx: cx / mass, cy: cy / mass };
}

test('keeps the digit recognisable: ink mass roughly kept, centre of mass near the middle', () => {
  const out = new Float32Array(784);
  const ratios: number[] = [];
  for (let i = 0; i < 200; i++) {
    augment(mnist.train.pixels, i * 784, out, 0, new Random(i), DEFAULT_AUGMENT, scratch);
    const src = Float32Array.from(mnist.train.pixels.subarray(i * 784, (i + 1) * 784), (v) => v / 255);
    const a = stats(out);
    ratios.push(a.mass / stats(src).mass);
    assert.ok(Math.hypot(a.cx - 14, a.cy - 14) < 5, `image ${i}: centre (${a.cx.toFixed(1)}, ${a.cy.toFixed(1)})`);
    assert.ok(out.every((v) => v >= 0 && v <= 1.0001));
  }
  const mean = ratios.reduce((a, b) => a + b, 0) / ratios.length;
  assert.ok(mean > 0.8 && mean < 1.3, `mean ink ratio ${mean}`);
  // Thickening or thinning strokes changes ink mass by design (a 1 px dilation doubles a 2 px stroke).
  assert.ok(Math.min(...ratios) > 0.3 && Math.max(...ratios) < 2.8, `ratios ${Math.min(...ratios)}..${Math.max(...ratios)}`);
});

test('is seeded and repeatable, and different seeds differ', () => {
  const a = new Float32Array(784);
  const b = new Float32Array(784);
  const c = new Float32Array(784);
  augment(mnist.train.pixels, 0, a, 0, new Random(42), DEFAULT_AUGMENT, scratch);
  augment(mnist.train.pixels, 0, b, 0, new Random(42), DEFAULT_AUGMENT, scratch);
  augment(mnist.train.pixels, 0, c, 0, new Random(43), DEFAULT_AUGMENT, scratch);
  assert.equal(Array.from(a), Array.from(b));
  assert.not.equal(Array.from(a), Array.from(c));
});

test.run();
