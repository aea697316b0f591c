import { PIXELS } from '../frame.js';
import { ModelFormatError } from '../util/errors.js';
import { modelBlock } from '../util/model-json.js';
import { Mlp, type MlpJson } from './mlp.js';

/*
 * A second opinion on "is this a digit at all": a small MLP trained only to tell digits (MNIST, corrupted
 * and typed) from non-digits (letters, shapes, scribbles…), on the same 28×28 input as the classifier.
 * The classifier's top probability misses non-digits it reads confidently (a T as a 7, a y as a 4); a
 * network with that single task sees them. It answers for any classifier kind, so it lives beside them.
 */

/** Output 0 of the detector's network: "a digit"; output 1: "not a digit". */
const DIGIT = 0;

/** What made the detector, for a person reading the model file and to reproduce it. */
export interface DetectorAbout {
  command: string;
  seed: number;
  /** SHA-256 of the MNIST files it trained on. */
  data: Record<string, string>;
  trainedOn: string;
  hyperparameters: Record<string, unknown>;
  trainSeconds: number;
}

export interface DetectorJson extends DetectorAbout {
  name: 'digit-detector';
  version: 1;
  network: MlpJson;
}

export class DigitDetector {
  constructor(
    readonly network: Mlp,
    readonly about: DetectorAbout,
  ) {
    if (network.inputSize !== PIXELS || network.outputs !== 2) throw new RangeError(`a digit detector maps ${PIXELS} pixels to 2 outputs`);
  }

  /** n preprocessed images (n×784 in [0,1]) → the probability that each is a digit. */
  digitness(images: Float32Array, n: number): Float32Array {
    const p = this.network.predictProba(images, n);
    return Float32Array.from({ length: n }, (_, r) => p[r * 2 + DIGIT]!);
  }

  toJSON(): DetectorJson {
    return { name: 'digit-detector', version: 1, ...this.about, network: this.network.toJSON() };
  }

  static load(json: unknown): DigitDetector {
    const j = modelBlock<DetectorJson>(json, 'digit-detector', 1);
    const network = Mlp.load(j.network, 2);
    if (network.inputSize !== PIXELS) throw new ModelFormatError(`invalid model: the digit detector must take ${PIXELS} pixels, not ${network.inputSize}`);
    return new DigitDetector(network, {
      command: String(j.command ?? ''),
      seed: Number(j.seed),
      data: j.data ?? {},
      trainedOn: String(j.trainedOn ?? ''),
      hyperparameters: j.hyperparameters ?? {},
      trainSeconds: Number(j.trainSeconds),
    });
  }
}
