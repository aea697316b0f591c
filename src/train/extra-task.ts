import { workerData } from 'node:worker_threads';
import { PIXELS, toUnit } from '../core/frame.js';
import { loadMnist } from '../data/mnist.js';
import { decodeImage } from '../codecs/decode.js';
import type { RgbaImage } from '../core/image/rgba.js';
import { toMnistInput } from '../core/image/preprocess.js';
import { NON_DIGIT_LABEL } from '../core/models/mlp.js';
import { strongerMoreOften, TRAINING_TRACKS } from '../samples/corruptions.js';
import { nonDigit, penLetter } from '../samples/non-digits.js';
import { loadFont, TRAINING_FONTS, typedDigit } from '../samples/typed.js';
import { Random } from '../core/util/random.js';
import { ImageError } from '../core/util/errors.js';

/* A thread that renders extra training images and passes each through the real preprocessing. */

export interface ExtraTask {
  kind: 'outlier' | 'corrupted' | 'typed' | 'pen-letter';
  /** Seeds of the images, one each. */
  seeds: number[];
  /** For 'corrupted': the MNIST training image to corrupt, one per seed. */
  images?: number[];
}

/** 28×28 inputs (0..255) with their labels; images the pipeline finds empty are counted, not kept. */
export interface ExtraResult {
  pixels: Uint8Array;
  labels: Uint8Array;
  empty: number;
}

const { withMnist } = (workerData ?? {}) as { withMnist?: boolean };
const train = withMnist ? loadMnist().train : null;
const trainX = train ? toUnit(train.pixels) : null;

export default async function run(task: ExtraTask): Promise<ExtraResult> {
  const inputs: Float32Array[] = [];
  const labels: number[] = [];
  let empty = 0;
  for (const [k, seed] of task.seeds.entries()) {
    const rng = new Random(seed);
    let image: RgbaImage;
    let label: number;
    if (task.kind === 'outlier') {
      image = nonDigit(seed, rng, 'train').image;
      label = NON_DIGIT_LABEL;
    } else if (task.kind === 'pen-letter') {
      image = penLetter(rng);
      label = NON_DIGIT_LABEL;
    } else if (task.kind === 'corrupted') {
      const i = task.images![k]!;
      const track = TRAINING_TRACKS[1 + rng.int(TRAINING_TRACKS.length - 1)]!;
      const strength = track.strengths[strongerMoreOften(track.strengths.length, rng)]!;
      image = await decodeImage(track.make(trainX!.subarray(i * PIXELS, (i + 1) * PIXELS), strength.value, rng).bytes);
      label = train!.labels![i]!;
    } else {
      label = seed % 10;
      const em = rng.uniform(40, 260);
      image = await decodeImage(typedDigit(loadFont(TRAINING_FONTS[rng.int(TRAINING_FONTS.length)]!), label, em, Math.ceil(em * 1.6), rng));
    }
    try {
      inputs.push(toMnistInput(image).pixels);
      labels.push(label);
    } catch (e) {
      if (!(e instanceof ImageError && e.code === 'empty')) throw e;
      empty++;
    }
  }
  const pixels = new Uint8Array(inputs.length * PIXELS);
  inputs.forEach((p, r) => {
    for (let i = 0; i < PIXELS; i++) pixels[r * PIXELS + i] = Math.round(255 * p[i]!);
  });
  return { pixels, labels: Uint8Array.from(labels), empty };
}
