import { PNG } from 'pngjs';
import { crc32, inflateSync } from 'node:zlib';
import { ImageError } from '../core/util/errors.js';
import type { RgbaImage } from '../core/image/rgba.js';
import { scratchKernels } from '../core/math/kernels.js';

/** Bytes per pixel of the 8-bit, non-palette colour types: grey, RGB, grey+alpha, RGBA. */
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };

/**
 * Decodes a PNG, or returns null to leave it to pngjs.
 *
 * Every PNG's chunks are checked here first (lengths, CRCs, IHDR first, IDAT present, IEND at the end), so
 * a damaged file gets an error that names the damage rather than a stream error from deep in a decoder.
 * The PNGs canvases and paint programs write (8-bit grey, RGB, grey+alpha or RGBA, not interlaced, no tRNS)
 * are then decoded here: pngjs takes 2–3 ms on a 280×280 canvas export, nearly all of it undoing the filters
 * a line at a time in fresh Buffers, and node's zlib plus one pass over a typed array does the same in a
 * fraction of that (benchmarks/, "png-decode", checks both give identical pixels). Anything else returns
 * null for pngjs: palettes, other bit depths, interlacing, tRNS.
 */
export function decodePngFast(b: Uint8Array): RgbaImage | null {
  const { width, height, depth, colorType, interlace, idat, transparency } = readChunks(b);
  const channels = CHANNELS[colorType];
  if (depth !== 8 || !channels || interlace !== 0 || transparency) return null;

  const stride = width * channels;
  const expected = height * (stride + 1);
  let raw: Uint8Array;
  try {
    raw = inflateSync(idat.length === 1 ? idat[0]! : Buffer.concat(idat), { maxOutputLength: expected });
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') throw damaged(`the image data holds more than the ${width}×${height} header says`);
    throw damaged(`the image data does not inflate (${(e as Error).message})`);
  }
  if (raw.length !== expected) throw damaged(`the image data holds ${raw.length} bytes; the ${width}×${height} header needs ${expected}`);
  const pixels = unfilter(raw, stride, height, channels);
  return { width, height, data: channels === 4 ? pixels : toRgba(pixels, width, height, channels) };
}

const damaged = (what: string) => new ImageError(`damaged PNG: ${what}`, 'undecodable');

interface Chunks {
  width: number;
  height: number;
  depth: number;
  colorType: number;
  interlace: number;
  idat: Uint8Array[];
  transparency: boolean;
}

/** Walks the chunks after the signature, checking each one's length and CRC. */
function readChunks(b: Uint8Array): Chunks {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const name = (p: number) => String.fromCharCode(...b.subarray(p + 4, p + 8)).replace(/[^\x20-\x7e]/g, '?');
  if (b.length < 33) throw new ImageError(`truncated PNG: ${b.length} bytes, too short for its header`, 'undecodable');
  if (name(8) !== 'IHDR') throw damaged(`the first chunk is "${name(8)}", not IHDR`);
  const chunks: Chunks = {
    width: view.getUint32(16),
    height: view.getUint32(20),
    depth: b[24]!,
    colorType: b[25]!,
    interlace: b[28]!,
    idat: [],
    transparency: false,
  };
  for (let p = 8; ; ) {
    if (p + 12 > b.length) throw new ImageError(`truncated PNG: the file ends after ${b.length} bytes, before its IEND chunk`, 'undecodable');
    const length = view.getUint32(p);
    const type = name(p);
    if (p + 12 + length > b.length)
      throw new ImageError(`truncated PNG: its ${type} chunk at byte ${p} needs ${length} bytes, and the file ends first`, 'undecodable');
    if (crc32(b.subarray(p + 4, p + 8 + length)) !== view.getUint32(p + 8 + length)) throw damaged(`the ${type} chunk at byte ${p} fails its CRC check`);
    if (type === 'IDAT') chunks.idat.push(b.subarray(p + 8, p + 8 + length));
    else if (type === 'tRNS') chunks.transparency = true;
    else if (type === 'IEND') break;
    p += 12 + length;
  }
  if (chunks.idat.length === 0) throw damaged('it has no image data (no IDAT chunk)');
  return chunks;
}

/**
 * Undoes PNG's per-line filters (PNG spec §9) into rows without filter bytes, in the SIMD kernels' module
 * (src/core/math/kernels.wat: "Up", the filter browsers write on every line, 16 bytes at a time), a band of
 * lines at a time so that a huge image needs no more of the kernels' memory than a small one. Each input line
 * is a filter byte then `stride` bytes; `bpp` is the distance to the left neighbour.
 */
function unfilter(raw: Uint8Array, stride: number, height: number, bpp: number): Uint8Array {
  const out = new Uint8Array(stride * height);
  const line = stride + 1;
  const bandLines = Math.max(1, Math.min(height, Math.floor(UNFILTER_BAND_BYTES / (2 * line))));
  // Memory: the row above the band (its first bytes look a row up and a pixel left), the band's rows, its lines.
  const rowsAt = Math.ceil((16 + stride + bpp) / 16) * 16;
  const linesAt = rowsAt + Math.ceil((bandLines * stride) / 16) * 16;
  const k = scratchKernels(linesAt + bandLines * line);
  const memory = new Uint8Array(k.memory.buffer);
  for (let y = 0; y < height; y += bandLines) {
    const lines = Math.min(bandLines, height - y);
    memory.set(raw.subarray(y * line, (y + lines) * line), linesAt);
    if (y > 0) memory.set(out.subarray((y - 1) * stride, y * stride), rowsAt - stride);
    const bad = k.unfilter(linesAt, stride, lines, bpp, rowsAt, y === 0 ? 1 : 0);
    if (bad >= 0) throw damaged(`line ${y + bad} has filter type ${raw[(y + bad) * line]}; PNG has types 0 to 4`);
    out.set(memory.subarray(rowsAt, rowsAt + lines * stride), y * stride);
  }
  return out;
}

/** The filtered bytes and rows handled at a time by unfilter: a 1,000 × 1,000 RGBA image in one go. */
const UNFILTER_BAND_BYTES = 8_000_000;

function toRgba(pixels: Uint8Array, width: number, height: number, channels: number): Uint8Array {
  const out = new Uint8Array(width * height * 4);
  for (let s = 0, o = 0; o < out.length; s += channels, o += 4) {
    if (channels === 3) {
      out[o] = pixels[s]!;
      out[o + 1] = pixels[s + 1]!;
      out[o + 2] = pixels[s + 2]!;
      out[o + 3] = 255;
    } else {
      const v = pixels[s]!;
      out[o] = out[o + 1] = out[o + 2] = v;
      out[o + 3] = channels === 2 ? pixels[s + 1]! : 255;
    }
  }
  return out;
}

/** How to write a PNG: pngjs's options. FAST_PNG is for images made by the thousand. */
export interface PngOptions {
  colorType?: 0 | 2 | 4 | 6;
  bitDepth?: 8 | 16;
  filterType?: number;
  deflateLevel?: number;
}
export const FAST_PNG: PngOptions = { filterType: 0, deflateLevel: 1 };

/**
 * The one PNG writer: RGBA pixels → PNG bytes (RGBA unless `colorType` says otherwise). pngjs is handed a
 * plain object, not `new PNG()`: pngjs 7's constructor starts a stream parser that waits for input and is
 * never freed, keeping its 4-bytes-a-pixel buffer, so every image encoded that way leaked (the robustness
 * bench grew by 60 MB/s; the server by 3 kB a request).
 */
export function encodePng(img: RgbaImage, { colorType = 6, bitDepth = 8, ...rest }: PngOptions = {}): Buffer {
  const data = Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength);
  const png = { width: img.width, height: img.height, data, gamma: 0 } as unknown as PNG;
  return PNG.sync.write(png, { colorType, inputColorType: 6, bitDepth, inputHasAlpha: true, ...rest });
}
