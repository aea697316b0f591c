import { splitValidation, toUnit, type DigitFrame, labelsOf } from '../core/frame.js';
import { loadMnist, type Mnist } from '../data/mnist.js';
import { timedEvaluation, wilson, type Evaluation } from '../eval/metrics.js';
import type { DigitModel, Metrics, ModelMetadata } from '../core/models/model.js';

export interface TrainingData {
  mnist: Mnist;
  /** The 55,000 images models fit on while choosing settings. */
  fit: DigitFrame;
  /** The fixed 5,000-image validation split every choice is made on. */
  validation: DigitFrame;
  fitX: Float32Array;
  validationX: Float32Array;
  /** All 60,000 training images, for the final refit of models with no early stopping. */
  trainX: Float32Array;
  testX: Float32Array;
}

let cached: TrainingData | null = null;

export function trainingData(): TrainingData {
  if (cached) return cached;
  const mnist = loadMnist();
  const { fit, validation } = splitValidation(mnist.train);
  cached = {
    mnist,
    fit,
    validation,
    fitX: toUnit(fit.pixels),
    validationX: toUnit(validation.pixels),
    trainX: toUnit(mnist.train.pixels),
    testX: toUnit(mnist.test.pixels),
  };
  return cached;
}

export function metricsOf(e: Evaluation): Metrics {
  return { accuracy: e.accuracy, ci95: e.ci95, n: e.n };
}

/**
 * Scores a trained model on the test set, timing prediction, and records it in the metadata. Validation
 * figures come from the trainer: models refitted on all 60,000 images have seen the validation split.
 */
export function scoreModel(model: DigitModel, data: TrainingData): { test: Evaluation; predictMsPerImage: number } {
  const { evaluation: test, msPerImage: predictMsPerImage } = timedEvaluation(model, data.testX, labelsOf(data.mnist.test));
  model.metadata.metrics.test = { ...metricsOf(test), confusion: test.confusion };
  return { test, predictMsPerImage };
}

export function validationMetrics(accuracy: number, n: number): Metrics {
  const correct = Math.round(accuracy * n);
  return { accuracy, ci95: wilson(correct, n), n };
}

export function baseMetadata(
  data: TrainingData,
  fields: Pick<ModelMetadata, 'kind' | 'description' | 'seed' | 'preprocessing' | 'hyperparameters' | 'trainSeconds' | 'metrics'> &
    Pick<Partial<ModelMetadata>, 'notes'>,
): ModelMetadata {
  // Key order is the order a person reads the file in.
  return {
    kind: fields.kind,
    description: fields.description,
    created: new Date().toISOString(),
    command: commandLine(),
    seed: fields.seed,
    data: { ...data.mnist.hashes },
    preprocessing: fields.preprocessing,
    hyperparameters: fields.hyperparameters,
    trainSeconds: fields.trainSeconds,
    metrics: fields.metrics,
    ...(fields.notes && { notes: fields.notes }),
  };
}

/** The npm command that is running, as a person would type it again. */
export function commandLine(): string {
  const script = process.env.npm_lifecycle_event;
  const args = process.argv.slice(2).join(' ');
  return script ? `npm run ${script}${args ? ` -- ${args}` : ''}` : `tsx ${process.argv.slice(1).join(' ')}`;
}
