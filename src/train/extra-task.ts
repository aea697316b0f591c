import { workerData } from 'node:worker_threads';
import { fitRows, PIXELS, toUnit } from '../core/frame.js';
import { candidatePieces } from '../core/image/number.js';
import { composeNumber, mnistTile } from '../samples/numbers.js';
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
  kind: 'outlier' | 'corrupted' | 'typed' | 'pen-letter' | 'pieces';
  /** Seeds of the images, one each. */
  seeds: number[];
  /** For 'corrupted': the MNIST training image to corrupt, one per seed; for 'pieces', the first digit of the number. */
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
const fit = train ? fitRows(train.n) : null;

export default async function run(task: ExtraTask): Promise<ExtraResult> {
  const inputs: Float32Array[] = [];
  const labels: number[] = [];
  let empty = 0;
  for (const [k, seed] of task.seeds.entries()) {
    const rng = new Random(seed);
    if (task.kind === 'pieces') {
      const pieces = numberPieces(task.images!, k, rng);
      inputs.push(...pieces.inputs);
      labels.push(...pieces.labels);
      continue;
    }
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

/** A piece is one digit when it holds at least WHOLE of that digit's ink and at most STRAY of its own ink is another's. */
const WHOLE = 0.85;
const STRAY = 0.1;

/**
 * The label of each candidate piece of a number from the ink it holds of each digit (`held[piece][digit]`,
 * candidatePieces): one whole digit is that digit (a 1 cut from the 3 it touches, the 3's tips still on
 * it); at least half of each of two digits is not a digit, however small one of them; a part of one digit
 * is left out (null: a 4's stem is a fair 1). A digit's ink is the most any piece holds of it.
 */
export function pieceLabels(held: Float64Array[], digits: string): (number | null)[] {
  const total = new Float64Array(digits.length);
  for (const h of held) {
    h.forEach((m, d) => {
      total[d] = Math.max(total[d]!, m);
    });
  }
  return held.map((h) => {
    if (h.filter((m, i) => m > 0 && m >= 0.5 * total[i]!).length >= 2) return NON_DIGIT_LABEL;
    const sum = h.reduce((a, m) => a + m, 0);
    const d = h.indexOf(Math.max(...h));
    return sum > 0 && h[d]! >= WHOLE * total[d]! && sum - h[d]! <= STRAY * sum ? Number(digits[d]) : null;
  });
}

/**
 * The labelled candidate pieces (pieceLabels) of a number of 2–4 MNIST fit-split digits that mostly touch
 * or overlap (up to 35% of the narrower). Only MNIST digits: the numbers bench's stroke digits and pairs
 * stay unseen.
 */
function numberPieces(images: number[], k: number, rng: Random): { inputs: Float32Array[]; labels: number[] } {
  const length = 2 + rng.int(3);
  const rows = [images[k]!, ...Array.from({ length: length - 1 }, () => fit![rng.int(fit!.length)]!)];
  const tiles = rows.map((i) => mnistTile(trainX!.subarray(i * PIXELS, (i + 1) * PIXELS), Math.round(64 * rng.uniform(0.85, 1.15))));
  const number = composeNumber(tiles, rows.map((i) => train!.labels![i]!).join(''), rng, 0.7, 0.35);
  const { inputs, held } = candidatePieces(number.image, number.owner, length);
  const out: { inputs: Float32Array[]; labels: number[] } = { inputs: [], labels: [] };
  pieceLabels(held, number.label).forEach((label, g) => {
    if (label === null) return;
    out.inputs.push(inputs.subarray(g * PIXELS, (g + 1) * PIXELS));
    out.labels.push(label);
  });
  return out;
}
