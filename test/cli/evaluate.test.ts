import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PIXELS } from '../../src/core/frame.js';
import { InputTransform } from '../../src/core/features/transform.js';
import { DigitModel } from '../../src/core/models/model.js';
import { saveModel } from '../../src/io/model-file.js';
import { runScript } from '../helpers/cli.js';
import { testMetadata } from '../helpers/models.js';
import { initMlp } from '../../src/train/mlp-steps.js';

const test = suite('evaluate CLI');
const dir = mkdtempSync(join(tmpdir(), 'evaluate-'));
const file = join(dir, 'model.json');
// A small untrained MLP: what is measured here is the command, not the model.
const metadata = testMetadata('mlp', { description: 'an untrained MLP' });
saveModel(new DigitModel(metadata, new InputTransform(false, null), initMlp([PIXELS, 16, 10], 1)), file);

test('measures on MNIST test and writes nothing: the model file and benchmarks/ are untouched', () => {
  const model = readFileSync(file);
  const charts = readdirSync('benchmarks');
  const r = runScript('src/cli/evaluate.ts', ['--model', file, '--json']);
  assert.is(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.is(out.model.path, file);
  assert.is(out.n, 10_000);
  assert.ok(out.accuracy >= 0 && out.accuracy <= 1);
  assert.is(out.confusion.length, 10);
  assert.is(out.perClass.length, 10);
  assert.is(out.gallery, undefined);
  assert.ok(readFileSync(file).equals(model), 'the model file changed');
  assert.equal(readdirSync('benchmarks'), charts);
});

test('--gallery writes the misclassified digits where it is told; the text report names it', () => {
  const gallery = join(dir, 'sub', 'mistakes.png');
  const r = runScript('src/cli/evaluate.ts', ['--model', file, '--gallery', gallery]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /MNIST test set/);
  assert.match(r.stdout, new RegExp(`misclassified gallery .*: ${gallery}`));
  assert.ok(existsSync(gallery));
  assert.equal([...readFileSync(gallery).subarray(1, 4)], [0x50, 0x4e, 0x47]);
});

test('the old fitting flags are gone (training fits), and a bad model file is named', () => {
  const old = runScript('src/cli/evaluate.ts', ['--model', file, '--calibrate']);
  assert.is(old.code, 2);
  assert.match(old.stderr, /Unknown option '--calibrate'/);
  assert.match(old.stderr, /npm run train -- … --calibrate/);
  const missing = runScript('src/cli/evaluate.ts', ['--model', join(dir, 'nope.json')]);
  assert.is(missing.code, 1);
  assert.match(missing.stderr, /nope\.json/);
});

test.run();
