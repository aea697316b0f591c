import { permutation } from './util/random.js';

export const SIDE = 28;
export const PIXELS = SIDE * SIDE;
export const CLASSES = 10;

/** n digits as a typed data frame: pixels row-major n×784 (0..255), labels 0..9 or null when unlabelled. */
export interface DigitFrame {
  readonly n: number;
  readonly pixels: Uint8Array;
  readonly labels: Uint8Array | null;
}

export function makeFrame(pixels: Uint8Array, labels: Uint8Array | null): DigitFrame {
  const n = pixels.length / PIXELS;
  if (!Number.isInteger(n)) throw new RangeError(`pixels length ${pixels.length} is not a multiple of ${PIXELS}`);
  if (labels && labels.length !== n) throw new RangeError(`${labels.length} labels for ${n} images`);
  return { n, pixels, labels };
}

export function labelsOf(frame: DigitFrame): Uint8Array {
  if (!frame.labels) throw new RangeError('this frame has no labels');
  return frame.labels;
}

/** Rows by index, copied. */
export function take(frame: DigitFrame, rows: ArrayLike<number>): DigitFrame {
  const pixels = new Uint8Array(rows.length * PIXELS);
  const labels = frame.labels ? new Uint8Array(rows.length) : null;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as number;
    pixels.set(frame.pixels.subarray(r * PIXELS, (r + 1) * PIXELS), i * PIXELS);
    if (labels && frame.labels) labels[i] = frame.labels[r] as number;
  }
  return { n: rows.length, pixels, labels };
}

export function head(frame: DigitFrame, n: number): DigitFrame {
  const m = Math.min(n, frame.n);
  return {
    n: m,
    pixels: frame.pixels.subarray(0, m * PIXELS),
    labels: frame.labels ? frame.labels.subarray(0, m) : null,
  };
}

export const VALIDATION_SIZE = 5000;
const VALIDATION_SEED = 20_261_124;

/**
 * The fixed validation split every model choice is made on: a seeded random 5,000 of the 60,000 training
 * images. The 10k test set is kept for final figures only.
 */
export function splitValidation(train: DigitFrame, size = VALIDATION_SIZE): { fit: DigitFrame; validation: DigitFrame } {
  const order = permutation(train.n, VALIDATION_SEED);
  return { validation: take(train, order.subarray(0, size)), fit: take(train, order.subarray(size)) };
}

/** Indices into the n training images of those outside the validation split, in the fit frame's order. */
export function fitRows(n: number, size = VALIDATION_SIZE): Uint32Array {
  return permutation(n, VALIDATION_SEED).subarray(size);
}

/** Pixels scaled to [0,1] as Float32, the input every model sees. */
export function toUnit(pixels: Uint8Array): Float32Array {
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = (pixels[i] as number) / 255;
  return out;
}

/** toUnit's inverse: values in [0,1] (clamped) back to 8-bit pixels, rounded. */
export function fromUnit(x: Float32Array): Uint8Array {
  return Uint8Array.from(x, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255));
}

const SHADES = ' .:-=+*#%@';

/** One 28×28 digit as ASCII art, two characters per pixel so it keeps its aspect. */
export function asciiDigit(pixels: ArrayLike<number>, offset = 0, max = 255): string {
  const lines: string[] = [];
  for (let y = 0; y < SIDE; y++) {
    let line = '';
    for (let x = 0; x < SIDE; x++) {
      const v = (pixels[offset + y * SIDE + x] as number) / max;
      const c = SHADES[Math.min(SHADES.length - 1, Math.floor(v * SHADES.length))] as string;
      line += c + c;
    }
    lines.push(line.trimEnd());
  }
  return lines.join('\n');
}

/** A pandas-like summary: shape, class counts, pixel statistics, sparsity and the first rows as ASCII art. */
export function describe(frame: DigitFrame, name: string, rows = 3): string {
  let sum = 0;
  let sumSq = 0;
  let zeros = 0;
  let min = 255;
  let max = 0;
  for (const v of frame.pixels) {
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
    sumSq += v * v;
    if (v === 0) zeros++;
  }
  const count = frame.pixels.length;
  const mean = sum / count;
  const std = Math.sqrt(Math.max(0, sumSq / count - mean * mean));
  const out = [
    `${name}`,
    `shape: (${frame.n}, ${PIXELS + (frame.labels ? 1 : 0)})  ${frame.labels ? 'label + ' : ''}pixel0..pixel${PIXELS - 1}`,
    `pixels: uint8  mean ${mean.toFixed(2)}  std ${std.toFixed(2)}  min ${min}  max ${max}  zeros ${((100 * zeros) / count).toFixed(1)}%`,
  ];
  if (frame.labels) {
    const counts = new Array<number>(CLASSES).fill(0);
    for (const l of frame.labels) counts[l] = (counts[l] as number) + 1;
    out.push('label counts:');
    out.push(`  ${counts.map((c, d) => `${d}: ${c}`).join('  ')}`);
  } else {
    out.push('labels: none (unlabelled data, for prediction)');
  }
  for (let r = 0; r < Math.min(rows, frame.n); r++) {
    out.push('', `row ${r}${frame.labels ? `  label ${frame.labels[r]}` : ''}`, asciiDigit(frame.pixels, r * PIXELS));
  }
  return out.join('\n');
}

export function framesEqual(a: DigitFrame, b: DigitFrame): boolean {
  if (a.n !== b.n || !bytesEqual(a.pixels, b.pixels)) return false;
  if (!a.labels || !b.labels) return a.labels === b.labels;
  return bytesEqual(a.labels, b.labels);
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * What every `fit` takes first: n rows of d features each, row-major, sizes inside, so that all estimators
 * share one surface: `fit(rows, labels, options)` (PCA, which needs no labels: `fitPca(rows, options)`).
 */
export interface Rows {
  readonly x: Float32Array;
  readonly n: number;
  readonly d: number;
}

/** The first n rows of x, d features each; checks that x holds them. */
export function asRows(x: Float32Array, n: number, d: number): Rows {
  if (!Number.isInteger(n) || !Number.isInteger(d) || n < 0 || d < 1 || x.length < n * d) {
    throw new RangeError(`${n} rows of ${d} features need ${n * d} values, got ${x.length}`);
  }
  return { x: x.length === n * d ? x : x.subarray(0, n * d), n, d };
}
