import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, basename } from 'node:path';
import { labelsOf, toUnit } from '../data/frame.js';
import { loadMnist } from '../data/mnist.js';
import { mistakesPng } from '../eval/gallery.js';
import { formatEvaluation, timedEvaluation } from '../eval/metrics.js';
import { BEST_MODEL_PATH, loadModel, saveModel } from '../io/model-file.js';
import { fitConfidence, REFUSE_AT_MOST } from '../eval/refusal.js';
import { commandLine, metricsOf, trainingData } from '../train/common.js';
import { runCli } from './run.js';

const usage = `npm run evaluate -- [--model PATH] [--json] [--gallery PNG] [--record] [--calibrate]

  --model PATH    model JSON to evaluate (default ${BEST_MODEL_PATH})
  --json          print one JSON object: model, accuracy, ci95, perClass, confusion, mostConfused, msPerImage
  --gallery PNG   where to write the misclassified-digit gallery (default benchmarks/misclassified-NAME.png)
  --record        store the test metrics (accuracy, CI, confusion matrix) in the model file's metadata
  --calibrate     fit the temperature (on MNIST's validation split) and the "not a digit" threshold (refusing
                  at most ${REFUSE_AT_MOST * 100}% of validation digits, MNIST's and drawn ones) and store both in the model file`;

runCli(usage, { model: { type: 'string' }, json: { type: 'boolean' }, gallery: { type: 'string' }, record: { type: 'boolean' }, calibrate: { type: 'boolean' } }, async ({ values }) => {
  const path = values.model ?? BEST_MODEL_PATH;
  const model = loadModel(path);
  if (values.calibrate) {
    model.confidence = await fitConfidence(model, trainingData(), commandLine());
    saveModel(model, path);
    console.error(`calibrated ${path}: temperature ${model.confidence.temperature}, "not a digit" below ${model.confidence.refuseBelow}; ${JSON.stringify(model.confidence.figures)}`);
  }
  const { test } = loadMnist();
  const { evaluation: e, msPerImage } = timedEvaluation(model, toUnit(test.pixels), labelsOf(test));
  const gallery = values.gallery ?? `benchmarks/misclassified-${basename(path, '.json')}.png`;
  mkdirSync(dirname(gallery), { recursive: true });
  writeFileSync(gallery, mistakesPng(test, e));
  if (values.record) {
    model.metadata.metrics.test = { ...metricsOf(e), confusion: e.confusion };
    // The parameters still come from model.metadata.command; say what added these figures.
    model.metadata.notes = { ...model.metadata.notes, testMetricsRecordedBy: commandLine() };
    saveModel(model, path);
  }
  if (values.json) {
    const { predictions: _p, confidences: _c, ...rest } = e;
    console.log(JSON.stringify({ model: { path, kind: model.metadata.kind, description: model.metadata.description }, ...rest, msPerImage, gallery }));
  } else {
    console.log(formatEvaluation(e, `${model.metadata.description} (${path}): MNIST test set`, msPerImage));
    console.log(`\nmisclassified gallery (most confident mistakes first): ${gallery}`);
  }
});
