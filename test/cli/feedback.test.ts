import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/feedback/store.js';
import { runScript } from '../helpers/cli.js';
import { correction } from '../helpers/feedback-contract.js';

const test = suite('feedback CLI');
const dir = mkdtempSync(join(tmpdir(), 'feedback-cli-'));
const env = { FEEDBACK_DB: join(dir, 'f.db'), DATABASE_URL: '' };

test('--list, --export and --clear work on the store FEEDBACK_DB names', async () => {
  const store = await openStore({ databaseUrl: '', path: env.FEEDBACK_DB });
  await store.add(correction(9, 7, 1));
  await store.add(correction(8, null, 4));
  await store.close();
  const list = runScript('src/cli/feedback.ts', ['--list'], env);
  assert.is(list.code, 0, list.stderr);
  assert.match(list.stdout, /2 corrections in the sqlite store/);
  assert.match(list.stdout, /#1 .* model said 1 \(91%\), right: 7/);
  assert.match(list.stdout, /#2 .* right: not a digit/);
  const file = join(dir, 'out.jsonl');
  assert.is(runScript('src/cli/feedback.ts', ['--export', file], env).code, 0);
  const rows = readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { label: number | null; input: string });
  assert.equal(
    rows.map((r) => r.label),
    [7, null],
  );
  assert.equal([...Buffer.from(rows[0]!.input, 'base64')].slice(0, 3), [9, 9, 9]);
  assert.is(Buffer.from(rows[0]!.input, 'base64').length, 784);
  const clear = runScript('src/cli/feedback.ts', ['--clear'], env);
  assert.match(clear.stdout, /deleted 2 corrections/);
  assert.match(runScript('src/cli/feedback.ts', ['--list'], env).stdout, /^0 corrections/);
});

test('no action, two actions, or a bad --limit are clear errors', () => {
  for (const args of [[], ['--list', '--clear'], ['--list', '--limit', 'lots']]) {
    const r = runScript('src/cli/feedback.ts', args, env);
    assert.is(r.code, 1, args.join(' '));
    assert.match(r.stderr, /^error: (give one of --list, --export FILE or --clear|--limit must be a whole number)/m);
  }
});

test.run();
