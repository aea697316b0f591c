import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import { head, labelsOf, PIXELS, toUnit } from '../../src/core/frame.js';
import { loadMnist } from '../../src/data/mnist.js';
import { auroc } from '../../src/eval/calibration.js';
import { nonDigitSet } from '../../src/eval/refusal.js';
import { fitThresholds, REFUSE_AT_MOST, type ScoredDigits } from '../../src/train/confidence.js';
import { InputTransform } from '../../src/core/features/transform.js';
import { compactModel } from '../../src/core/models/compact-form.js';
import { DigitDetector } from '../../src/core/models/detector.js';
import { Mlp } from '../../src/core/models/mlp.js';
import { combinedDigitness, DigitModel, digitScore, type Confidence } from '../../src/core/models/model.js';
import { parseModel } from '../../src/core/models/registry.js';
import { trainingData } from '../../src/train/common.js';
import { DEFAULT_DETECTOR, trainDetector } from '../../src/train/detector.js';
import { ModelFormatError } from '../../src/core/util/errors.js';
import { Random } from '../../src/core/util/random.js';
import { testMetadata } from '../helpers/models.js';
import { initMlp } from '../../src/train/mlp-steps.js';

const test = suite('digit detector');

const about = { command: 'test', seed: 1, data: {}, trainedOn: 'nothing', hyperparameters: {}, trainSeconds: 0 };
/** A detector that gives every image the same probability of "a digit": 1 / (1 + e^gap). */
function constantDetector(gap: number): DigitDetector {
  const net = new Mlp([PIXELS, 2]);
  net.layers[0]!.b.set([0, gap]);
  return new DigitDetector(net, about);
}
const sure = (gap: number) => 1 / (1 + Math.exp(gap));

const train = head(loadMnist().train, 200);
const x = toUnit(train.pixels);
const classifier = initMlp([PIXELS, 16, 10], 3);
const metadata = testMetadata('mlp', { seed: 3 });
const withConfidence = (c: Partial<Confidence>) =>
  new DigitModel(metadata, new InputTransform(false, null), classifier, {
    temperature: 1,
    refuseBelow: 0,
    fittedOn: 'test',
    figures: {},
    command: 'test',
    ...c,
  });

test('the detector refuses what it doubts is a digit, and lets the rest through: both ways', () => {
  const detector = constantDetector(1); // "a digit" 0.27 for every image
  const p = (m: DigitModel) => m.predictProba(x, 10);
  const strict = withConfidence({ detector, digitBelow: 0.5 });
  assert.equal(strict.refusals(x, 10, p(strict)), new Array(10).fill(true));
  const lenient = withConfidence({ detector, digitBelow: 0.2 });
  assert.equal(lenient.refusals(x, 10, p(lenient)), new Array(10).fill(false));
  // The score is on one scale for both rules: below 1 is refused.
  const scores = strict.digitScores(x, 10, p(strict));
  assert.ok(Math.abs(scores[0]! - sure(1) / 0.5) < 1e-5, `${scores[0]}`);
  // The top-probability rule still refuses on its own.
  const byTop = withConfidence({ refuseBelow: 1, detector, digitBelow: 0.2 });
  assert.equal(byTop.refusals(x, 10, p(byTop)), new Array(10).fill(true));
  // No confidence block: nothing is refused.
  const plain = new DigitModel(metadata, new InputTransform(false, null), classifier);
  assert.equal(plain.refusals(x, 10, p(plain)), new Array(10).fill(false));
});

test('a model with a detector round-trips through its JSON and its compact JSON', () => {
  const detector = new DigitDetector(initMlp([PIXELS, 8, 2], 5), about);
  const model = withConfidence({ refuseBelow: 0.4, detector, digitBelow: 0.3 });
  const again = parseModel(JSON.stringify(model.toJSON()));
  assert.is(again.confidence?.digitBelow, 0.3);
  assert.equal(Array.from(again.confidence!.detector!.digitness(x, 20)), Array.from(detector.digitness(x, 20)));
  assert.equal(again.confidence!.detector!.about, about);
  const compact = parseModel(JSON.stringify(compactModel(model)));
  const full = detector.digitness(x, 20);
  const small = compact.confidence!.detector!.digitness(x, 20);
  for (let i = 0; i < 20; i++) assert.ok(Math.abs(full[i]! - small[i]!) < 0.05, `row ${i}: ${full[i]} vs ${small[i]}`);
});

test('a damaged detector block is a ModelFormatError that says what is wrong', () => {
  const json = JSON.parse(JSON.stringify(withConfidence({ refuseBelow: 0.4, detector: constantDetector(0), digitBelow: 0.3 }).toJSON())) as {
    confidence: Record<string, unknown>;
  };
  const bad = (confidence: Record<string, unknown>, message: RegExp) =>
    assert.throws(
      () => parseModel(JSON.stringify({ ...json, confidence }), 'd.json'),
      (e: Error) => e instanceof ModelFormatError && message.test(e.message),
    );
  const detector = json.confidence.detector as Record<string, unknown>;
  bad({ ...json.confidence, digitBelow: undefined }, /d\.json: invalid model: a "confidence" with a detector needs a digitBelow/);
  bad({ ...json.confidence, digitBelow: 2 }, /needs a digitBelow between 0 and 1/);
  bad({ ...json.confidence, detector: { ...detector, name: 'mlp' } }, /expected a digit-detector block/);
  bad({ ...json.confidence, detector: { ...detector, network: initMlp([PIXELS, 10], 1).toJSON() } }, /the MLP's last layer must have 2 outputs/);
});

test('one combined rule: the log-odds of "a digit" and of the top probability added, chosen when it refuses more', () => {
  assert.ok(Math.abs(combinedDigitness(0.5, 0.8, 2) - 0.8) < 1e-9, 'an even top probability adds nothing');
  assert.ok(Math.abs(combinedDigitness(0.9, 0.5, 1) - 0.9) < 1e-9, 'an even "a digit" adds nothing');
  assert.ok(combinedDigitness(0.6, 0.6, 1) < combinedDigitness(0.6, 0.6, 2), 'the weight counts');
  assert.ok(combinedDigitness(1, 1, 3) <= 1 && combinedDigitness(0, 0, 3) > 0, 'certain inputs stay finite');
  assert.is(digitScore(0.6, 0.6, 0, 0.8, 1), combinedDigitness(0.6, 0.6, 1) / 0.8);
  const rng = new Random(6);
  const n = 2000;
  // Digits: each score is sometimes low, but never both; non-digits: both middling, neither alone below a digit's lows.
  const digits: ScoredDigits = {
    top: Array.from({ length: n }, (_, i) => (i % 50 === 0 ? 0.5 : 1 - 0.05 * rng.next())),
    digitness: Float32Array.from({ length: n }, (_, i) => (i % 50 === 25 ? 0.4 : 1 - 0.05 * rng.next())),
  };
  const others = { top: new Array(400).fill(0.7), digitness: new Float32Array(400).fill(0.7), blank: 0 };
  const fitted = fitThresholds([digits], others);
  assert.ok(fitted.topWeight !== undefined && fitted.refuseBelow === 0, JSON.stringify(fitted));
  assert.is(fitted.nonDigitsRefused, 1);
  const score = (s: ScoredDigits) => s.top.map((t, i) => digitScore(t, s.digitness![i]!, fitted.refuseBelow, fitted.digitBelow, fitted.topWeight));
  assert.ok(score(digits).filter((v) => v < 1).length <= REFUSE_AT_MOST * n);
  // Neither rule alone refuses these non-digits without refusing the 2% of digits low on it.
  const twoRules = fitThresholds([digits], { ...others, digitness: others.digitness.map(() => 1) });
  assert.is(twoRules.nonDigitsRefused, 0);
  // The model applies it, and its JSON keeps it; a bad weight is named.
  const model = withConfidence({ detector: constantDetector(-1), digitBelow: 0.9, topWeight: 1.5 });
  const again = parseModel(JSON.stringify(model.toJSON()));
  assert.is(again.confidence?.topWeight, 1.5);
  const p = model.predictProba(x, 10);
  assert.equal(again.digitScores(x, 10, again.predictProba(x, 10)), model.digitScores(x, 10, p));
  model.digitScores(x, 10, p).forEach((v, r) => {
    const expected = combinedDigitness(Math.max(...p.subarray(r * 10, r * 10 + 10)), sure(-1), 1.5) / 0.9;
    assert.ok(Math.abs(v - expected) < 1e-6, `row ${r}: ${v} vs ${expected}`);
  });
  const json = JSON.parse(JSON.stringify(model.toJSON()));
  assert.throws(
    () => parseModel(JSON.stringify({ ...json, confidence: { ...json.confidence, topWeight: -1 } }), 'w.json'),
    (e: Error) => e instanceof ModelFormatError && /w\.json: invalid model: a "confidence" topWeight must be a positive number/.test(e.message),
  );
  const { detector: _detector, ...withoutDetector } = json.confidence;
  assert.throws(
    () => parseModel(JSON.stringify({ ...json, confidence: withoutDetector }), 'w.json'),
    (e: Error) => e instanceof ModelFormatError && /topWeight combines a detector's score, and there is no detector/.test(e.message),
  );
});

test('the thresholds: the detector share that refuses most non-digits, never more digits refused than allowed', () => {
  const rng = new Random(4);
  const n = 2000;
  // Digits: sure of their class, and the detector sure they are digits, with a few doubtful ones of each.
  const digits: ScoredDigits = {
    top: Array.from({ length: n }, () => 1 - 0.3 * rng.next() ** 8),
    digitness: Float32Array.from({ length: n }, () => 1 - 0.5 * rng.next() ** 8),
  };
  // Non-digits: half the top-probability rule sees (low top), half only the detector sees (confident top, low digitness).
  const others = {
    top: Array.from({ length: 400 }, (_, i) => (i % 2 ? 0.3 : 0.99)),
    digitness: Float32Array.from({ length: 400 }, (_, i) => (i % 2 ? 0.9 : 0.3)),
    blank: 0,
  };
  const fitted = fitThresholds([digits], others);
  assert.ok(fitted.digitBelow > 0.3, `the detector is used: ${fitted.digitBelow}`);
  assert.is(fitted.nonDigitsRefused, 1);
  assert.is(fitted.topWeight, undefined, 'two thresholds: each rule sees its own half');
  const refusedDigits = digits.top.filter((t, i) => digitScore(t, digits.digitness![i]!, fitted.refuseBelow, fitted.digitBelow) < 1).length;
  assert.ok(refusedDigits <= REFUSE_AT_MOST * n, `${refusedDigits} digits refused`);
  // Without a detector only the top-probability rule is fitted: half the non-digits.
  const alone = fitThresholds([{ top: digits.top, digitness: null }], { ...others, digitness: null });
  assert.is(alone.digitBelow, 0);
  assert.is(alone.nonDigitsRefused, 0.5);
});

test('a small detector trained for one epoch tells held-out non-digits from MNIST validation digits', async () => {
  const data = trainingData();
  const detector = await trainDetector(
    data,
    { ...DEFAULT_DETECTOR, hidden: 16, epochs: 1, outliers: 300, corrupted: 0, typed: 0, penLetters: 30, workers: 1 },
    'test',
  );
  const others = nonDigitSet('validation', 200);
  const digits = Array.from(detector.digitness(data.validationX, 1000));
  const area = auroc(digits, Array.from(detector.digitness(others.x, others.n)));
  assert.ok(area > 0.95, `AUROC ${area}`);
  assert.is(labelsOf(data.validation).length, data.validation.n);
  assert.match(detector.about.trainedOn, /300 not digits/);
});

test.run();
