import exifr from 'exifr';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { ImageError } from '../core/util/errors.js';
import { bmpSize, decodeBmp } from './bmp.js';
import { decodePngFast } from './png.js';
import type { RgbaImage } from '../core/image/rgba.js';

export type ImageFormat = 'png' | 'jpeg' | 'bmp';

/** Decoders allocate whatever a header claims, so sizes are checked from the header first. */
export const MAX_PIXELS = 25_000_000;

export function sniffFormat(b: Uint8Array): ImageFormat | null {
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 2 && b[0] === 0x42 && b[1] === 0x4d) return 'bmp';
  return null;
}

/** Width and height from the file header, without decoding. */
export function imageSize(b: Uint8Array, format: ImageFormat): { width: number; height: number } {
  if (format === 'png') {
    if (b.length < 24) throw new ImageError('truncated PNG header', 'undecodable');
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    return { width: v.getUint32(16), height: v.getUint32(20) };
  }
  if (format === 'bmp') return bmpSize(b);
  return jpegSize(b);
}

function jpegSize(b: Uint8Array): { width: number; height: number } {
  let p = 2;
  while (p + 9 < b.length) {
    if (b[p] !== 0xff) throw new ImageError('damaged JPEG: marker expected', 'undecodable');
    const marker = b[p + 1]!;
    if (marker === 0xff) {
      p++;
      continue;
    }
    const length = (b[p + 2]! << 8) | b[p + 3]!;
    // Start-of-frame markers (baseline, progressive, ...) carry the size; C4, C8 and CC are not frames.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: (b[p + 5]! << 8) | b[p + 6]!, width: (b[p + 7]! << 8) | b[p + 8]! };
    }
    p += 2 + length;
  }
  throw new ImageError('damaged JPEG: no frame header found', 'undecodable');
}

export interface DecodeOptions {
  maxPixels?: number;
}

/** Decodes PNG (every colour type and bit depth), JPEG (with EXIF orientation) or BMP into RGBA. */
export async function decodeImage(bytes: Uint8Array, options: DecodeOptions = {}): Promise<RgbaImage & { format: ImageFormat }> {
  const { maxPixels = MAX_PIXELS } = options;
  if (bytes.length === 0) throw new ImageError('empty file', 'undecodable');
  const format = sniffFormat(bytes);
  if (!format) throw new ImageError('unsupported format: expected a PNG, JPEG or BMP image', 'unsupported');
  const { width, height } = imageSize(bytes, format);
  if (width === 0 || height === 0) throw new ImageError(`${format.toUpperCase()} has no pixels (${width}×${height})`, 'undecodable');
  if (width * height > maxPixels) {
    throw new ImageError(
      `image is ${width}×${height} = ${((width * height) / 1e6).toFixed(1)} megapixels, over the ${maxPixels / 1e6}-megapixel limit`,
      'too-large',
    );
  }
  try {
    if (format === 'bmp') return { ...decodeBmp(bytes), format };
    if (format === 'png') {
      const fast = decodePngFast(bytes);
      if (fast) return { ...fast, format };
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.length), format };
    }
    const img = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: true,
      tolerantDecoding: false,
      maxResolutionInMP: maxPixels / 1e6,
      maxMemoryUsageInMB: 512,
    });
    const decoded = { width: img.width, height: img.height, data: img.data as Uint8Array };
    return { ...orient(decoded, await exifOrientation(bytes)), format };
  } catch (e) {
    if (e instanceof ImageError) throw e;
    // jpeg-js reports a cut-off file as "marker was not found"; the missing end marker says what happened.
    if (format === 'jpeg' && !endsWithJpegEoi(bytes)) {
      throw new ImageError(`truncated JPEG: the file ends without its end-of-image marker (${(e as Error).message})`, 'undecodable');
    }
    throw new ImageError(`cannot decode ${format.toUpperCase()}: ${(e as Error).message}`, 'undecodable');
  }
}

/** Whether an end-of-image marker (FF D9) closes the file, allowing for padding after it. */
function endsWithJpegEoi(b: Uint8Array): boolean {
  for (let p = b.length - 2; p >= Math.max(0, b.length - 64); p--) if (b[p] === 0xff && b[p + 1] === 0xd9) return true;
  return false;
}

async function exifOrientation(bytes: Uint8Array): Promise<number> {
  try {
    return (await exifr.orientation(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))) ?? 1;
  } catch {
    return 1; // Damaged or absent EXIF: the pixels themselves decoded fine, so show them as stored.
  }
}

/** Applies EXIF orientation 1–8 so the image is upright as a camera app shows it. */
export function orient(img: RgbaImage, orientation: number): RgbaImage {
  if (orientation <= 1 || orientation > 8) return img;
  const { width: w, height: h, data } = img;
  const swap = orientation >= 5;
  const ow = swap ? h : w;
  const oh = swap ? w : h;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      // Source pixel for each output pixel, per the EXIF orientation table.
      let sx: number;
      let sy: number;
      switch (orientation) {
        case 2:
          [sx, sy] = [w - 1 - x, y];
          break;
        case 3:
          [sx, sy] = [w - 1 - x, h - 1 - y];
          break;
        case 4:
          [sx, sy] = [x, h - 1 - y];
          break;
        case 5:
          [sx, sy] = [y, x];
          break;
        case 6:
          [sx, sy] = [y, h - 1 - x];
          break;
        case 7:
          [sx, sy] = [w - 1 - y, h - 1 - x];
          break;
        default:
          [sx, sy] = [w - 1 - y, x];
          break;
      }
      out.set(data.subarray((sy * w + sx) * 4, (sy * w + sx) * 4 + 4), (y * ow + x) * 4);
    }
  }
  return { width: ow, height: oh, data: out };
}
