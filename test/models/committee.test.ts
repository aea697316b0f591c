import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLASSES, PIXELS } from '../../src/core/frame.js';
import { InputTransform } from '../../src/core/features/transform.js';
import { saveModel } from '../../src/io/model-file.js';
import { Committee, type CommitteeJson } from '../../src/core/models/committee.js';
import { compactModel } from '../../src/core/models/compact-form.js';
import { countedDeslant, testMetadata } from '../helpers/models.js';
import { DigitModel, type ModelMetadata } from '../../src/core/models/model.js';
import { parseModel } from '../../src/core/models/registry.js';
import { selectMembers, trainCommittee } from '../../src/train/committee.js';
import { trainingData } from '../../src/train/common.js';
import { initMlp } from '../../src/train/mlp-steps.js';

const test = suite('committee of MLPs');
const data = trainingData();
const x = data.testX.subarray(0, 30 * 784);
const a = initMlp([784, 16, 10], 1);
const b = initMlp([784, 24, 10], 2);

test('its probabilities are the average of its members', () => {
  const c = new Committee([a, b]);
  const [p, q, r] = [a.predictProba(x, 30), b.predictProba(x, 30), c.predictProba(x, 30)];
  for (let i = 0; i < 30 * CLASSES; i++) assert.ok(Math.abs(r[i]! - (p[i]! + q[i]!) / 2) < 1e-7, `entry ${i}`);
  assert.throws(() => new Committee([a]), /at least 2 members/);
  assert.throws(() => new Committee([a, initMlp([50, 8, 10], 3)]), /different inputs/);
});

test('it round-trips through JSON exactly, and its compact form is its members quantised', () => {
  const c = new Committee([a, b]);
  const again = Committee.load(JSON.parse(JSON.stringify(c.toJSON())));
  assert.equal(Array.from(again.predictProba(x, 30)), Array.from(c.predictProba(x, 30)));
  const compact = compactModel(new DigitModel(testMetadata('committee'), new InputTransform(false, null), c))!.classifier as CommitteeJson;
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

/** A member model's metadata, as `npm run train -- --model mlp` writes it. */
const metadataOf = (seed: number): ModelMetadata => ({
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

test('trainCommittee reads member files, records each one, and scores the average on validation', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'committee-'));
  const metadata = metadataOf;
  const files = [a, b].map((net, i) => {
    const file = join(dir, `m${i}.json`);
    saveModel(new DigitModel(metadata(i + 1), new InputTransform(false, null), net), file);
    return file;
  });
  const { model } = await trainCommittee(data, { members: files.join(','), select: false });
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
  await trainCommittee(data, { members: files[0]!, select: false }).catch((e: unknown) => (error = e));
  assert.match(String(error), /at least two MLP model files/);
});

test('members that each see the digit their own way: the committee reads raw pixels and applies each view', async () => {
  const data = trainingData();
  const views = [new InputTransform(false, null), new InputTransform(true, null), new InputTransform(false, null, 12)];
  const nets = views.map((_, k) => initMlp([PIXELS, 6, 10], 10 + k));
  const c = new Committee(nets, views);
  const x = data.validationX.subarray(0, 5 * PIXELS);
  const expected = new Float32Array(5 * CLASSES);
  for (const [k, net] of nets.entries()) {
    const own = net.predictProba(views[k]!.apply(x, 5), 5);
    for (let i = 0; i < own.length; i++) expected[i]! += own[i]! / 3;
  }
  const p = c.predictProba(x, 5);
  for (let i = 0; i < p.length; i++) assert.ok(Math.abs(p[i]! - expected[i]!) < 1e-6);
  const again = Committee.load(JSON.parse(JSON.stringify(c.toJSON())));
  assert.equal(Array.from(again.predictProba(x, 5)), Array.from(p));
  assert.equal(
    again.inputs?.map((t) => t.describe()),
    ['raw pixels', 'deskew', 'raw pixels → width 12 px'],
  );
  assert.throws(() => Committee.load({ ...c.toJSON(), inputs: [views[0]!.toJSON()] }), /one input block per member/);
  // A second deslanted member reads the first one's deslanted input: the view is made once a call.
  const { transform: twin, calls: twinApplied } = countedDeslant();
  const extra = initMlp([PIXELS, 6, 10], 20);
  const four = new Committee([...nets, extra], [...views, twin]).predictProba(x, 5);
  const extraOwn = extra.predictProba(views[1]!.apply(x, 5), 5);
  for (let i = 0; i < four.length; i++) assert.ok(Math.abs(four[i]! - (3 * expected[i]! + extraOwn[i]!) / 4) < 1e-6);
  assert.is(twinApplied(), 0);
  // From files: members with other views make such a committee; --select keeps what validation favours.
  const dir = mkdtempSync(join(tmpdir(), 'committee-views-'));
  const about = (seed: number) => ({ ...metadataOf(seed), preprocessing: views[seed % 3]!.describe() });
  const files = nets.map((net, k) => {
    const file = join(dir, `v${k}.json`);
    saveModel(new DigitModel(about(k), views[k]!, net), file);
    return file;
  });
  const { model } = await trainCommittee(data, { members: files.join(','), select: true });
  assert.ok(model.classifier instanceof Committee && model.classifier.inputs !== null);
  assert.is(model.input.describe(), 'raw pixels');
  const steps = model.metadata.notes?.selection as { members: string[]; validationAccuracy: number; testAccuracy: number }[];
  assert.ok(steps.length >= 2 && steps.length <= 3);
  assert.is(steps[steps.length - 1]!.validationAccuracy, model.metadata.metrics.validation!.accuracy);
  // --keep: the member named stays and comes first, listed once though --members names it too; it needs --select.
  // Kept here with a temperature of its own, which the committee does not apply: the selection must not either.
  const calibrated = new DigitModel(about(2), views[2]!, nets[2]!, { temperature: 4, refuseBelow: 0, fittedOn: 'test', figures: {}, command: 'test' });
  saveModel(calibrated, files[2]!);
  const kept = await trainCommittee(data, { members: files.join(','), select: true, keep: files[2]! });
  const keptSteps = kept.model.metadata.notes?.selection as { members: string[]; validationLoss: number }[];
  assert.equal(keptSteps[0]!.members, [files[2]!]);
  const own = nets[2]!.predictProba(views[2]!.apply(data.validationX, data.validation.n), data.validation.n);
  let loss = 0;
  for (let r = 0; r < data.validation.n; r++) loss -= Math.log(Math.max(own[r * CLASSES + data.validation.labels![r]!]!, 1e-12));
  assert.is(keptSteps[0]!.validationLoss, Number((loss / data.validation.n).toFixed(5)), "the kept member's raw probabilities");
  assert.is((kept.model.metadata.hyperparameters.selectedFrom as string[]).length, 3);
  let error: unknown;
  await trainCommittee(data, { members: files.join(','), select: false, keep: files[2]! }).catch((e: unknown) => (error = e));
  assert.match(String(error), /--keep .* needs --select/);
});

test('forward selection by validation log-loss: the best member first, then whoever helps most; it stops when none helps', () => {
  // Three "members" over four rows whose label is 0: member 0 right on rows 0-2, member 1 on rows 2-3, member 2 never.
  const labels = Uint8Array.from([0, 0, 0, 0]);
  // Member k gives the true class `sure` on the rows it gets right and `unsure` on the others (the rest to class 1).
  const member = (right: number[], sure: number, unsure: number) => {
    const p = new Float32Array(4 * CLASSES);
    for (let r = 0; r < 4; r++) {
      const t = right.includes(r) ? sure : unsure;
      p[r * CLASSES] = t;
      p[r * CLASSES + 1] = 1 - t;
    }
    return p;
  };
  // Member 0 is best alone; member 1, very sure where member 0 is wrong, lowers the pair's loss; member 2 only hurts.
  const validation = [member([0, 1, 2], 0.9, 0.4), member([2, 3], 0.99, 0.45), member([], 0, 0.4)];
  assert.equal(selectMembers(validation, labels), [0, 1]);
  // Member 2 kept whatever it costs (--keep): the selection adds to it what lowers the loss, and still stops.
  assert.equal(selectMembers(validation, labels, [2]), [2, 0, 1]);
  // --most 2: the selection stops at two members, though a third would still help.
  assert.equal(selectMembers(validation, labels, [2], 2), [2, 0]);
});

test.run();
