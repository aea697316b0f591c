import type { MlpLayout } from '../core/models/mlp.js';
import type { AugmentOptions } from './augment.js';

/* What the MLP trainer and its worker threads share: memory layout, control words and messages. */

/** Shared memory one training worker sees; built by the trainer in mlp.ts. */
export interface MlpWorkerData {
  /**
   * The kernels' shared memory: parameters and AdamW moments, and each worker's gradients and working
   * space, at the layout's offsets. Each worker writes its own gradients and reads all when updating.
   */
  memory: WebAssembly.Memory;
  layout: MlpLayout;
  worker: number;
  pixels: SharedArrayBuffer;
  /** Precomputed float features (n × layout.sizes[0]) instead of pixels, e.g. PCA; then no augmentation. */
  features: SharedArrayBuffer | null;
  labels: SharedArrayBuffer;
  /** The epoch's sample order (indices into pixels/labels), written by the trainer each epoch. */
  order: SharedArrayBuffer;
  /** Validation images as [0,1] floats, and a shared buffer for their probabilities. */
  evalX: SharedArrayBuffer;
  evalProba: SharedArrayBuffer;
  augment: AugmentOptions | null;
  workers: number;
  /** Learning rate for each step of the current epoch, written by the trainer. */
  stepLr: SharedArrayBuffer;
  /** Int32 control words, see CTL_*. */
  control: SharedArrayBuffer;
}

/** Control words: barrier arrivals and generation, the trainer's stop request, and steps done (for progress). */
export const CTL_ARRIVED = 0;
export const CTL_GENERATION = 1;
export const CTL_STOP_REQUESTED = 2;
export const CTL_STEPS_DONE = 3;
export const CTL_STOP_NOW = 4;
export const CTL_WORDS = 5;

export type MlpWorkerRequest =
  /** Train over order[0..n) in batches; steps are numbered from firstStep (for Adam's bias correction). */
  | {
      type: 'epoch';
      n: number;
      batch: number;
      seed: number;
      firstStep: number;
      weightDecay: number;
      nonDigitWeight: number;
      paramRange: [number, number];
    }
  | { type: 'predict'; start: number; count: number };

export interface MlpWorkerReply {
  loss: number;
  correct: number;
  /** Steps completed (fewer than the epoch's when a stop was requested). */
  steps: number;
  samples: number;
}
