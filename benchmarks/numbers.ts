import { writeFileSync } from 'node:fs';
import { PIXELS, toUnit } from '../src/core/frame.js';
import { loadMnist } from '../src/data/mnist.js';
import { drawText, setPixel } from '../src/eval/gallery.js';
import { encodePng } from '../src/codecs/png.js';
import { blankRgba } from '../src/core/image/rgba.js';
import { readNumber, SEGMENT_WEIGHTS, type NumberReading, type SegmentWeights } from '../src/core/image/number.js';
import type { DigitModel } from '../src/core/models/model.js';
import { composeNumber, mnistTile, pairTile, strokeTile, type ComposedNumber, type PairKind, type Tile } from '../src/samples/numbers.js';
import { Random } from '../src/core/util/random.js';
import { progress } from '../src/cli/progress.js';

/*
 * The numbers bench: numbers of 2–6 digits composed from MNIST test digits and from the sample renderer's
 * strokes (src/samples/numbers.ts), read whole by readNumber. The segmentation's weights were chosen on
 * the tuning half (test digits 7000–7999, seed TUNE_SEED); the figures come from the report half (test
 * digits 8000–9999, another seed), which nothing was tuned on.
 */

export type NumberHalf = 'tune' | 'report';
const HALVES: Record<NumberHalf, { digits: [number, number]; seed: number }> = {
  tune: { digits: [7000, 8000], seed: 13 },
  report: { digits: [8000, 10000], seed: 2026 },
};
export const NUMBER_LENGTHS = [2, 3, 4, 5, 6];
/** Numbers of each length from each source in the report: 2 × 5 × 300 = 3,000 numbers, 12,000 digits. */
export const NUMBERS_PER_LENGTH = 300;
/** Typical digit height in the composed images, px (each digit varies ±15%). */
const DIGIT_HEIGHT = 64;

export interface NumberCase extends ComposedNumber {
  source: 'mnist' | 'strokes';
}

/** `perLength` numbers of each length from each source, made one at a time (a few hundred kB each). */
export function* numberCases(half: NumberHalf, perLength: number): Generator<NumberCase> {
  const {
    digits: [from, to],
    seed,
  } = HALVES[half];
  const test = loadMnist().test;
  const rng = new Random(seed);
  for (const length of NUMBER_LENGTHS) {
    for (let k = 0; k < perLength; k++) {
      for (const source of ['mnist', 'strokes'] as const) {
        let label = '';
        const tiles = Array.from({ length }, () => {
          const height = Math.round(DIGIT_HEIGHT * rng.uniform(0.85, 1.15));
          if (source === 'strokes') {
            const d = rng.int(10);
            label += d;
            return strokeTile(d, height, rng);
          }
          const j = from + rng.int(to - from);
          label += test.labels![j];
          return mnistTile(toUnit(test.pixels.subarray(j * PIXELS, (j + 1) * PIXELS)), height);
        });
        yield { ...composeNumber(tiles, label, rng), source };
      }
    }
  }
}

/** Digits right, by edit distance: 1 − Levenshtein(read, truth) / length, at least 0. */
export function digitShare(read: string, truth: string): number {
  let prev = Array.from({ length: truth.length + 1 }, (_, j) => j);
  for (let i = 1; i <= read.length; i++) {
    const row = [i];
    for (let j = 1; j <= truth.length; j++) row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (read[i - 1] === truth[j - 1] ? 0 : 1)));
    prev = row;
  }
  return Math.max(0, 1 - prev[truth.length]! / truth.length);
}

/** Right when the digits read spell the number (pieces refused as not digits are not part of it). */
export function readRight(r: NumberReading, truth: string): boolean {
  return r.number === truth;
}

export interface NumbersRow {
  length: number;
  n: number;
  fullyRight: number;
  perDigit: number;
  touchingN: number;
  touchingRight: number;
  mnistRight: number;
  strokesRight: number;
  msPerNumber: number;
}

export interface NumbersFigures {
  model: string;
  half: NumberHalf;
  perLengthAndSource: number;
  rows: NumbersRow[];
  /** 4-digit numbers with one pair run together (a bar into the next digit, overlapping loops). Absent in older results. */
  pairs?: { kind: string; n: number; fullyRight: number }[];
  failures: { truth: string; read: string; touching: boolean; source: string }[];
}

/** Reads every number of a half and tallies by length; the first failures go into a gallery PNG. */
export function benchNumbers(
  model: DigitModel,
  name: string,
  half: NumberHalf,
  perLength: number,
  galleryFile: string | null,
  weights: SegmentWeights = SEGMENT_WEIGHTS,
): NumbersFigures {
  const tally = new Map<
    number,
    { n: number; right: number; digits: number; touchingN: number; touchingRight: number; mnist: number; strokes: number; ms: number }
  >();
  const failures: NumbersFigures['failures'] = [];
  const pictures: { c: NumberCase; r: NumberReading }[] = [];
  const bar = galleryFile ? progress(`numbers (${half})`, NUMBER_LENGTHS.length * perLength * 2) : null;
  let done = 0;
  for (const c of numberCases(half, perLength)) {
    const start = performance.now();
    const r = readNumber(c.image, model, weights);
    const ms = performance.now() - start;
    const length = c.label.length;
    const t = tally.get(length) ?? { n: 0, right: 0, digits: 0, touchingN: 0, touchingRight: 0, mnist: 0, strokes: 0, ms: 0 };
    tally.set(length, t);
    const right = readRight(r, c.label);
    t.n++;
    t.ms += ms;
    t.right += +right;
    t.digits += right ? 1 : digitShare(r.number, c.label);
    t[c.source] += +right;
    if (c.touching) {
      t.touchingN++;
      t.touchingRight += +right;
    }
    if (!right) {
      const pieces = r.digits.map((d) => d.digit ?? '?').join('');
      failures.push({ truth: c.label, read: r.number === '' ? `-(${pieces})` : pieces, touching: c.touching, source: c.source });
      if (pictures.length < 24) pictures.push({ c, r });
    }
    bar?.update(++done);
  }
  bar?.stop();
  if (galleryFile) writeFileSync(galleryFile, numbersGallery(pictures));
  const rows = [...tally].map(([length, t]) => ({
    length,
    n: t.n,
    fullyRight: t.right / t.n,
    perDigit: t.digits / t.n,
    touchingN: t.touchingN,
    touchingRight: t.touchingN ? t.touchingRight / t.touchingN : NaN,
    mnistRight: t.mnist / (t.n / 2),
    strokesRight: t.strokes / (t.n / 2),
    msPerNumber: t.ms / t.n,
  }));
  const pairs = PAIR_KINDS.map((kind) => {
    let right = 0;
    for (const c of pairCases(kind, half, PAIR_CASES)) if (readRight(readNumber(c.image, model, weights), c.label)) right++;
    return { kind, n: PAIR_CASES, fullyRight: right / PAIR_CASES };
  });
  return { model: name, half, perLengthAndSource: perLength, rows, pairs, failures: failures.slice(0, 60) };
}

const PAIR_KINDS: PairKind[] = ['bar-into-next', 'round-overlap'];
/** 4-digit numbers of each pair kind the bench reads. */
export const PAIR_CASES = 150;

/**
 * 4-digit numbers from the sample renderer's strokes in which one neighbouring pair runs together the way
 * `kind` says (pairTile); the other gaps as in numberCases but never touching. Seeds of their own per half.
 */
export function* pairCases(kind: PairKind, half: NumberHalf, n: number): Generator<NumberCase> {
  const rng = new Random(HALVES[half].seed * 7 + PAIR_KINDS.indexOf(kind));
  for (let k = 0; k < n; k++) {
    // Three tiles, one of them the pair: four digits.
    const at = rng.int(3);
    let label = '';
    const tiles: Tile[] = [];
    for (let i = 0; i < 3; i++) {
      const height = Math.round(DIGIT_HEIGHT * rng.uniform(0.85, 1.15));
      if (i === at) {
        const pair = pairTile(kind, height, rng);
        label += pair.label;
        tiles.push(pair.tile);
      } else {
        const d = rng.int(10);
        label += d;
        tiles.push(strokeTile(d, height, rng));
      }
    }
    yield { ...composeNumber(tiles, label, rng, 0), source: 'strokes' };
  }
}

/**
 * Failed numbers one above the other, dark on light, each captioned "truth>read" ("-" when no number is read) with the boxes read:
 * green for a digit, red for a piece refused as not a digit.
 */
function numbersGallery(items: { c: NumberCase; r: NumberReading }[]): Buffer {
  const pad = 6;
  const caption = 14;
  const width = Math.max(200, ...items.map((i) => i.c.image.width)) + 2 * pad;
  const height = items.reduce((a, i) => a + i.c.image.height + caption + pad, pad);
  const png = blankRgba(width, height);
  let oy = pad;
  for (const { c, r } of items) {
    // A reading that gives no number (one shape not read surely, pieces stacked, mostly not digits) is a dash, whatever its pieces read.
    const read = r.number === '' ? '-' : r.digits.map((d) => d.digit ?? '?').join('');
    drawText(png, `${c.label}>${read}`, pad, oy, 2);
    oy += caption;
    const { width: w, height: h, data } = c.image;
    // Light ink on dark is shown inverted, so every row reads the same way.
    const dark = data[0]! < 128;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const v = dark ? 255 - data[(y * w + x) * 4]! : data[(y * w + x) * 4]!;
        setPixel(png, pad + x, oy + y, v, v, v);
      }
    }
    for (const d of r.digits) {
      const [cr, cg, cb] = d.digit === null ? [210, 30, 30] : [20, 150, 60];
      const { x, y, w: bw, h: bh } = d.box;
      for (let k = 0; k < bw; k++) for (const yy of [y, y + bh - 1]) setPixel(png, pad + x + k, oy + yy, cr, cg, cb);
      for (let k = 0; k < bh; k++) for (const xx of [x, x + bw - 1]) setPixel(png, pad + xx, oy + y + k, cr, cg, cb);
    }
    oy += h + pad;
  }
  return encodePng(png);
}
