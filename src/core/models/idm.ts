import { SIDE } from '../frame.js';

/*
 * The image distortion model (Keysers, Deselaers, Gollan and Ney, "Deformation models for image recognition",
 * PAMI 2007): two digits are compared pixel by pixel, and each pixel of the one may match the best pixel within
 * `warp` pixels of its place in the other, so a stroke drawn a little elsewhere costs little. What is compared at
 * a pixel is its local context: the horizontal and vertical Sobel derivatives over its 3×3 neighbourhood.
 */

/** The largest warp the padded feature grids allow. */
export const MAX_WARP = 3;
/** A feature grid's side: the image, its context (1 px) and the largest warp, on every side. */
const PAD = 1 + MAX_WARP;
export const GRID = SIDE + 2 * PAD;
/** Floats in one feature grid: two derivatives per position, interleaved. */
export const GRID_FLOATS = 2 * GRID * GRID;

/**
 * The feature grid of one 28×28 image (values from `src[offset]`, any scale): the Sobel derivatives (x, y) of
 * every pixel, on a zero border of PAD pixels, into out[oo..oo + GRID_FLOATS).
 */
export function idmFeatures(src: ArrayLike<number>, offset: number, scale: number, out: Float32Array, oo = 0): void {
  out.fill(0, oo, oo + GRID_FLOATS);
  const at = (y: number, x: number) => (y < 0 || x < 0 || y >= SIDE || x >= SIDE ? 0 : src[offset + y * SIDE + x]! * scale);
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const gx = at(y - 1, x + 1) + 2 * at(y, x + 1) + at(y + 1, x + 1) - at(y - 1, x - 1) - 2 * at(y, x - 1) - at(y + 1, x - 1);
      const gy = at(y + 1, x - 1) + 2 * at(y + 1, x) + at(y + 1, x + 1) - at(y - 1, x - 1) - 2 * at(y - 1, x) - at(y - 1, x + 1);
      const g = oo + 2 * ((y + PAD) * GRID + x + PAD);
      out[g] = gx;
      out[g + 1] = gy;
    }
  }
}

/** Displacements within a warp, nearest first, as offsets in a feature grid: no move is tried first. */
function displacements(warp: number): Int32Array {
  const moves: [number, number][] = [];
  for (let v = -warp; v <= warp; v++) for (let u = -warp; u <= warp; u++) moves.push([v, u]);
  moves.sort((a, b) => Math.abs(a[0]) + Math.abs(a[1]) - (Math.abs(b[0]) + Math.abs(b[1])));
  return Int32Array.from(moves, ([v, u]) => 2 * (v * GRID + u));
}
const MOVES = Array.from({ length: MAX_WARP + 1 }, (_, w) => displacements(w));
/** The 3×3 context around a position, as offsets in a feature grid. */
const CONTEXT = Int32Array.from([-1, 0, 1].flatMap((v) => [-1, 0, 1].map((u) => 2 * (v * GRID + u))));

/**
 * The IDM distance from grid q (at qo) to grid r (at ro): over every pixel of q, the least squared difference of
 * its 3×3 context to a context in r within `warp` pixels. Stops once past `bound` (returning a value above it).
 */
export function idmDistance(q: Float32Array, qo: number, r: Float32Array, ro: number, warp: number, bound = Infinity): number {
  const moves = MOVES[warp]!;
  let total = 0;
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const p = 2 * ((y + PAD) * GRID + x + PAD);
      let best = Infinity;
      for (let m = 0; m < moves.length; m++) {
        const rp = ro + p + moves[m]!;
        const qp = qo + p;
        let s = 0;
        for (let c = 0; c < 9; c++) {
          const o = CONTEXT[c]!;
          const dx = q[qp + o]! - r[rp + o]!;
          const dy = q[qp + o + 1]! - r[rp + o + 1]!;
          s += dx * dx + dy * dy;
          if (s >= best) break;
        }
        if (s < best) {
          best = s;
          if (s === 0) break;
        }
      }
      total += best;
    }
    if (total > bound) return total;
  }
  return total;
}
