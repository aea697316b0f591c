import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLASSES } from '../../src/core/frame.js';
import { InputTransform } from '../../src/core/features/transform.js';
import { saveModel } from '../../src/io/model-file.js';
import { Committee } from '../../src/core/models/committee.js';
import { Mlp } from '../../src/core/models/mlp.js';
import { DigitModel, type ModelMetadata } from '../../src/core/models/model.js';
import { parseModel } from '../../src/core/models/registry.js';
import { trainCommittee } from '../../src/train/committee.js';
import { trainingData } from '../../src/train/common.js';

const test = suite('committee of MLPs');
const data = trainingData();
const x = data.testX.subarray(0, 30 * 784);
const a = Mlp.init([784, 16, 10], 1);
const b = Mlp.init([784, 24, 10], 2);

test('its probabilities are the average of its members', () => {
  const c = new Committee([a, b]);
  const [p, q, r] = [a.predictProba(x, 30), b.predictProba(x, 30), c.predictProba(x, 30)];
  for (let i = 0; i < 30 * CLASSES; i++) assert.ok(Math.abs(r[i]! - (p[i]! + q[i]!) / 2) < 1e-7, `entry ${i}`);
  assert.throws(() => new Committee([a]), /at least 2 members/);
  assert.throws(() => new Committee([a, Mlp.init([50, 8, 10], 3)]), /different inputs/);
});

test('it round-trips through JSON exactly, and its compact form is its members quantised', () => {
  const c = new Committee([a, b]);
  const again = Committee.load(JSON.parse(JSON.stringify(c.toJSON())));
  assert.equal(Array.from(again.predictProba(x, 30)), Array.from(c.predictProba(x, 30)));
  const compact = c.toCompactJSON();
  assert.ok(compact.members.every((m) => m.layers.every((l) => 'wq' in l)));
  assert.ok(Committee.load(compact).predictProba(x, 30).every(Number.isFinite));
});

test('a damaged committee names the member and the problem', () => {
  const j = new Committee([a, b]).toJSON();
  assert.throws(() => Committee.load({ ...j, members: [j.members[0]] }), /at least 2 members/);
  assert.throws(() => Committee.load({ ...j, combine: 'vote' }), /combine must be "mean"/);
  assert.throws(
    () => Committee.load({ ...j, members: [j.members[0], { ...j.members[1], sizes: [784, 24, 9] }] }),
    /committee member 1: invalid model: the MLP's last layer must have 10 outputs/,
  );
});

test('trainCommittee reads member files, records each one, and scores the average on validation', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'committee-'));
  const metadata = (seed: number): ModelMetadata => ({
    kind: 'mlp',
    description: 'softmax MLP 784-16-10, ReLU, test',
    created: '',
    command: `npm run train -- --model mlp --seed ${seed}`,
    seed,
    data: {},
    preprocessing: 'raw pixels scaled to [0,1]',
    hyperparameters: {},
    trainSeconds: 2,
    metrics: {},
  });
  const files = [a, b].map((net, i) => {
    const file = join(dir, `m${i}.json`);
    saveModel(new DigitModel(metadata(i + 1), new InputTransform(false, null), net), file);
    return file;
  });
  const { model } = await trainCommittee(data, { members: files.join(',') });
  assert.is(model.metadata.kind, 'committee');
  assert.is(model.metadata.trainSeconds, 4);
  const members = model.metadata.hyperparameters.members as { file: string; sha256: string; command: string }[];
  assert.equal(
    members.map((m) => m.command),
    ['npm run train -- --model mlp --seed 1', 'npm run train -- --model mlp --seed 2'],
  );
  assert.ok(members.every((m) => /^[0-9a-f]{64}$/.test(m.sha256)));
  // The validation figure is the committee's own.
  const p = model.predictProba(data.validationX, data.validation.n);
  let right = 0;
  for (let r = 0; r < data.validation.n; r++) {
    const row = Array.from(p.subarray(r * CLASSES, (r + 1) * CLASSES));
    if (row.indexOf(Math.max(...row)) === data.validation.labels![r]) right++;
  }
  assert.is(model.metadata.metrics.validation?.accuracy, right / data.validation.n);
  // It saves and loads as a model file like any other.
  assert.is(parseModel(JSON.stringify(model.toJSON())).classifier.name, 'committee');
  let error: unknown;
  await trainCommittee(data, { members: files[0]! }).catch((e: unknown) => (error = e));
  assert.match(String(error), /at least two MLP model files/);
});

test.run();
