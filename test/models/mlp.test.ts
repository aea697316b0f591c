import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import { toUnit } from '../../src/core/frame.js';
import { loadMnist } from '../../src/data/mnist.js';
import { argmaxRow } from '../../src/core/models/classifier.js';
import { COMPACT_LEVELS, compactMlp } from '../../src/core/models/compact-form.js';
import { Mlp, NON_DIGIT_LABEL, NON_DIGIT_WEIGHT, softmax } from '../../src/core/models/mlp.js';
import { adamw, initMlp, trainBatch, trainBlock } from '../../src/train/mlp-steps.js';
import { readFileSync } from 'node:fs';
import { BEST_MODEL_PATH } from '../../src/io/model-file.js';
import { decodeFloat32 } from '../../src/core/util/tensors.js';
import { Random } from '../../src/core/util/random.js';

const test = suite('MLP');

for (const weight of [NON_DIGIT_WEIGHT, 0.1]) {
  test(`gradients over a block of rows match finite differences, on layers wide enough for every kernel path (non-digit weight ${weight})`, () => {
    // 21 and 18 outputs: 16 at a time, then 4, then one at a time; 3 rows summed into one gradient.
    const sizes = [40, 21, 18, 10];
    const net = initMlp(sizes, 3);
    const rng = new Random(5);
    const rows = 3;
    const x = new Float32Array(rows * 40).map((_, i) => (i % 3 === 0 ? 0 : rng.uniform(0.1, 1)));
    const labels = [4, 0, NON_DIGIT_LABEL];
    net.inputBlock().set(x);
    net.grads.fill(0);
    trainBlock(net, labels, rows, weight);
    const analytic = net.grads.slice();
    const loss = () => {
      const p = net.predictProba(x, rows);
      let l = -Math.log(p[4]!) - Math.log(p[10]!);
      for (let c = 0; c < 10; c++) l -= (weight * Math.log(p[20 + c]!)) / 10;
      return l;
    };
    const h = 1e-3;
    let checked = 0;
    for (let p = 0; p < net.params.length; p += 3) {
      const saved = net.params[p]!;
      net.params[p] = saved + h;
      const up = loss();
      net.params[p] = saved - h;
      const down = loss();
      net.params[p] = saved;
      const numeric = (up - down) / (2 * h);
      assert.ok(Math.abs(numeric - analytic[p]!) <= 2e-3 + 0.05 * Math.abs(numeric), `param ${p}: numeric ${numeric}, analytic ${analytic[p]}`);
      checked++;
    }
    assert.ok(checked > 400);
  });
}

test('softmax rows sum to 1 and stay finite for logits of ±1000', () => {
  const z = new Float32Array([1000, -1000, 999, 0, -999, 1000, 3, 2, 1, 0]);
  softmax(z, 0, 10);
  assert.ok(z.every((v) => Number.isFinite(v) && v >= 0));
  assert.ok(Math.abs(z.reduce((a, b) => a + b, 0) - 1) < 1e-6);
  assert.ok(Math.abs(z[0]! - z[5]!) < 1e-7 && z[0]! > 0.4);
});

test("a gradient step raises the true class's probability", () => {
  const mnist = loadMnist();
  const sizes = [784, 32, 10];
  const net = initMlp(sizes, 7);
  const x = toUnit(mnist.train.pixels.subarray(0, 784));
  const label = mnist.train.labels![0]!;
  const before = net.predictProba(x, 1)[label]!;
  net.inputBlock().set(x);
  net.grads.fill(0);
  trainBlock(net, [label], 1);
  for (let p = 0; p < net.params.length; p++) net.params[p]! -= 0.01 * net.grads[p]!;
  assert.ok(net.predictProba(x, 1)[label]! > before);
});

test('an AdamW step moves each parameter against its gradient, decays weights only, and touches only its range', () => {
  const net = initMlp([4, 3, 10], 2);
  const before = net.params.slice();
  const grad = Float32Array.from(before, (_, i) => (i % 3 === 0 ? 0 : i % 2 ? 0.5 : -0.5));
  net.grads.set(grad);
  const from = 2;
  const to = before.length - 3;
  adamw(net, from, to, { lr: 0.01, weightDecay: 0.1, step: 1, batch: 1 });
  // Weights, then biases, per layer: 4×3 + 3, then 3×10 + 10.
  const isWeight = (p: number) => p < 12 || (p >= 15 && p < 45);
  let decayed = 0;
  for (let p = 0; p < before.length; p++) {
    const moved = net.params[p]! - before[p]!;
    if (p < from || p >= to) assert.is(moved, 0, `parameter ${p} outside the range`);
    else if (grad[p] !== 0) assert.ok(Math.sign(moved) === -Math.sign(grad[p]!), `parameter ${p} moves against its gradient`);
    else {
      assert.ok(Math.abs(moved - (isWeight(p) ? -0.01 * 0.1 * before[p]! : 0)) < 1e-7, `parameter ${p}: only decay, and only if a weight`);
      if (moved !== 0) decayed++;
    }
  }
  assert.ok(decayed > 5, 'some weights with no gradient decayed');
});

test('batches of AdamW steps on one thread fit a small set: the loss falls and the set is learnt', () => {
  const mnist = loadMnist();
  const n = 100;
  const x = toUnit(mnist.train.pixels.subarray(0, n * 784));
  const labels = mnist.train.labels!.subarray(0, n);
  const net = initMlp([784, 32, 10], 4);
  const rows = Array.from({ length: n }, (_, i) => i);
  const first = trainBatch(net, x, labels, rows, { lr: 3e-3, weightDecay: 0, step: 1 });
  let last = first;
  for (let step = 2; step <= 60; step++) last = trainBatch(net, x, labels, rows, { lr: 3e-3, weightDecay: 0, step });
  assert.ok(last < first / 10, `loss ${first} → ${last}`);
  const p = net.predictProba(x, n);
  let right = 0;
  for (let r = 0; r < n; r++) if (argmaxRow(p, r) === labels[r]) right++;
  assert.ok(right >= 98, `${right}/100 learnt`);
});

test('training on a "not a digit" image pulls its probabilities towards uniform', () => {
  const net = initMlp([784, 16, 10], 6);
  const x = Float32Array.from({ length: 784 }, (_, i) => (i % 7 === 0 ? 1 : 0));
  const top = () => Math.max(...net.predictProba(x, 1));
  const before = top();
  for (let step = 1; step <= 50; step++) trainBatch(net, x, Uint8Array.from([NON_DIGIT_LABEL]), [0], { lr: 3e-3, weightDecay: 0, step });
  const after = top();
  assert.ok(after < before && after < 0.15, `top probability ${before} → ${after}`);
});

test("the served networks' kernels agree with a plain float64 forward pass: the same digit, probabilities within 1e-5", () => {
  // The served MLP, or each member of a served committee (their own views do not matter here: one input for all).
  const served = (JSON.parse(readFileSync(BEST_MODEL_PATH, 'utf8')) as { classifier: { name: string; members?: unknown[] } }).classifier;
  const nets = served.name === 'committee' ? served.members!.map((m) => Mlp.load(m)) : [Mlp.load(served)];
  const n = 300;
  const x = toUnit(loadMnist().test.pixels.subarray(0, n * 784));
  for (const [k, net] of nets.entries()) {
    const p = net.predictProba(x, n);
    let worst = 0;
    for (let r = 0; r < n; r++) {
      // The reference: each layer as a plain loop in float64, ReLU between, softmax at the end.
      let a: number[] = Array.from(x.subarray(r * 784, (r + 1) * 784));
      net.layers.forEach((layer, l) => {
        const z = Array.from(layer.b, Number);
        for (let i = 0; i < layer.inSize; i++) if (a[i]) for (let j = 0; j < layer.outSize; j++) z[j]! += a[i]! * layer.w[i * layer.outSize + j]!;
        a = l + 1 < net.layers.length ? z.map((v) => Math.max(0, v)) : z;
      });
      const max = Math.max(...a);
      const e = a.map((v) => Math.exp(v - max));
      const total = e.reduce((s, v) => s + v, 0);
      for (let c = 0; c < 10; c++) worst = Math.max(worst, Math.abs(p[r * 10 + c]! - e[c]! / total));
      assert.is(argmaxRow(p, r), e.indexOf(Math.max(...e)), `network ${k}, test image ${r}`);
    }
    assert.ok(worst <= 1e-5, `network ${k}: largest probability difference ${worst}`);
  }
});

test('a compact form with fewer levels (5 or 4 bits) is read by the same loader, each weight within half its coarser step', () => {
  const net = initMlp([784, 30, 10], 12);
  for (const levels of [15, 7]) {
    const compact = compactMlp(net, levels);
    const again = Mlp.load(JSON.parse(JSON.stringify(compact)));
    net.layers.forEach((layer, l) => {
      const block = compact.layers[l]!;
      assert.ok('wq' in block);
      // Only the 2·levels + 1 characters around the middle of the alphabet appear.
      assert.ok(new Set(block.wq).size <= 2 * levels + 1, `layer ${l} at ±${levels}`);
      const scale = decodeFloat32(block.scale, layer.outSize, 'scales');
      for (let k = 0; k < layer.w.length; k++) {
        const step = scale[k % layer.outSize]!;
        assert.ok(
          Math.abs(again.layers[l]!.w[k]! - layer.w[k]!) <= step / 2 + 1e-7 && Math.abs(again.layers[l]!.w[k]!) <= levels * step + 1e-7,
          `±${levels} layer ${l} weight ${k}`,
        );
      }
    });
  }
  for (const bad of [0, 32, 2.5]) assert.throws(() => compactMlp(net, bad), /compact levels must be 1 to 31/);
});

test('a JSON round-trip gives identical probabilities', () => {
  const net = initMlp([784, 20, 10], 11);
  const again = Mlp.load(JSON.parse(JSON.stringify(net.toJSON())));
  const x = toUnit(loadMnist().test.pixels.subarray(0, 20 * 784));
  assert.equal(Array.from(again.predictProba(x, 20)), Array.from(net.predictProba(x, 20)));
});

test("the compact form quantises each unit's weights to a scale, each within half a step, under a quarter of the size", () => {
  const net = initMlp([784, 30, 10], 12);
  const compact = compactMlp(net);
  const again = Mlp.load(JSON.parse(JSON.stringify(compact)));
  net.layers.forEach((layer, l) => {
    const block = compact.layers[l]!;
    assert.ok('wq' in block && !('w' in block));
    const scale = decodeFloat32(block.scale, layer.outSize, 'scales');
    for (let o = 0; o < layer.outSize; o++) {
      let largest = 0;
      for (let i = 0; i < layer.inSize; i++) largest = Math.max(largest, Math.abs(layer.w[i * layer.outSize + o]!));
      assert.ok(Math.abs(scale[o]! - largest / COMPACT_LEVELS) < 1e-7 * largest, `unit ${o}: the largest weight is the top level`);
    }
    for (let k = 0; k < layer.w.length; k++) {
      assert.ok(Math.abs(again.layers[l]!.w[k]! - layer.w[k]!) <= scale[k % layer.outSize]! / 2 + 1e-7, `layer ${l} weight ${k}`);
    }
    assert.equal(Array.from(again.layers[l]!.b), Array.from(layer.b), 'biases exact');
  });
  assert.ok(JSON.stringify(compact).length < 0.25 * JSON.stringify(net.toJSON()).length);
  // It still predicts nearly the same probabilities on 50 test images (this untrained net's margins are too
  // thin to compare digits; the bench compares the served model's).
  const x = toUnit(loadMnist().test.pixels.subarray(0, 50 * 784));
  const p = net.predictProba(x, 50);
  const q = again.predictProba(x, 50);
  const worst = p.reduce((m, v, i) => Math.max(m, Math.abs(v - q[i]!)), 0);
  assert.ok(worst > 0 && worst < 0.02, `largest probability change ${worst}`);
  // A damaged block names itself.
  const [first, second] = compact.layers as [{ wq: string; scale: string; b: string }, { wq: string; scale: string; b: string }];
  assert.throws(() => Mlp.load({ ...compact, layers: [{ ...first, scale: 'AAAAAA==' }, second] }), /layer 0 weight scales holds 1 values, expected 30/);
  assert.throws(
    () => Mlp.load({ ...compact, layers: [{ ...first, wq: first.wq.slice(1) }, second] }),
    /layer 0 quantised weights must be 23520 base64 characters/,
  );
  assert.throws(
    () => Mlp.load({ ...compact, layers: [first, { ...second, wq: `!${second.wq.slice(1)}` }] }),
    /layer 1 quantised weight 0 is "!", not a base64 character/,
  );
});

test('damaged MLP JSON is refused with the reason', () => {
  const j = initMlp([784, 20, 10], 1).toJSON();
  assert.throws(() => Mlp.load({ ...j, sizes: [784, 20, 9] }), /last layer must have 10 outputs/);
  assert.throws(() => Mlp.load({ ...j, layers: j.layers.slice(0, 1) }), /2 layer sizes but 1 weight blocks/);
  const nan = new Float32Array(20).fill(NaN);
  assert.throws(
    () => Mlp.load({ ...j, layers: [j.layers[0], { ...j.layers[1], b: Buffer.from(nan.buffer.slice(0, 40)).toString('base64') }] }),
    /NaN or infinity/,
  );
});

test.run();
