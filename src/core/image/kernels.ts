/* Numeric kernels for image preprocessing, on flat Float32Array images in [0,1]. */

import { type Kernels, scratchWith } from '../math/kernels.js';

const BINS = 1024;

/** A 1024-bin histogram of values in [0,1], to answer several quantiles with one pass over an image. */
export class Histogram {
  readonly counts = new Uint32Array(BINS);
  total = 0;

  /** Counted in the SIMD kernels' module (src/core/math/kernels.wat), runs of one value four at a time. */
  constructor(values: Float32Array, above = -1) {
    const { k, at } = scratchWith([values], [4 * BINS]);
    this.total = k.histogram(at[0]!, values.length, above, at[1]!);
    this.counts.set(new Uint32Array(k.memory.buffer, at[1], BINS));
  }

  /** The q-quantile (0..1), to the bin's centre; 0 when empty. */
  quantile(q: number): number {
    if (this.total === 0) return 0;
    const target = q * (this.total - 1);
    let seen = 0;
    for (let b = 0; b < BINS; b++) {
      seen += this.counts[b]!;
      if (seen > target) return (b + 0.5) / BINS;
    }
    return 1;
  }

  /**
   * The q-quantile of the values above `above` (to the bin: a bin that starts at or straddles `above` counts
   * as above it), or `above` itself when there are none.
   */
  quantileAbove(q: number, above: number): number {
    const first = Math.min(BINS - 1, Math.max(0, Math.floor(above * BINS)));
    let total = 0;
    for (let b = first; b < BINS; b++) total += this.counts[b]!;
    if (total === 0) return above;
    const target = q * (total - 1);
    let seen = 0;
    for (let b = first; b < BINS; b++) {
      seen += this.counts[b]!;
      if (seen > target) return (b + 0.5) / BINS;
    }
    return 1;
  }

  /**
   * Otsu's threshold on 256 grey levels (four of these bins each): the split that maximises between-class
   * variance, as the upper edge of the last level below it.
   */
  otsuThreshold(): number {
    const levels = 256;
    const hist = new Float64Array(levels);
    for (let b = 0; b < BINS; b++) hist[b >> 2]! += this.counts[b]!;
    let sumAll = 0;
    for (let b = 0; b < levels; b++) sumAll += b * hist[b]!;
    let weightBelow = 0;
    let sumBelow = 0;
    let best = 0;
    let bestVariance = -1;
    for (let b = 0; b < levels; b++) {
      weightBelow += hist[b]!;
      if (weightBelow === 0) continue;
      const weightAbove = this.total - weightBelow;
      if (weightAbove === 0) break;
      sumBelow += b * hist[b]!;
      const meanBelow = sumBelow / weightBelow;
      const meanAbove = (sumAll - sumBelow) / weightAbove;
      const variance = weightBelow * weightAbove * (meanBelow - meanAbove) ** 2;
      if (variance > bestVariance) {
        bestVariance = variance;
        best = b;
      }
    }
    return (best + 1) / levels;
  }

  /** The histogram of the values below `limit` only (to the bin: the bin holding `limit` is left out). */
  below(limit: number): Histogram {
    const h = new Histogram(new Float32Array(0));
    h.counts.set(this.counts.subarray(0, Math.min(BINS, Math.max(0, Math.floor(limit * BINS)))));
    for (const c of h.counts) h.total += c;
    return h;
  }

  /** The median absolute deviation from `centre`, read off the histogram without another pass. */
  medianAbsoluteDeviation(centre: number): number {
    const c = Math.min(BINS - 1, Math.floor(centre * BINS));
    const half = this.total / 2;
    let seen = this.counts[c]!;
    // Grow a window of bins around the centre until it holds half the values.
    for (let r = 1; r < BINS; r++) {
      if (seen >= half) return (r - 0.5) / BINS;
      if (c - r >= 0) seen += this.counts[c - r]!;
      if (c + r < BINS) seen += this.counts[c + r]!;
    }
    return 1;
  }
}

/** The q-quantile (0..1) of values in [0,1], optionally over only the values above `above`. */
export function percentileOf(values: Float32Array, q: number, above = -1): number {
  return new Histogram(values, above).quantile(q);
}

/**
 * The median of each block×block tile (partial tiles at the right and bottom edges included), to 1/64:
 * a coarse histogram per tile is all a background estimate needs. A median in the lowest bin is 0, so that
 * clean paper has no background to subtract.
 */
export function blockMedians(img: Float32Array, w: number, h: number, block: number): Float32Array {
  const cells = Math.ceil(w / block) * Math.ceil(h / block);
  // Room: the bins (four sets of 64), the grid.
  const { k, at } = scratchWith([img], [1024, 4 * cells]);
  k.blockMedians(at[0]!, w, h, block, at[2]!, at[1]!);
  return floatsAt(k, at[2]!, cells);
}

/** The `n` floats at byte `at` of the kernels' memory, copied into `into` (see reused) or a new array. */
function floatsAt(k: Kernels, at: number, n: number, into?: Float32Array): Float32Array {
  const view = new Float32Array(k.memory.buffer, at, n);
  if (!into) return view.slice();
  into.set(view);
  return into;
}

const reusedSlots = new Map<string, ArrayBuffer>();

/**
 * The largest array reused() keeps: 1 MB, a 512 × 512 working image (the board's is 140 × 140), so that a
 * thread keeps at most a few MB however odd the uploads it saw; a bigger one is made fresh each time.
 */
const REUSED_MAX = 2 ** 18;

/**
 * An array of `n` floats (or int32, for labels) over memory that this thread hands out again for the same `slot`
 * (its contents are what the last user left), for an image that a step makes and drops within one call: give it
 * as a kernel's `into`. Never return one, nor hold it past the next use of its slot. A fresh typed array costs
 * its memory pages when first written: in Chromium a new 140 × 140 float image took about 100 µs to fill, a
 * reused one 4 µs.
 */
export function reused(slot: string, n: number): Float32Array;
export function reused(slot: string, n: number, type: Int32ArrayConstructor): Int32Array;
export function reused(slot: string, n: number, type: Float32ArrayConstructor | Int32ArrayConstructor = Float32Array): Float32Array | Int32Array {
  if (n > REUSED_MAX) return new type(n);
  let buffer = reusedSlots.get(slot);
  if (!buffer || buffer.byteLength < 4 * n) reusedSlots.set(slot, (buffer = new ArrayBuffer(4 * n)));
  return new type(buffer, 0, n);
}

/** 1 − v for every value, in place (in the SIMD kernels' module, as are the next three). */
export function complement(values: Float32Array): Float32Array {
  const { k, at } = scratchWith([values]);
  k.complement(at[0]!, values.length);
  values.set(new Float32Array(k.memory.buffer, at[0], values.length));
  return values;
}

/** Maps [low, high] linearly onto [0, 1] in place, clamping outside it. */
export function stretch(values: Float32Array, low: number, high: number): void {
  const { k, at } = scratchWith([values]);
  k.stretch(at[0]!, values.length, low, 1 / (high - low));
  values.set(new Float32Array(k.memory.buffer, at[0], values.length));
}

/** (a − b + 1) / 2 for every pair of values: differences in [−1, 1] mapped to [0, 1]. */
export function halfDifference(a: Float32Array, b: Float32Array, into?: Float32Array): Float32Array {
  const { k, at } = scratchWith([a, b], [a.byteLength]);
  k.residual(at[0]!, at[1]!, at[2]!, a.length);
  return floatsAt(k, at[2]!, a.length, into);
}

/** |I(x+1, y) − I(x, y)| for every horizontal neighbour pair of a w×h image, row by row. */
export function neighbourDifferences(values: Float32Array, w: number, h: number, into?: Float32Array): Float32Array {
  const { k, at } = scratchWith([values], [values.byteLength]);
  k.differences(at[0]!, w, h, at[1]!);
  return floatsAt(k, at[1]!, (w - 1) * h, into);
}

/** Exact area-averaging downscale (each output pixel is the mean of the source area it covers), in the SIMD kernels' module. */
export function areaResize(src: Float32Array, sw: number, sh: number, dw: number, dh: number, into?: Float32Array): Float32Array {
  const c = coverage(sw, dw);
  const r = coverage(sh, dh);
  const { k, at } = scratchWith([src, c.first, c.source, c.weight, r.first, r.source, r.weight], [4 * dw * dh]);
  k.areaResize(at[0]!, sw, dw, dh, at[1]!, at[2]!, at[3]!, at[4]!, at[5]!, at[6]!, (sw / dw) * (sh / dh), at[7]!);
  return floatsAt(k, at[7]!, dw * dh, into);
}

/**
 * For a line of `from` pixels shrunk to `to`: each output pixel i covers the source pixels source[first[i]] to
 * source[first[i + 1] − 1], with the share of each that it covers in weight.
 */
function coverage(from: number, to: number): { first: Int32Array; source: Int32Array; weight: Float64Array } {
  const f = from / to;
  const first = new Int32Array(to + 1);
  const source: number[] = [];
  const weight: number[] = [];
  for (let i = 0; i < to; i++) {
    first[i] = source.length;
    const a = i * f;
    const b = a + f;
    for (let s = Math.floor(a); s < Math.min(from, Math.ceil(b)); s++) {
      source.push(s);
      weight.push(Math.min(b, s + 1) - Math.max(a, s));
    }
  }
  first[to] = source.length;
  return { first, source: Int32Array.from(source), weight: Float64Array.from(weight) };
}

/**
 * The bilinear sample at (x, y) of a w×h image stored from `offset` in `src`, with 0 outside it: the one
 * point sampler of deskewing, augmentation and the warping corruptions.
 */
export function bilinearAt(src: ArrayLike<number>, offset: number, w: number, h: number, x: number, y: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  if (x0 < -1 || y0 < -1 || x0 >= w || y0 >= h) return 0;
  const fx = x - x0;
  const fy = y - y0;
  const top = offset + y0 * w;
  const left = x0 >= 0;
  const right = x0 + 1 < w;
  const a = y0 >= 0 && left ? src[top + x0]! : 0;
  const b = y0 >= 0 && right ? src[top + x0 + 1]! : 0;
  const c = y0 + 1 < h && left ? src[top + w + x0]! : 0;
  const d = y0 + 1 < h && right ? src[top + w + x0 + 1]! : 0;
  return (1 - fy) * ((1 - fx) * a + fx * b) + fy * ((1 - fx) * c + fx * d);
}

/** Bilinear resize, pixel centres aligned; used for upscaling and for smooth background fields. In the SIMD kernels' module. */
export function bilinearResize(src: Float32Array, sw: number, sh: number, dw: number, dh: number, into?: Float32Array): Float32Array {
  const c = samples(sw, dw);
  const r = samples(sh, dh);
  // Room: the output, and two rows of float64.
  const { k, at } = scratchWith([src, c.first, c.second, c.weight, r.first, r.second, r.weight], [4 * dw * dh, 16 * dw]);
  k.bilinearResize(at[0]!, sw, dw, dh, at[1]!, at[2]!, at[3]!, at[4]!, at[5]!, at[6]!, at[8]!, at[7]!);
  return floatsAt(k, at[7]!, dw * dh, into);
}

/** For a line of `from` pixels resized to `to`, pixel centres aligned: each output pixel's two source pixels and the second's weight. */
function samples(from: number, to: number): { first: Int32Array; second: Int32Array; weight: Float64Array } {
  const first = new Int32Array(to);
  const second = new Int32Array(to);
  const weight = new Float64Array(to);
  for (let i = 0; i < to; i++) {
    const at = Math.min(from - 1, Math.max(0, ((i + 0.5) * from) / to - 0.5));
    first[i] = Math.floor(at);
    second[i] = Math.min(from - 1, first[i]! + 1);
    weight[i] = at - first[i]!;
  }
  return { first, second, weight };
}

/** Grey dilation with a (2r+1)² square, separably; negate in and out for erosion. */
export function boxMax(src: Float32Array, w: number, h: number, r: number, into?: Float32Array): Float32Array {
  return alongBothAxes(src, w, h, (k, from, to, lines, count, step, stride, scratch) => maxAlong(k, from, to, lines, count, r, step, stride, scratch), into);
}

/** Up to this radius a window's max is read straight from the window (windowMax); beyond it, van Herk's maxAxis is cheaper. */
const WINDOW_MAX_RADIUS = 4;

/** The running max along one axis (the kernels' maxAxis arguments), by whichever kernel is faster for r. */
function maxAlong(k: Kernels, from: number, to: number, lines: number, count: number, r: number, step: number, stride: number, scratch: number): void {
  if (r <= WINDOW_MAX_RADIUS) k.windowMax(from, to, lines, count, r, step, stride);
  else k.maxAxis(from, to, lines, count, r, step, stride, scratch, scratch + 4 * count);
}

/**
 * Mean over the (2r+1)² neighbourhood, counting only neighbours inside the image: a running sum along rows,
 * then along columns, so it costs O(pixels) whatever the radius.
 */
export function boxBlur(src: Float32Array, w: number, h: number, r: number, into?: Float32Array): Float32Array {
  return alongBothAxes(src, w, h, (k, from, to, lines, count, step, stride) => k.blurAxis(from, to, lines, count, r, step, stride), into);
}

/**
 * A separable filter in the SIMD kernels' module: `axis` along the rows (h lines of w pixels 4 bytes apart),
 * then along the columns of the result (w lines of h pixels a row apart); `scratch` has room for 5 × max(w, h) floats.
 */
function alongBothAxes(
  src: Float32Array,
  w: number,
  h: number,
  axis: (k: Kernels, from: number, to: number, lines: number, count: number, step: number, stride: number, scratch: number) => void,
  into?: Float32Array,
): Float32Array {
  const { k, at } = scratchWith([src], [src.byteLength, src.byteLength, 20 * Math.max(w, h)]);
  const [image, rows, both, scratch] = at as [number, number, number, number];
  axis(k, image, rows, h, w, 4, 4 * w, scratch);
  axis(k, rows, both, w, h, 4 * w, 4, scratch);
  return floatsAt(k, both, src.length, into);
}

/** A connected component's label and the box around its pixels (inclusive). */
export interface ComponentBox {
  label: number;
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/**
 * 8-connected components of pixels above `threshold`: labels (0 = none), and each label's area and box (index
 * 0: none), labels numbered in the order of each component's first pixel, row by row. In the SIMD kernels' module.
 */
export function componentsAbove(
  img: Float32Array,
  w: number,
  h: number,
  threshold: number,
  labelsInto?: Int32Array,
): { labels: Int32Array; areas: number[]; boxes: ComponentBox[] } {
  const n = w * h;
  // Room: the labels, the stack, then five numbers per component: no more than one in every 2×2 pixels, as
  // 8-connected components need a pixel of space between them.
  const { k, at } = scratchWith([img], [4 * n, 4 * n, 20 * (Math.ceil(w / 2) * Math.ceil(h / 2) + 1)]);
  const [image, labelsAt, stack, info] = at as [number, number, number, number];
  const count = k.components(image, w, h, threshold, labelsAt, stack, info);
  const found = new Int32Array(k.memory.buffer, info, 5 * (count + 1));
  const areas = [0];
  const boxes: ComponentBox[] = [{ label: 0, left: 0, top: 0, right: -1, bottom: -1 }];
  for (let label = 1; label <= count; label++) {
    const [area, left, top, right, bottom] = found.subarray(5 * label, 5 * label + 5) as unknown as [number, number, number, number, number];
    areas.push(area);
    boxes.push({ label, left, top, right, bottom });
  }
  const labels = new Int32Array(k.memory.buffer, labelsAt, n);
  if (labelsInto) labelsInto.set(labels);
  return { labels: labelsInto ?? labels.slice(), areas, boxes };
}

/**
 * Grey dilation by `radius` steps of 3×3, alternating cross and square neighbourhoods: an octagon, close
 * to a round pen, where a square element would make blocky corners. Negate in and out for erosion. In the
 * SIMD kernels' module: a square step is the running max of 3 along the rows and then the columns, a cross
 * step the larger of the two taken apart.
 */
export function dilate(src: Float32Array, w: number, h: number, radius: number, into?: Float32Array): Float32Array {
  if (radius <= 0) return src;
  const n = w * h;
  const { k, at } = scratchWith([src], [src.byteLength, src.byteLength, 20 * Math.max(w, h)]);
  const [image, along, across, scratch] = at as [number, number, number, number];
  const rows = (from: number, to: number) => maxAlong(k, from, to, h, w, 1, 4, 4 * w, scratch);
  const columns = (from: number, to: number) => maxAlong(k, from, to, w, h, 1, 4 * w, 4, scratch);
  for (let step = 0; step < radius; step++) {
    rows(image, along);
    if (step % 2 === 1) columns(along, image);
    else {
      columns(image, across);
      k.maxOf(along, across, image, n);
    }
  }
  return floatsAt(k, image, n, into);
}

/**
 * The mean of `src` along a line of `length` px at `angle` through each pixel (a camera moving while it shoots),
 * sampled every `spacing` px; each tap is bilinear, so the line stays smooth between taps.
 */
export function lineBlur(src: Float32Array, w: number, h: number, length: number, angle: number, spacing: number): Float32Array {
  const out = new Float32Array(w * h);
  const taps = Math.max(2, Math.round(length / spacing));
  for (let t = 0; t < taps; t++) {
    const d = (t / (taps - 1) - 0.5) * length;
    const dx = d * Math.cos(angle);
    const dy = d * Math.sin(angle);
    const ix = Math.floor(dx);
    const iy = Math.floor(dy);
    const fx = dx - ix;
    const fy = dy - iy;
    const w00 = ((1 - fx) * (1 - fy)) / taps;
    const w10 = (fx * (1 - fy)) / taps;
    const w01 = ((1 - fx) * fy) / taps;
    const w11 = (fx * fy) / taps;
    for (let y = Math.max(0, -iy); y < Math.min(h, h - iy - 1); y++) {
      const row = (y + iy) * w;
      for (let x = Math.max(0, -ix); x < Math.min(w, w - ix - 1); x++) {
        const p = row + x + ix;
        out[y * w + x]! += w00 * src[p]! + w10 * src[p + 1]! + w01 * src[p + w]! + w11 * src[p + w + 1]!;
      }
    }
  }
  return out;
}
