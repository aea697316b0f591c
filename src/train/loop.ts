import { labelsOf } from '../core/frame.js';
import type { DigitFrame } from '../core/frame.js';
import { evaluate } from '../eval/metrics.js';
import { Mlp, NON_DIGIT_WEIGHT } from '../core/models/mlp.js';
import type { AugmentOptions } from './augment.js';
import { reporter, type TrainHooks } from './hooks.js';
import type { TrainState } from './mlp-checkpoint.js';
import { CTL_STEPS_DONE, CTL_STOP_REQUESTED, type MlpWorkerRequest } from './mlp-protocol.js';
import { MlpThreads, split } from './mlp-threads.js';

/*
 * The one MLP training loop. The classifier (train/mlp.ts), the digit detector (train/detector.ts) and the
 * fine-tune on corrections (train/feedback.ts) all train here: the same threads, the same AdamW step, the
 * same learning-rate schedule. They differ only in their data and in their batch builder, which lays out
 * each epoch's rows in batch order.
 */

/** A warm-up from 5% of `lr`, then cosine decay to lr × minLrFraction at the last epoch. */
export interface Schedule {
  lr: number;
  warmupEpochs: number;
  minLrFraction: number;
  epochs: number;
}

/** The learning rate `progress` epochs into the run (0 at the start, fractional within an epoch). */
export function learningRate(s: Schedule, progress: number): number {
  if (progress < s.warmupEpochs) return s.lr * Math.max(0.05, progress / s.warmupEpochs);
  const t = Math.min(1, (progress - s.warmupEpochs) / Math.max(1, s.epochs - s.warmupEpochs));
  return s.lr * (s.minLrFraction + (1 - s.minLrFraction) * 0.5 * (1 + Math.cos(Math.PI * t)));
}

export interface LoopSpec extends Schedule {
  sizes: number[];
  /** Training rows: 28×28 pixels (0..255) or precomputed features, and their labels (NON_DIGIT_LABEL: uniform target). */
  pixels: Uint8Array;
  labels: Uint8Array;
  features: Float32Array | null;
  /** Applied to each row as its batch is built; null: the pixels as they are. */
  augment: AugmentOptions | null;
  batch: number;
  weightDecay: number;
  /** A not-a-digit row's loss against a digit's; default NON_DIGIT_WEIGHT. */
  nonDigitWeight?: number;
  workers: number;
  /** Seeds the augmentation (per epoch and row position, so any split between threads gives the same run). */
  seed: number;
  /** The batch builder: the rows of epoch `epoch` (from 1), in batch order; the same length every epoch. */
  rows(epoch: number): ArrayLike<number>;
  rowsPerEpoch: number;
  /** Checked every `validateEvery` epochs and at the end; the parameters of the best check are kept. None: the last parameters. */
  validation: { x: Float32Array; frame: DigitFrame; every: number; patience: number } | null;
  /** What progress bars call it. */
  task: string;
}

/** The starting point: fresh or given parameters, or a resumed run's whole state. */
export type LoopStart = { params: Float32Array } | { resumed: TrainState };

export interface LoopResult {
  state: TrainState;
  interrupted: boolean;
  samplesPerSecond: number;
}

/**
 * Trains an MLP with mini-batch AdamW on `workers` threads: each computes gradients on its share of every
 * batch, then updates its share of the parameters. `onEpoch` sees the state after every epoch (checkpoints);
 * `hooks.shouldStop` ends the run after the current batch.
 */
export async function trainLoop(spec: LoopSpec, start: LoopStart, hooks: TrainHooks & { onEpoch?: (s: TrainState) => void } = {}): Promise<LoopResult> {
  const evalN = spec.validation?.frame.n ?? 0;
  const threads = new MlpThreads({
    sizes: spec.sizes,
    pixels: spec.pixels,
    labels: spec.labels,
    features: spec.features,
    rowsPerEpoch: spec.rowsPerEpoch,
    evalX: spec.validation?.x ?? new Float32Array(0),
    evalN,
    augment: spec.augment,
    batch: spec.batch,
    workers: spec.workers,
  });
  const { views } = threads;
  // The state's arrays are the threads' shared memory from here on, so checkpoints save what they train.
  const resumed = 'resumed' in start ? start.resumed : null;
  views.params.set(resumed ? resumed.params : (start as { params: Float32Array }).params);
  if (resumed) {
    views.m.set(resumed.m);
    views.v.set(resumed.v);
  }
  const fresh = { epoch: 0, step: 0, seconds: 0, history: [], bestAccuracy: -1, bestEpoch: 0, best: new Float32Array(views.params.length) };
  const state: TrainState = { ...(resumed ?? fresh), params: views.params, m: views.m, v: views.v };
  let run: { interrupted: boolean; samplesPerSecond: number };
  try {
    run = await runEpochs(threads, spec, state, hooks);
  } finally {
    await threads.close();
  }
  if (!spec.validation) {
    state.best = views.params.slice();
    state.bestEpoch = state.epoch;
  } else if (state.bestAccuracy < 0) {
    // Stopped before any validation: keep what we have.
    state.best = views.params.slice();
    state.bestAccuracy = accuracy(spec, state.best);
    state.bestEpoch = state.history.length;
  }
  return { state, ...run };
}

function accuracy(spec: LoopSpec, params: Float32Array): number {
  const v = spec.validation!;
  return evaluate(new Mlp(spec.sizes, params).predictProba(v.x, v.frame.n), labelsOf(v.frame)).accuracy;
}

/**
 * The epoch loop, from state.epoch + 1: lay out the epoch's rows, let the threads run it, validate, keep the
 * best parameters. Updates `state` in place.
 */
async function runEpochs(
  threads: MlpThreads,
  spec: LoopSpec,
  state: TrainState,
  hooks: TrainHooks & { onEpoch?: (s: TrainState) => void },
): Promise<{ interrupted: boolean; samplesPerSecond: number }> {
  const { views } = threads;
  const n = spec.rowsPerEpoch;
  const firstEpoch = state.epoch + 1;
  const secondsBefore = state.seconds;
  const start = performance.now();
  const elapsed = () => secondsBefore + (performance.now() - start) / 1000;
  const stepsPerEpoch = Math.ceil(n / spec.batch);
  const updateRanges = split(0, views.params.length, spec.workers);
  const report = reporter(hooks, spec.task, (spec.epochs - firstEpoch + 1) * stepsPerEpoch);
  const v = spec.validation;
  let interrupted = false;
  let samples = 0;
  let trainingSeconds = 0;
  for (let epoch = firstEpoch; epoch <= spec.epochs && !interrupted; epoch++) {
    const rows = spec.rows(epoch);
    if (rows.length !== n) throw new RangeError(`the batch builder gave ${rows.length} rows for epoch ${epoch}, not ${n}`);
    views.order.set(rows);
    const epochStart = performance.now();
    for (let i = 0; i < stepsPerEpoch; i++) views.stepLr[i] = learningRate(spec, epoch - 1 + (i * spec.batch) / n);
    Atomics.store(views.control, CTL_STEPS_DONE, 0);
    const stepsBefore = (epoch - firstEpoch) * stepsPerEpoch;
    const status = (steps: number) => {
      const rate = (steps * spec.batch) / ((performance.now() - epochStart) / 1000);
      const last = state.history[state.history.length - 1];
      const loss = last ? last.trainLoss.toFixed(4) : '–';
      const val = v ? ` best val ${state.bestAccuracy >= 0 ? `${(100 * state.bestAccuracy).toFixed(2)}%` : '–'}` : '';
      return `epoch ${epoch}/${spec.epochs} loss ${loss}${val} ${Math.round(rate)} samples/s`;
    };
    const ticker = setInterval(() => {
      const steps = Atomics.load(views.control, CTL_STEPS_DONE);
      report.step(stepsBefore + steps, status(steps));
      if (hooks.shouldStop?.()) Atomics.store(views.control, CTL_STOP_REQUESTED, 1);
    }, 250);
    const requests: MlpWorkerRequest[] = updateRanges.map(([from, count]) => ({
      type: 'epoch',
      n,
      batch: spec.batch,
      seed: spec.seed * 7919 + epoch,
      firstStep: state.step + 1,
      weightDecay: spec.weightDecay,
      nonDigitWeight: spec.nonDigitWeight ?? NON_DIGIT_WEIGHT,
      paramRange: [from, from + count],
    }));
    const replies = await threads.all(requests).finally(() => clearInterval(ticker));
    const loss = replies.reduce((a, r) => a + r.loss, 0);
    const correct = replies.reduce((a, r) => a + r.correct, 0);
    const seen = replies.reduce((a, r) => a + r.samples, 0);
    state.step += replies[0]!.steps;
    interrupted = replies[0]!.steps < stepsPerEpoch;
    const epochSeconds = (performance.now() - epochStart) / 1000;
    samples += seen;
    trainingSeconds += epochSeconds;
    let validationAccuracy: number | null = null;
    if (v && !interrupted && (epoch % v.every === 0 || epoch === spec.epochs)) {
      await threads.all(split(0, v.frame.n, spec.workers).map(([a, c]) => ({ type: 'predict', start: a, count: c })));
      validationAccuracy = evaluate(views.evalProba, labelsOf(v.frame)).accuracy;
      if (validationAccuracy > state.bestAccuracy) {
        state.bestAccuracy = validationAccuracy;
        state.bestEpoch = epoch;
        state.best = views.params.slice();
      }
    }
    state.seconds = elapsed();
    if (!interrupted || seen === n) {
      state.epoch = epoch;
      state.history.push({
        epoch,
        seconds: Number(state.seconds.toFixed(1)),
        lr: learningRate(spec, epoch),
        trainLoss: loss / seen,
        trainAccuracy: correct / seen,
        validationAccuracy,
        samplesPerSecond: Math.round(seen / epochSeconds),
      });
      hooks.onEpoch?.(state);
    }
    // Once per epoch whatever its length, after the checkpoint: the figures of the epoch just finished.
    report.step(stepsBefore + replies[0]!.steps, status(replies[0]!.steps));
    if (v && epoch - state.bestEpoch >= v.patience) break;
  }
  report.end();
  return { interrupted, samplesPerSecond: samples / Math.max(trainingSeconds, 1e-9) };
}
