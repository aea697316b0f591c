import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import { describe, head, splitValidation, take } from '../../src/core/frame.js';
import { loadMnist, sha256 } from '../../src/data/mnist.js';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { mnistDir } from '../../src/data/mnist.js';

const test = suite('data frame and MNIST');
const mnist = loadMnist();

test('MNIST loads as 60,000 + 10,000 labelled digits', () => {
  assert.is(mnist.train.n, 60_000);
  assert.is(mnist.test.n, 10_000);
  assert.is(mnist.train.pixels.length, 60_000 * 784);
  assert.is(mnist.hashes['train-images-idx3-ubyte'], sha256(readFileSync(join(mnistDir(), 'train-images-idx3-ubyte'))));
});

test('a damaged MNIST file stops with its SHA-256 named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mnist-'));
  for (const f of ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'])
    copyFileSync(join(mnistDir(), f), join(dir, f));
  const labels = readFileSync(join(dir, 't10k-labels-idx1-ubyte'));
  labels[100] = (labels[100]! + 1) % 10;
  writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), labels);
  assert.throws(() => loadMnist(dir), /t10k-labels-idx1-ubyte: SHA-256 is [0-9a-f]{64}, expected ff7bcfd4/);
});

test('describe gives shape, class counts, pixel statistics, sparsity and ASCII rows', () => {
  const text = describe(head(mnist.train, 1000), 'train', 2);
  assert.match(text, /shape: \(1000, 785\)/);
  assert.match(text, /zeros \d+\.\d%/);
  assert.match(text, /0: \d+ {2}1: \d+/);
  assert.match(text, /row 1 {2}label 0/);
  assert.match(text, /@@/);
  const counts = [...text.matchAll(/(\d): (\d+)/g)].map((m) => Number(m[2]));
  assert.is(
    counts.reduce((a, b) => a + b, 0),
    1000,
  );
});

test('the validation split is fixed, disjoint and 5,000 images', () => {
  const a = splitValidation(mnist.train);
  const b = splitValidation(mnist.train);
  assert.is(a.validation.n, 5000);
  assert.is(a.fit.n, 55_000);
  assert.equal(a.validation.labels, b.validation.labels);
  const digest = (f: typeof a.fit) => new Set(Array.from({ length: f.n }, (_, i) => Buffer.from(f.pixels.subarray(i * 784, (i + 1) * 784)).toString('base64')));
  const fitSet = digest(
    take(
      a.fit,
      Array.from({ length: 5000 }, (_, i) => i),
    ),
  );
  const shared = [...digest(a.validation)].filter((d) => fitSet.has(d)).length;
  // MNIST has a handful of duplicate images; a leak would share hundreds.
  assert.ok(shared < 5, `${shared} validation images also in the fit sample`);
});

test.run();
