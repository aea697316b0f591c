import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel } from '../../src/io/model-file.js';
import { parseArgs } from 'node:util';
import { flagConfig, trainArgs } from '../../src/cli/train-args.js';
import { MODELS, modelRow, type OptionSpec } from '../../src/train/table.js';
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

/** The flags as the command reads them, checked as it checks them, in this process. */
function args(argv: string[]): unknown {
  const { values } = parseArgs({ args: argv, options: flagConfig(), strict: true });
  return trainArgs(values);
}

test("another model's flag, an unknown model and a bad number are clear errors", () => {
  // Through the command once, for the exit code and the one-line message.
  const foreign = runScript('src/cli/train.ts', ['--model', 'mlp', '--trees', '5']);
  assert.is(foreign.code, 1);
  assert.match(foreign.stderr, /error: --trees is not an option of mlp/);
  assert.not.match(foreign.stderr, /\n\s+at /);
  assert.throws(() => args(['--model', 'svm']), /unknown model "svm"; expected knn, knn-idm, forest, mlp/);
  assert.throws(() => args(['--model', 'mlp', '--epochs', 'many']), /--epochs must be an integer, got "many"/);
  assert.throws(() => args([]), /--model is required/);
  assert.throws(() => args(['--model', 'knn', '--detector']), /--detector trains a detector for --calibrate: give both/);
  // The fine-tune on corrections is a model of its own, not a switch of the MLP's.
  assert.throws(() => args(['--model', 'mlp', '--with-feedback']), /Unknown option '--with-feedback'/);
  assert.throws(() => args(['--model', 'feedback', '--hidden', '8']), /--hidden is not an option of feedback/);
  assert.equal(args(['--model', 'feedback', '--epochs', '2']), { row: modelRow('feedback'), options: { epochs: 2, seed: 1 }, out: 'models/feedback.json' });
});

test('numbers out of their range are usage errors, before any data is read', () => {
  const batch = runScript('src/cli/train.ts', ['--model', 'mlp', '--batch', '0']);
  assert.is(batch.code, 1);
  assert.match(batch.stderr, /--batch must be from 1 to 100000, got 0/);
  assert.not.match(batch.stderr, /SharedArrayBuffer|TypeError|at /);
  for (const [flags, message] of [
    [['--workers', '0'], /--workers must be from 1 to 64, got 0/],
    [['--hidden', '800,-1'], /--hidden must be from 1 to 100000, got -1/],
    [['--lr', '0'], /--lr must be from 1e-8 to 10, got 0/],
  ] as const) {
    assert.throws(() => args(['--model', 'mlp', ...flags]), message);
  }
});

test('a short MLP run writes a model that loads, with its command, and a checkpoint beside it', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'train-')), 'tiny.json');
  const r = runScript('src/cli/train.ts', ['--model', 'mlp', '--hidden', '16', '--epochs', '1', '--limit', '300', '--out', out]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`wrote ${out}; serve it with npm run promote -- ${out}`));
  const model = loadModel(out);
  assert.is(model.metadata.kind, 'mlp');
  assert.match(model.metadata.command, /--model mlp --hidden 16 --epochs 1 --limit 300/);
  assert.ok(existsSync(`${out}.checkpoint`));
  assert.ok(model.metadata.metrics.test && model.metadata.metrics.test.n === 10_000);
  assert.is(model.confidence, null);
});

test.run();
