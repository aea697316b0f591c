import { crc32, deflateSync } from 'node:zlib';
import { PIXELS, toUnit } from '../../src/core/frame.js';
import { loadMnist } from '../../src/data/mnist.js';
import { inkOnPaper, type RgbaImage } from '../../src/core/image/rgba.js';
import { corruptedImage, TRACKS } from '../../src/samples/corruptions.js';
import { rasterStrokes } from '../../src/samples/raster.js';
import { smoothPath, type Stroke, TEMPLATES } from '../../src/samples/strokes.js';
import { encodePng } from '../../src/codecs/png.js';

/** A circle's arc in a unit box, as a stroke of n segments. */
function arc(cx: number, cy: number, r: number, from: number, to: number, n: number): Stroke {
  return Array.from({ length: n + 1 }, (_, k): [number, number] => {
    const t = from + ((to - from) * k) / n;
    return [cx + r * Math.cos(t), cy + r * Math.sin(t)];
  });
}

/** A smiling face in a unit box, as strokes: a ring, two dot eyes and a mouth. Number mode read it as "83" once. */
export const FACE: Stroke[] = [
  arc(0.5, 0.5, 0.45, 0, 2 * Math.PI, 24),
  arc(0.33, 0.36, 0.04, 0, 2 * Math.PI, 8),
  arc(0.67, 0.36, 0.04, 0, 2 * Math.PI, 8),
  arc(0.5, 0.52, 0.25, 0.15 * Math.PI, 0.85 * Math.PI, 10),
];

/** A digit from the first stroke template, as ink coverage on a w×h canvas (digit box `size`, centred). */
export function digitInk(digit: number, w = 200, h = 200, options: { size?: number; brush?: number; x?: number; y?: number } = {}): Float32Array {
  const { size = 150, brush = 8 } = options;
  const { x = (w - size) / 2, y = (h - size) / 2 } = options;
  const strokes = TEMPLATES[digit]![0]!.map((s) => smoothPath(s).map(([px, py]): [number, number] => [x + px * size, y + py * size]));
  return rasterStrokes(strokes, w, h, brush);
}

/** A number: each digit's first template in a `size` box, `step` × size apart, on a canvas with a margin; dark on white, as a PNG. */
export function numberPng(digits: string, { size = 100, brush = 6, step = 0.8 } = {}): Uint8Array {
  const w = Math.ceil(size * (0.6 + step * (digits.length - 1) + 1));
  const h = Math.ceil(size * 1.6);
  const ink = new Float32Array(w * h);
  for (const [i, d] of [...digits].entries()) {
    const one = digitInk(Number(d), w, h, { size, brush, x: size * (0.3 + step * i), y: size * 0.3 });
    for (let k = 0; k < one.length; k++) ink[k] = Math.max(ink[k]!, one[k]!);
  }
  return encodePng(inkOnPaper(ink, w, h, [0, 0, 0], [255, 255, 255]));
}

/** One PNG chunk: length, type, body and CRC. */
export function chunk(type: string, body: Uint8Array): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  const typeAndBody = Buffer.concat([Buffer.from(type, 'latin1'), body]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndBody));
  return Buffer.concat([len, typeAndBody, crc]);
}

/**
 * A PNG written by hand from raw scanline bytes (filter 0), for the colour types and depths pngjs cannot
 * write: palette with tRNS, 1-bit bilevel, 16-bit grey.
 */
export function rawPng(opts: {
  width: number;
  height: number;
  colorType: number;
  bitDepth: number;
  rows: Uint8Array[];
  palette?: Uint8Array;
  trns?: Uint8Array;
}): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(opts.width, 0);
  ihdr.writeUInt32BE(opts.height, 4);
  ihdr[8] = opts.bitDepth;
  ihdr[9] = opts.colorType;
  const raw = Buffer.concat(opts.rows.map((r) => Buffer.concat([Buffer.from([0]), r])));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    ...(opts.palette ? [chunk('PLTE', opts.palette)] : []),
    ...(opts.trns ? [chunk('tRNS', opts.trns)] : []),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/** Inserts an EXIF APP1 segment with the given orientation right after a JPEG's SOI marker. */
export function withExifOrientation(jpeg: Uint8Array, orientation: number): Buffer {
  const tiff = Buffer.alloc(26);
  tiff.write('II', 0, 'latin1');
  tiff.writeUInt16LE(42, 2);
  tiff.writeUInt32LE(8, 4);
  tiff.writeUInt16LE(1, 8); // one IFD entry
  tiff.writeUInt16LE(0x0112, 10); // Orientation
  tiff.writeUInt16LE(3, 12); // SHORT
  tiff.writeUInt32LE(1, 14);
  tiff.writeUInt16LE(orientation, 18);
  tiff.writeUInt32LE(0, 22); // no next IFD
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const header = Buffer.from([0xff, 0xe1, 0, 0]);
  header.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([Buffer.from(jpeg.subarray(0, 2)), header, body, Buffer.from(jpeg.subarray(2))]);
}

/** Rotates RGBA 90° anticlockwise: what a phone stores when EXIF orientation 6 says "rotate clockwise to view". */
export function rotateAnticlockwise(img: RgbaImage): RgbaImage {
  const { width: w, height: h } = img;
  const data = new Uint8Array(img.data.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      // Source (x, y) lands at (y, w-1-x) in the h×w result.
      const o = ((w - 1 - x) * h + y) * 4;
      data.set(img.data.subarray((y * w + x) * 4, (y * w + x) * 4 + 4), o);
    }
  }
  return { width: h, height: w, data };
}

/** Mean absolute difference of two equal-length arrays. */
export function meanAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs((a[i] as number) - (b[i] as number));
  return s / a.length;
}

/** Centre of mass [x, y] of a 28×28 image. */
export function centreOfMass(p: Float32Array): [number, number] {
  let m = 0;
  let x = 0;
  let y = 0;
  p.forEach((v, i) => {
    m += v;
    x += v * (i % 28);
    y += v * Math.floor(i / 28);
  });
  return [x / m, y / m];
}

/** MNIST test digit `index` as the robustness bench renders it at level `strength` of the track `name`, as file bytes. */
export function benchImage(name: string, strength: number, index: number): Uint8Array {
  const track = TRACKS.findIndex((t) => t.name === name);
  return corruptedImage(track, strength, toUnit(loadMnist().test.pixels.subarray(index * PIXELS, (index + 1) * PIXELS)), index).bytes;
}
