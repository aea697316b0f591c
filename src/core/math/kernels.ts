import { fromBase64 } from '../util/tensors.js';
import { KERNELS } from './kernels-wasm.js';

/** The SIMD kernels (src/core/math/kernels.wat) on one memory. Pointers are byte offsets into it. */
export interface Kernels {
  readonly memory: WebAssembly.Memory;
  /** y = b + xW for `rows` rows, ReLU'd if relu is 1; `pairs`: 8 × in bytes of scratch. */
  forward(x: number, rows: number, inSize: number, outSize: number, w: number, b: number, y: number, relu: number, pairs: number): void;
  /** gW += xᵀdy, gb += Σ dy over `rows` rows; `pairs`: 8 × rows bytes of scratch. */
  weightGradient(x: number, dy: number, rows: number, inSize: number, outSize: number, gw: number, gb: number, pairs: number): void;
  /** dx = dy Wᵀ where x ≠ 0, else 0. */
  backward(dy: number, rows: number, inSize: number, outSize: number, w: number, x: number, dx: number): void;
  /** One AdamW step on `count` parameters (see the .wat for the formula). */
  adamw(p: number, g: number, m: number, v: number, count: number, lr: number, lrDecay: number, c1: number, c2: number, scale: number): void;
  /** dst += src over `count` floats. */
  add(dst: number, src: number, count: number): void;
  /** Sums of RGBA pixels over factor×factor blocks, for `rows` rows (see the .wat); 1 if any pixel is translucent. */
  greySums(rgba: number, width: number, factor: number, w: number, rows: number, lit: number, clear: number): number;
  /** Σ luminance × alpha and Σ alpha over `cols` × `rows` pixels, added to the two float64 at `totals`. */
  greyWeight(rgba: number, width: number, cols: number, rows: number, totals: number): void;
  /** The 1024-bin histogram of the `n` floats at `values` above `above` into `counts`; how many were counted. */
  histogram(values: number, n: number, above: number, counts: number): number;
  /** The median of each block×block tile of the w×h image at `img`, to 1/64, into `grid`, using 1 kB at `sets`. */
  blockMedians(img: number, w: number, h: number, block: number, grid: number, sets: number): void;
  /** v = 1 − v over `n` floats, in place. */
  complement(values: number, n: number): void;
  /** v = min(1, max(0, (v − low) × gain)) over `n` floats, in place. */
  stretch(values: number, n: number, low: number, gain: number): void;
  /** out = (grey − local + 1) / 2 over `n` floats. */
  residual(grey: number, local: number, out: number, n: number): void;
  /** out = |v(x + 1, y) − v(x, y)| over the w×h image's (w − 1) × h horizontal neighbour pairs. */
  differences(values: number, w: number, h: number, out: number): void;
  /** 8-connected components above `threshold`: labels, and area and box per label at `info` (5 int32 each); how many. */
  components(img: number, w: number, h: number, threshold: number, labels: number, stack: number, info: number): number;
  /** Undoes PNG's line filters of `height` lines at `raw` into `out` (the row above at out − stride unless `first`); −1, or the first line with an unknown filter. */
  unfilter(raw: number, stride: number, height: number, bpp: number, out: number, first: number): number;
  /** Area-averaging resize of the sw-wide image at `src` to dw × dh at `out`, over spans the caller works out (see the .wat). */
  areaResize(
    src: number,
    sw: number,
    dw: number,
    dh: number,
    colFirst: number,
    colSource: number,
    colWeight: number,
    rowFirst: number,
    rowSource: number,
    rowWeight: number,
    norm: number,
    out: number,
  ): void;
  /** Bilinear resize of the sw-wide image at `src` to dw × dh at `out`, over sample positions the caller works out (see the .wat). */
  bilinearResize(
    src: number,
    sw: number,
    dw: number,
    dh: number,
    left: number,
    right: number,
    weight: number,
    top: number,
    bottom: number,
    down: number,
    rows: number,
    out: number,
  ): void;
  /** Running max over [i − r, i + r] along one axis: `lines` lines of `count`, `step` and `stride` in bytes; scratch: `count` floats at fromStart, 4 × count at fromEnd. */
  maxAxis(src: number, out: number, lines: number, count: number, r: number, step: number, stride: number, fromStart: number, fromEnd: number): void;
  /** The same as maxAxis read straight from each window, SIMD across columns or along rows: for small r. */
  windowMax(src: number, out: number, lines: number, count: number, r: number, step: number, stride: number): void;
  /** Box mean over [i − r, i + r] along one axis, as maxAxis. */
  blurAxis(src: number, out: number, lines: number, count: number, r: number, step: number, stride: number): void;
  /** out = max(a, b) over `n` floats. */
  maxOf(a: number, b: number, out: number, n: number): void;
  /** lit = (lit / 255 + background × clear) × scale over `n` floats. */
  greyFinish(lit: number, clear: number, n: number, background: number, scale: number): void;
}

let plain: WebAssembly.Module | undefined;

/**
 * The kernels on a plain (unshared) memory, compiled once per thread (a page compiles them ahead:
 * compileKernelsAhead). The trainer's threads use
 * sharedKernelsOn (src/core/math/kernels-shared.ts), so that the page does not carry the shared variant.
 */
export function kernelsOn(memory: WebAssembly.Memory): Kernels {
  plain ??= compileKernels(KERNELS);
  return instantiateKernels(plain, memory);
}

/**
 * Compiles the plain kernels' module asynchronously, for a page to call before its first prediction: the
 * module (about 7.5 kB) is over the 4 kB that older Chromiums compile synchronously on a page's main thread
 * (Chromium 156 allows 8 MB). kernelsOn then finds it compiled.
 */
export async function compileKernelsAhead(): Promise<void> {
  plain ??= await WebAssembly.compile(fromBase64(KERNELS) as Uint8Array<ArrayBuffer>);
}

export function compileKernels(base64: string): WebAssembly.Module {
  return new WebAssembly.Module(fromBase64(base64) as Uint8Array<ArrayBuffer>);
}

export function instantiateKernels(module: WebAssembly.Module, memory: WebAssembly.Memory): Kernels {
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return { memory, ...(instance.exports as unknown as Omit<Kernels, 'memory'>) };
}

let scratch: Kernels | undefined;

/**
 * The kernels on this thread's scratch memory, grown to at least `bytes`: for work that copies its input in and
 * its output out within one call, such as preprocessing an image. Grow first, then make views: growing detaches
 * the views made before. A memory never shrinks, so more than SCRATCH_KEPT gets a memory of its own, freed
 * with the last view of it: one huge upload does not keep a server thread large.
 */
export function scratchKernels(bytes: number): Kernels {
  if (bytes > SCRATCH_KEPT) return kernelsOn(kernelMemory(bytes));
  scratch ??= kernelsOn(kernelMemory(bytes));
  const pages = Math.ceil((bytes - scratch.memory.buffer.byteLength) / 65536);
  if (pages > 0) scratch.memory.grow(pages);
  return scratch;
}

/**
 * The scratch kernels (scratchKernels) with `inputs` copied in, then `room` bytes more for each of the outputs:
 * `at` gives each input's offset, then each room's, all 64-byte aligned (Arena).
 */
export function scratchWith(inputs: (Float32Array | Float64Array | Int32Array)[], room: number[] = []): { k: Kernels; at: number[] } {
  const arena = new Arena();
  const at = [...inputs.map((a) => a.byteLength), ...room].map((bytes) => arena.floats(Math.ceil(bytes / 4)));
  const k = scratchKernels(arena.bytes);
  const memory = new Uint8Array(k.memory.buffer);
  for (const [i, a] of inputs.entries()) memory.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at[i]);
  return { k, at };
}

/** The most scratch memory a thread keeps between calls: a 2,000 × 2,000 RGBA image twice over. */
const SCRATCH_KEPT = 32 * 2 ** 20;

/** The most memory the kernels' module declares it takes: 16,384 pages of 64 kB, 1 GiB. */
const MAX_PAGES = 16384;

/** A memory of at least `bytes`, shared between threads or not. */
export function kernelMemory(bytes: number, shared = false): WebAssembly.Memory {
  const pages = Math.max(1, Math.ceil(bytes / 65536));
  if (pages > MAX_PAGES) throw new RangeError(`a network needing ${(bytes / 2 ** 30).toFixed(1)} GiB of working memory is over the kernels' 1 GiB`);
  return new WebAssembly.Memory({ initial: pages, maximum: MAX_PAGES, shared });
}

const ARENA_ALIGN = 64;

/**
 * Hands out 64-byte-aligned byte offsets, from 64 up (0 stays unused, so no array sits at "null"). Not 16: Chromium
 * copies a typed array 15× slower when the target lies 1–31 bytes past the source modulo 4 kB (x86's 4K aliasing in
 * its memcpy), and big buffers start on a page, so an array copied to offset 16 of the memory took the slow path.
 */
export class Arena {
  private next = ARENA_ALIGN;
  floats(count: number): number {
    const at = this.next;
    this.next += Math.ceil((count * 4) / ARENA_ALIGN) * ARENA_ALIGN;
    return at;
  }
  get bytes(): number {
    return this.next;
  }
}
