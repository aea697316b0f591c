import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { labelsOf, toUnit } from '../core/frame.js';
import { loadMnist } from '../data/mnist.js';
import { mistakesPng } from '../eval/gallery.js';
import { formatEvaluation, timedEvaluation } from '../eval/metrics.js';
import { BEST_MODEL_PATH, loadModel } from '../io/model-file.js';
import { runCli } from './run.js';

const usage = `npm run evaluate -- [--model PATH] [--json] [--gallery PNG]

  Measures a model on MNIST's test set; it writes nothing unless asked (--gallery).
  --model PATH    model JSON to evaluate (default ${BEST_MODEL_PATH})
  --json          print one JSON object: model, accuracy, ci95, perClass, confusion, mostConfused, msPerImage
  --gallery PNG   write the misclassified digits there, most confident mistakes first

  Calibration and the digit detector are steps of training: npm run train -- … --calibrate [--detector].`;

runCli(usage, { model: { type: 'string' }, json: { type: 'boolean' }, gallery: { type: 'string' } }, async ({ values }) => {
  const path = values.model ?? BEST_MODEL_PATH;
  const model = loadModel(path);
  const { test } = loadMnist();
  const { evaluation: e, msPerImage } = timedEvaluation(model, toUnit(test.pixels), labelsOf(test));
  const gallery = values.gallery;
  if (gallery) {
    mkdirSync(dirname(gallery), { recursive: true });
    writeFileSync(gallery, mistakesPng(test, e));
  }
  if (values.json) {
    const { predictions: _p, confidences: _c, ...rest } = e;
    console.log(
      JSON.stringify({ model: { path, kind: model.metadata.kind, description: model.metadata.description }, ...rest, msPerImage, ...(gallery && { gallery }) }),
    );
  } else {
    console.log(formatEvaluation(e, `${model.metadata.description} (${path}): MNIST test set`, msPerImage));
    if (gallery) console.log(`\nmisclassified gallery (most confident mistakes first): ${gallery}`);
  }
});
