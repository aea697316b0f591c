import { suite } from '../helpers/suite.js';
import { inkOnPaper } from '../../src/core/image/rgba.js';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodePng } from '../../src/codecs/png.js';
import { runScript } from '../helpers/cli.js';
import { digitInk, numberPng } from '../helpers/images.js';

const test = suite('predict CLI');
const dir = mkdtempSync(join(tmpdir(), 'predict-'));
const seven = join(dir, 'seven.png');
writeFileSync(seven, encodePng(inkOnPaper(digitInk(7, 280, 280, { size: 200, brush: 10 }), 280, 280, [0, 0, 0], [255, 255, 255])));
const broken = join(dir, 'broken.png');
writeFileSync(broken, 'not an image');
const blank = join(dir, 'blank.png');
writeFileSync(blank, encodePng(inkOnPaper(new Float32Array(100 * 100), 100, 100, [0, 0, 0], [255, 255, 255])));

test('--json prints one object per file and exits 1 when any file failed', () => {
  const r = runScript('src/cli/predict.ts', ['--json', seven, broken, blank, join(dir, 'missing.png')]);
  assert.is(r.code, 1, r.stderr);
  const lines = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.is(lines.length, 4);
  assert.is(lines[0].file, seven);
  assert.is(lines[0].digit, 7);
  assert.is(lines[0].probabilities.length, 10);
  assert.ok(lines[0].confidence > 0.5);
  assert.match(lines[1].error, /unsupported format/);
  assert.is(lines[2].digit, null);
  assert.match(lines[2].reason, /no digit found/);
  assert.is(lines[3].error, `cannot read image ${join(dir, 'missing.png')}: no such file`);
});

test('--number --json prints {file, number, digits} per file, each digit with its box', () => {
  const number = join(dir, '2026.png');
  writeFileSync(number, numberPng('2026'));
  const r = runScript('src/cli/predict.ts', ['--number', '--json', number, blank]);
  assert.is(r.code, 0, r.stderr);
  const [read, empty] = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.is(read.file, number);
  assert.is(read.number, '2026');
  assert.equal(
    read.digits.map((d: { digit: number }) => d.digit),
    [2, 0, 2, 6],
  );
  assert.ok(read.digits.every((d: { box: { w: number } }) => d.box.w > 0));
  assert.is(empty.number, '');
  assert.match(empty.reason, /no digit found/);
  const text = runScript('src/cli/predict.ts', ['--number', number]);
  assert.match(text.stdout, /2026\.png: 2026 \(2 \d+\.\d%, 0/);
});

test('a good file exits 0; --show writes the input beside the 28×28 the model saw into --out, not beside the input', () => {
  const out = join(dir, 'views');
  const r = runScript('src/cli/predict.ts', ['--show', '--out', out, seven]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /seven\.png: 7 \(\d+\.\d%\)/);
  assert.ok(existsSync(join(out, 'seven.png.seen.png')));
  assert.not.ok(existsSync(`${seven}.seen.png`));
});

test('a folder given as an image is named as one', () => {
  const r = runScript('src/cli/predict.ts', [dir]);
  assert.is(r.code, 1);
  assert.match(r.stderr, /cannot read image .*: it is a directory, not a file/);
});

test('no files, an unknown flag and a bad model are clear errors', () => {
  assert.match(runScript('src/cli/predict.ts', []).stderr, /no image files given/);
  const unknown = runScript('src/cli/predict.ts', ['--frobnicate', seven]);
  assert.is(unknown.code, 2);
  assert.match(unknown.stderr, /Unknown option '--frobnicate'/);
  const badModel = join(dir, 'model.json');
  writeFileSync(badModel, '{"name": "mnist-digit-model", "format": 1, "kind": "mlp", "clas');
  const r = runScript('src/cli/predict.ts', ['--model', badModel, seven]);
  assert.is(r.code, 1);
  assert.match(r.stderr, /error: .*model\.json is not valid JSON \(truncated or damaged\?\)/);
});

test.run();
