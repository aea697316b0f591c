import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import { CLASSES, labelsOf, PIXELS } from '../data/frame.js';
import { evaluate } from '../eval/metrics.js';
import { InputTransform } from '../features/transform.js';
import { progress } from '../cli/progress.js';
import { Mlp } from '../models/mlp.js';
import { DigitModel } from '../models/model.js';
import { decodeFloats, encodeFloats } from '../util/floats.js';
import { InputError } from '../util/errors.js';
import { permutation } from '../util/random.js';
import { startWorker } from '../util/worker.js';
import { DEFAULT_AUGMENT, type AugmentOptions } from './augment.js';
import { baseMetadata, validationMetrics, type TrainingData } from './common.js';
import { CTL_STEPS_DONE, CTL_STOP_REQUESTED, CTL_WORDS, type MlpWorkerData, type MlpWorkerReply, type MlpWorkerRequest } from './mlp-protocol.js';

export interface MlpTrainOptions {
  hidden: number[];
  epochs: number;
  batch: number;
  /** Peak learning rate; cosine decay to lr × minLrFraction over the run, after a one-epoch warm-up. */
  lr: number;
  minLrFraction: number;
  weightDecay: number;
  seed: number;
  /** Stop when validation accuracy has not improved for this many epochs. */
  patience: number;
  augment: AugmentOptions | null;
  workers: number;
  /** Train on only the first n of the 55,000 fit images (benchmarks, tests). */
  fitLimit?: number;
  /** What the network sees instead of raw pixels, e.g. deskew or PCA; features are precomputed, so no augmentation. */
  transform?: InputTransform;
  /** Also check validation accuracy every this many epochs (1 = every epoch). */
  validateEvery: number;
  quiet: boolean;
}

export const DEFAULT_MLP: MlpTrainOptions = {
  hidden: [800],
  epochs: 60,
  batch: 128,
  lr: 1e-3,
  minLrFraction: 0.01,
  weightDecay: 1e-4,
  seed: 1,
  patience: 15,
  augment: DEFAULT_AUGMENT,
  workers: 2,
  validateEvery: 1,
  quiet: false,
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

interface Checkpoint {
  kind: 'mlp-checkpoint';
  options: MlpTrainOptions;
  epoch: number;
  step: number;
  seconds: number;
  history: EpochRecord[];
  bestAccuracy: number;
  bestEpoch: number;
  params: string;
  best: string;
  m: string;
  v: string;
}

export interface MlpTrainResult {
  model: DigitModel;
  history: EpochRecord[];
  samplesPerSecond: number;
  interrupted: boolean;
}

/** Worker threads that share the network's parameters, Adam moments and the training images. */
class WorkerPool {
  readonly workers: Worker[];
  private readonly pending: ((r: MlpWorkerReply) => void)[][];

  constructor(
    readonly data: Omit<MlpWorkerData, 'worker'>,
    count: number,
  ) {
    this.pending = Array.from({ length: count }, () => []);
    this.workers = Array.from({ length: count }, (_, worker) => {
      const w = startWorker(new URL('./mlp-worker.ts', import.meta.url), { workerData: { ...data, worker } });
      w.on('message', (r: MlpWorkerReply) => this.pending[worker]!.shift()?.(r));
      w.on('error', (e) => {
        throw e;
      });
      return w;
    });
  }

  /** Sends one request to each worker (requests[i] to worker i) and waits for all replies. */
  all(requests: MlpWorkerRequest[]): Promise<MlpWorkerReply[]> {
    return Promise.all(
      requests.map(
        (req, i) =>
          new Promise<MlpWorkerReply>((resolve) => {
            this.pending[i]!.push(resolve);
            this.workers[i]!.postMessage(req);
          }),
      ),
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

function shared(bytes: number): SharedArrayBuffer {
  return new SharedArrayBuffer(Math.max(4, bytes));
}

/** [0..n) split into `parts` contiguous ranges. */
function split(start: number, count: number, parts: number): [number, number][] {
  return Array.from({ length: parts }, (_, i) => {
    const a = start + Math.floor((count * i) / parts);
    const b = start + Math.floor((count * (i + 1)) / parts);
    return [a, b - a];
  });
}

function learningRate(o: MlpTrainOptions, epochProgress: number): number {
  if (epochProgress < 1) return o.lr * Math.max(0.05, epochProgress);
  const t = Math.min(1, (epochProgress - 1) / Math.max(1, o.epochs - 1));
  return o.lr * (o.minLrFraction + (1 - o.minLrFraction) * 0.5 * (1 + Math.cos(Math.PI * t)));
}

/**
 * Trains the softmax MLP with mini-batch AdamW on `workers` threads: each computes gradients on its share
 * of every batch (with on-the-fly augmentation), then each updates its share of the parameters. Keeps the
 * parameters with the best validation accuracy; `shouldStop` (Ctrl-C) ends early and keeps them too.
 */
export async function trainMlp(
  data: TrainingData,
  options: Partial<MlpTrainOptions> = {},
  hooks: { shouldStop?: () => boolean; checkpointPath?: string; resume?: boolean } = {},
): Promise<MlpTrainResult> {
  let o: MlpTrainOptions = { ...DEFAULT_MLP, ...options };
  const resumed = hooks.resume && hooks.checkpointPath ? readCheckpoint(hooks.checkpointPath) : null;
  if (resumed) o = { ...resumed.options, epochs: options.epochs ?? resumed.options.epochs, quiet: o.quiet };
  const transform = o.transform ?? new InputTransform(false, null);
  const precomputed = o.transform !== undefined;
  if (precomputed && o.augment) throw new RangeError('augmentation works on pixels: use augment: null with an input transform');
  const sizes = [transform.outputSize, ...o.hidden, CLASSES];
  const init = Mlp.init(sizes, o.seed);
  const nParams = init.params.length;

  const n = Math.min(o.fitLimit ?? data.fit.n, data.fit.n);
  const fitLabels = labelsOf(data.fit);
  const evalX = precomputed ? transform.apply(data.validationX, data.validation.n) : data.validationX;
  const fitFeatures = precomputed ? transform.apply(data.fitX.subarray(0, n * PIXELS), n) : null;
  const pool = new WorkerPool(
    {
      sizes,
      params: shared(nParams * 4),
      grads: Array.from({ length: o.workers }, () => shared(nParams * 4)),
      adamM: shared(nParams * 4),
      adamV: shared(nParams * 4),
      pixels: shared(n * PIXELS),
      features: fitFeatures ? shared(fitFeatures.length * 4) : null,
      labels: shared(n),
      order: shared(n * 4),
      evalX: shared(evalX.length * 4),
      evalProba: shared(data.validation.n * CLASSES * 4),
      augment: o.augment,
      weightRanges: init.weightRanges(),
      workers: o.workers,
      stepLr: shared(Math.ceil(n / o.batch) * 4),
      control: shared(CTL_WORDS * 4),
    },
    o.workers,
  );
  // The workers and this thread see the same memory through these views.
  const views = sharedViews(pool.data);
  views.pixels.set(data.fit.pixels.subarray(0, n * PIXELS));
  views.labels.set(fitLabels.subarray(0, n));
  views.evalX.set(evalX);
  if (fitFeatures && pool.data.features) new Float32Array(pool.data.features).set(fitFeatures);

  let best: Float32Array = new Float32Array(nParams);
  let bestAccuracy = -1;
  let bestEpoch = 0;
  let history: EpochRecord[] = [];
  let step = 0;
  let firstEpoch = 1;
  let secondsBefore = 0;
  if (resumed) {
    views.params.set(decodeFloats(resumed.params, nParams, 'checkpoint params'));
    views.m.set(decodeFloats(resumed.m, nParams, 'checkpoint Adam m'));
    views.v.set(decodeFloats(resumed.v, nParams, 'checkpoint Adam v'));
    best = decodeFloats(resumed.best, nParams, 'checkpoint best params');
    ({ bestAccuracy, bestEpoch, history, step } = resumed);
    firstEpoch = resumed.epoch + 1;
    secondsBefore = resumed.seconds;
  } else {
    views.params.set(init.params);
  }

  const updateRanges = split(0, nParams, o.workers);
  const start = performance.now();
  const elapsed = () => secondsBefore + (performance.now() - start) / 1000;
  const stepsPerEpoch = Math.ceil(n / o.batch);
  const bar = progress('MLP training', (o.epochs - firstEpoch + 1) * stepsPerEpoch, o.quiet);
  let interrupted = false;
  let samples = 0;
  let trainingSeconds = 0;
  try {
    for (let epoch = firstEpoch; epoch <= o.epochs && !interrupted; epoch++) {
      views.order.set(permutation(n, o.seed * 1000 + epoch));
      const epochStart = performance.now();
      for (let i = 0; i < stepsPerEpoch; i++) views.stepLr[i] = learningRate(o, epoch - 1 + (i * o.batch) / n);
      Atomics.store(views.control, CTL_STEPS_DONE, 0);
      const barDone = (epoch - firstEpoch) * stepsPerEpoch;
      const ticker = setInterval(() => {
        const steps = Atomics.load(views.control, CTL_STEPS_DONE);
        const rate = (steps * o.batch) / ((performance.now() - epochStart) / 1000);
        const last = history[history.length - 1];
        const loss = last ? last.trainLoss.toFixed(4) : '–';
        const val = bestAccuracy >= 0 ? `${(100 * bestAccuracy).toFixed(2)}%` : '–';
        bar.update(barDone + steps, `epoch ${epoch}/${o.epochs} loss ${loss} best val ${val} ${Math.round(rate)} samples/s`);
        if (hooks.shouldStop?.()) Atomics.store(views.control, CTL_STOP_REQUESTED, 1);
      }, 250);
      const requests: MlpWorkerRequest[] = updateRanges.map(([from, count]) => ({
        type: 'epoch',
        n,
        batch: o.batch,
        seed: o.seed * 7919 + epoch,
        firstStep: step + 1,
        weightDecay: o.weightDecay,
        paramRange: [from, from + count],
      }));
      const replies = await pool
        .all(requests)
        .finally(() => clearInterval(ticker));
      const loss = replies.reduce((a, r) => a + r.loss, 0);
      const correct = replies.reduce((a, r) => a + r.correct, 0);
      const seen = replies.reduce((a, r) => a + r.samples, 0);
      step += replies[0]!.steps;
      interrupted = replies[0]!.steps < stepsPerEpoch;
      const epochSeconds = (performance.now() - epochStart) / 1000;
      samples += seen;
      trainingSeconds += epochSeconds;
      let validationAccuracy: number | null = null;
      if (!interrupted && (epoch % o.validateEvery === 0 || epoch === o.epochs)) {
        await pool.all(split(0, data.validation.n, o.workers).map(([a, c]) => ({ type: 'predict', start: a, count: c })));
        validationAccuracy = evaluate(views.evalProba, labelsOf(data.validation)).accuracy;
        if (validationAccuracy > bestAccuracy) {
          bestAccuracy = validationAccuracy;
          bestEpoch = epoch;
          best = views.params.slice();
        }
      }
      if (!interrupted || seen === n) {
        history.push({
          epoch,
          seconds: Number(elapsed().toFixed(1)),
          lr: learningRate(o, epoch),
          trainLoss: loss / seen,
          trainAccuracy: correct / seen,
          validationAccuracy,
          samplesPerSecond: Math.round(seen / epochSeconds),
        });
        if (hooks.checkpointPath) writeCheckpoint(hooks.checkpointPath, { o, epoch, step, seconds: elapsed(), history, bestAccuracy, bestEpoch, views, best });
      }
      if (epoch - bestEpoch >= o.patience) break;
    }
  } finally {
    bar.stop();
    await pool.close();
  }
  if (bestAccuracy < 0) {
    // Stopped before any validation: keep what we have.
    best = views.params.slice();
    bestAccuracy = evaluate(new Mlp(sizes, best).predictProba(evalX, data.validation.n), labelsOf(data.validation)).accuracy;
    bestEpoch = history.length;
  }
  const input = transform;
  const model = new DigitModel(
    baseMetadata(data, {
      kind: 'mlp',
      description: `softmax MLP ${sizes.join('-')}, ReLU, AdamW${o.augment ? ', trained with affine + elastic + stroke-width augmentation' : ''}`,
      seed: o.seed,
      preprocessing: precomputed ? input.describe() : 'raw pixels scaled to [0,1]',
      hyperparameters: {
        sizes,
        activation: 'relu',
        output: 'softmax',
        init: 'He (normal)',
        optimizer: 'AdamW (β1 0.9, β2 0.999)',
        batch: o.batch,
        lr: o.lr,
        schedule: `1-epoch warm-up, cosine decay to ${o.minLrFraction}× over ${o.epochs} epochs`,
        weightDecay: o.weightDecay,
        epochs: o.epochs,
        bestEpoch,
        patience: o.patience,
        augmentation: o.augment,
        workers: o.workers,
        trainedOn: `${n} images (the 60,000 less the 5,000-image validation split)`,
      },
      trainSeconds: Number(elapsed().toFixed(1)),
      metrics: { validation: validationMetrics(bestAccuracy, data.validation.n) },
      notes: { interrupted, curve: history },
    }),
    input,
    new Mlp(sizes, best),
  );
  return { model, history, samplesPerSecond: samples / Math.max(trainingSeconds, 1e-9), interrupted };
}

function sharedViews(d: Omit<MlpWorkerData, 'worker'>): {
  params: Float32Array;
  m: Float32Array;
  v: Float32Array;
  pixels: Uint8Array;
  labels: Uint8Array;
  order: Int32Array;
  evalX: Float32Array;
  evalProba: Float32Array;
  stepLr: Float32Array;
  control: Int32Array;
} {
  return {
    params: new Float32Array(d.params),
    m: new Float32Array(d.adamM),
    v: new Float32Array(d.adamV),
    pixels: new Uint8Array(d.pixels),
    labels: new Uint8Array(d.labels),
    order: new Int32Array(d.order),
    evalX: new Float32Array(d.evalX),
    evalProba: new Float32Array(d.evalProba),
    stepLr: new Float32Array(d.stepLr),
    control: new Int32Array(d.control),
  };
}

function writeCheckpoint(
  path: string,
  s: { o: MlpTrainOptions; epoch: number; step: number; seconds: number; history: EpochRecord[]; bestAccuracy: number; bestEpoch: number; views: ReturnType<typeof sharedViews>; best: Float32Array },
): void {
  const c: Checkpoint = {
    kind: 'mlp-checkpoint',
    options: s.o,
    epoch: s.epoch,
    step: s.step,
    seconds: s.seconds,
    history: s.history,
    bestAccuracy: s.bestAccuracy,
    bestEpoch: s.bestEpoch,
    params: encodeFloats(s.views.params),
    best: encodeFloats(s.best),
    m: encodeFloats(s.views.m),
    v: encodeFloats(s.views.v),
  };
  // Write then rename, so Ctrl-C mid-write never leaves a half checkpoint.
  writeFileSync(`${path}.tmp`, JSON.stringify(c));
  renameSync(`${path}.tmp`, path);
}

function readCheckpoint(path: string): Checkpoint {
  if (!existsSync(path)) throw new InputError(`no checkpoint at ${path} to resume from; train without --resume first`);
  let c: Checkpoint;
  try {
    c = JSON.parse(readFileSync(path, 'utf8')) as Checkpoint;
  } catch (e) {
    throw new InputError(`checkpoint ${path} is not valid JSON: ${(e as Error).message}`);
  }
  if (c?.kind !== 'mlp-checkpoint') throw new InputError(`${path} is not an MLP training checkpoint`);
  return c;
}
