import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeCsvZip } from '../../src/data/csv.js';
import { head } from '../../src/core/frame.js';
import { loadMnist } from '../../src/data/mnist.js';
import { runScript } from '../helpers/cli.js';

const test = suite('data CLI');

test('--describe --from a course zip prints a summary per CSV', () => {
  const dir = mkdtempSync(join(tmpdir(), 'data-'));
  const zip = join(dir, 'mnist_data.zip');
  const mnist = loadMnist();
  writeFileSync(zip, writeCsvZip({ 'train.csv': head(mnist.train, 50), 'test.csv': head(mnist.test, 20) }));
  const r = runScript('src/cli/data.ts', ['--describe', '--from', zip, '--rows', '1']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /mnist_data\.zip:train\.csv\nshape: \(50, 785\)/);
  assert.match(r.stdout, /mnist_data\.zip:test\.csv\nshape: \(20, 785\)/);
});

test('a zip without CSVs is an error with exit code 1', () => {
  const dir = mkdtempSync(join(tmpdir(), 'data-'));
  const zip = join(dir, 'bad.zip');
  writeFileSync(zip, `PK\u0005\u0006${'\0'.repeat(18)}`);
  const r = runScript('src/cli/data.ts', ['--describe', '--from', zip]);
  assert.is(r.code, 1);
  assert.match(r.stderr, /error: .*bad\.zip: the zip holds no \.csv file/);
});

test.run();
