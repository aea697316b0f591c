import { SIDE } from '../core/frame.js';
import { bilinearResize, componentsAbove } from '../core/image/kernels.js';
import type { Box } from '../core/image/number.js';
import { VISIBLE_INK } from '../core/image/preprocess.js';
import type { RgbaImage } from '../core/image/rgba.js';
import type { Random } from '../core/util/random.js';
import { cropArea, inkBox, paintSheet } from './corruptions.js';
import { rasterStrokes } from './raster.js';
import { jitteredDigit, smoothPath, type Stroke } from './strokes.js';

/*
 * Numbers for the numbers bench: digit tiles (MNIST test digits, or the sample renderer's strokes) set side
 * by side with random gaps, some touching or overlapping their neighbour, with scale and baseline jitter,
 * dark on light or light on dark.
 */

/** One digit's ink coverage in [0,1], cropped to its ink. */
export interface Tile {
  ink: Float32Array;
  w: number;
  h: number;
}

export interface ComposedNumber {
  image: RgbaImage;
  label: string;
  /** Each digit's tile box on the canvas, left to right. */
  boxes: Box[];
  /** Some neighbouring digits' visible ink is connected: one component holds both. */
  touching: boolean;
}

/** An MNIST digit (28×28 in [0,1]) cropped to its ink and scaled smoothly to `height` px tall. */
export function mnistTile(digit: Float32Array, height: number): Tile {
  const crop = cropTile(digit, SIDE, SIDE);
  const w = Math.max(1, Math.round((crop.w * height) / crop.h));
  return { ink: bilinearResize(crop.ink, crop.w, crop.h, w, height), w, h: height };
}

/** A digit drawn by the sample renderer (jittered stroke templates, round brush), `height` px tall. */
export function strokeTile(digit: number, height: number, rng: Random): Tile {
  const brush = height * rng.uniform(0.035, 0.06);
  const side = Math.ceil(height * 1.4);
  const paths: Stroke[] = jitteredDigit(digit, rng).strokes.map((s) => smoothPath(s).map(([x, y]) => [side * 0.15 + x * height, side * 0.15 + y * height]));
  return cropTile(rasterStrokes(paths, side, side, brush), side, side);
}

/** The two ways neighbouring digits run into each other that the numbers bench measures apart. */
export type PairKind = 'bar-into-next' | 'round-overlap';

/**
 * Two digits drawn by the sample renderer on one canvas, `height` px tall, as one tile: 'bar-into-next' is a
 * 4, 5 or 7 whose most horizontal stroke (the arm, the hat, the bar) runs on into the next digit;
 * 'round-overlap' is two round digits (0, 3, 6, 8, 9) whose loops overlap. Returns the tile and its label.
 */
export function pairTile(kind: PairKind, height: number, rng: Random): { tile: Tile; label: string } {
  const first = kind === 'bar-into-next' ? [4, 5, 7][rng.int(3)]! : ROUND[rng.int(ROUND.length)]!;
  const second = kind === 'bar-into-next' ? rng.int(10) : ROUND[rng.int(ROUND.length)]!;
  const a = jitteredDigit(first, rng).strokes;
  const b = jitteredDigit(second, rng).strokes;
  const left = (s: Stroke[]) => Math.min(...s.flat().map(([x]) => x));
  const right = (s: Stroke[]) => Math.max(...s.flat().map(([x]) => x));
  // The second digit starts just after the first (a gap of 5–15% of the height), or into it for round digits.
  const offset = right(a) - left(b) + (kind === 'bar-into-next' ? rng.uniform(0.05, 0.15) : -rng.uniform(0.08, 0.18));
  const moved = b.map((s) => s.map(([x, y]): [number, number] => [x + offset, y]));
  if (kind === 'bar-into-next') extendBar(a, left(moved) + rng.uniform(0.1, 0.25));
  const brush = height * rng.uniform(0.035, 0.06);
  const side = Math.ceil(height * 1.4);
  const w = Math.ceil(side + (offset + 1) * height);
  const paths: Stroke[] = [...a, ...moved].map((s) => smoothPath(s).map(([x, y]) => [side * 0.15 + x * height, side * 0.15 + y * height]));
  return { tile: cropTile(rasterStrokes(paths, w, side, brush), w, side), label: `${first}${second}` };
}

const ROUND = [0, 3, 6, 8, 9];

/** Moves the right end of the most horizontal long segment of `strokes` to x = `to` (in place). */
function extendBar(strokes: Stroke[], to: number): void {
  let best: { s: Stroke; i: number } | null = null;
  let bestScore = -Infinity;
  for (const s of strokes) {
    for (let i = 0; i + 1 < s.length; i++) {
      const [x0, y0] = s[i]!;
      const [x1, y1] = s[i + 1]!;
      const score = Math.abs(x1 - x0) - 2 * Math.abs(y1 - y0);
      if (score > bestScore) {
        bestScore = score;
        best = { s, i };
      }
    }
  }
  if (!best) return;
  const { s, i } = best;
  const end = s[i]![0] > s[i + 1]![0] ? i : i + 1;
  const [x, y] = s[end]!;
  const other = s[end === i ? i + 1 : i]!;
  // Along the segment's own direction, so the bar stays straight.
  const slope = (y - other[1]) / (x - other[0] || 1e-6);
  s[end] = [to, y + slope * (to - x)];
}

/** The ink (coverage above 0.05) cut out of its canvas. */
function cropTile(ink: Float32Array, w: number, h: number): Tile {
  return cropArea(ink, w, inkBox(ink, w, h, 0.05));
}

/**
 * The tiles side by side, bottom-aligned with a little baseline jitter. Each gap is, with probability
 * `touchShare`, an overlap of up to 15% of the narrower tile (the digits often touch), else a gap of
 * 4–40% of the tallest tile.
 */
export function composeNumber(tiles: Tile[], label: string, rng: Random, touchShare = 0.3): ComposedNumber {
  const tall = Math.max(...tiles.map((t) => t.h));
  const margin = Math.round(0.35 * tall);
  const xs: number[] = [];
  let x = margin;
  tiles.forEach((t, i) => {
    if (i > 0) {
      const prev = tiles[i - 1]!;
      x += rng.next() < touchShare ? -Math.round(rng.uniform(0, 0.15) * Math.min(prev.w, t.w)) : Math.round(rng.uniform(0.04, 0.4) * tall);
    }
    xs.push(Math.max(0, x));
    x = Math.max(0, x) + t.w;
  });
  const w = x + margin;
  const h = tall + 2 * margin;
  const ink = new Float32Array(w * h);
  const owner = new Int8Array(w * h).fill(-1);
  const boxes: Box[] = tiles.map((t, i) => {
    const y0 = Math.max(0, Math.min(h - t.h, margin + tall - t.h + Math.round(rng.gaussian() * 0.05 * tall)));
    for (let y = 0; y < t.h; y++) {
      for (let xx = 0; xx < t.w; xx++) {
        const v = t.ink[y * t.w + xx]!;
        const q = (y0 + y) * w + xs[i]! + xx;
        if (v > ink[q]!) {
          ink[q] = v;
          owner[q] = i;
        }
      }
    }
    return { x: xs[i]!, y: y0, w: t.w, h: t.h };
  });
  const lightOnDark = rng.next() < 0.5;
  const image = paintSheet({ ink, w, h, inkLevel: lightOnDark ? 0.95 : 0.05, paper: lightOnDark ? 0.05 : 0.97, light: null });
  return { image, label, boxes, touching: touches(ink, owner, w, h) };
}

/** Whether one component of visible ink holds pixels of two digits. */
function touches(ink: Float32Array, owner: Int8Array, w: number, h: number): boolean {
  const { labels } = componentsAbove(ink, w, h, VISIBLE_INK);
  const first = new Map<number, number>();
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    if (l === 0) continue;
    const o = first.get(l);
    if (o === undefined) first.set(l, owner[i]!);
    else if (o !== owner[i]) return true;
  }
  return false;
}
