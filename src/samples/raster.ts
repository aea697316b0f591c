import type { Stroke } from './strokes.js';

/**
 * Ink coverage (0..1) of round-brush strokes on a w×h canvas, anti-aliased by distance to each segment.
 * Paths are in canvas pixels.
 */
export function rasterStrokes(paths: Stroke[], w: number, h: number, brushRadius: number): Float32Array {
  const ink = new Float32Array(w * h);
  for (const path of paths) {
    for (let i = 0; i + 1 < path.length; i++) segment(ink, w, h, path[i]!, path[i + 1]!, brushRadius);
    if (path.length === 1) segment(ink, w, h, path[0]!, path[0]!, brushRadius);
  }
  return ink;
}

function segment(ink: Float32Array, w: number, h: number, a: [number, number], b: [number, number], r: number): void {
  const x0 = Math.max(0, Math.floor(Math.min(a[0], b[0]) - r - 1));
  const x1 = Math.min(w - 1, Math.ceil(Math.max(a[0], b[0]) + r + 1));
  const y0 = Math.max(0, Math.floor(Math.min(a[1], b[1]) - r - 1));
  const y1 = Math.min(h - 1, Math.ceil(Math.max(a[1], b[1]) + r + 1));
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len2 = dx * dx + dy * dy;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const px = x + 0.5 - a[0];
      const py = y + 0.5 - a[1];
      const t = len2 > 0 ? Math.max(0, Math.min(1, (px * dx + py * dy) / len2)) : 0;
      const ex = px - t * dx;
      const ey = py - t * dy;
      const coverage = Math.min(1, Math.max(0, r + 0.5 - Math.sqrt(ex * ex + ey * ey)));
      if (coverage > ink[y * w + x]!) ink[y * w + x] = coverage;
    }
  }
}
