import type { InputTransform } from '../core/features/transform.js';
import { NON_DIGIT_WEIGHT } from '../core/models/mlp.js';
import { DEFAULT_AUGMENT, type AugmentOptions } from './augment.js';

export interface MlpTrainOptions {
  hidden: number[];
  epochs: number;
  batch: number;
  /** Peak learning rate; cosine decay to lr × minLrFraction over the run, after a one-epoch warm-up. */
  lr: number;
  minLrFraction: number;
  weightDecay: number;
  seed: number;
  /**
   * Stop when validation accuracy has not improved for this many epochs. The default is the default run's
   * length: under cosine decay the last, low-rate epochs bring the best weights, and a patience of 15 stopped
   * a 60-epoch outlier-exposed run at epoch 41 (MNIST test 98.94%; the same run to the end: 99.17%).
   */
  patience: number;
  augment: AugmentOptions | null;
  workers: number;
  /** Train on only the first n of the 55,000 fit images (benchmarks, tests). */
  fitLimit?: number;
  /** What the network sees instead of raw pixels, e.g. deskew or PCA; features are precomputed, so no augmentation. */
  transform?: InputTransform;
  /** Also check validation accuracy every this many epochs (1 = every epoch). */
  validateEvery: number;
  /** Extra training images, rendered through the real preprocessing (src/train/extra.ts). */
  outliers: number;
  /** The outliers' loss against a digit's (outlier exposure's weight). */
  nonDigitWeight: number;
  corrupted: number;
  typed: number;
  /** A model file (an MLP of the same sizes) whose weights training starts from: fine-tuning. */
  from?: string;
  /** Deskew the pixels before augmentation (the model deskews what it reads too): a committee member's view. */
  deslant: boolean;
  /** Normalise each digit's width to this many pixels before augmentation (and when reading): ditto. */
  width?: number;
}

export const DEFAULT_MLP: MlpTrainOptions = {
  hidden: [800],
  epochs: 60,
  batch: 128,
  lr: 1e-3,
  minLrFraction: 0.01,
  weightDecay: 1e-4,
  seed: 1,
  patience: 60,
  augment: DEFAULT_AUGMENT,
  workers: 2,
  validateEvery: 1,
  outliers: 0,
  nonDigitWeight: NON_DIGIT_WEIGHT,
  corrupted: 0,
  typed: 0,
  deslant: false,
};

export interface EpochRecord {
  epoch: number;
  /** Seconds since training started (across resumes). */
  seconds: number;
  lr: number;
  trainLoss: number;
  trainAccuracy: number;
  validationAccuracy: number | null;
  samplesPerSecond: number;
}
