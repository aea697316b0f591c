import { CLASSES, fromUnit, labelsOf, PIXELS, type Rows } from '../core/frame.js';
import { InputTransform } from '../core/features/transform.js';
import { sha256 } from '../data/mnist.js';
import { readInput } from '../io/files.js';
import { Mlp } from '../core/models/mlp.js';
import { parseModel } from '../core/models/registry.js';
import { InputError } from '../core/util/errors.js';
import { extraSamples } from './extra.js';
import { DigitModel } from '../core/models/model.js';
import { permutation } from '../core/util/random.js';
import { baseMetadata, validationMetrics, type TrainingData } from './common.js';
import type { TrainHooks } from './hooks.js';
import { readCheckpoint, writeCheckpoint, type TrainState } from './mlp-checkpoint.js';
import { trainLoop } from './loop.js';
import { DEFAULT_MLP, type EpochRecord, type MlpTrainOptions } from './mlp-options.js';
import { initMlp } from './mlp-steps.js';

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

/** An MLP model file's weights, to start from; its layer sizes and its view of the digit must be these. */
function startingWeights(
  path: string,
  sizes: number[],
  transform: InputTransform,
): { params: Float32Array; source: { file: string; sha256: string; command: string } } {
  const text = readInput(path, 'model to start from');
  const model = parseModel(text.toString('utf8'), path);
  const net = model.classifier;
  if (!(net instanceof Mlp) || net.sizes.join('-') !== sizes.join('-') || model.input.outputSize !== sizes[0]) {
    throw new InputError(
      `${path} is a ${model.metadata.kind} ${net instanceof Mlp ? net.sizes.join('-') : ''}; --from needs an MLP ${sizes.join('-')} on the same input`,
    );
  }
  // A deslanted member fine-tuned on raw pixels would read one view and have learnt another.
  if (model.input.key !== transform.key) {
    throw new InputError(`${path} reads ${model.input.describe()}; this training reads ${transform.describe()}: give the same --deslant and --width`);
  }
  return { params: net.params, source: { file: path, sha256: sha256(text), command: model.metadata.command } };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
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
  const precomputed = o.transform !== undefined;
  // Deslanting and width normalisation act on the pixels before augmentation, and the model applies them too.
  const normalised = !precomputed && (o.deslant || o.width !== undefined);
  const transform = o.transform ?? new InputTransform(o.deslant, null, o.width ?? null);
  if (precomputed && (o.deslant || o.width !== undefined)) throw new RangeError('--deslant and --width are pixel normalisations: not with an input transform');
  if (precomputed && o.augment) throw new RangeError('augmentation works on pixels: use augment: null with an input transform');
  const sizes = [transform.outputSize, ...o.hidden, CLASSES];
  const start = o.from ? startingWeights(o.from, sizes, transform) : null;
  const fitN = Math.min(o.fitLimit ?? data.fit.n, data.fit.n);
  const extra = await extraSamples(data, o, o.seed, hooks);
  if (precomputed && extra.labels.length) throw new RangeError('extra images are pixels: they cannot be used with an input transform');
  const n = fitN + extra.labels.length;
  const evalX = precomputed || normalised ? transform.apply(data.validationX, data.validation.n) : data.validationX;
  const fitPixels = normalised ? fromUnit(transform.apply(data.fitX.subarray(0, fitN * PIXELS), fitN)) : data.fit.pixels.subarray(0, fitN * PIXELS);
  const extraPixels =
    normalised && extra.labels.length
      ? fromUnit(
          transform.apply(
            Float32Array.from(extra.pixels, (v) => v / 255),
            extra.labels.length,
          ),
        )
      : extra.pixels;
  const { state, interrupted, samplesPerSecond } = await trainLoop(
    {
      sizes,
      pixels: concat(fitPixels, extraPixels),
      labels: concat(labelsOf(data.fit).subarray(0, fitN), extra.labels),
      features: precomputed ? transform.apply(data.fitX.subarray(0, fitN * PIXELS), fitN) : null,
      augment: o.augment,
      batch: o.batch,
      weightDecay: o.weightDecay,
      nonDigitWeight: o.nonDigitWeight,
      workers: o.workers,
      seed: o.seed,
      lr: o.lr,
      warmupEpochs: 1,
      minLrFraction: o.minLrFraction,
      epochs: o.epochs,
      // Each epoch, every image once in a new order.
      rows: (epoch) => permutation(n, o.seed * 1000 + epoch),
      rowsPerEpoch: n,
      validation: { x: evalX, frame: data.validation, every: o.validateEvery, patience: o.patience },
      task: 'MLP training',
    },
    resumed ? { resumed: resumed.state } : { params: start?.params ?? initMlp(sizes, o.seed).params },
    { ...hooks, ...(hooks.checkpointPath && { onEpoch: (s: TrainState) => writeCheckpoint(hooks.checkpointPath!, o, s) }) },
  );
  const model = new DigitModel(
    baseMetadata(data, {
      kind: Mlp.kind,
      description: `softmax MLP ${sizes.join('-')}, ReLU, AdamW${o.augment ? ', trained with affine + elastic + stroke-width augmentation' : ''}`,
      seed: o.seed,
      preprocessing: precomputed || normalised ? transform.describe() : 'raw pixels scaled to [0,1]',
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
        ...(o.outliers > 0 && { nonDigitWeight: o.nonDigitWeight }),
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
      notes: { interrupted, curve: state.history },
    }),
    transform,
    new Mlp(sizes, state.best),
  );
  return { model, history: state.history, samplesPerSecond, interrupted };
}

/** fitMlp's options: the hidden layers and the loop's settings (DEFAULT_MLP's where not given). */
export interface MlpFitOptions {
  hidden: number[];
  epochs: number;
  /** Output units; labels are 0..classes-1 (a label equal to `classes` trains towards the uniform output). */
  classes?: number;
  batch?: number;
  lr?: number;
  weightDecay?: number;
  seed?: number;
  workers?: number;
}

/**
 * An MLP fitted on any rows, with the estimators' one surface (fit(rows, labels, options)): the one training
 * loop on the rows as they are (no augmentation, no validation, each epoch a fresh seeded order). The
 * classifier's and the detector's trainers add their own data and checks around the same loop.
 */
export async function fitMlp({ x, n, d }: Rows, labels: Uint8Array, options: MlpFitOptions, hooks: TrainHooks = {}): Promise<Mlp> {
  const { hidden, epochs, classes = CLASSES, batch = DEFAULT_MLP.batch, lr = DEFAULT_MLP.lr, weightDecay = DEFAULT_MLP.weightDecay } = options;
  const { seed = DEFAULT_MLP.seed, workers = DEFAULT_MLP.workers } = options;
  if (labels.length !== n) throw new RangeError(`${n} rows for ${labels.length} labels`);
  if (labels.some((l) => l > classes)) throw new RangeError(`labels must be 0..${classes} for ${classes} outputs`);
  const sizes = [d, ...hidden, classes];
  const { state } = await trainLoop(
    {
      sizes,
      pixels: new Uint8Array(0),
      labels,
      features: x,
      augment: null,
      batch,
      weightDecay,
      workers,
      seed,
      lr,
      warmupEpochs: Math.min(1, epochs - 1),
      minLrFraction: DEFAULT_MLP.minLrFraction,
      epochs,
      rows: (epoch) => permutation(n, seed * 1000 + epoch),
      rowsPerEpoch: n,
      validation: null,
      task: `MLP ${sizes.join('-')}`,
    },
    { params: initMlp(sizes, seed).params },
    hooks,
  );
  return new Mlp(sizes, state.best);
}
