import { loadModel } from '../../src/io/model-file.js';
import type { DigitModel } from '../../src/core/models/model.js';

/** The served model with a refusal threshold no answer reaches: every image with ink is "not a digit". */
export function refusingModel(): DigitModel {
  const model = loadModel();
  model.confidence = { temperature: 1, refuseBelow: 1, fittedOn: 'test: refuses everything', figures: {}, command: 'test' };
  return model;
}
