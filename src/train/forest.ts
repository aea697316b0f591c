import { availableParallelism } from 'node:os';
import { labelsOf, PIXELS } from '../core/frame.js';
import { evaluate } from '../eval/metrics.js';
import { deskew } from '../core/features/deskew.js';
import { InputTransform } from '../core/features/transform.js';
import { binFeatures, treeSeed, type BinnedData, type TreeArrays } from '../core/models/forest-tree.js';
import { DEFAULT_FOREST_OPTIONS, RandomForest, treeOptions, type ForestOptions } from '../core/models/forest.js';
import { DigitModel } from '../core/models/model.js';
import { workerPool } from '../io/worker.js';
import { baseMetadata, validationMetrics, type TrainingData } from './common.js';
import { reporter, type TrainHooks } from './hooks.js';

export interface ForestTrainOptions extends ForestOptions {
  workers: number;
  /** Trees per candidate input when choosing raw vs deskewed pixels on the validation split. */
  searchTrees: number;
}

export const DEFAULT_FOREST: ForestTrainOptions = { ...DEFAULT_FOREST_OPTIONS, workers: availableParallelism(), searchTrees: 30 };

/** binFeatures into shared memory, so every thread reads the same bytes. */
export function binShared(x: Float32Array, n: number, d: number, bins: number, labels: Uint8Array): BinnedData {
  return binFeatures(x, n, d, bins, labels, (bytes) => new Uint8Array(new SharedArrayBuffer(bytes)));
}

/** Grows `o.trees` trees on a pool of worker threads sharing the binned data: the trees RandomForest.fit grows. */
export async function growForest(data: BinnedData, o: ForestTrainOptions, hooks: TrainHooks = {}, task = 'random forest'): Promise<RandomForest> {
  const pool = workerPool(new URL('./forest-task.ts', import.meta.url), {
    workerData: {
      binned: data.binned.buffer,
      labels: data.labels.buffer,
      levelLow: data.levelLow.buffer,
      levelHigh: data.levelHigh.buffer,
      n: data.n,
      features: data.features,
      bins: data.bins,
    },
    minThreads: o.workers,
    maxThreads: o.workers,
  });
  const options = treeOptions(o, data.features);
  const report = reporter(hooks, task, o.trees);
  let done = 0;
  try {
    const trees = await Promise.all(
      Array.from({ length: o.trees }, async (_, t) => {
        const tree = (await pool.run({ options, seed: treeSeed(o.seed, t) })) as TreeArrays;
        report.step(++done);
        return tree;
      }),
    );
    report.end();
    return new RandomForest(data.features, trees);
  } finally {
    await pool.destroy();
  }
}

export interface ForestSearchRow {
  input: string;
  trees: number;
  validationAccuracy: number;
}

/**
 * Chooses raw or deskewed pixels on the validation split (with `searchTrees` trees each), then grows the
 * full forest on all 60,000 training images.
 */
export async function trainForest(
  data: TrainingData,
  options: Partial<ForestTrainOptions> = {},
  hooks: TrainHooks = {},
): Promise<{ model: DigitModel; search: ForestSearchRow[]; growSeconds: number }> {
  const o = { ...DEFAULT_FOREST, ...options };
  const start = performance.now();
  const search: ForestSearchRow[] = [];
  for (const useDeskew of [false, true]) {
    const fitX = useDeskew ? deskew(data.fitX, data.fit.n) : data.fitX;
    const valX = useDeskew ? deskew(data.validationX, data.validation.n) : data.validationX;
    const forest = await growForest(
      binShared(fitX, data.fit.n, PIXELS, o.bins, labelsOf(data.fit)),
      { ...o, trees: o.searchTrees },
      hooks,
      `forest search (${useDeskew ? 'deskew' : 'raw'})`,
    );
    const accuracy = evaluate(forest.predictProba(valX, data.validation.n), labelsOf(data.validation)).accuracy;
    search.push({ input: useDeskew ? 'deskewed pixels' : 'raw pixels', trees: o.searchTrees, validationAccuracy: accuracy });
  }
  const best = search.reduce((a, b) => (b.validationAccuracy > a.validationAccuracy ? b : a));
  const useDeskew = best.input === 'deskewed pixels';
  const trainX = useDeskew ? deskew(data.trainX, data.mnist.train.n) : data.trainX;
  const growStart = performance.now();
  const forest = await growForest(binShared(trainX, data.mnist.train.n, PIXELS, o.bins, labelsOf(data.mnist.train)), o, hooks);
  const growSeconds = (performance.now() - growStart) / 1000;
  const input = new InputTransform(useDeskew, null);
  const model = new DigitModel(
    baseMetadata(data, {
      kind: RandomForest.kind,
      description: `random forest of ${o.trees} trees on ${best.input}, Gini, ${o.bins} bins`,
      seed: o.seed,
      preprocessing: input.describe(),
      hyperparameters: {
        trees: o.trees,
        bins: o.bins,
        maxDepth: o.maxDepth,
        minSamplesLeaf: o.minSamplesLeaf,
        featuresPerSplit: o.featuresPerSplit ?? Math.round(Math.sqrt(PIXELS)),
        bootstrap: true,
        nodes: forest.nodeCount,
        workers: o.workers,
        trainedOn: 'all 60,000 training images',
        fullForestSeconds: Number(growSeconds.toFixed(2)),
      },
      trainSeconds: (performance.now() - start) / 1000,
      // Measured with the search forest (fewer trees, 55,000 images), before the final fit.
      metrics: { validation: validationMetrics(best.validationAccuracy, data.validation.n) },
      notes: { inputSearch: search },
    }),
    input,
    forest,
  );
  return { model, search, growSeconds };
}
