import { suite } from '../helpers/suite.js';
import { inkOnPaper } from '../../src/core/image/rgba.js';
import * as assert from 'uvu/assert';
import { loadMnist } from '../../src/data/mnist.js';
import { decodeImage } from '../../src/codecs/decode.js';
import { lineBlurIn, richardsonLucy, undoMotionBlur } from '../../src/core/image/deblur.js';
import { lineBlur } from '../../src/core/image/kernels.js';
import { predictDecoded } from '../../src/core/image/pipeline.js';
import { toMnistInput } from '../../src/core/image/preprocess.js';
import { loadModel } from '../../src/io/model-file.js';
import { fft2 } from '../../src/core/math/fft.js';
import { imageSeed, TRACKS } from '../../src/samples/corruptions.js';
import { Random } from '../../src/core/util/random.js';
import { benchImage, digitInk } from '../helpers/images.js';

const test = suite('deblur');
const model = loadModel();

/** The smaller angle between two directions of a line (radians, modulo π). */
const apart = (a: number, b: number) => {
  const d = Math.abs(a - b) % Math.PI;
  return Math.min(d, Math.PI - d);
};

test('the 2-D FFT and its inverse give back the input, scaled by n²', () => {
  const n = 16;
  const rng = new Random(3);
  const re = Float64Array.from({ length: n * n }, () => rng.uniform(-1, 1));
  const original = re.slice();
  const im = new Float64Array(n * n);
  fft2(re, im, n, false);
  // The DC term is the sum of the inputs.
  assert.ok(Math.abs(re[0]! - original.reduce((a, b) => a + b, 0)) < 1e-9);
  fft2(re, im, n, true);
  for (let i = 0; i < n * n; i++) assert.ok(Math.abs(re[i]! / (n * n) - original[i]!) < 1e-9 && Math.abs(im[i]!) < 1e-9);
  assert.throws(() => fft2(new Float64Array(12 * 12), new Float64Array(12 * 12), 12, false), /power of two/);
});

test('a 60-px motion blur is found on MNIST digits (direction within 10° on most, length within 15%), and none on the same digits sharp', async () => {
  const blurs = async (track: string, strength: number) => {
    const t = TRACKS.findIndex((k) => k.name === track);
    const found: { blur: { angle: number; length: number }; truth: number }[] = [];
    // MNIST test digits 5000–5039 as the robustness bench makes them; a motion blur's angle is the track's first draw.
    for (let i = 5000; i < 5040; i++) {
      const img = await decodeImage(benchImage(track, strength, i));
      const { info } = toMnistInput(img);
      const undone = undoMotionBlur(img, info.box, info.polarity);
      if (undone) found.push({ blur: undone.blur, truth: new Random(imageSeed(t, strength, i)).uniform(0, Math.PI) });
    }
    return found;
  };
  const blurred = await blurs('motion-blur', 2);
  assert.ok(blurred.length >= 12, `a clear blur in ${blurred.length} of 40`);
  const rightDirection = blurred.filter((f) => apart(f.blur.angle, f.truth) <= (10 * Math.PI) / 180).length;
  assert.ok(rightDirection >= 0.8 * blurred.length, `direction right in ${rightDirection} of ${blurred.length}`);
  const median = blurred.map((f) => f.blur.length).sort((a, b) => a - b)[blurred.length >> 1]!;
  assert.ok(median > 51 && median < 69, `median length ${median} px, blurred 60`);
  const sharp = await blurs('clean', 0);
  assert.ok(sharp.length <= 2, `a blur "found" in ${sharp.length} of 40 sharp digits`);
});

test('a line blur leaves its dip in the cepstrum at its length, in its direction', () => {
  // A single bright pixel blurred: the image is the blur itself, with no digit's own structure to confuse it.
  const w = 128;
  const point = new Float32Array(w * w);
  point[64 * w + 64] = 1;
  for (const degrees of [0, 35, 90, 140]) {
    const angle = (degrees * Math.PI) / 180;
    const found = lineBlurIn(lineBlur(point, w, w, 30, angle, 1), w, w, 90);
    assert.ok(apart(found.angle, angle) <= (5 * Math.PI) / 180, `${degrees}°: found ${((found.angle * 180) / Math.PI).toFixed(0)}°`);
    assert.ok(Math.abs(found.length - 30) <= 3, `${degrees}°: length ${found.length}`);
  }
});

test('Richardson–Lucy with the blur brings the digit back closer than the blurred image', () => {
  const w = 128;
  const ink = digitInk(5, w, w, { size: 80, brush: 8 });
  const blur = { angle: 0.6, length: 24 };
  const blurred = lineBlur(ink, w, w, blur.length, blur.angle, 1);
  const error = (a: Float32Array) => a.reduce((s, v, i) => s + (v - ink[i]!) ** 2, 0);
  const restored = richardsonLucy(blurred, w, w, blur, 15);
  assert.ok(error(restored) < 0.7 * error(blurred), `error ${error(restored).toFixed(0)} against ${error(blurred).toFixed(0)} blurred`);
});

test('motion-blurred digits the model is unsure of are read after deblurring, and say so', async () => {
  const labels = loadMnist().test.labels!;
  let deblurred = 0;
  let right = 0;
  let rightLive = 0;
  // MNIST test digits 5000–5199 blurred 60 px, as the robustness bench makes them.
  for (let i = 5000; i < 5200; i++) {
    const img = await decodeImage(benchImage('motion-blur', 2, i));
    const p = predictDecoded(img, model);
    const truth = labels[i]!;
    if (p.digit === truth) right++;
    if (predictDecoded(img, model, { live: true }).digit === truth) rightLive++;
    if (p.digit !== null && p.deblurred) {
      deblurred++;
      assert.ok(p.deblurred.length > 20 && p.deblurred.length < 110, `blur length ${p.deblurred.length} px`);
    }
  }
  assert.ok(deblurred > 0, 'no image was deblurred');
  assert.ok(right > rightLive, `${right} right with deblurring, ${rightLive} without`);
});

test('a sure reading is not deblurred, and a dot is not deblurred into a digit', () => {
  const sharp = predictDecoded(inkOnPaper(digitInk(3, 200, 200), 200, 200, [0, 0, 0], [255, 255, 255]), model);
  assert.is(sharp.digit, 3);
  assert.is(sharp.digit !== null && sharp.deblurred, undefined);
  const w = 200;
  const dot = new Float32Array(w * w);
  for (let y = 0; y < w; y++) for (let x = 0; x < w; x++) dot[y * w + x] = Math.hypot(x - 100, y - 100) < 14 ? 1 : 0;
  const p = predictDecoded(inkOnPaper(dot, w, w, [0, 0, 0], [255, 255, 255]), model);
  assert.is(p.digit, null);
});

test.run();
