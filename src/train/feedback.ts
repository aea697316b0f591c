import { createHash } from 'node:crypto';
import { fromUnit, labelsOf, PIXELS, toUnit } from '../core/frame.js';
import { fitConfidence } from './confidence.js';
import type { FeedbackStore, StoredCorrection } from '../feedback/store.js';
import { argmaxRow } from '../core/models/classifier.js';
import { Committee } from '../core/models/committee.js';
import type { InputTransform } from '../core/features/transform.js';
import { Mlp, NON_DIGIT_LABEL } from '../core/models/mlp.js';
import { DigitModel, type FeedbackRecord } from '../core/models/model.js';
import { InputError } from '../core/util/errors.js';
import { Random } from '../core/util/random.js';
import { DEFAULT_AUGMENT } from './augment.js';
import { trainLoop } from './loop.js';
import { extraSamples } from './extra.js';
import { commandLine, validationMetrics, type TrainingData } from './common.js';
import { BEST_MODEL_PATH, loadModel } from '../io/model-file.js';
import { DEFAULT_FEEDBACK_DB, isConfirmation, openStore } from '../feedback/store.js';
import { evaluate } from '../eval/metrics.js';
import type { ProgressEvent } from './hooks.js';

/*
 * Learning from corrections: the served model (an MLP, or each MLP of a committee) starts from its own
 * weights and takes a few epochs of small AdamW steps on MNIST with the corrections mixed into every batch,
 * so that fifty of them count against 55,000 MNIST digits without the model forgetting MNIST, and non-digits
 * too, so that it does not forget refusing them either. Every fifth
 * correction (by id) is held out to measure the fine-tune; the rest are trained on. The temperature and
 * the "not a digit" threshold are fitted again afterwards, as for any model.
 */

export interface FeedbackTuneOptions {
  epochs: number;
  /** MNIST digits per epoch, drawn afresh each epoch from the 55,000 fit images. */
  mnistPerEpoch: number;
  batch: number;
  /**
   * Corrections in every batch (drawn with replacement, augmented): their weight against MNIST. 4 of 128:
   * on the feedback bench's corrections, with MNIST measured on the validation split, the seed-9 MLP lost
   * 0.24 points of it at 12 (and at any learning rate from 3e-5 to 1e-4), 0.18 at 6, 0.12 at 4, and still
   * learnt every corrected style.
   */
  correctionsPerBatch: number;
  /**
   * Non-digit images (the outlier-exposure training kind, rendered afresh) in every batch, trained towards
   * the uniform distribution as in training: without them the fine-tune sees only digits and unlearns
   * refusing non-digits.
   */
  outliersPerBatch: number;
  /** How many non-digit images to render for that. */
  outliers: number;
  lr: number;
  weightDecay: number;
  seed: number;
  workers: number;
}

/**
 * 4 epochs: the served committee's deslanting member learns ten corrections of one pattern slowest (a bar
 * labelled 3: p(3) 0.08 after 3 epochs, 0.90 after 4; the committee 0.49 and 0.94).
 */
export const DEFAULT_FEEDBACK_TUNE: FeedbackTuneOptions = {
  epochs: 4,
  mnistPerEpoch: 12_000,
  batch: 128,
  correctionsPerBatch: 4,
  outliersPerBatch: 16,
  outliers: 3000,
  lr: 1e-4,
  weightDecay: 1e-4,
  seed: 1,
  workers: 2,
};

/** Every fifth correction by id is held out: the same split on every run over the same store. */
export function isHeldOut(c: StoredCorrection): boolean {
  return c.id % 5 === 0;
}

/** SHA-256 over the corrections read (id, label, input), so a model records the store's state it learned from. */
export function correctionsHash(rows: StoredCorrection[]): string {
  const h = createHash('sha256');
  for (const r of rows) h.update(`${r.id}:${r.label ?? 'x'}:`).update(r.input);
  return h.digest('hex');
}

/** Accuracy on corrections: the model's answer must be the label ("not a digit" when refused). */
export function correctionAccuracy(model: DigitModel, rows: StoredCorrection[]): number | null {
  if (rows.length === 0) return null;
  const x = new Float32Array(rows.length * PIXELS);
  for (const [i, r] of rows.entries()) for (const [j, v] of r.input.entries()) x[i * PIXELS + j] = v / 255;
  const p = model.predictProba(x, rows.length);
  let right = 0;
  const refusals = model.refusals(x, rows.length, p);
  rows.forEach((r, i) => {
    const best = argmaxRow(p, i);
    const refused = refusals[i]!;
    if ((r.label === null && refused) || (r.label !== null && !refused && best === r.label)) right++;
  });
  return right / rows.length;
}

/** The fine-tuned copy of `model`; `model` itself is left as it was. */
export async function fineTuneOnFeedback(
  model: DigitModel,
  store: FeedbackStore,
  data: TrainingData,
  o: FeedbackTuneOptions & {
    from: string;
    command: string /** Fit temperature and threshold again (false only in tests: it takes a while). */;
    calibrate?: boolean;
  },
  onProgress: (e: ProgressEvent) => void = () => {},
): Promise<DigitModel> {
  const rows = (await store.list()).filter((r) => !isConfirmation(r));
  const train = rows.filter((r) => !isHeldOut(r));
  const heldOut = rows.filter(isHeldOut);
  if (train.length === 0)
    throw new InputError(
      `the ${store.kind} feedback store has ${rows.length ? 'only held-out corrections' : 'no corrections'} to learn from: correct a few answers on the board first`,
    );
  if (model.input.pca || model.input.deskew || model.input.width !== null) {
    throw new InputError('fine-tuning on corrections needs a model on raw pixels (the MLP, or a committee of MLPs each with its own view)');
  }
  const views = model.classifier instanceof Committee ? model.classifier.inputs : null;
  const nets = model.classifier instanceof Mlp ? [model.classifier] : model.classifier instanceof Committee ? [...model.classifier.members] : null;
  if (!nets) throw new InputError(`${o.from} is a ${model.metadata.kind} model; only an MLP or a committee of MLPs can be fine-tuned`);

  const outliers =
    o.outliersPerBatch > 0 && o.outliers > 0 ? await extraSamples(data, { outliers: o.outliers, corrupted: 0, typed: 0 }, o.seed, { onProgress }) : null;
  // One set of rows: MNIST's fit split, then the non-digits, then the corrections.
  const fitN = data.fit.n;
  const outlierN = outliers?.labels.length ?? 0;
  const pixels = new Uint8Array((fitN + outlierN + train.length) * PIXELS);
  const labels = new Uint8Array(fitN + outlierN + train.length);
  pixels.set(data.fit.pixels);
  labels.set(labelsOf(data.fit));
  if (outliers) {
    pixels.set(outliers.pixels, fitN * PIXELS);
    labels.fill(NON_DIGIT_LABEL, fitN, fitN + outlierN);
  }
  for (const [i, r] of train.entries()) {
    pixels.set(r.input, (fitN + outlierN + i) * PIXELS);
    labels[fitN + outlierN + i] = r.label ?? NON_DIGIT_LABEL;
  }
  const outliersPerBatch = outliers ? o.outliersPerBatch : 0;
  const mnistPerBatch = o.batch - o.correctionsPerBatch - outliersPerBatch;
  const rowsPerEpoch = Math.ceil(o.mnistPerEpoch / mnistPerBatch) * o.batch;
  const tuned: Mlp[] = [];
  // A member with a view of its own (deslanted, width-normalised) learns from its view of every row, before the
  // augmentation, as it was trained (src/train/mlp.ts); members that see alike share one copy (InputTransform.key).
  const viewed = new Map<string, Uint8Array>();
  const pixelsFor = (view: InputTransform | undefined) => {
    if (!view || (!view.deskew && view.width === null)) return pixels;
    let own = viewed.get(view.key);
    if (!own) viewed.set(view.key, (own = fromUnit(view.apply(toUnit(pixels), labels.length))));
    return own;
  };
  for (const [k, net] of nets.entries()) {
    const rng = new Random(o.seed + k);
    const own = pixelsFor(views?.[k]);
    // Every batch: MNIST digits, then non-digits, then corrections, each drawn with replacement.
    const rows = () =>
      Int32Array.from({ length: rowsPerEpoch }, (_, i) => {
        const b = i % o.batch;
        if (b < mnistPerBatch) return rng.int(fitN);
        if (b < mnistPerBatch + outliersPerBatch) return fitN + rng.int(outlierN);
        return fitN + outlierN + rng.int(train.length);
      });
    const { state } = await trainLoop(
      {
        sizes: net.sizes,
        pixels: own,
        labels,
        features: null,
        augment: DEFAULT_AUGMENT,
        batch: o.batch,
        weightDecay: o.weightDecay,
        workers: o.workers,
        seed: o.seed + k,
        // A constant rate: small steps from trained weights.
        lr: o.lr,
        warmupEpochs: 0,
        minLrFraction: 1,
        epochs: o.epochs,
        rows,
        rowsPerEpoch,
        validation: null,
        task: `fine-tuning ${nets.length > 1 ? `member ${k + 1} of ${nets.length}` : 'the MLP'}`,
      },
      { params: net.params },
      { onProgress },
    );
    tuned.push(new Mlp(net.sizes, state.best));
  }
  const classifier = tuned.length === 1 && model.classifier instanceof Mlp ? tuned[0]! : new Committee(tuned, views);
  const record: FeedbackRecord = {
    used: train.length,
    heldOut: heldOut.length,
    storeHash: correctionsHash(rows),
    store: store.kind,
    heldOutBefore: correctionAccuracy(model, heldOut),
    heldOutAfter: null,
    from: o.from,
  };
  const metadata = {
    ...model.metadata,
    created: new Date().toISOString(),
    command: o.command,
    seed: o.seed,
    description: `${model.metadata.description}; fine-tuned on ${train.length} user corrections`,
    hyperparameters: { ...model.metadata.hyperparameters, feedback: o },
    metrics: {},
    feedback: record,
  };
  const out = new DigitModel(metadata, model.input, classifier);
  const validationLabels = labelsOf(data.validation);
  metadata.metrics = {
    validation: validationMetrics(evaluate(out.rawProba(data.validationX, validationLabels.length), validationLabels).accuracy, validationLabels.length),
  };
  // The digit detector is kept: the fine-tune changes the classifier only; its thresholds are fitted again.
  if (o.calibrate !== false) out.confidence = await fitConfidence(out, data, o.command, model.confidence?.detector);
  record.heldOutAfter = correctionAccuracy(out, heldOut);
  return out;
}

/** The options of `npm run train -- --model feedback`. */
export interface FeedbackTrainOptions {
  /** The model to fine-tune (an MLP or a committee of them); the served model when not given. */
  from?: string;
  epochs: number;
  seed: number;
}

export const DEFAULT_FEEDBACK_TRAIN: FeedbackTrainOptions = { epochs: DEFAULT_FEEDBACK_TUNE.epochs, seed: DEFAULT_FEEDBACK_TUNE.seed };

/** `npm run train -- --model feedback`: the store (FEEDBACK_DB or DATABASE_URL) → the fine-tuned served model. */
export async function trainOnFeedback(
  data: TrainingData,
  o: FeedbackTrainOptions,
  run: { onProgress?: (e: ProgressEvent) => void },
): Promise<{ model: DigitModel; interrupted: boolean }> {
  const from = o.from ?? BEST_MODEL_PATH;
  const model = loadModel(from);
  const store = await openStore({ path: process.env.FEEDBACK_DB ?? DEFAULT_FEEDBACK_DB });
  try {
    const tuned = await fineTuneOnFeedback(
      model,
      store,
      data,
      { ...DEFAULT_FEEDBACK_TUNE, epochs: o.epochs, seed: o.seed, from, command: commandLine() },
      run.onProgress,
    );
    const f = tuned.metadata.feedback!;
    const pct = (v: number | null) => (v === null ? 'none held out' : `${(100 * v).toFixed(1)}%`);
    console.log(`fine-tuned on ${f.used} corrections (${f.heldOut} held out): held-out corrections ${pct(f.heldOutBefore)} → ${pct(f.heldOutAfter)}`);
    return { model: tuned, interrupted: false };
  } finally {
    await store.close();
  }
}
