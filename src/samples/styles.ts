import jpeg from 'jpeg-js';
import { encodePng } from '../codecs/png.js';
import { encodeBmp } from '../codecs/bmp.js';
import { boxBlur } from '../core/image/kernels.js';
import { inkOnPaper, type Rgb, type RgbaImage } from '../core/image/rgba.js';
import type { Random } from '../core/util/random.js';
import { rasterStrokes } from './raster.js';
import { jitteredDigit, smoothPath, type Stroke } from './strokes.js';

/** How a user-style image is made: canvas, brush, colours, file format, and photo effects. */
export interface Style {
  name: string;
  /** Which family the bench reports it under. */
  group: 'drawn' | 'photo';
  make(digit: number, rng: Random): { bytes: Uint8Array; ext: 'png' | 'jpg' | 'bmp' };
}

interface Canvas {
  w: number;
  h: number;
  /** Digit box inside the canvas, pixels. */
  box: { x: number; y: number; size: number };
  brush: number;
  slant?: number;
  rotateDeg?: number;
}

function drawDigit(digit: number, rng: Random, c: Canvas): Float32Array {
  const shape = jitteredDigit(digit, rng, { slant: c.slant ?? 0.15, rotateDeg: c.rotateDeg ?? 8 });
  const paths: Stroke[] = shape.strokes.map((s) => smoothPath(s).map(([x, y]) => [c.box.x + x * c.box.size, c.box.y + y * c.box.size]));
  return rasterStrokes(paths, c.w, c.h, c.brush);
}

export function encodeJpeg(img: RgbaImage, quality = 85): Uint8Array {
  return jpeg.encode({ width: img.width, height: img.height, data: Buffer.from(img.data) }, quality).data;
}

/** A square-ish canvas with the digit filling most of it, as people draw in Paint or on a board. */
function standardCanvas(rng: Random, brushFraction: [number, number]): Canvas {
  const size = [280, 280, 300, 400, 512][rng.int(5)]!;
  const digitSize = size * rng.uniform(0.6, 0.85);
  return {
    w: size,
    h: size,
    box: { x: (size - digitSize) / 2 + rng.uniform(-0.05, 0.05) * size, y: (size - digitSize) / 2 + rng.uniform(-0.05, 0.05) * size, size: digitSize },
    brush: digitSize * rng.uniform(...brushFraction),
  };
}

const BLACK: Rgb = [0, 0, 0];
const WHITE: Rgb = [255, 255, 255];

const drawn = (name: string, make: Style['make']): Style => ({ name, group: 'drawn', make });

/** The seed of sample k of a digit in style s: data/samples is `seed` 2026, other sets use other seeds. */
export function sampleSeed(seed: number, style: number, digit: number, k: number): number {
  return seed * 1_000_003 + style * 10_007 + digit * 101 + k;
}

export const STYLES: Style[] = [
  drawn('paint-png', (d, rng) => {
    const c = standardCanvas(rng, [0.03, 0.06]);
    return { bytes: encodePng(inkOnPaper(drawDigit(d, rng, c), c.w, c.h, BLACK, WHITE), { colorType: 2 }), ext: 'png' };
  }),
  drawn('paint-bmp', (d, rng) => {
    const c = standardCanvas(rng, [0.03, 0.06]);
    return { bytes: encodeBmp(inkOnPaper(drawDigit(d, rng, c), c.w, c.h, BLACK, WHITE), { bpp: rng.next() < 0.5 ? 24 : 8 }), ext: 'bmp' };
  }),
  drawn('paint-jpeg', (d, rng) => {
    const c = standardCanvas(rng, [0.03, 0.06]);
    return { bytes: encodeJpeg(inkOnPaper(drawDigit(d, rng, c), c.w, c.h, BLACK, WHITE), rng.int(40) + 55), ext: 'jpg' };
  }),
  drawn('canvas-white-on-black', (d, rng) => {
    const c = standardCanvas(rng, [0.04, 0.08]);
    return { bytes: encodePng(inkOnPaper(drawDigit(d, rng, c), c.w, c.h, WHITE, BLACK)), ext: 'png' };
  }),
  drawn('transparent-canvas', (d, rng) => {
    const c = standardCanvas(rng, [0.03, 0.07]);
    const colour: Rgb = rng.next() < 0.5 ? BLACK : WHITE;
    return { bytes: encodePng(inkOnPaper(drawDigit(d, rng, c), c.w, c.h, colour, null)), ext: 'png' };
  }),
  drawn('coloured-ink', (d, rng) => {
    const c = standardCanvas(rng, [0.03, 0.07]);
    const hue = rng.next();
    const ink: Rgb = [Math.round(hue * 200), Math.round((1 - hue) * 160), Math.round(120 + hue * 100)];
    const paper: Rgb = rng.next() < 0.5 ? WHITE : [250, 245, 200];
    return { bytes: encodePng(inkOnPaper(drawDigit(d, rng, c), c.w, c.h, ink, paper), { colorType: 2 }), ext: 'png' };
  }),
  drawn('thick-brush', (d, rng) => {
    const c = standardCanvas(rng, [0.08, 0.12]);
    return { bytes: encodePng(inkOnPaper(drawDigit(d, rng, c), c.w, c.h, BLACK, WHITE), { colorType: 2 }), ext: 'png' };
  }),
  drawn('thin-brush', (d, rng) => {
    const c = standardCanvas(rng, [0.004, 0.012]);
    c.brush = Math.max(0.6, c.brush);
    return { bytes: encodePng(inkOnPaper(drawDigit(d, rng, c), c.w, c.h, BLACK, WHITE), { colorType: 2 }), ext: 'png' };
  }),
  drawn('small-off-centre', (d, rng) => {
    const w = 640;
    const h = 480;
    const size = rng.uniform(40, 90);
    const c: Canvas = { w, h, box: { x: rng.uniform(10, w - size - 10), y: rng.uniform(10, h - size - 10), size }, brush: size * rng.uniform(0.03, 0.07) };
    return { bytes: encodePng(inkOnPaper(drawDigit(d, rng, c), w, h, BLACK, WHITE), { colorType: 2 }), ext: 'png' };
  }),
  drawn('non-square', (d, rng) => {
    const wide = rng.next() < 0.5;
    const w = wide ? 600 : 220;
    const h = wide ? 240 : 420;
    const size = Math.min(w, h) * rng.uniform(0.6, 0.85);
    const c: Canvas = { w, h, box: { x: rng.uniform(0, w - size), y: (h - size) / 2, size }, brush: size * rng.uniform(0.03, 0.07) };
    return { bytes: encodePng(inkOnPaper(drawDigit(d, rng, c), w, h, BLACK, WHITE), { colorType: 2 }), ext: 'png' };
  }),
  drawn('slanted-rotated', (d, rng) => {
    const c = { ...standardCanvas(rng, [0.03, 0.07]), slant: 0.45, rotateDeg: 22 };
    return { bytes: encodePng(inkOnPaper(drawDigit(d, rng, c), c.w, c.h, BLACK, WHITE), { colorType: 2 }), ext: 'png' };
  }),
  {
    name: 'photo',
    group: 'photo',
    make(d, rng) {
      const w = rng.next() < 0.5 ? 640 : 480;
      const h = rng.next() < 0.5 ? 480 : 640;
      const size = Math.min(w, h) * rng.uniform(0.45, 0.75);
      const c: Canvas = {
        w,
        h,
        box: { x: (w - size) / 2 + rng.uniform(-0.1, 0.1) * w, y: (h - size) / 2 + rng.uniform(-0.1, 0.1) * h, size },
        brush: size * rng.uniform(0.025, 0.05),
      };
      const ink = drawDigit(d, rng, c);
      return { bytes: encodeJpeg(photograph(ink, w, h, rng), rng.int(30) + 60), ext: 'jpg' };
    },
  },
];

/**
 * Pencil or pen on paper as a phone photographs it: grey paper under a light gradient and a vignette,
 * greyish ink, a little blur and sensor noise.
 */
function photograph(ink: Float32Array, w: number, h: number, rng: Random): RgbaImage {
  const paper = rng.uniform(0.6, 0.9);
  const inkLevel = rng.uniform(0.08, 0.3);
  const gx = rng.uniform(-0.35, 0.35);
  const gy = rng.uniform(-0.35, 0.35);
  const noise = rng.uniform(0.01, 0.04);
  const tint: Rgb = [1, rng.uniform(0.95, 1), rng.uniform(0.85, 1)];
  const blurred = boxBlur(ink, w, h, rng.int(2) + 1);
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const u = x / w - 0.5;
      const v = y / h - 0.5;
      const light = Math.max(0.25, 1 + gx * u * 2 + gy * v * 2 - 0.5 * (u * u + v * v));
      const a = blurred[y * w + x]!;
      const level = (a * inkLevel + (1 - a) * paper) * light + rng.gaussian() * noise;
      for (let ch = 0; ch < 3; ch++) data[(y * w + x) * 4 + ch] = Math.max(0, Math.min(255, Math.round(255 * level * tint[ch]!)));
      data[(y * w + x) * 4 + 3] = 255;
    }
  }
  return { width: w, height: h, data };
}
