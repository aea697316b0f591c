import { deflateSync } from 'node:zlib';
import { inkOnPaper } from '../../src/core/image/rgba.js';
import { PNG } from 'pngjs';
import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import { decodeImage } from '../../src/codecs/decode.js';
import { decodePngFast } from '../../src/codecs/png.js';
import { ImageError } from '../../src/core/util/errors.js';
import { Random } from '../../src/core/util/random.js';
import { chunk, digitInk, rawPng } from '../helpers/images.js';

const test = suite('fast PNG path');

/** A digit with noise and a gradient, so every filter type has something to predict. */
function busyImage(w: number, h: number, seed: number): { width: number; height: number; data: Uint8Array } {
  const rng = new Random(seed);
  const img = inkOnPaper(digitInk(5, w, h, { size: Math.min(w, h) * 0.7 }), w, h, [20, 40, 200], [250, 240, 230]);
  for (let i = 0; i < img.data.length; i++) {
    const noise = rng.int(21) - 10 + ((i >> 2) % w) / 4;
    img.data[i] = i % 4 === 3 ? 55 + rng.int(201) : Math.max(0, Math.min(255, img.data[i]! + noise));
  }
  return img;
}

function pngjsWrite(img: { width: number; height: number; data: Uint8Array }, colorType: 0 | 2 | 4 | 6, filterType: number): Buffer {
  const png = new PNG({ width: img.width, height: img.height, colorType, inputColorType: 6, inputHasAlpha: true });
  png.data = Buffer.from(img.data);
  return PNG.sync.write(png, { colorType, inputColorType: 6, inputHasAlpha: true, filterType });
}

function assertSameAsPngjs(file: Buffer, label: string): void {
  const fast = decodePngFast(file);
  assert.ok(fast, `${label}: the fast path should take this PNG`);
  const ref = PNG.sync.read(file);
  assert.is(fast!.width, ref.width);
  assert.is(fast!.height, ref.height);
  assert.ok(Buffer.compare(Buffer.from(fast!.data), ref.data) === 0, `${label}: pixels differ from pngjs`);
}

test('every 8-bit colour type and filter type gives exactly the pixels pngjs gives', () => {
  const img = busyImage(37, 23, 1);
  for (const colorType of [0, 2, 4, 6] as const) {
    for (const filterType of [-1, 0, 1, 2, 3, 4]) assertSameAsPngjs(pngjsWrite(img, colorType, filterType), `colour type ${colorType}, filter ${filterType}`);
  }
});

test('a 1×1 image and a one-row image decode like pngjs', () => {
  assertSameAsPngjs(pngjsWrite(busyImage(1, 1, 2), 6, 4), '1×1');
  assertSameAsPngjs(pngjsWrite(busyImage(50, 1, 3), 2, 3), '50×1');
});

test('an image larger than one band of the unfilter (1,500 × 1,400 RGBA, 8.4 MB) decodes like pngjs, for every filter type', () => {
  const img = busyImage(1500, 1400, 5);
  for (const filterType of [-1, 2, 4]) assertSameAsPngjs(pngjsWrite(img, 6, filterType), `1500×1400, filter ${filterType}`);
});

/** Re-chunks a PNG's single IDAT into pieces of `size` bytes, as browsers write them. */
function splitIdat(file: Buffer, size: number): Buffer {
  const chunks: Buffer[] = [file.subarray(0, 8)];
  for (let p = 8; p < file.length; ) {
    const length = file.readUInt32BE(p);
    const type = file.toString('latin1', p + 4, p + 8);
    const body = file.subarray(p + 8, p + 8 + length);
    if (type === 'IDAT') {
      for (let o = 0; o < body.length; o += size) chunks.push(chunk('IDAT', body.subarray(o, o + size)));
    } else {
      chunks.push(file.subarray(p, p + 12 + length));
    }
    p += 12 + length;
  }
  return Buffer.concat(chunks);
}

test('image data split over many IDAT chunks is joined', () => {
  assertSameAsPngjs(splitIdat(pngjsWrite(busyImage(64, 40, 4), 6, -1), 100), 'IDAT in 100-byte chunks');
});

test('PNGs outside the fast path are left to pngjs, which still decodes them', async () => {
  const row = Uint8Array.from([0, 255, 0, 255]);
  const cases: [string, Buffer][] = [
    ['16-bit grey', rawPng({ width: 2, height: 1, colorType: 0, bitDepth: 16, rows: [row] })],
    [
      'palette',
      rawPng({ width: 4, height: 1, colorType: 3, bitDepth: 8, rows: [Uint8Array.from([0, 1, 0, 1])], palette: Uint8Array.from([0, 0, 0, 255, 255, 255]) }),
    ],
    ['grey with tRNS', rawPng({ width: 4, height: 1, colorType: 0, bitDepth: 8, rows: [Uint8Array.from([0, 9, 0, 9])], trns: Uint8Array.from([0, 9]) })],
  ];
  for (const [label, file] of cases) {
    assert.is(decodePngFast(file), null, label);
    const img = await decodeImage(file);
    assert.is(img.width * img.height, 4 * (label === '16-bit grey' ? 0.5 : 1), label);
  }
});

/** Rebuilds a PNG around new image data (IHDR kept), with correct CRCs: damage inside the data itself. */
function withImageData(file: Buffer, data: Uint8Array): Buffer {
  return Buffer.concat([file.subarray(0, 33), chunk('IDAT', data), chunk('IEND', new Uint8Array(0))]);
}

test('damaged PNGs get errors that name the damage, for every colour type', async () => {
  const good = pngjsWrite(busyImage(30, 30, 5), 6, -1);
  const badCrc = Buffer.from(good);
  badCrc[45] = badCrc[45]! ^ 0xff; // inside the IDAT body
  const palette = rawPng({
    width: 4,
    height: 1,
    colorType: 3,
    bitDepth: 8,
    rows: [Uint8Array.from([0, 1, 0, 1])],
    palette: Uint8Array.from([0, 0, 0, 255, 255, 255]),
  });
  const rawRows = (filter: number) => deflateSync(Buffer.concat(Array.from({ length: 30 }, () => Buffer.from([filter, ...new Uint8Array(120)]))));
  const cases: [string, Buffer, RegExp][] = [
    ['cut inside a chunk', good.subarray(0, good.length - 30), /^truncated PNG: its IDAT chunk at byte 33 needs \d+ bytes, and the file ends first/],
    ['no IEND', good.subarray(0, good.length - 12), /^truncated PNG: the file ends after \d+ bytes, before its IEND chunk/],
    ['half a header', good.subarray(0, 20), /^truncated PNG header/],
    ['a header cut short', good.subarray(0, 30), /^truncated PNG: 30 bytes, too short for its header/],
    ['bad CRC', badCrc, /^damaged PNG: the IDAT chunk at byte 33 fails its CRC check/],
    [
      'bad CRC in a palette PNG',
      Buffer.concat([palette.subarray(0, palette.length - 13), Buffer.from([palette.at(-13)! ^ 1]), palette.subarray(palette.length - 12)]),
      /^damaged PNG: the IDAT chunk .* fails its CRC check/,
    ],
    ['no image data', Buffer.concat([good.subarray(0, 33), chunk('IEND', new Uint8Array(0))]), /^damaged PNG: it has no image data/],
    ['data that is not zlib', withImageData(good, Uint8Array.from([1, 2, 3, 4, 5])), /^damaged PNG: the image data does not inflate/],
    ['too little data', withImageData(good, deflateSync(new Uint8Array(100))), /^damaged PNG: the image data holds 100 bytes; the 30×30 header needs 3630/],
    [
      'far too much data (a zip bomb)',
      withImageData(good, deflateSync(new Uint8Array(50_000_000))),
      /^damaged PNG: the image data holds more than the 30×30 header says/,
    ],
    ['an unknown filter type', withImageData(good, rawRows(9)), /^damaged PNG: line 0 has filter type 9/],
  ];
  for (const [label, file, message] of cases) {
    try {
      await decodeImage(file);
      assert.unreachable(`${label} should not decode`);
    } catch (e) {
      assert.instance(e, ImageError, label);
      assert.is((e as ImageError).code, 'undecodable', label);
      assert.match((e as Error).message, message, label);
    }
  }
});

test.run();
