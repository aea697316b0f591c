import { cepstrum } from '../math/fft.js';
import { areaResize, bilinearResize, lineBlur, percentileOf } from './kernels.js';
import { cropRgba, greyImage, type PreprocessInfo } from './preprocess.js';
import { greyRgba, type RgbaImage } from './rgba.js';

/*
 * Undoing a camera's motion blur. A line blur leaves a dip in the image's cepstrum at its length, in its
 * direction, and Richardson–Lucy deconvolution with that line brings the strokes back. The pipeline tries it
 * only on readings it is unsure of, and keeps it only if the model reads the result clearly surer
 * (src/core/image/pipeline.ts).
 */

/** A blur along a straight line: its direction (radians, 0..π, x right and y down) and its length in pixels. */
export interface LineBlurEstimate {
  angle: number;
  length: number;
}

/** The region around the ink is scaled so its longer side is this many pixels; the FFT is twice that. */
const REGION = 128;
const FFT_SIDE = 2 * REGION;
/** Margin around the ink box, as a fraction of its longer side: room for the blur's tails. */
const MARGIN = 0.3;
/** Directions searched (every 5°) and the shortest blur looked for, in region pixels. */
const DIRECTIONS = 36;
const MIN_LENGTH = 8;
/**
 * A blur is undone only if its dip is this much deeper than any direction's 25° or more away (lineBlurIn), and
 * the image is at most this sharp along it (sharpnessAlong). Sharp digits the model is unsure of pass the
 * first often enough (a stroke's own edges dip the cepstrum too) but rarely the second: on validation digits
 * their ratio was 0.42 or more, a 60-px motion blur's mostly 0.1–0.9. Chosen with the pipeline's rules (see
 * DEBLUR_MIN_SCORE in src/core/image/pipeline.ts).
 */
const MIN_CLARITY = 1.2;
const MAX_SHARPNESS_ALONG = 0.5;
/** Richardson–Lucy iterations: enough to bring a 60-px blur's strokes back (chosen on validation digits). */
const ITERATIONS = 15;

/**
 * The image around `box` with its motion blur undone, dark ink on white paper, and that blur in the image's
 * pixels; or null when there is no clear line blur: its direction does not stand out in the cepstrum, or the
 * image is not smoother along it than across. Whether the result reads better is the caller's to judge.
 */
export function undoMotionBlur(
  img: RgbaImage,
  box: PreprocessInfo['box'],
  polarity: PreprocessInfo['polarity'],
): { image: RgbaImage; blur: LineBlurEstimate } | null {
  const { ink, w, h, boxSide, scale } = regionInk(img, box, polarity);
  // No direction can pass the sharpness rule if even the smoothest one is too sharp: many sharp digits stop
  // here, before the FFTs.
  const tensor = gradientTensor(ink, w, h);
  if (leastSharpness(tensor) > MAX_SHARPNESS_ALONG) return null;
  const { clarity, ...blur } = lineBlurIn(ink, w, h, boxSide);
  if (clarity < MIN_CLARITY || sharpnessAlong(tensor, blur.angle) > MAX_SHARPNESS_ALONG) return null;
  return { image: darkOnWhite(richardsonLucy(ink, w, h, blur, ITERATIONS), w, h), blur: { angle: blur.angle, length: blur.length / scale } };
}

/** The ink around the box, bright on dark with the paper at 0, scaled to REGION; the box's longer side there, and the scale. */
function regionInk(img: RgbaImage, box: PreprocessInfo['box'], polarity: PreprocessInfo['polarity']) {
  const margin = Math.ceil(MARGIN * Math.max(box.width, box.height));
  const x0 = Math.max(0, box.x - margin);
  const y0 = Math.max(0, box.y - margin);
  const rw = Math.min(img.width, box.x + box.width + margin) - x0;
  const rh = Math.min(img.height, box.y + box.height + margin) - y0;
  // A big photo is averaged down by a whole factor first, so the region costs about REGION² pixels however large.
  const { grey, width, height } = greyImage(cropRgba(img, x0, y0, rw, rh), Math.max(1, Math.min(rw, rh, Math.floor(Math.max(rw, rh) / REGION))));
  const fit = REGION / Math.max(width, height);
  const w = Math.max(1, Math.round(width * fit));
  const h = Math.max(1, Math.round(height * fit));
  const ink = fit < 1 ? areaResize(grey, width, height, w, h) : bilinearResize(grey, width, height, w, h);
  if (polarity === 'dark-on-light') for (let i = 0; i < ink.length; i++) ink[i] = 1 - ink[i]!;
  // The margin makes the paper well over a third of the region.
  const paper = percentileOf(ink, 0.3);
  for (let i = 0; i < ink.length; i++) ink[i] = Math.max(0, ink[i]! - paper);
  const scale = REGION / Math.max(rw, rh);
  return { ink, w, h, boxSide: Math.max(box.width, box.height) * scale, scale };
}

/**
 * The line blur whose cepstral dip is deepest, in region pixels, and how clearly its direction stands out: that
 * dip over the deepest of the directions at least 25° away (0 if those have no dip at all).
 */
export function lineBlurIn(ink: Float32Array, w: number, h: number, boxSide: number): LineBlurEstimate & { clarity: number } {
  const c = cepstrum(ink, w, h, FFT_SIDE);
  // Beyond about half the box, the dip at twice the blur's length (its echo) could win.
  const maxLength = Math.max(MIN_LENGTH, Math.min(FFT_SIDE / 4, 0.42 * boxSide));
  const deepest = new Float64Array(DIRECTIONS).fill(Infinity);
  let best = { angle: 0, length: MIN_LENGTH, dip: Infinity, direction: 0 };
  for (let a = 0; a < DIRECTIONS; a++) {
    const angle = (a * Math.PI) / DIRECTIONS;
    for (let r = MIN_LENGTH; r <= maxLength; r += 0.5) {
      const dip = periodicAt(c, FFT_SIDE, r * Math.cos(angle), r * Math.sin(angle));
      if (dip < deepest[a]!) deepest[a] = dip;
      if (dip < best.dip) best = { angle, length: r, dip, direction: a };
    }
  }
  let others = Infinity;
  for (let a = 0; a < DIRECTIONS; a++) {
    const apart = Math.abs(a - best.direction);
    if (Math.min(apart, DIRECTIONS - apart) > DIRECTIONS / 9) others = Math.min(others, deepest[a]!);
  }
  return { angle: best.angle, length: best.length, clarity: others < 0 ? best.dip / others : 0 };
}

/** Bilinear sample of an n×n array that wraps around at its edges (the cepstrum is periodic). */
function periodicAt(c: Float64Array, n: number, x: number, y: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const wrap = (v: number) => ((v % n) + n) % n;
  const [xa, xb, ya, yb] = [wrap(x0), wrap(x0 + 1), wrap(y0) * n, wrap(y0 + 1) * n];
  return (1 - fy) * ((1 - fx) * c[ya + xa]! + fx * c[ya + xb]!) + fy * ((1 - fx) * c[yb + xa]! + fx * c[yb + xb]!);
}

/** Richardson–Lucy deconvolution by a line blur (symmetric, so it is its own adjoint), from a flat start. */
export function richardsonLucy(blurred: Float32Array, w: number, h: number, blur: LineBlurEstimate, iterations: number): Float32Array {
  const x = new Float32Array(blurred.length).fill(0.5);
  const ratio = new Float32Array(blurred.length);
  for (let k = 0; k < iterations; k++) {
    const estimate = lineBlur(x, w, h, blur.length, blur.angle, 1);
    for (let i = 0; i < ratio.length; i++) ratio[i] = (blurred[i]! + 1e-3) / (estimate[i]! + 1e-3);
    const correction = lineBlur(ratio, w, h, blur.length, blur.angle, 1);
    for (let i = 0; i < x.length; i++) x[i] = x[i]! * correction[i]!;
  }
  return x;
}

/** Ink → an RGBA picture, dark on white, with the brightest 2% of the ink at full black. */
function darkOnWhite(ink: Float32Array, w: number, h: number): RgbaImage {
  const bright = ink.filter((v) => v > 0.02).sort();
  const full = bright.length > 0 ? bright[Math.floor(0.98 * (bright.length - 1))]! : 1;
  return greyRgba(w, h, (i) => 1 - Math.min(1, ink[i]! / full));
}

/** Sums of the image's gradient products (central differences): its structure tensor [[xx, xy], [xy, yy]]. */
interface GradientTensor {
  xx: number;
  xy: number;
  yy: number;
}

function gradientTensor(ink: Float32Array, w: number, h: number): GradientTensor {
  let xx = 0;
  let xy = 0;
  let yy = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const gx = (ink[y * w + x + 1]! - ink[y * w + x - 1]!) / 2;
      const gy = (ink[(y + 1) * w + x]! - ink[(y - 1) * w + x]!) / 2;
      xx += gx * gx;
      xy += gx * gy;
      yy += gy * gy;
    }
  }
  return { xx, xy, yy };
}

/**
 * The image's gradient energy along a direction over its energy across it: well under 1 along a motion blur,
 * which smooths only in its own direction; about 1 in any direction for a sharp digit.
 */
function sharpnessAlong({ xx, xy, yy }: GradientTensor, angle: number): number {
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  const along = xx * c * c + 2 * xy * c * s + yy * s * s;
  const across = xx * s * s - 2 * xy * c * s + yy * c * c;
  return along / Math.max(across, 1e-12);
}

/** The smallest sharpnessAlong over all directions: λmin / λmax of the tensor (along and across sum to its trace). */
function leastSharpness({ xx, xy, yy }: GradientTensor): number {
  const half = (xx + yy) / 2;
  const spread = Math.hypot((xx - yy) / 2, xy);
  return (half - spread) / Math.max(half + spread, 1e-12);
}
