import { CLASSES, labelsOf, PIXELS } from '../data/frame.js';
import { evaluate } from '../eval/metrics.js';
import { InputTransform } from '../features/transform.js';
import { sha256 } from '../data/mnist.js';
import { readInput } from '../io/files.js';
import { Mlp } from '../models/mlp.js';
import { parseModel } from '../models/registry.js';
import { InputError } from '../util/errors.js';
import { extraSamples } from './extra.js';
import { DigitModel } from '../models/model.js';
import { permutation } from '../util/random.js';
import { baseMetadata, validationMetrics, type TrainingData } from './common.js';
import { reporter, type TrainHooks } from './hooks.js';
import { readCheckpoint, writeCheckpoint, type TrainState } from './mlp-checkpoint.js';
import { CTL_STEPS_DONE, CTL_STOP_REQUESTED, type MlpWorkerRequest } from './mlp-protocol.js';
import { MlpThreads, split } from './mlp-threads.js';
import { DEFAULT_MLP, type EpochRecord, type MlpTrainOptions } from './mlp-options.js';

export interface MlpTrainResult {
  model: DigitModel;
  history: EpochRecord[];
  samplesPerSecond: number;
  interrupted: boolean;
}

export interface MlpRunHooks extends TrainHooks {
  /** Write a checkpoint here after every epoch. */
  checkpointPath?: string;
  /** Continue from the checkpoint at checkpointPath (its options win, but for `epochs`). */
  resume?: boolean;
}

/** An MLP model file's weights, to start from; its layer sizes must be these. */
function startingWeights(path: string, sizes: number[]): { params: Float32Array; source: { file: string; sha256: string; command: string } } {
  const text = readInput(path, 'model to start from');
  const model = parseModel(text.toString('utf8'), path);
  const net = model.classifier;
  if (!(net instanceof Mlp) || net.sizes.join('-') !== sizes.join('-') || model.input.outputSize !== sizes[0]) {
    throw new InputError(
      `${path} is a ${model.metadata.kind} ${net instanceof Mlp ? net.sizes.join('-') : ''}; --from needs an MLP ${sizes.join('-')} on the same input`,
    );
  }
  return { params: net.params, source: { file: path, sha256: sha256(text), command: model.metadata.command } };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
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
export async function trainMlp(data: TrainingData, options: Partial<MlpTrainOptions> = {}, hooks: MlpRunHooks = {}): Promise<MlpTrainResult> {
  let o: MlpTrainOptions = { ...DEFAULT_MLP, ...options };
  const resumed = hooks.resume && hooks.checkpointPath ? readCheckpoint(hooks.checkpointPath) : null;
  if (resumed) o = { ...resumed.options, epochs: options.epochs ?? resumed.options.epochs };
  const transform = o.transform ?? new InputTransform(false, null);
  const precomputed = o.transform !== undefined;
  if (precomputed && o.augment) throw new RangeError('augmentation works on pixels: use augment: null with an input transform');
  const sizes = [transform.outputSize, ...o.hidden, CLASSES];
  const start = o.from ? startingWeights(o.from, sizes) : null;
  const fitN = Math.min(o.fitLimit ?? data.fit.n, data.fit.n);
  const extra = await extraSamples(data, o, o.seed, hooks);
  if (precomputed && extra.labels.length) throw new RangeError('extra images are pixels: they cannot be used with an input transform');
  const n = fitN + extra.labels.length;
  const evalX = precomputed ? transform.apply(data.validationX, data.validation.n) : data.validationX;
  const threads = new MlpThreads({
    sizes,
    pixels: concat(data.fit.pixels.subarray(0, fitN * PIXELS), extra.pixels),
    labels: concat(labelsOf(data.fit).subarray(0, fitN), extra.labels),
    features: precomputed ? transform.apply(data.fitX.subarray(0, fitN * PIXELS), fitN) : null,
    evalX,
    evalN: data.validation.n,
    augment: o.augment,
    batch: o.batch,
    workers: o.workers,
  });
  const { views } = threads;
  // The state's arrays are the threads' shared memory from here on, so checkpoints save what they train.
  views.params.set(resumed ? resumed.state.params : (start?.params ?? Mlp.init(sizes, o.seed).params));
  if (resumed) {
    views.m.set(resumed.state.m);
    views.v.set(resumed.state.v);
  }
  const fresh = { epoch: 0, step: 0, seconds: 0, history: [], bestAccuracy: -1, bestEpoch: 0, best: new Float32Array(views.params.length) };
  const state: TrainState = { ...(resumed?.state ?? fresh), params: views.params, m: views.m, v: views.v };
  let run: { interrupted: boolean; samplesPerSecond: number };
  try {
    run = await runEpochs(threads, o, n, data, state, hooks);
  } finally {
    await threads.close();
  }
  if (state.bestAccuracy < 0) {
    // Stopped before any validation: keep what we have.
    state.best = views.params.slice();
    state.bestAccuracy = evaluate(new Mlp(sizes, state.best).predictProba(evalX, data.validation.n), labelsOf(data.validation)).accuracy;
    state.bestEpoch = state.history.length;
  }
  const model = new DigitModel(
    baseMetadata(data, {
      kind: Mlp.kind,
      description: `softmax MLP ${sizes.join('-')}, ReLU, AdamW${o.augment ? ', trained with affine + elastic + stroke-width augmentation' : ''}`,
      seed: o.seed,
      preprocessing: precomputed ? transform.describe() : 'raw pixels scaled to [0,1]',
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
        bestEpoch: state.bestEpoch,
        patience: o.patience,
        augmentation: o.augment,
        workers: o.workers,
        trainedOn: `${fitN} MNIST images (the 60,000 less the 5,000-image validation split)${extra.labels.length ? ` and ${extra.labels.length} extra images (${o.outliers} not digits, ${o.corrupted} corrupted MNIST digits, ${o.typed} typed digits; ${extra.empty} came out blank and were not used)` : ''}`,
        ...(start && { startedFrom: start.source }),
      },
      trainSeconds: Number(state.seconds.toFixed(1)),
      metrics: { validation: validationMetrics(state.bestAccuracy, data.validation.n) },
      notes: { interrupted: run.interrupted, curve: state.history },
    }),
    transform,
    new Mlp(sizes, state.best),
  );
  return { model, history: state.history, samplesPerSecond: run.samplesPerSecond, interrupted: run.interrupted };
}

/**
 * The epoch loop, from state.epoch + 1: shuffle, let the threads run the epoch, validate, keep the best
 * parameters, checkpoint. Updates `state` in place.
 */
async function runEpochs(
  threads: MlpThreads,
  o: MlpTrainOptions,
  n: number,
  data: TrainingData,
  state: TrainState,
  hooks: MlpRunHooks,
): Promise<{ interrupted: boolean; samplesPerSecond: number }> {
  const { views } = threads;
  const firstEpoch = state.epoch + 1;
  const secondsBefore = state.seconds;
  const start = performance.now();
  const elapsed = () => secondsBefore + (performance.now() - start) / 1000;
  const stepsPerEpoch = Math.ceil(n / o.batch);
  const updateRanges = split(0, views.params.length, o.workers);
  const report = reporter(hooks, 'MLP training', (o.epochs - firstEpoch + 1) * stepsPerEpoch);
  let interrupted = false;
  let samples = 0;
  let trainingSeconds = 0;
  for (let epoch = firstEpoch; epoch <= o.epochs && !interrupted; epoch++) {
    views.order.set(permutation(n, o.seed * 1000 + epoch));
    const epochStart = performance.now();
    for (let i = 0; i < stepsPerEpoch; i++) views.stepLr[i] = learningRate(o, epoch - 1 + (i * o.batch) / n);
    Atomics.store(views.control, CTL_STEPS_DONE, 0);
    const stepsBefore = (epoch - firstEpoch) * stepsPerEpoch;
    const status = (steps: number) => {
      const rate = (steps * o.batch) / ((performance.now() - epochStart) / 1000);
      const last = state.history[state.history.length - 1];
      const loss = last ? last.trainLoss.toFixed(4) : '–';
      const val = state.bestAccuracy >= 0 ? `${(100 * state.bestAccuracy).toFixed(2)}%` : '–';
      return `epoch ${epoch}/${o.epochs} loss ${loss} best val ${val} ${Math.round(rate)} samples/s`;
    };
    const ticker = setInterval(() => {
      const steps = Atomics.load(views.control, CTL_STEPS_DONE);
      report.step(stepsBefore + steps, status(steps));
      if (hooks.shouldStop?.()) Atomics.store(views.control, CTL_STOP_REQUESTED, 1);
    }, 250);
    const requests: MlpWorkerRequest[] = updateRanges.map(([from, count]) => ({
      type: 'epoch',
      n,
      batch: o.batch,
      seed: o.seed * 7919 + epoch,
      firstStep: state.step + 1,
      weightDecay: o.weightDecay,
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
    if (!interrupted && (epoch % o.validateEvery === 0 || epoch === o.epochs)) {
      await threads.all(split(0, data.validation.n, o.workers).map(([a, c]) => ({ type: 'predict', start: a, count: c })));
      validationAccuracy = evaluate(views.evalProba, labelsOf(data.validation)).accuracy;
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
        lr: learningRate(o, epoch),
        trainLoss: loss / seen,
        trainAccuracy: correct / seen,
        validationAccuracy,
        samplesPerSecond: Math.round(seen / epochSeconds),
      });
      if (hooks.checkpointPath) writeCheckpoint(hooks.checkpointPath, o, state);
    }
    // Once per epoch whatever its length, after the checkpoint: the figures of the epoch just finished.
    report.step(stepsBefore + replies[0]!.steps, status(replies[0]!.steps));
    if (epoch - state.bestEpoch >= o.patience) break;
  }
  report.end();
  return { interrupted, samplesPerSecond: samples / Math.max(trainingSeconds, 1e-9) };
}
