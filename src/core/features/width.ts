import { SIDE } from '../frame.js';
import { areaResize, bilinearResize } from '../image/kernels.js';

/** Ink at least this strong (in [0,1]) counts towards a digit's box. */
const INK = 0.1;

/**
 * Width normalisation (Meier et al. 2011): each 28×28 digit (n of them, [0,1]) with its ink box scaled to
 * `width` pixels wide, its height kept, and put back with the box's centre at the frame's centre. A 1 becomes
 * a bar and a 0 a narrow loop: what members of a committee see differently, so that they err differently.
 */
export function normaliseWidth(x: Float32Array, n: number, width: number): Float32Array {
  const out = new Float32Array(x.length);
  const size = SIDE * SIDE;
  for (let r = 0; r < n; r++) {
    const o = r * size;
    let left = SIDE;
    let right = -1;
    let top = SIDE;
    let bottom = -1;
    for (let y = 0; y < SIDE; y++) {
      for (let c = 0; c < SIDE; c++) {
        if (x[o + y * SIDE + c]! < INK) continue;
        left = Math.min(left, c);
        right = Math.max(right, c);
        top = Math.min(top, y);
        bottom = Math.max(bottom, y);
      }
    }
    if (right < 0) continue;
    const w = right - left + 1;
    const h = bottom - top + 1;
    const crop = new Float32Array(w * h);
    for (let y = 0; y < h; y++) for (let c = 0; c < w; c++) crop[y * w + c] = x[o + (top + y) * SIDE + left + c]!;
    const resized = width < w ? areaResize(crop, w, h, width, h) : bilinearResize(crop, w, h, width, h);
    const x0 = Math.round((SIDE - width) / 2);
    const y0 = Math.round((SIDE - h) / 2);
    for (let y = 0; y < h; y++) for (let c = 0; c < width; c++) out[o + (y0 + y) * SIDE + x0 + c] = resized[y * width + c]!;
  }
  return out;
}
