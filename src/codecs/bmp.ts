import { ImageError } from '../core/util/errors.js';
import type { RgbaImage } from '../core/image/rgba.js';

/**
 * A small decoder for the BMP variants MS Paint and most tools write: uncompressed 24- and 32-bit
 * (BI_RGB or BI_BITFIELDS), 1/4/8-bit palettes, bottom-up and top-down. RLE and embedded JPEG/PNG are
 * refused with a clear message.
 */
export function bmpSize(b: Uint8Array): { width: number; height: number } {
  if (b.length < 26) throw new ImageError('truncated BMP header', 'undecodable');
  const v = view(b);
  const headerSize = v.getUint32(14, true);
  if (headerSize === 12) return { width: v.getUint16(18, true), height: v.getUint16(20, true) };
  if (headerSize < 40 || b.length < 54) throw new ImageError(`unsupported BMP header size ${headerSize}`, 'unsupported');
  return { width: Math.abs(v.getInt32(18, true)), height: Math.abs(v.getInt32(22, true)) };
}

export function decodeBmp(b: Uint8Array): RgbaImage {
  const v = view(b);
  const { width, height } = bmpSize(b);
  const dataOffset = v.getUint32(10, true);
  const headerSize = v.getUint32(14, true);
  if (headerSize === 12) throw new ImageError('OS/2 BMP headers are not supported', 'unsupported');
  const topDown = v.getInt32(22, true) < 0;
  const bpp = v.getUint16(28, true);
  const compression = v.getUint32(30, true);
  if (width === 0 || height === 0) throw new ImageError('BMP has no pixels', 'undecodable');
  const BI_RGB = 0;
  const BI_BITFIELDS = 3;
  if (compression !== BI_RGB && !(compression === BI_BITFIELDS && (bpp === 32 || bpp === 16))) {
    throw new ImageError(`unsupported BMP compression ${compression} (only uncompressed BMPs are read)`, 'unsupported');
  }
  if (![1, 4, 8, 24, 32].includes(bpp)) throw new ImageError(`unsupported BMP bit depth ${bpp}`, 'unsupported');
  const rowBytes = Math.ceil((width * bpp) / 32) * 4;
  if (dataOffset + rowBytes * height > b.length) {
    throw new ImageError(`truncated BMP: ${b.length} bytes, the header needs ${dataOffset + rowBytes * height}`, 'undecodable');
  }

  let palette: Uint8Array | null = null;
  if (bpp <= 8) {
    const used = v.getUint32(46, true) || 1 << bpp;
    const start = 14 + headerSize;
    if (start + used * 4 > dataOffset) throw new ImageError('BMP palette overlaps the pixel data', 'undecodable');
    palette = b.subarray(start, start + used * 4);
  }
  // 32-bit: BI_BITFIELDS with an alpha mask (V4/V5 headers) carries real alpha; BI_RGB's fourth byte is padding.
  const masks = compression === BI_BITFIELDS ? bitfields(v, headerSize) : null;
  const hasAlpha = bpp === 32 && masks !== null && masks.a !== 0;

  const out = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const row = dataOffset + (topDown ? y : height - 1 - y) * rowBytes;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      if (palette) {
        const bitOffset = x * bpp;
        const byte = b[row + (bitOffset >> 3)]!;
        const index = (byte >> (8 - bpp - (bitOffset & 7))) & ((1 << bpp) - 1);
        if (index * 4 + 2 >= palette.length) throw new ImageError(`BMP pixel uses palette entry ${index}, beyond the palette`, 'undecodable');
        out[o] = palette[index * 4 + 2]!;
        out[o + 1] = palette[index * 4 + 1]!;
        out[o + 2] = palette[index * 4]!;
        out[o + 3] = 255;
      } else if (bpp === 24) {
        const p = row + x * 3;
        out[o] = b[p + 2]!;
        out[o + 1] = b[p + 1]!;
        out[o + 2] = b[p]!;
        out[o + 3] = 255;
      } else {
        const p = row + x * 4;
        if (masks) {
          const word = v.getUint32(p, true);
          out[o] = channel(word, masks.r);
          out[o + 1] = channel(word, masks.g);
          out[o + 2] = channel(word, masks.b);
          out[o + 3] = hasAlpha ? channel(word, masks.a) : 255;
        } else {
          out[o] = b[p + 2]!;
          out[o + 1] = b[p + 1]!;
          out[o + 2] = b[p]!;
          out[o + 3] = 255;
        }
      }
    }
  }
  return { width, height, data: out };
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

function bitfields(v: DataView, headerSize: number): { r: number; g: number; b: number; a: number } {
  return {
    r: v.getUint32(54, true),
    g: v.getUint32(58, true),
    b: v.getUint32(62, true),
    a: headerSize >= 56 ? v.getUint32(66, true) : 0,
  };
}

function channel(word: number, mask: number): number {
  if (mask === 0) return 0;
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  const max = mask >>> shift;
  return Math.round((((word & mask) >>> shift) * 255) / max);
}

/** Encodes RGBA as a 24-bit (or 8-bit grey palette) bottom-up BMP, as MS Paint saves; used for samples and tests. */
export function encodeBmp(img: RgbaImage, { bpp = 24 }: { bpp?: 24 | 8 | 32 } = {}): Uint8Array {
  const { width, height, data } = img;
  const paletteBytes = bpp === 8 ? 256 * 4 : 0;
  const rowBytes = Math.ceil((width * bpp) / 32) * 4;
  const offset = 14 + 40 + paletteBytes;
  const out = new Uint8Array(offset + rowBytes * height);
  const v = new DataView(out.buffer);
  out[0] = 0x42;
  out[1] = 0x4d;
  v.setUint32(2, out.length, true);
  v.setUint32(10, offset, true);
  v.setUint32(14, 40, true);
  v.setInt32(18, width, true);
  v.setInt32(22, height, true);
  v.setUint16(26, 1, true);
  v.setUint16(28, bpp, true);
  v.setUint32(34, rowBytes * height, true);
  if (bpp === 8) {
    v.setUint32(46, 256, true);
    for (let i = 0; i < 256; i++) out.fill(i, 54 + i * 4, 54 + i * 4 + 3);
  }
  for (let y = 0; y < height; y++) {
    const row = offset + (height - 1 - y) * rowBytes;
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      if (bpp === 8) {
        out[row + x] = Math.round(0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!);
      } else {
        const p = row + x * (bpp / 8);
        out[p] = data[i + 2]!;
        out[p + 1] = data[i + 1]!;
        out[p + 2] = data[i]!;
        if (bpp === 32) out[p + 3] = 0;
      }
    }
  }
  return out;
}
