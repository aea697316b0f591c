import { suite } from '../helpers/suite.js';
import { inkOnPaper } from '../../src/core/image/rgba.js';
import * as assert from 'uvu/assert';
import { decodeBmp, encodeBmp } from '../../src/codecs/bmp.js';
import { decodeImage } from '../../src/codecs/decode.js';
import { toMnistInput } from '../../src/core/image/preprocess.js';
import { encodeJpeg } from '../../src/samples/styles.js';
import { encodePng } from '../../src/codecs/png.js';
import { ImageError } from '../../src/core/util/errors.js';
import { digitInk, meanAbsDiff, rawPng, rotateAnticlockwise, withExifOrientation } from '../helpers/images.js';

const test = suite('image decoding');
const W = 120;
const H = 120;
const ink = digitInk(3, W, H, { size: 90, brush: 6 });
const reference = toMnistInput(inkOnPaper(ink, W, H, [0, 0, 0], [255, 255, 255])).pixels;

/** Same 28×28 as the plain black-on-white PNG, up to rounding and compression. */
function assertSameDigit(pixels: Float32Array, tolerance = 0.02): void {
  const d = meanAbsDiff(pixels, reference);
  assert.ok(d < tolerance, `mean difference ${d.toFixed(4)} from the reference 28×28`);
}

const rows = (bytesPerPixel: (v: number) => number[]) =>
  Array.from({ length: H }, (_, y) => Uint8Array.from(Array.from({ length: W }, (_, x) => bytesPerPixel(ink[y * W + x]!)).flat()));

test('an 8-bit RGBA PNG decodes to its pixels', async () => {
  const img = inkOnPaper(ink, W, H, [0, 0, 0], [255, 255, 255]);
  const out = await decodeImage(encodePng(img));
  assert.is(out.format, 'png');
  assert.equal(Buffer.compare(Buffer.from(out.data), Buffer.from(img.data)), 0);
});

test('a 16-bit grey PNG decodes to the right 28×28', async () => {
  const png = rawPng({
    width: W,
    height: H,
    colorType: 0,
    bitDepth: 16,
    rows: rows((a) => {
      const v = Math.round(65535 * (1 - a));
      return [v >> 8, v & 255];
    }),
  });
  assertSameDigit(toMnistInput(await decodeImage(png)).pixels);
});

test('a palette PNG with transparency keeps its ink', async () => {
  // Palette: entry 0 fully transparent black, 1..15 black ink of rising opacity.
  const palette = new Uint8Array(16 * 3);
  const trns = Uint8Array.from({ length: 16 }, (_, i) => Math.round((255 * i) / 15));
  const png = rawPng({ width: W, height: H, colorType: 3, bitDepth: 8, palette, trns, rows: rows((a) => [Math.round(a * 15)]) });
  assertSameDigit(toMnistInput(await decodeImage(png)).pixels, 0.03);
});

test('a grey+alpha PNG and a bilevel (1-bit) PNG decode to the right 28×28', async () => {
  const ga = encodePng(inkOnPaper(ink, W, H, [0, 0, 0], null), { colorType: 4 });
  assertSameDigit(toMnistInput(await decodeImage(ga)).pixels);
  const bits = Array.from({ length: H }, (_, y) => {
    const row = new Uint8Array(Math.ceil(W / 8));
    for (let x = 0; x < W; x++) if (ink[y * W + x]! < 0.5) row[x >> 3]! |= 0x80 >> (x & 7);
    return row;
  });
  assertSameDigit(toMnistInput(await decodeImage(rawPng({ width: W, height: H, colorType: 0, bitDepth: 1, rows: bits }))).pixels, 0.05);
});

test('an EXIF-rotated JPEG is turned upright before preprocessing', async () => {
  const upright = inkOnPaper(ink, W, H, [0, 0, 0], [255, 255, 255]);
  const stored = rotateAnticlockwise(upright);
  const jpeg = withExifOrientation(encodeJpeg(stored, 95), 6);
  const img = await decodeImage(jpeg);
  assert.is(img.format, 'jpeg');
  assertSameDigit(toMnistInput(img).pixels, 0.04);
  const ignored = await decodeImage(encodeJpeg(stored, 95));
  assert.ok(meanAbsDiff(toMnistInput(ignored).pixels, reference) > 0.1, 'without EXIF the digit stays sideways');
});

test('BMP: 24-bit, 32-bit, 8-bit palette and top-down all decode alike', async () => {
  const img = inkOnPaper(ink, W, H, [0, 0, 0], [255, 255, 255]);
  for (const bpp of [24, 32, 8] as const) {
    const out = await decodeImage(encodeBmp(img, { bpp }));
    assert.is(out.format, 'bmp');
    assertSameDigit(toMnistInput(out).pixels);
  }
  // Top-down: negative height and rows stored first-to-last.
  const bottomUp = encodeBmp(img);
  const rowBytes = Math.ceil((W * 24) / 32) * 4;
  const topDown = Buffer.from(bottomUp);
  for (let y = 0; y < H; y++) Buffer.from(bottomUp.subarray(54 + (H - 1 - y) * rowBytes, 54 + (H - y) * rowBytes)).copy(topDown, 54 + y * rowBytes);
  topDown.writeInt32LE(-H, 22);
  assert.equal(Buffer.compare(Buffer.from(decodeBmp(topDown).data), Buffer.from(decodeBmp(bottomUp).data)), 0);
});

const code = (c: ImageError['code']) => (e: Error) => e instanceof ImageError && e.code === c;

test('unsupported, empty, truncated and damaged files are typed errors', async () => {
  const rejects = async (bytes: Uint8Array, c: ImageError['code'], message: RegExp) => {
    try {
      await decodeImage(bytes);
    } catch (e) {
      assert.ok(code(c)(e as Error), `${(e as Error).message}: expected ${c}`);
      assert.match((e as Error).message, message);
      return;
    }
    assert.unreachable('should have thrown');
  };
  await rejects(Buffer.from('GIF89a....'), 'unsupported', /unsupported format/);
  await rejects(new Uint8Array(0), 'undecodable', /empty file/);
  const png = encodePng(inkOnPaper(ink, W, H, [0, 0, 0], [255, 255, 255]));
  await rejects(png.subarray(0, png.length / 2), 'undecodable', /truncated PNG/);
  const jpeg = encodeJpeg(inkOnPaper(ink, W, H, [0, 0, 0], [255, 255, 255]));
  await rejects(jpeg.subarray(0, jpeg.length / 2), 'undecodable', /^truncated JPEG: the file ends without its end-of-image marker/);
  const scrambled = Buffer.from(jpeg);
  scrambled.fill(0x07, 300, scrambled.length - 2); // the end marker kept: damaged, not truncated
  await rejects(scrambled, 'undecodable', /^cannot decode JPEG/);
  const bmp = encodeBmp(inkOnPaper(ink, W, H, [0, 0, 0], [255, 255, 255]));
  await rejects(bmp.subarray(0, 2000), 'undecodable', /truncated BMP/);
  const rle = Buffer.from(bmp);
  rle.writeUInt32LE(1, 30);
  await rejects(rle, 'unsupported', /compression 1/);
});

test('an image over 25 megapixels is refused from its header, before any allocation', async () => {
  const png = Buffer.from(encodePng(inkOnPaper(ink, W, H, [0, 0, 0], [255, 255, 255])));
  png.writeUInt32BE(30_000, 16);
  png.writeUInt32BE(30_000, 20);
  const start = performance.now();
  try {
    await decodeImage(png);
    assert.unreachable('should have thrown');
  } catch (e) {
    assert.ok(code('too-large')(e as Error), (e as Error).message);
    assert.match((e as Error).message, /30000×30000 = 900\.0 megapixels, over the 25-megapixel limit/);
  }
  assert.ok(performance.now() - start < 1000);
});

test.run();
