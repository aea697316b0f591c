import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel } from '../../src/io/model-file.js';
import { runScript } from '../helpers/cli.js';

// Apart from train.test.ts, and left out of npm run test:unit: the fit renders its 1,640 held-out images (15 s).
const test = suite('train --calibrate');

test('--calibrate is a step of training: the file written has its confidence block, fitted by that command', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'train-')), 'tiny.json');
  const r = runScript('src/cli/train.ts', ['--model', 'mlp', '--hidden', '16', '--epochs', '1', '--limit', '300', '--calibrate', '--out', out]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`wrote ${out}; serve it with npm run promote -- ${out}`));
  const model = loadModel(out);
  assert.is(model.metadata.kind, 'mlp');
  assert.match(model.metadata.command, /--model mlp --hidden 16 --epochs 1 --limit 300 --calibrate/);
  assert.ok(model.metadata.metrics.test && model.metadata.metrics.test.n === 10_000);
  // Calibration is a step of training: the file it writes has its confidence block, fitted by this command.
  const c = model.confidence;
  assert.ok(c, 'no confidence block');
  assert.ok(c.temperature > 0 && c.refuseBelow > 0 && c.refuseBelow < 1, JSON.stringify(c));
  assert.match(c.command, /--calibrate/);
  assert.is(c.detector, undefined);

  // recalibrate fits the block again on the file as it is: the same weights and training command, a new confidence command.
  const again = join(mkdtempSync(join(tmpdir(), 'recal-')), 'again.json');
  const q = runScript('src/cli/train.ts', ['--model', 'recalibrate', '--from', out, '--calibrate', '--out', again]);
  assert.is(q.code, 0, q.stderr);
  const recalibrated = loadModel(again);
  assert.is(recalibrated.metadata.command, model.metadata.command);
  assert.equal(recalibrated.classifier.toJSON(), model.classifier.toJSON());
  assert.match(recalibrated.confidence!.command, /--model recalibrate --from .* --calibrate/);
  assert.is(recalibrated.confidence!.temperature, c.temperature);
});

test.run();
