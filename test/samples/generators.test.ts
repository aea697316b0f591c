import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import { PIXELS, toUnit } from '../../src/core/frame.js';
import { loadMnist } from '../../src/data/mnist.js';
import { decodeImage } from '../../src/codecs/decode.js';
import { corruptedImage, strongerMoreOften, TRACKS, TRAINING_TRACKS } from '../../src/samples/corruptions.js';
import { NON_DIGIT_FAMILIES, penLetter } from '../../src/samples/non-digits.js';
import { FONTS_DIR, fillPolygons, loadFont, TRAINING_FONTS, TYPED_FONTS, typedDigit } from '../../src/samples/typed.js';
import { LETTER_FONTS } from '../../src/samples/non-digits.js';
import { Random } from '../../src/core/util/random.js';

const test = suite('benchmark image generators');
const digit = toUnit(loadMnist().test.pixels.subarray(0, PIXELS));

test('every corruption track at every strength gives a decodable image, the same for the same seed', async () => {
  for (const track of TRACKS) {
    for (const s of track.strengths) {
      const a = track.make(digit, s.value, new Random(5));
      const b = track.make(digit, s.value, new Random(5));
      assert.equal(Buffer.compare(Buffer.from(a.bytes), Buffer.from(b.bytes)), 0, `${track.name} ${s.label}`);
      const img = await decodeImage(a.bytes);
      // A digit cropped to its ink (a 1) may be narrow; its longer side is the digit's height.
      assert.ok(Math.max(img.width, img.height) >= 64, `${track.name} ${s.label}`);
    }
  }
});

test('training never draws the held-out tracks, and a with-margin track renders the very crops of its partner', async () => {
  assert.ok(TRAINING_TRACKS.length > 10 && TRAINING_TRACKS.every((t) => !t.heldOut));
  assert.equal(
    TRAINING_TRACKS.map((t) => t.name),
    TRACKS.filter((t) => !['tight-crop', 'tight-crop-with-margin', 'scan-8x8', 'notebook-paper'].includes(t.name)).map((t) => t.name),
  );
  const tight = TRACKS.findIndex((t) => t.name === 'tight-crop');
  const margin = TRACKS.findIndex((t) => t.name === 'tight-crop-with-margin');
  for (let level = 0; level < TRACKS[tight]!.strengths.length; level++) {
    const a = await decodeImage(corruptedImage(tight, level, digit, 7).bytes);
    const b = await decodeImage(corruptedImage(margin, level, digit, 7).bytes);
    const pad = (b.width - a.width) / 2;
    assert.ok(
      pad >= 0.3 * Math.max(a.width, a.height) - 1 && b.height - a.height === 2 * pad,
      `level ${level}: ${a.width}×${a.height} in ${b.width}×${b.height}`,
    );
    // The crop's middle row, found again inside the margin.
    const y = a.height >> 1;
    const row = (img: typeof a, x0: number, yy: number) => Buffer.from(img.data.subarray((yy * img.width + x0) * 4, (yy * img.width + x0 + a.width) * 4));
    assert.equal(Buffer.compare(row(a, 0, y), row(b, pad, y + pad)), 0, `level ${level}`);
  }
});

test('corrupted training digits draw level k of n with weight k + 1: the strongest most often, every level sometimes', () => {
  const rng = new Random(3);
  const counts = [0, 0, 0, 0];
  const draws = 40_000;
  for (let i = 0; i < draws; i++) counts[strongerMoreOften(4, rng)]!++;
  // Expected shares 1/10, 2/10, 3/10, 4/10; a standard error is about 0.0025.
  for (const [k, c] of counts.entries()) assert.ok(Math.abs(c / draws - (k + 1) / 10) < 0.01, `level ${k}: ${c / draws}`);
  assert.is(strongerMoreOften(1, rng), 0);
});

test('a filled square polygon covers its area exactly, half pixels included', () => {
  const cover = fillPolygons(
    [
      [
        [2.5, 2],
        [7.5, 2],
        [7.5, 6],
        [2.5, 6],
      ],
    ],
    10,
    10,
  );
  const area = cover.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(area - 20) < 1e-3, `area ${area}`);
  assert.ok(Math.abs(cover[3 * 10 + 2]! - 0.5) < 1e-6 && cover[3 * 10 + 3] === 1);
});

test('every font used is in data/fonts with its licence, and its SOURCES.tsv line names its package and hash', () => {
  const lines = readFileSync(join(FONTS_DIR, 'SOURCES.tsv'), 'utf8').trim().split('\n').slice(1);
  const sources = new Map(lines.map((l) => l.split('\t')).map(([font, pkg, license, sha]) => [font!, { pkg: pkg!, license: license!, sha: sha! }]));
  for (const font of new Set([...TRAINING_FONTS, ...TYPED_FONTS.print, ...TYPED_FONTS.handwriting])) {
    const source = sources.get(font);
    assert.ok(source, `${font} is not in SOURCES.tsv`);
    assert.match(source.pkg, new RegExp(`^@fontsource/${font}@\\d+\\.\\d+\\.\\d+$`));
    assert.match(source.license, /^(OFL-1\.1|Apache-2\.0|UFL-1\.0)$/);
    assert.is(
      createHash('sha256')
        .update(readFileSync(join(FONTS_DIR, `${font}.woff`)))
        .digest('hex'),
      source.sha,
      `${font}.woff`,
    );
    assert.ok(existsSync(join(FONTS_DIR, `${font}.LICENSE`)), `${font}.LICENSE`);
  }
});

test('typed digits render in every benchmark font', async () => {
  for (const font of [...TYPED_FONTS.handwriting, ...TYPED_FONTS.print]) {
    const img = await decodeImage(typedDigit(loadFont(font), 4, 100, 160, new Random(1)));
    let ink = 0;
    for (let i = 0; i < img.width * img.height; i++) if (img.data[i * 4]! < 128) ink++;
    assert.ok(ink > 100, `${font}: ${ink} ink pixels`);
  }
});

test('training fonts and benchmark fonts are disjoint; every non-digit family draws some ink', () => {
  const bench = new Set<string>([...TYPED_FONTS.handwriting, ...TYPED_FONTS.print]);
  assert.equal(
    TRAINING_FONTS.filter((f) => bench.has(f)),
    [],
  );
  assert.equal(
    LETTER_FONTS.train.filter((f) => LETTER_FONTS.bench.includes(f)),
    [],
    'letters measured in fonts training never saw',
  );
  for (const family of NON_DIGIT_FAMILIES) {
    for (const split of ['train', 'bench'] as const) {
      const img = family.make(new Random(3), split);
      const values = new Set<number>();
      for (let i = 0; i < img.width * img.height; i++) values.add(img.data[i * 4]!);
      assert.ok(values.size > 2, `${family.name} (${split}) has ink`);
    }
  }
});

test('letters drawn by a pen: every letter of the family has a skeleton, each drawing has ink, the same for the same seed', () => {
  const ink = (seed: number) => {
    const img = penLetter(new Random(seed));
    let dark = 0;
    for (let i = 0; i < img.width * img.height; i++) if (Math.min(img.data[i * 4]!, 255 - img.data[i * 4]!) < 128 && img.data[i * 4]! !== img.data[0]) dark++;
    return dark;
  };
  // 600 draws reach each of the 34 letters and their variants many times; a letter without a skeleton throws.
  for (let seed = 0; seed < 600; seed++) assert.ok(ink(seed) > 100, `pen letter ${seed} has ink`);
  assert.equal(penLetter(new Random(5)).data, penLetter(new Random(5)).data);
});

test.run();
