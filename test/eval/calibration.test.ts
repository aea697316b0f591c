import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import { CLASSES } from '../../src/core/frame.js';
import { auroc, expectedCalibrationError, fitTemperature, reliability, thresholdKeeping } from '../../src/eval/calibration.js';
import { withTemperature } from '../../src/core/models/classifier.js';
import { Random } from '../../src/core/util/random.js';

const test = suite('calibration');
const rng = new Random(8);

/** n rows of softmax(logits × sharpen) with labels drawn from softmax(logits): over-confident by `sharpen`. */
function overconfident(n: number, sharpen: number): { p: Float32Array; labels: Uint8Array } {
  const p = new Float32Array(n * CLASSES);
  const labels = new Uint8Array(n);
  for (let r = 0; r < n; r++) {
    const z = Array.from({ length: CLASSES }, () => rng.gaussian() * 2);
    const soft = (k: number) => {
      const e = z.map((v) => Math.exp(v * k));
      const s = e.reduce((a, b) => a + b, 0);
      return e.map((v) => v / s);
    };
    const truth = soft(1);
    let u = rng.next();
    labels[r] = truth.findIndex((q) => (u -= q) < 0);
    if (labels[r] === 255) labels[r] = CLASSES - 1;
    p.set(soft(sharpen), r * CLASSES);
  }
  return { p, labels };
}

test('temperature 1 changes nothing; any temperature keeps rows summing to 1 and the top class', () => {
  const { p } = overconfident(50, 1);
  assert.is(withTemperature(p, 50, 1), p);
  const q = withTemperature(p, 50, 2.5);
  for (let r = 0; r < 50; r++) {
    const row = Array.from(q.subarray(r * CLASSES, (r + 1) * CLASSES));
    const orig = Array.from(p.subarray(r * CLASSES, (r + 1) * CLASSES));
    assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5);
    assert.is(row.indexOf(Math.max(...row)), orig.indexOf(Math.max(...orig)));
  }
});

test('the fitted temperature undoes a known over-confidence, and ECE falls', () => {
  const { p, labels } = overconfident(4000, 2);
  const t = fitTemperature(p, labels);
  assert.ok(Math.abs(t - 2) < 0.25, `fitted ${t}, true 2`);
  const before = expectedCalibrationError(reliability(p, labels));
  const after = expectedCalibrationError(reliability(withTemperature(p, labels.length, t), labels));
  assert.ok(after < before / 2 && after < 0.03, `ECE ${before} → ${after}`);
});

test('AUROC: 1 when every positive scores higher, 0.5 for the same scores, ties counted half', () => {
  assert.is(auroc([0.9, 0.8, 0.7], [0.1, 0.2]), 1);
  assert.is(auroc([0.1, 0.2], [0.9, 0.8, 0.7]), 0);
  assert.is(auroc([0.5, 0.5], [0.5, 0.5]), 0.5);
  assert.is(auroc([0.6, 0.4], [0.5]), 0.5);
});

test('the refusal threshold refuses at most the share asked for', () => {
  const scores = Array.from({ length: 1000 }, () => rng.next());
  for (const f of [0.005, 0.01, 0.1]) {
    const t = thresholdKeeping(scores, f);
    assert.ok(scores.filter((s) => s < t).length <= f * 1000, `fraction ${f}`);
  }
});

test.run();
