import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import { PIXELS, SIDE } from '../../src/core/frame.js';
import { deskew } from '../../src/core/features/deskew.js';
import { centreOfMass } from '../helpers/images.js';

const test = suite('deskew');

test('an unskewed image centred on (14, 14) comes back unchanged', () => {
  const img = new Float32Array(PIXELS);
  // A plus sign: symmetric about both axes through (14, 14), so no shear and no shift.
  for (let t = 8; t <= 20; t++) {
    img[t * SIDE + 14] = 1;
    img[14 * SIDE + t] = 0.5;
  }
  assert.equal(Array.from(deskew(img, 1)), Array.from(img));
});

test('a shifted image moves its centre of mass to (14, 14) and keeps its mass', () => {
  const img = new Float32Array(PIXELS);
  for (let y = 3; y < 12; y++) for (let x = 4; x < 9; x++) img[y * SIDE + x] = 0.8;
  const out = deskew(img, 1);
  const [cx, cy] = centreOfMass(out);
  assert.ok(Math.abs(cy - 14) < 0.01 && Math.abs(cx - 14) < 0.01, `centre ${cy}, ${cx}`);
  const mass = (a: Float32Array) => a.reduce((s, v) => s + v, 0);
  assert.ok(Math.abs(mass(out) - mass(img)) < 1e-3, `mass ${mass(img)} → ${mass(out)}`);
});

test('deskewing straightens a sheared stroke and keeps blank images blank', () => {
  const img = new Float32Array(2 * PIXELS);
  for (let y = 4; y < 24; y++) img[y * 28 + Math.round(8 + (y - 4) * 0.6)] = 1; // a slanted bar
  const out = deskew(img, 2);
  const xs = (a: Float32Array, y: number) => a.subarray(y * 28, y * 28 + 28).reduce((best, v, i, row) => (v > row[best]! ? i : best), 0);
  const spreadBefore = Math.abs(xs(img, 20) - xs(img, 6));
  const spreadAfter = Math.abs(xs(out, 20) - xs(out, 6));
  assert.ok(spreadAfter <= 1 && spreadBefore >= 7, `before ${spreadBefore}, after ${spreadAfter}`);
  assert.ok(out.subarray(PIXELS).every((v) => v === 0));
});
test.run();
