import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BEST_MODEL_PATH, describeModelFile, promoteModel, saveModel } from '../../src/io/model-file.js';
import { runScript } from '../helpers/cli.js';
import { refusingModel } from '../helpers/server.js';

const test = suite('promote');
const dir = mkdtempSync(join(tmpdir(), 'promote-'));

test('promoting copies the file over the served one and says what it replaced; the same file again changes nothing', () => {
  const served = join(dir, 'best.json');
  copyFileSync(BEST_MODEL_PATH, served);
  const candidate = join(dir, 'candidate.json');
  saveModel(refusingModel(), candidate);
  const before = describeModelFile(served);
  const r = promoteModel(candidate, served);
  assert.is(r.same, false);
  assert.is(r.replaced, before);
  assert.is(r.now, describeModelFile(candidate));
  assert.ok(readFileSync(served).equals(readFileSync(candidate)));
  assert.match(before, /MNIST test \d+\.\d\d%, sha256 [0-9a-f]{12}…/);
  assert.is(promoteModel(candidate, served).same, true);
  assert.is(promoteModel(candidate, join(dir, 'new', 'best.json')).replaced, null);
});

test('a file that is not a model is refused by name, and the served model stays', () => {
  const served = join(dir, 'kept.json');
  copyFileSync(BEST_MODEL_PATH, served);
  const bad = join(dir, 'truncated.json');
  writeFileSync(bad, readFileSync(BEST_MODEL_PATH).subarray(0, 5000));
  assert.throws(
    () => promoteModel(bad, served),
    (e: Error) => e.message.includes(bad),
  );
  assert.ok(readFileSync(served).equals(readFileSync(BEST_MODEL_PATH)));
});

test('the command: usage without a file, a clear error for a bad one, and the served model itself is no change', () => {
  const before = readFileSync(BEST_MODEL_PATH);
  const none = runScript('src/cli/promote.ts', []);
  assert.is(none.code, 1);
  assert.match(none.stderr, /give one model file to serve/);
  const missing = runScript('src/cli/promote.ts', [join(dir, 'missing.json')]);
  assert.is(missing.code, 1);
  assert.match(missing.stderr, /missing\.json/);
  assert.not.match(missing.stderr, /\n\s+at /);
  const self = runScript('src/cli/promote.ts', [BEST_MODEL_PATH]);
  assert.is(self.code, 0, self.stderr);
  assert.match(self.stdout, /models\/best\.json is already .*: nothing changed/);
  assert.ok(readFileSync(BEST_MODEL_PATH).equals(before));
});

test.run();
