import { SIDE } from '../frame.js';
import { bilinearAt } from '../image/kernels.js';

/**
 * Moment-based deskewing (as in LeCun et al.'s "deskewed" MNIST rows): shear each 28×28 image so its
 * principal axis is vertical and move its centre of mass to the centre, with bilinear sampling.
 * Writes n images from `x` into a new array; blank images stay blank.
 */
export function deskew(x: Float32Array, n: number): Float32Array {
  const out = new Float32Array(n * SIDE * SIDE);
  for (let r = 0; r < n; r++) deskewOne(x, r * SIDE * SIDE, out);
  return out;
}

/**
 * The 28×28 image at offset `o`: its centre of mass and its slant, the shear covXY / varY of its second moments
 * (x moves right by `slant` per row down: a "\" stroke leans positive, a "/" negative); null when blank.
 */
export function slantOf(x: Float32Array, o = 0): { cx: number; cy: number; slant: number } | null {
  let mass = 0;
  let sy = 0;
  let sx = 0;
  for (let y = 0; y < SIDE; y++) {
    for (let xx = 0; xx < SIDE; xx++) {
      const v = x[o + y * SIDE + xx]!;
      mass += v;
      sy += v * y;
      sx += v * xx;
    }
  }
  if (mass === 0) return null;
  const cy = sy / mass;
  const cx = sx / mass;
  let varY = 0;
  let covXY = 0;
  for (let y = 0; y < SIDE; y++) {
    for (let xx = 0; xx < SIDE; xx++) {
      const v = x[o + y * SIDE + xx]!;
      varY += v * (y - cy) * (y - cy);
      covXY += v * (y - cy) * (xx - cx);
    }
  }
  return { cx, cy, slant: varY > 0 ? covXY / varY : 0 };
}

function deskewOne(x: Float32Array, o: number, out: Float32Array): void {
  const moments = slantOf(x, o);
  if (!moments) return;
  const { cx, cy, slant } = moments;
  const centre = SIDE / 2;
  for (let y = 0; y < SIDE; y++) {
    const srcY = y + cy - centre;
    for (let xx = 0; xx < SIDE; xx++) out[o + y * SIDE + xx] = bilinearAt(x, o, SIDE, SIDE, xx + slant * (y - centre) + cx - centre, srcY);
  }
}
