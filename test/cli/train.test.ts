import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel } from '../../src/io/model-file.js';
import { parseArgs } from 'node:util';
import { membersPlan } from '../../src/cli/members-spec.js';
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

test('--members-spec prints one checked command per member and the assembly, and trains nothing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spec-'));
  const spec = join(dir, 'members.json');
  writeFileSync(
    spec,
    JSON.stringify({
      options: { hidden: 800, epochs: 150 },
      members: [{ seed: 11 }, { seed: 12, deslant: true }, { seed: 13, width: 16, deslant: false }],
      dir: 'out dir',
    }),
  );
  const r = runScript('src/cli/train.ts', ['--model', 'committee', '--members-spec', spec]);
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.is(lines.length, 4);
  // Each member's command, read back as the train command reads it, is that member's MLP run.
  const seen = lines.slice(0, 3).map((line) => {
    const argv = line
      .replace(/^npm run train -- /, '')
      .match(/'[^']*'|\S+/g)!
      .map((w) => w.replace(/^'|'$/g, ''));
    return args(argv) as { row: { name: string }; options: Record<string, unknown>; out: string };
  });
  assert.equal(
    seen.map((s) => [s.row.name, s.options.hidden, s.options.epochs, s.options.seed, s.options.deslant, s.options.width, s.out]),
    [
      ['mlp', [800], 150, 11, false, undefined, 'out dir/member-1.json'],
      ['mlp', [800], 150, 12, true, undefined, 'out dir/member-2.json'],
      ['mlp', [800], 150, 13, false, 16, 'out dir/member-3.json'],
    ],
  );
  assert.is(
    lines[3],
    "npm run train -- --model committee --select --members 'out dir/member-1.json,out dir/member-2.json,out dir/member-3.json' --out models/committee.json",
  );
  assert.equal(readdirSync(dir), ['members.json'], 'nothing trained or written');
  // A committee to serve: its assembly fits the refusal with a digit detector.
  const served = membersPlan(JSON.stringify({ members: [{ seed: 1 }, { seed: 2 }], calibrate: true }), spec);
  assert.match(served[2]!, / --out models\/committee\.json --calibrate --detector$/);
  // A member the selection must keep (the outlier-exposed one) is named by its file.
  const kept = membersPlan(JSON.stringify({ members: [{ seed: 1 }, { seed: 2, outliers: 30000 }, { seed: 3 }], keep: [2], most: 2 }), spec);
  assert.match(kept[3]!, /^npm run train -- --model committee --select --keep models\/members\/member-2\.json --most 2 --members /);
  // A member's mistake is found now, named by its place, rather than after hours of training the others.
  writeFileSync(spec, JSON.stringify({ members: [{ seed: 1 }, { seed: 2, width: 30 }] }));
  const bad = runScript('src/cli/train.ts', ['--model', 'committee', '--members-spec', spec]);
  assert.is(bad.code, 1);
  assert.match(bad.stderr, 'member 2: --width must be from 8 to 20, got 30');
  for (const [text, problem] of [
    ['{"members": [', 'is not JSON'],
    ['{"members": [{"seed": 1}]}', '"members" must list at least two members'],
    ['{"members": [{"seed": 1}, {"trees": 3}]}', 'member 2: --trees is not an option of mlp'],
    ['{"members": [{"seed": 1}, {"seed": 2}], "epochs": 9}', 'unknown key "epochs"'],
    ['{"members": [{"seed": 1}, {"seed": 2}], "calibrate": "yes"}', '"calibrate" must be true or false'],
    ['{"members": [{"seed": 1}, {"seed": 2}], "keep": [3]}', '"keep" must list members by their place, 1 to 2'],
    ['{"members": [{"seed": 1}, {"seed": 2}], "most": 1}', '"most" must be a whole number of members'],
    ['{"members": [{"seed": 1}, {"seed": 2}], "keep": [1], "select": false}', '"keep" names members the selection must keep'],
  ]) {
    writeFileSync(spec, text!);
    assert.throws(
      () => membersPlan(text!, spec),
      (e: Error) => e.message.includes(problem!),
      problem,
    );
  }
});

test.run();
