import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import { evaluate, formatEvaluation, wilson } from '../../src/eval/metrics.js';

const test = suite('metrics');

function onehot(preds: number[]): Float32Array {
  const p = new Float32Array(preds.length * 10);
  for (const [i, d] of preds.entries()) p[i * 10 + d] = 1;
  return p;
}

test('accuracy, confusion, per-class precision/recall/F1 on a hand-checked case', () => {
  const labels = Uint8Array.from([0, 0, 1, 1, 1, 2]);
  const e = evaluate(onehot([0, 1, 1, 1, 0, 2]), labels);
  assert.is(e.accuracy, 4 / 6);
  assert.is(e.confusion[0]![1], 1);
  assert.is(e.confusion[1]![0], 1);
  const c1 = e.perClass[1]!;
  assert.is(c1.precision, 2 / 3);
  assert.is(c1.recall, 2 / 3);
  assert.ok(Math.abs(c1.f1 - 2 / 3) < 1e-12);
  assert.is(e.perClass[2]!.f1, 1);
  assert.equal(e.mostConfused.map((m) => `${m.true}>${m.predicted}`).sort(), ['0>1', '1>0']);
  assert.match(formatEvaluation(e, 't'), /accuracy 66\.67% \(4\/6\)/);
});

test('the Wilson interval contains the estimate and narrows with n', () => {
  const [lo, hi] = wilson(985, 1000);
  assert.ok(lo < 0.985 && hi > 0.985 && hi < 1);
  const [lo2, hi2] = wilson(9850, 10000);
  assert.ok(hi2 - lo2 < hi - lo);
  assert.ok(Math.abs(lo - 0.9753) < 5e-4 && Math.abs(hi - 0.9909) < 5e-4, `${lo} ${hi}`);
  assert.ok(wilson(10, 10)[1] > 1 - 1e-12);
});

test.run();
