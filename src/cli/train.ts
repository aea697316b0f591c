import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { formatEvaluation } from '../eval/metrics.js';
import type { DigitModel } from '../models/model.js';
import { scoreModel, trainingData } from '../train/common.js';
import { trainKnn } from '../train/knn.js';
import { intList, runCli } from './run.js';

const usage = `npm run train -- --model knn|forest|mlp [--out PATH] [model options]

  --model NAME        knn (PCA + k-nearest neighbours)
  --out PATH          where to write the model JSON (default models/NAME.json)

  knn:    --components 20,30,50  --k 1,3,4,5  --no-deskew   (candidates, chosen on the validation split)`;

runCli(
  usage,
  {
    model: { type: 'string' },
    out: { type: 'string' },
    components: { type: 'string' },
    k: { type: 'string' },
    'no-deskew': { type: 'boolean' },
  },
  ({ values }) => {
    const kind = values.model;
    if (!kind) throw new RangeError(`--model is required\n\n${usage}`);
    const data = trainingData();
    let model: DigitModel;
    if (kind === 'knn') {
      const components = intList(values.components, 'components');
      const ks = intList(values.k, 'k');
      model = trainKnn(data, { ...(components && { components }), ...(ks && { ks }), deskew: !values['no-deskew'] }).model;
    } else {
      throw new RangeError(`unknown --model "${kind}"; expected knn`);
    }
    const { test, predictMsPerImage } = scoreModel(model, data);
    console.log(formatEvaluation(test, `${model.metadata.description}: MNIST test set`, predictMsPerImage));
    const out = values.out ?? `models/${kind}.json`;
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify(model.toJSON(), null, 1) + '\n');
    console.log(`\nwrote ${out}`);
  },
);
