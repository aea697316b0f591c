import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel } from '../../src/io/model-file.js';
import { MODELS, type OptionSpec } from '../../src/train/table.js';
import { runScript } from '../helpers/cli.js';

const test = suite('train CLI');

test('--help is generated from the model table: every model and every one of its flags', () => {
  const r = runScript('src/cli/train.ts', ['--help']);
  assert.is(r.code, 0, r.stderr);
  for (const row of MODELS) {
    assert.match(r.stdout, `${row.name}: ${row.summary}`);
    for (const spec of Object.values(row.options as Record<string, OptionSpec<unknown>>)) assert.match(r.stdout, `--${spec.flag}`);
  }
  assert.match(r.stdout, /--trees N\s+trees in the forest \(default 100\)/);
  assert.match(r.stdout, /--hidden N,N,…\s+hidden layer sizes \(default 800\)/);
});

test("another model's flag, an unknown model and a bad number are clear errors", () => {
  const foreign = runScript('src/cli/train.ts', ['--model', 'mlp', '--trees', '5']);
  assert.is(foreign.code, 1);
  assert.match(foreign.stderr, /error: --trees is not an option of mlp/);
  assert.match(runScript('src/cli/train.ts', ['--model', 'svm']).stderr, /unknown model "svm"; expected knn, forest, mlp/);
  assert.match(runScript('src/cli/train.ts', ['--model', 'mlp', '--epochs', 'many']).stderr, /--epochs must be an integer, got "many"/);
  assert.match(runScript('src/cli/train.ts', []).stderr, /--model is required/);
  assert.match(runScript('src/cli/train.ts', ['--model', 'knn', '--detector']).stderr, /--detector trains a detector for --calibrate: give both/);
  // The fine-tune on corrections is a model of its own, not a switch of the MLP's.
  assert.match(runScript('src/cli/train.ts', ['--model', 'mlp', '--with-feedback']).stderr, /Unknown option '--with-feedback'/);
  assert.match(runScript('src/cli/train.ts', ['--model', 'feedback', '--hidden', '8']).stderr, /--hidden is not an option of feedback/);
});

test('numbers out of their range are usage errors, before any data is read', () => {
  for (const [flags, message] of [
    [['--batch', '0'], /--batch must be from 1 to 100000, got 0/],
    [['--workers', '0'], /--workers must be from 1 to 64, got 0/],
    [['--hidden', '800,-1'], /--hidden must be from 1 to 100000, got -1/],
    [['--lr', '0'], /--lr must be from 1e-8 to 10, got 0/],
  ] as const) {
    const r = runScript('src/cli/train.ts', ['--model', 'mlp', ...flags]);
    assert.is(r.code, 1);
    assert.match(r.stderr, message);
    assert.not.match(r.stderr, /SharedArrayBuffer|TypeError|at /);
  }
});

test('a short MLP run, calibrated, writes a model that loads, with its command, and a checkpoint beside it', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'train-')), 'tiny.json');
  const r = runScript('src/cli/train.ts', ['--model', 'mlp', '--hidden', '16', '--epochs', '1', '--limit', '300', '--calibrate', '--out', out]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`wrote ${out}; serve it with npm run promote -- ${out}`));
  const model = loadModel(out);
  assert.is(model.metadata.kind, 'mlp');
  assert.match(model.metadata.command, /--model mlp --hidden 16 --epochs 1 --limit 300 --calibrate/);
  assert.ok(existsSync(`${out}.checkpoint`));
  assert.ok(model.metadata.metrics.test && model.metadata.metrics.test.n === 10_000);
  // Calibration is a step of training: the file it writes has its confidence block, fitted by this command.
  const c = model.confidence;
  assert.ok(c, 'no confidence block');
  assert.ok(c.temperature > 0 && c.refuseBelow > 0 && c.refuseBelow < 1, JSON.stringify(c));
  assert.match(c.command, /--calibrate/);
  assert.is(c.detector, undefined);
});

test.run();
