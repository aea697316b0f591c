import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, basename } from 'node:path';
import { labelsOf, toUnit } from '../data/frame.js';
import { loadMnist } from '../data/mnist.js';
import { mistakesPng } from '../eval/gallery.js';
import { formatEvaluation, timedEvaluation } from '../eval/metrics.js';
import { BEST_MODEL_PATH, loadModel, saveModel } from '../io/model-file.js';
import { fitConfidence, REFUSE_AT_MOST } from '../eval/refusal.js';
import { commandLine, metricsOf, trainingData } from '../train/common.js';
import { DEFAULT_DETECTOR, trainDetector } from '../train/detector.js';
import { progressBars } from './progress.js';
import { runCli } from './run.js';
import { InputError } from '../util/errors.js';

const usage = `npm run evaluate -- [--model PATH] [--json] [--gallery PNG] [--record] [--calibrate [--detector]]

  --model PATH    model JSON to evaluate (default ${BEST_MODEL_PATH})
  --json          print one JSON object: model, accuracy, ci95, perClass, confusion, mostConfused, msPerImage
  --gallery PNG   where to write the misclassified-digit gallery (default benchmarks/misclassified-NAME.png)
  --record        store the test metrics (accuracy, CI, confusion matrix) in the model file's metadata
  --calibrate     fit the temperature (on MNIST's validation split) and the "not a digit" threshold (refusing
                  at most ${REFUSE_AT_MOST * 100}% of validation digits, MNIST's and drawn ones) and store both in the model file
  --detector      with --calibrate: first train a digit detector (an MLP ${DEFAULT_DETECTOR.hidden} hidden units wide telling digits
                  from non-digits, seed ${DEFAULT_DETECTOR.seed}; about ten minutes, most of it rendering its training images)
                  whose "a digit" probability is a second refusal rule, fitted together with the first; without it, a
                  detector already in the model file is kept`;

runCli(
  usage,
  {
    model: { type: 'string' },
    json: { type: 'boolean' },
    gallery: { type: 'string' },
    record: { type: 'boolean' },
    calibrate: { type: 'boolean' },
    detector: { type: 'boolean' },
  },
  async ({ values }) => {
    const path = values.model ?? BEST_MODEL_PATH;
    const model = loadModel(path);
    if (values.detector && !values.calibrate) throw new InputError('--detector trains a detector for --calibrate: give both');
    if (values.calibrate) {
      const data = trainingData();
      const detector = values.detector
        ? await trainDetector(data, DEFAULT_DETECTOR, commandLine(), { onProgress: progressBars() })
        : model.confidence?.detector;
      model.confidence = await fitConfidence(model, data, commandLine(), detector);
      saveModel(model, path);
      const c = model.confidence;
      console.error(
        `calibrated ${path}: temperature ${c.temperature}, "not a digit" below ${c.refuseBelow}${c.detector ? ` or a detector's "a digit" below ${c.digitBelow}` : ''}; ${JSON.stringify(c.figures)}`,
      );
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
  },
);
