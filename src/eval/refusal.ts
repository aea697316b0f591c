import { CLASSES, PIXELS } from '../core/frame.js';
import { decodeImage } from '../codecs/decode.js';
import { toMnistInput } from '../core/image/preprocess.js';
import type { RgbaImage } from '../core/image/rgba.js';
import type { DigitModel } from '../core/models/model.js';
import { nonDigit } from '../samples/non-digits.js';
import { sampleSeed, STYLES } from '../samples/styles.js';
import { ImageError } from '../core/util/errors.js';
import { Random } from '../core/util/random.js';

/*
 * The held-out sets refusal is fitted and measured on: non-digit images in two halves (the validation half
 * fits the thresholds, src/train/confidence.ts; the bench reports on the test half) and digits drawn by
 * the sample renderer with another seed than data/samples.
 */

/** Non-digit images per half: seeds [0, N) validate, [TEST_SEED, TEST_SEED + N) test. */
export const NON_DIGITS_PER_HALF = 1400;
export const NON_DIGIT_TEST_SEED = 1_000_000;
export const DRAWN_SEED = 7;

/** Preprocessed 28×28 inputs, n×784 in [0,1], with labels (digits) or families (non-digits). */
export interface InputSet {
  x: Float32Array;
  n: number;
  labels: Uint8Array;
  families: string[];
  /** Images the pipeline found blank: refused already, before any model. */
  blank: number;
}

function collect(images: Iterable<{ image: RgbaImage; label: number; family: string }>): InputSet {
  const rows: Float32Array[] = [];
  const labels: number[] = [];
  const families: string[] = [];
  let blank = 0;
  for (const { image, label, family } of images) {
    try {
      rows.push(toMnistInput(image).pixels);
      labels.push(label);
      families.push(family);
    } catch (e) {
      if (!(e instanceof ImageError && e.code === 'empty')) throw e;
      blank++;
    }
  }
  const x = new Float32Array(rows.length * PIXELS);
  for (const [i, r] of rows.entries()) x.set(r, i * PIXELS);
  return { x, n: rows.length, labels: Uint8Array.from(labels), families, blank };
}

/** Non-digit images of one half, every family in turn. */
export function* nonDigitImages(half: 'validation' | 'test', n = NON_DIGITS_PER_HALF): Generator<{ image: RgbaImage; label: number; family: string }> {
  const first = half === 'validation' ? 0 : NON_DIGIT_TEST_SEED;
  for (let i = first; i < first + n; i++) {
    const { family, image } = nonDigit(i, new Random(i + 17), 'bench');
    yield { image, label: 255, family };
  }
}

/** Non-digit images of one half, preprocessed. */
export function nonDigitSet(half: 'validation' | 'test', n = NON_DIGITS_PER_HALF): InputSet {
  return collect(nonDigitImages(half, n));
}

/** Digits drawn by the sample renderer (every style), with a seed of their own: not data/samples. */
export async function drawnDigitSet(perStyle = 2, seed = DRAWN_SEED): Promise<InputSet> {
  const items: { image: RgbaImage; label: number; family: string }[] = [];
  for (const [s, style] of STYLES.entries()) {
    for (let digit = 0; digit < CLASSES; digit++) {
      for (let k = 0; k < perStyle; k++) {
        const { bytes } = style.make(digit, new Random(sampleSeed(seed, s, digit, k)));
        items.push({ image: await decodeImage(bytes), label: digit, family: style.name });
      }
    }
  }
  return collect(items);
}

/** The calibrated top probability of each row. */
export function topScores(p: Float32Array, n: number): number[] {
  return Array.from({ length: n }, (_, r) => Math.max(...p.subarray(r * CLASSES, (r + 1) * CLASSES)));
}

/** The share of a non-digit set the model refuses; images the pipeline found blank are refused before any model, so they count. */
export function nonDigitsRefused(model: DigitModel, set: InputSet): number {
  return (model.refusals(set.x, set.n, model.predictProba(set.x, set.n)).filter(Boolean).length + set.blank) / (set.n + set.blank);
}
