import { SIDE } from '../core/frame.js';
import type { Random } from '../core/util/random.js';
import { bilinearAt } from '../core/image/kernels.js';

export interface AugmentOptions {
  /** Maximum rotation, degrees either way. */
  rotateDeg: number;
  /** Scale range: 1 ± scale, with a little independent stretch per axis. */
  scale: number;
  /** Maximum horizontal shear (x shift per unit y). */
  shear: number;
  /** Maximum translation in pixels, per axis. */
  translatePx: number;
  /** Elastic distortion: standard deviation in pixels of displacements at a coarse grid, smoothly interpolated. */
  elasticPx: number;
  /** Probability of thickening or thinning the strokes (grey dilation or erosion, partially blended). */
  strokeProbability: number;
}

export const DEFAULT_AUGMENT: AugmentOptions = {
  rotateDeg: 12,
  scale: 0.12,
  shear: 0.25,
  translatePx: 2,
  elasticPx: 1.2,
  strokeProbability: 0.35,
};

const GRID = 5;
const CELL = (SIDE - 1) / (GRID - 1);
const CENTRE = (SIDE - 1) / 2;

/** Scratch buffers for one thread, so augmenting allocates nothing. */
export class AugmentScratch {
  readonly dx = new Float32Array(GRID * GRID);
  readonly dy = new Float32Array(GRID * GRID);
  readonly image = new Float32Array(SIDE * SIDE);
}

/**
 * Writes a randomly transformed copy of the 28×28 image src[so..] (0..255) to out[oo..] in [0,1]:
 * a random affine map (rotation, scale, shear, translation) plus a smooth elastic field, sampled once with
 * bilinear interpolation, then an optional stroke-width change. Deterministic for a given rng state.
 */
export function augment(src: Uint8Array, so: number, out: Float32Array, oo: number, rng: Random, opts: AugmentOptions, scratch: AugmentScratch): void {
  const angle = (rng.uniform(-1, 1) * opts.rotateDeg * Math.PI) / 180;
  const s = 1 + rng.uniform(-opts.scale, opts.scale);
  const sx = s * (1 + rng.uniform(-0.05, 0.05));
  const sy = s * (1 + rng.uniform(-0.05, 0.05));
  const shear = rng.uniform(-opts.shear, opts.shear);
  const tx = rng.uniform(-opts.translatePx, opts.translatePx);
  const ty = rng.uniform(-opts.translatePx, opts.translatePx);
  // Inverse map (output → source): sampling a random inverse is as good as inverting a random forward map.
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const a = (cos + shear * sin) / sx;
  const b = (-sin + shear * cos) / sx;
  const c = sin / sy;
  const d = cos / sy;
  for (let i = 0; i < GRID * GRID; i++) {
    scratch.dx[i] = rng.gaussian() * opts.elasticPx;
    scratch.dy[i] = rng.gaussian() * opts.elasticPx;
  }
  const img = scratch.image;
  for (let y = 0; y < SIDE; y++) {
    const gy = y / CELL;
    const gy0 = Math.min(GRID - 2, Math.floor(gy));
    const fy = gy - gy0;
    for (let x = 0; x < SIDE; x++) {
      const gx = x / CELL;
      const gx0 = Math.min(GRID - 2, Math.floor(gx));
      const fx = gx - gx0;
      const g = gy0 * GRID + gx0;
      const ex = bilerp(scratch.dx, g, fx, fy);
      const ey = bilerp(scratch.dy, g, fx, fy);
      const px = x - CENTRE - tx;
      const py = y - CENTRE - ty;
      const srcX = a * px + b * py + CENTRE + ex;
      const srcY = c * px + d * py + CENTRE + ey;
      img[y * SIDE + x] = bilinearAt(src, so, SIDE, SIDE, srcX, srcY) / 255;
    }
  }
  const r = rng.next();
  if (r < opts.strokeProbability / 2) morph(img, out, oo, rng.uniform(0.3, 1), Math.max);
  else if (r < opts.strokeProbability) morph(img, out, oo, rng.uniform(0.3, 0.8), Math.min);
  else out.set(img, oo);
}

function bilerp(grid: Float32Array, g: number, fx: number, fy: number): number {
  return (1 - fy) * ((1 - fx) * grid[g]! + fx * grid[g + 1]!) + fy * ((1 - fx) * grid[g + GRID]! + fx * grid[g + GRID + 1]!);
}

/** Grey dilation (max) or erosion (min) over the 4-neighbourhood, blended with the original by t. */
function morph(img: Float32Array, out: Float32Array, oo: number, t: number, op: (...v: number[]) => number): void {
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const v = img[y * SIDE + x]!;
      const up = y > 0 ? img[(y - 1) * SIDE + x]! : 0;
      const down = y < SIDE - 1 ? img[(y + 1) * SIDE + x]! : 0;
      const left = x > 0 ? img[y * SIDE + x - 1]! : 0;
      const right = x < SIDE - 1 ? img[y * SIDE + x + 1]! : 0;
      out[oo + y * SIDE + x] = v + t * (op(v, up, down, left, right) - v);
    }
  }
}
