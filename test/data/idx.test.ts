import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import { parseIdxImages, parseIdxLabels } from '../../src/data/idx.js';
import { DataError } from '../../src/core/util/errors.js';

const test = suite('IDX files');

function idxImages(n: number, rows = 28, cols = 28, extra = 0): Uint8Array {
  const b = new Uint8Array(16 + n * rows * cols + extra);
  const v = new DataView(b.buffer);
  v.setUint32(0, 0x803);
  v.setUint32(4, n);
  v.setUint32(8, rows);
  v.setUint32(12, cols);
  for (let i = 16; i < b.length; i++) b[i] = i % 256;
  return b;
}

function idxLabels(labels: number[]): Uint8Array {
  const b = new Uint8Array(8 + labels.length);
  const v = new DataView(b.buffer);
  v.setUint32(0, 0x801);
  v.setUint32(4, labels.length);
  b.set(labels, 8);
  return b;
}

test('parses images and labels', () => {
  assert.is(parseIdxImages(idxImages(3), 'x').length, 3 * 784);
  assert.equal(Array.from(parseIdxLabels(idxLabels([7, 0, 9]), 'y')), [7, 0, 9]);
});

test('a truncated image file names the file and the shortfall', () => {
  const b = idxImages(3).subarray(0, 16 + 784 * 2);
  assert.throws(
    () => parseIdxImages(b, 'train-images'),
    (e: Error) => e instanceof DataError && /train-images.*truncated.*3 images/.test(e.message),
  );
});

test('a file shorter than the header is truncated', () => {
  assert.throws(() => parseIdxLabels(new Uint8Array(5), 'lab'), /truncated/);
});

test('a wrong magic number is refused', () => {
  assert.throws(() => parseIdxImages(idxLabels(new Array(20).fill(1)), 'swapped'), /wrong magic number 0x00000801/);
  assert.throws(() => parseIdxLabels(idxImages(1), 'swapped'), /wrong magic number 0x00000803/);
});

test('labels outside 0..9 and images that are not 28×28 are refused', () => {
  assert.throws(() => parseIdxLabels(idxLabels([1, 12]), 'lab'), /label 12 is outside 0..9/);
  assert.throws(() => parseIdxImages(idxImages(1, 32, 32), 'img'), /32×32, expected 28×28/);
});

test('trailing bytes are an error, not silently ignored', () => {
  assert.throws(() => parseIdxImages(idxImages(1, 28, 28, 5), 'img'), /5 unexpected bytes/);
});

test.run();
