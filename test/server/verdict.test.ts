import * as assert from 'uvu/assert';
import type { NumberAnswer, PieceAnswer } from '../../src/core/api.js';
import { numberVerdict } from '../../web/src/common.js';
import { suite } from '../helpers/suite.js';

const test = suite('the words under a number');

const piece = (digit: number, confidence: number): PieceAnswer => ({
  digit,
  confidence,
  probabilities: [],
  input: '',
  box: { x: 0, y: 0, w: 1, h: 1 },
});
const answer = (...confidences: number[]): NumberAnswer => ({
  number: confidences.map((_, i) => i).join(''),
  digits: confidences.map((c, i) => piece(i, c)),
});

test('name the least sure digit, or say each is sure when all round to 100%', () => {
  assert.is(numberVerdict(answer(0.999, 0.95, 1)).words, '3 digits, the least sure 95.0%.');
  assert.is(numberVerdict(answer(1, 0.99996)).words, '2 digits, each 100.0% sure.');
  assert.is(numberVerdict(answer(0.8)).words, '1 digit, 80.0% sure.');
});

test.run();
