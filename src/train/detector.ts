import { PIXELS } from '../core/frame.js';
import { DigitDetector } from '../core/models/detector.js';
import { Mlp, NON_DIGIT_LABEL } from '../core/models/mlp.js';
import { Random } from '../core/util/random.js';
import type { TrainingData } from './common.js';
import { extraSamples } from './extra.js';
import type { TrainHooks } from './hooks.js';
import { trainLoop } from './loop.js';
import { InputError } from '../core/util/errors.js';
import { initMlp } from './mlp-steps.js';

export interface DetectorOptions {
  hidden: number;
  epochs: number;
  seed: number;
  /** Extra training images rendered for it (src/train/extra.ts): non-digits, and corrupted and typed digits. */
  outliers: number;
  corrupted: number;
  typed: number;
  /** Letters drawn by a pen (penLetter): the bench's letters are in fonts, so these teach letters as a hand draws them. */
  penLetters: number;
  /** The share of each batch drawn from the non-digits (they are fewer than the digits). */
  nonDigitShare: number;
  batch: number;
  lr: number;
  weightDecay: number;
  workers: number;
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
  penLetters: 10_000,
  nonDigitShare: 0.5,
  batch: 128,
  lr: 1e-3,
  weightDecay: 1e-4,
  workers: 2,
};

/**
 * Trains the digit detector: an MLP 784-hidden-2 telling digits (MNIST's fit split, corrupted and typed
 * digits) from non-digits (letters in the training fonts and drawn by a pen, shapes, scribbles…), with
 * balanced batches and a cosine-decayed AdamW, in the one training loop (train/loop.ts).
 */
export async function trainDetector(data: TrainingData, o: DetectorOptions, command: string, hooks: TrainHooks = {}): Promise<DigitDetector> {
  const start = performance.now();
  const extra = await extraSamples(data, { outliers: o.outliers, corrupted: o.corrupted, typed: o.typed, penLetters: o.penLetters }, o.seed, hooks);
  const fitN = data.fit.n;
  // Label 0: a digit; 1: not a digit.
  const labels = new Uint8Array(fitN + extra.labels.length);
  const digits: number[] = [];
  const nonDigits: number[] = [];
  for (let r = 0; r < labels.length; r++) {
    const notDigit = r >= fitN && extra.labels[r - fitN] === NON_DIGIT_LABEL;
    labels[r] = notDigit ? 1 : 0;
    (notDigit ? nonDigits : digits).push(r);
  }
  if (nonDigits.length === 0) throw new InputError('the digit detector needs non-digits to learn from (outliers > 0)');
  const pixels = new Uint8Array(labels.length * PIXELS);
  pixels.set(data.fit.pixels);
  pixels.set(extra.pixels, fitN * PIXELS);
  const sizes = [PIXELS, o.hidden, 2];
  const rng = new Random(o.seed);
  // An epoch sees every digit once on average, with the non-digits (fewer) drawn as often in each batch.
  const rowsPerEpoch = Math.ceil(digits.length / (o.batch * (1 - o.nonDigitShare))) * o.batch;
  const { state } = await trainLoop(
    {
      sizes,
      pixels,
      labels,
      features: null,
      augment: null,
      batch: o.batch,
      weightDecay: o.weightDecay,
      workers: o.workers,
      seed: o.seed,
      lr: o.lr,
      warmupEpochs: 0,
      minLrFraction: 0,
      epochs: o.epochs,
      rows: () =>
        Int32Array.from({ length: rowsPerEpoch }, () =>
          rng.next() < o.nonDigitShare ? nonDigits[rng.int(nonDigits.length)]! : digits[rng.int(digits.length)]!,
        ),
      rowsPerEpoch,
      validation: null,
      task: 'training the digit detector',
    },
    { params: initMlp(sizes, o.seed).params },
    hooks,
  );
  const net = new Mlp(sizes, state.best);
  return new DigitDetector(net, {
    command,
    seed: o.seed,
    data: { ...data.mnist.hashes },
    trainedOn: `${fitN} MNIST digits (the fit split) and ${extra.labels.length} rendered images (${o.outliers} not digits, ${o.penLetters} letters drawn by a pen, ${o.corrupted} corrupted MNIST digits, ${o.typed} typed digits; ${extra.empty} came out blank and were not used)`,
    hyperparameters: { sizes: net.sizes, ...o, optimizer: 'AdamW, cosine decay', output: 'softmax over [a digit, not a digit]' },
    trainSeconds: Math.round((performance.now() - start) / 1000),
  });
}
