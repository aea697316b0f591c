import { CLASSES, PIXELS } from '../frame.js';
import { InputTransform, type InputJson } from '../features/transform.js';
import { ModelFormatError } from '../util/errors.js';
import { argmaxRow, argmaxRows, withTemperature, type Classifier, type ClassifierJson, type ClassifierType } from './classifier.js';
import { DigitDetector } from './detector.js';

export const MODEL_NAME = 'mnist-digit-model';
export const MODEL_FORMAT = 1;
/** The reason given when the ink is there but the model does not take it for a digit (see DigitModel.refusals). */
export const NOT_A_DIGIT = 'not a digit';

export interface Metrics {
  accuracy: number;
  /** 95% Wilson interval. */
  ci95?: [number, number];
  n: number;
  /** confusion[true][predicted], on the test set. */
  confusion?: number[][];
}

/** Human-readable facts about a model; in the JSON they come before the parameters. */
export interface ModelMetadata {
  /** The classifier's one name: 'knn', 'forest' or 'mlp'. */
  kind: string;
  description: string;
  created: string;
  /** The exact command that made this file, to reproduce it. */
  command: string;
  seed: number;
  /** SHA-256 of the training data files. */
  data: Record<string, string>;
  preprocessing: string;
  hyperparameters: Record<string, unknown>;
  trainSeconds: number;
  metrics: { validation?: Metrics; test?: Metrics };
  /** Anything model-specific a person wants to see, e.g. a training curve. */
  notes?: Record<string, unknown>;
  /** Set by fine-tuning on users' corrections (npm run train -- --model feedback). */
  feedback?: FeedbackRecord;
}

/** What a fine-tune on corrections used, and what it measured on corrections it held out. */
export interface FeedbackRecord {
  /** Corrections trained on, and held out to measure. */
  used: number;
  heldOut: number;
  /** SHA-256 over the corrections read (ids, labels and inputs), so the store's state is on record. */
  storeHash: string;
  store: string;
  /** Accuracy on the held-out corrections before (the model fine-tuned from) and after. */
  heldOutBefore: number | null;
  heldOutAfter: number | null;
  /** The model file fine-tuned from. */
  from: string;
}

/**
 * How far to trust the classifier's probabilities, fitted on held-out images after training: a temperature
 * that makes them calibrated, and the calibrated top probability below which the answer is "not a digit";
 * optionally a digit detector, whose probability of "a digit" below `digitBelow` also means "not a digit".
 * With `topWeight` the two are one rule instead (digitScore): the detector's log-odds plus `topWeight` × the
 * top probability's, as a probability, below `digitBelow`; `refuseBelow` is then 0.
 */
export interface Confidence {
  temperature: number;
  refuseBelow: number;
  detector?: DigitDetector;
  digitBelow?: number;
  topWeight?: number;
  /** What they were fitted on and what that gave, for a person reading the file. */
  fittedOn: string;
  figures: Record<string, number>;
  command: string;
}

export interface ModelJson extends ModelMetadata {
  name: typeof MODEL_NAME;
  format: typeof MODEL_FORMAT;
  confidence?: Confidence;
  input: InputJson;
  classifier: ClassifierJson;
}

/**
 * The one scale of the "not a digit" rules: below 1 is refused. Without a detector, the top probability ÷
 * refuseBelow. With one (digitness, and a digitBelow above 0), either two rules, the smaller of that and
 * digitness ÷ digitBelow, or with `topWeight` one rule, combinedDigitness ÷ digitBelow. In float64, so a
 * value just under its threshold is not rounded up to 1.
 */
export function digitScore(top: number, digitness: number | null, refuseBelow: number, digitBelow = 0, topWeight = 0): number {
  if (digitness === null || !(digitBelow > 0)) return top / refuseBelow;
  if (topWeight > 0) return combinedDigitness(top, digitness, topWeight) / digitBelow;
  return Math.min(top / refuseBelow, digitness / digitBelow);
}

/**
 * The detector's "a digit" and the classifier's top probability as one probability: their log-odds added,
 * the top probability's weighted by `topWeight`. A digit the detector doubts but the classifier reads surely
 * (a thick or broken MNIST digit) is kept, and a shape both are unsure of is refused though neither alone is
 * below its own threshold. Log-odds are taken within 1e-7 of 0 and 1, where float32 probabilities saturate.
 */
export function combinedDigitness(top: number, digitness: number, topWeight: number): number {
  const logit = (p: number) => {
    const q = Math.min(1 - 1e-7, Math.max(1e-7, p));
    return Math.log(q / (1 - q));
  };
  return 1 / (1 + Math.exp(-(topWeight * logit(top) + logit(digitness))));
}

/** A full model: input transform → classifier, with its metadata. */
export class DigitModel {
  constructor(
    readonly metadata: ModelMetadata,
    readonly input: InputTransform,
    readonly classifier: Classifier,
    /** Calibration and the refusal threshold; null until fitted (npm run train -- … --calibrate). */
    public confidence: Confidence | null = null,
  ) {
    if (input.outputSize !== classifier.inputSize) {
      throw new ModelFormatError(`invalid model: the input transform gives ${input.outputSize} features but the classifier expects ${classifier.inputSize}`);
    }
  }

  /** n images (n×784 in [0,1]) → n×10 probabilities. */
  predictProba(images: Float32Array, n: number): Float32Array {
    const p = this.classifier.predictProba(this.input.apply(images, n), n);
    return this.confidence ? withTemperature(p, n, this.confidence.temperature) : p;
  }

  /**
   * The "not a digit" rule for n images (n×784) and their calibrated probabilities `p`: refused when the top
   * probability is below `refuseBelow` or the detector's "a digit" below `digitBelow`. Never, without a confidence block.
   */
  refusals(images: Float32Array, n: number, p: Float32Array, digitness?: Float32Array): boolean[] {
    if (!this.confidence) return new Array<boolean>(n).fill(false);
    return this.digitScores(images, n, p, digitness).map((s) => s < 1);
  }

  /**
   * How much each image looks like a digit, on one scale for both rules: the smaller of top probability ÷
   * refuseBelow and (with a detector) "a digit" ÷ digitBelow, so below 1 is refused. Without a confidence
   * block, the top probability. Higher is more digit-like: the score for AUROC and coverage curves. The
   * detector's "a digit" for the images may be given when the caller has it already.
   */
  digitScores(images: Float32Array, n: number, p: Float32Array, digitness = this.confidence?.detector?.digitness(images, n)): number[] {
    const c = this.confidence;
    return Array.from({ length: n }, (_, r) => {
      const top = p[r * CLASSES + argmaxRow(p, r)]!;
      return c ? digitScore(top, digitness?.[r] ?? null, c.refuseBelow, c.digitBelow, c.topWeight) : top;
    });
  }

  /** The classifier's own probabilities, before calibration. */
  rawProba(images: Float32Array, n: number): Float32Array {
    return this.classifier.predictProba(this.input.apply(images, n), n);
  }

  /** n images (n×784 in [0,1]) → the n most probable digits. */
  predict(images: Float32Array, n: number): Uint8Array {
    return argmaxRows(this.predictProba(images, n), n);
  }

  toJSON(): ModelJson {
    // Metadata first, so a person opening the file reads it before the parameters.
    return {
      name: MODEL_NAME,
      format: MODEL_FORMAT,
      ...this.metadata,
      ...(this.confidence && { confidence: this.confidence }),
      input: this.input.toJSON(),
      classifier: this.classifier.toJSON(),
    };
  }

  /** Parses and checks a model JSON; `classifiers` are the kinds this program can read. */
  static fromJSON(text: string, classifiers: readonly ClassifierType[], source = 'model'): DigitModel {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new ModelFormatError(`${source} is not valid JSON (truncated or damaged?): ${(e as Error).message}`);
    }
    const j = json as Partial<ModelJson> | null;
    if (!j || typeof j !== 'object' || j.name !== MODEL_NAME) {
      throw new ModelFormatError(`${source} is not a ${MODEL_NAME} file (its "name" is ${JSON.stringify(j?.name)})`);
    }
    if (j.format !== MODEL_FORMAT) {
      throw new ModelFormatError(`${source} has format version ${String(j.format)}; this program reads version ${MODEL_FORMAT}`);
    }
    const c = j.classifier;
    if (!c || typeof c !== 'object' || typeof c.name !== 'string') throw new ModelFormatError(`${source} has no classifier`);
    const type = classifiers.find((t) => t.kind === c.name || t.legacyNames.includes(c.name));
    if (!type) throw new ModelFormatError(`${source}: unknown classifier "${c.name}" (known: ${classifiers.map((t) => t.kind).join(', ')})`);
    const { input, classifier: _c, name: _n, format: _f, confidence, ...metadata } = j as ModelJson;
    if (typeof metadata.kind !== 'string') throw new ModelFormatError(`${source} has no "kind"`);
    try {
      // Files from before the one-name table call the kNN 'pca-knn' and the forest 'random-forest'.
      return new DigitModel({ ...metadata, kind: type.kind }, InputTransform.load(input), type.load(c), checkConfidence(confidence));
    } catch (e) {
      if (e instanceof ModelFormatError) throw new ModelFormatError(`${source}: ${e.message}`);
      throw e;
    }
  }
}

function checkConfidence(c: unknown): Confidence | null {
  if (c === undefined) return null;
  const j = c as (Partial<Omit<Confidence, 'detector'>> & { detector?: unknown }) | null;
  const ok =
    j &&
    typeof j === 'object' &&
    typeof j.temperature === 'number' &&
    j.temperature > 0 &&
    Number.isFinite(j.temperature) &&
    typeof j.refuseBelow === 'number' &&
    j.refuseBelow >= 0 &&
    j.refuseBelow <= 1;
  if (!ok) throw new ModelFormatError('invalid model: "confidence" needs a positive temperature and a refuseBelow between 0 and 1');
  const base = {
    temperature: j.temperature!,
    refuseBelow: j.refuseBelow!,
    fittedOn: String(j.fittedOn ?? ''),
    figures: j.figures ?? {},
    command: String(j.command ?? ''),
  };
  if (j.detector === undefined) {
    if (j.topWeight !== undefined) throw new ModelFormatError('invalid model: a "confidence" topWeight combines a detector\'s score, and there is no detector');
    return base;
  }
  const below = j.digitBelow;
  if (typeof below !== 'number' || !(below >= 0 && below <= 1))
    throw new ModelFormatError('invalid model: a "confidence" with a detector needs a digitBelow between 0 and 1');
  const weight = j.topWeight;
  if (weight !== undefined && !(typeof weight === 'number' && weight > 0 && Number.isFinite(weight)))
    throw new ModelFormatError('invalid model: a "confidence" topWeight must be a positive number');
  return { ...base, digitBelow: below, ...(weight !== undefined && { topWeight: weight }), detector: DigitDetector.load(j.detector) };
}

/** Checks a probability block has the right shape; used by tests and the server's sanity check. */
export function isProbabilityRows(p: Float32Array, n: number): boolean {
  if (p.length !== n * CLASSES) return false;
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let c = 0; c < CLASSES; c++) {
      const v = p[r * CLASSES + c] as number;
      if (!(v >= 0 && v <= 1)) return false;
      s += v;
    }
    if (Math.abs(s - 1) > 1e-4) return false;
  }
  return true;
}
