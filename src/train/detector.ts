import { PIXELS } from '../data/frame.js';
import { DigitDetector } from '../models/detector.js';
import { Mlp, OUTLIER_LABEL } from '../models/mlp.js';
import { Random } from '../util/random.js';
import type { TrainingData } from './common.js';
import { extraSamples } from './extra.js';
import { reporter, type TrainHooks } from './hooks.js';

export interface DetectorOptions {
  hidden: number;
  epochs: number;
  seed: number;
  /** Extra training images rendered for it (src/train/extra.ts): non-digits, and corrupted and typed digits. */
  outliers: number;
  corrupted: number;
  typed: number;
  /** The share of each batch drawn from the non-digits (they are fewer than the digits). */
  nonDigitShare: number;
  batch: number;
  lr: number;
  weightDecay: number;
}

/**
 * Chosen on the validation halves with the served MLP: 256 hidden units, 8 epochs and 20,000 non-digits took
 * validation non-digits refused from 93.8% to 97.3% at the same budget of refused validation digits.
 */
export const DEFAULT_DETECTOR: DetectorOptions = {
  hidden: 256,
  epochs: 8,
  seed: 21,
  outliers: 20_000,
  corrupted: 24_000,
  typed: 4_000,
  nonDigitShare: 0.5,
  batch: 128,
  lr: 1e-3,
  weightDecay: 1e-4,
};

/**
 * Trains the digit detector: an MLP 784-hidden-2 telling digits (MNIST's fit split, corrupted and typed
 * digits) from non-digits (letters from the training fonts, shapes, scribbles…), with balanced batches and
 * a cosine-decayed AdamW. One thread: it takes a minute or two.
 */
export async function trainDetector(data: TrainingData, o: DetectorOptions, command: string, hooks: TrainHooks = {}): Promise<DigitDetector> {
  const start = performance.now();
  const extra = await extraSamples(data, { outliers: o.outliers, corrupted: o.corrupted, typed: o.typed }, o.seed, hooks);
  const fitN = data.fit.n;
  const n = fitN + extra.labels.length;
  const x = new Float32Array(n * PIXELS);
  x.set(data.fitX);
  for (let i = 0; i < extra.pixels.length; i++) x[fitN * PIXELS + i] = extra.pixels[i]! / 255;
  // Label 0: a digit; 1: not a digit.
  const labels = new Uint8Array(n);
  const digits: number[] = [];
  const others: number[] = [];
  for (let r = 0; r < n; r++) {
    const notDigit = r >= fitN && extra.labels[r - fitN] === OUTLIER_LABEL;
    labels[r] = notDigit ? 1 : 0;
    (notDigit ? others : digits).push(r);
  }
  if (others.length === 0) throw new RangeError('the digit detector needs non-digits to learn from (outliers > 0)');
  const net = Mlp.init([PIXELS, o.hidden, 2], o.seed);
  const adam = net.adamState();
  const rng = new Random(o.seed);
  const stepsPerEpoch = Math.ceil(digits.length / (o.batch * (1 - o.nonDigitShare)));
  const total = o.epochs * stepsPerEpoch;
  const report = reporter(hooks, 'training the digit detector', total);
  const rows = new Array<number>(o.batch);
  let loss = 0;
  for (let step = 1; step <= total; step++) {
    for (let b = 0; b < o.batch; b++) rows[b] = rng.next() < o.nonDigitShare ? others[rng.int(others.length)]! : digits[rng.int(digits.length)]!;
    const lr = o.lr * 0.5 * (1 + Math.cos((Math.PI * (step - 1)) / total));
    loss += net.trainBatch(x, labels, rows, adam, { lr, weightDecay: o.weightDecay, step });
    if (step % stepsPerEpoch === 0) {
      report.step(step, `epoch ${step / stepsPerEpoch}/${o.epochs} loss ${(loss / (stepsPerEpoch * o.batch)).toFixed(4)}`);
      loss = 0;
    }
  }
  report.end();
  return new DigitDetector(net, {
    command,
    seed: o.seed,
    data: { ...data.mnist.hashes },
    trainedOn: `${fitN} MNIST digits (the fit split) and ${extra.labels.length} rendered images (${o.outliers} not digits, ${o.corrupted} corrupted MNIST digits, ${o.typed} typed digits; ${extra.empty} came out blank and were not used)`,
    hyperparameters: { sizes: net.sizes, ...o, optimizer: 'AdamW, cosine decay', output: 'softmax over [a digit, not a digit]' },
    trainSeconds: Math.round((performance.now() - start) / 1000),
  });
}
