import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { formatEvaluation } from '../eval/metrics.js';
import type { DigitModel } from '../models/model.js';
import { scoreModel, trainingData } from '../train/common.js';
import { trainKnn } from '../train/knn.js';
import { DEFAULT_FOREST, trainForest } from '../train/forest.js';
import { DEFAULT_MLP, trainMlp, type MlpTrainOptions } from '../train/mlp.js';
import { intList, intOption, numberOption, runCli } from './run.js';

const usage = `npm run train -- --model knn|forest|mlp [--out PATH] [model options]

  --model NAME        knn (PCA + k-nearest neighbours), forest (random forest) or mlp (softmax multilayer perceptron)
  --out PATH          where to write the model JSON (default models/NAME.json)

  knn:    --components 20,30,50  --k 1,3,4,5  --no-deskew   (candidates, chosen on the validation split)
  forest: --trees 100  --bins 256 (exact on 8-bit pixels; fewer = quantile bins)  --max-depth 60  --min-leaf 1  --seed 1  --workers 2
  mlp:    --hidden 800 (comma-separated for more layers)  --epochs 60  --batch 128  --lr 0.001
          --weight-decay 0.0001  --patience 15  --seed 1  --workers 2  --limit N (first N training images)
          --no-augment  --resume (continue from the checkpoint PATH.checkpoint)
          Ctrl-C stops after the current batch and writes the best model so far; --resume continues it.`;

runCli(
  usage,
  {
    model: { type: 'string' },
    out: { type: 'string' },
    components: { type: 'string' },
    k: { type: 'string' },
    'no-deskew': { type: 'boolean' },
    hidden: { type: 'string' },
    epochs: { type: 'string' },
    batch: { type: 'string' },
    lr: { type: 'string' },
    'weight-decay': { type: 'string' },
    patience: { type: 'string' },
    seed: { type: 'string' },
    workers: { type: 'string' },
    limit: { type: 'string' },
    'no-augment': { type: 'boolean' },
    resume: { type: 'boolean' },
    trees: { type: 'string' },
    bins: { type: 'string' },
    'max-depth': { type: 'string' },
    'min-leaf': { type: 'string' },
  },
  async ({ values }) => {
    const kind = values.model;
    if (!kind) throw new RangeError(`--model is required\n\n${usage}`);
    const data = trainingData();
    const out = values.out ?? `models/${kind}.json`;
    let model: DigitModel;
    if (kind === 'knn') {
      const components = intList(values.components, 'components');
      const ks = intList(values.k, 'k');
      model = (await trainKnn(data, { ...(components && { components }), ...(ks && { ks }), deskew: !values['no-deskew'] })).model;
    } else if (kind === 'forest') {
      model = (
        await trainForest(data, {
          trees: intOption(values.trees, 'trees', DEFAULT_FOREST.trees),
          bins: intOption(values.bins, 'bins', DEFAULT_FOREST.bins),
          maxDepth: intOption(values['max-depth'], 'max-depth', DEFAULT_FOREST.maxDepth),
          minSamplesLeaf: intOption(values['min-leaf'], 'min-leaf', DEFAULT_FOREST.minSamplesLeaf),
          seed: intOption(values.seed, 'seed', DEFAULT_FOREST.seed),
          workers: intOption(values.workers, 'workers', DEFAULT_FOREST.workers),
        })
      ).model;
    } else if (kind === 'mlp') {
      const options: Partial<MlpTrainOptions> = {
        hidden: intList(values.hidden, 'hidden') ?? DEFAULT_MLP.hidden,
        epochs: intOption(values.epochs, 'epochs', DEFAULT_MLP.epochs),
        batch: intOption(values.batch, 'batch', DEFAULT_MLP.batch),
        lr: numberOption(values.lr, 'lr', DEFAULT_MLP.lr),
        weightDecay: numberOption(values['weight-decay'], 'weight-decay', DEFAULT_MLP.weightDecay),
        patience: intOption(values.patience, 'patience', DEFAULT_MLP.patience),
        seed: intOption(values.seed, 'seed', DEFAULT_MLP.seed),
        workers: intOption(values.workers, 'workers', DEFAULT_MLP.workers),
        ...(values.limit !== undefined && { fitLimit: intOption(values.limit, 'limit', 0) }),
        ...(values['no-augment'] && { augment: null }),
      };
      let stopping = false;
      const onInterrupt = () => {
        if (stopping) process.exit(130);
        stopping = true;
        console.error('\nstopping after this batch; the best model so far will be written (Ctrl-C again to quit now)');
      };
      process.on('SIGINT', onInterrupt);
      const result = await trainMlp(data, options, { shouldStop: () => stopping, checkpointPath: `${out}.checkpoint`, resume: !!values.resume });
      process.off('SIGINT', onInterrupt);
      model = result.model;
      if (result.interrupted) console.log(`interrupted: continue with npm run train -- --model mlp --resume${values.out ? ` --out ${out}` : ''}`);
    } else {
      throw new RangeError(`unknown --model "${kind}"; expected knn, forest or mlp`);
    }
    const { test, predictMsPerImage } = scoreModel(model, data);
    console.log(formatEvaluation(test, `${model.metadata.description}: MNIST test set`, predictMsPerImage));
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify(model.toJSON(), null, 1) + '\n');
    console.log(`\nwrote ${out}`);
  },
);
