import { CLASSES, PIXELS } from '../data/frame.js';
import { InputTransform, type InputJson } from '../features/transform.js';
import { ModelFormatError } from '../util/errors.js';
import { argmaxRows, type Classifier, type ClassifierJson, type ClassifierType } from './classifier.js';

export const MODEL_NAME = 'mnist-digit-model';
export const MODEL_FORMAT = 1;

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
}

export interface ModelJson extends ModelMetadata {
  name: typeof MODEL_NAME;
  format: typeof MODEL_FORMAT;
  input: InputJson;
  classifier: ClassifierJson;
}

/** A full model: input transform → classifier, with its metadata. */
export class DigitModel {
  constructor(
    readonly metadata: ModelMetadata,
    readonly input: InputTransform,
    readonly classifier: Classifier,
  ) {
    if (input.outputSize !== classifier.inputSize) {
      throw new ModelFormatError(
        `invalid model: the input transform gives ${input.outputSize} features but the classifier expects ${classifier.inputSize}`,
      );
    }
  }

  /** n images (n×784 in [0,1]) → n×10 probabilities. */
  predictProba(images: Float32Array, n: number): Float32Array {
    return this.classifier.predictProba(this.input.apply(images, n), n);
  }

  /** n images (n×784 in [0,1]) → the n most probable digits. */
  predict(images: Float32Array, n: number): Uint8Array {
    return argmaxRows(this.predictProba(images, n), n);
  }

  /** Pictures a person can look at: the PCA's leading eigendigits, and the classifier's own. */
  pictures(): Record<string, () => Float32Array[]> {
    const pca = this.input.pca;
    const eigendigits = pca && pca.inputSize === PIXELS ? { eigendigits: () => Array.from({ length: Math.min(32, pca.components) }, (_, c) => pca.vectors.subarray(c * PIXELS, (c + 1) * PIXELS)) } : {};
    return { ...eigendigits, ...this.classifier.pictures?.() };
  }

  toJSON(): ModelJson {
    // Metadata first, so a person opening the file reads it before the parameters.
    return {
      name: MODEL_NAME,
      format: MODEL_FORMAT,
      ...this.metadata,
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
    const { input, classifier: _c, name: _n, format: _f, ...metadata } = j as ModelJson;
    if (typeof metadata.kind !== 'string') throw new ModelFormatError(`${source} has no "kind"`);
    try {
      // Files from before the one-name table call the kNN 'pca-knn' and the forest 'random-forest'.
      return new DigitModel({ ...metadata, kind: type.kind }, InputTransform.load(input), type.load(c));
    } catch (e) {
      if (e instanceof ModelFormatError) throw new ModelFormatError(`${source}: ${e.message}`);
      throw e;
    }
  }
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
