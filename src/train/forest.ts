import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { labelsOf, PIXELS } from '../data/frame.js';
import { evaluate } from '../eval/metrics.js';
import { deskew } from '../features/deskew.js';
import { InputTransform } from '../features/transform.js';
import { progress } from '../cli/progress.js';
import { RandomForest } from '../models/forest.js';
import { DigitModel } from '../models/model.js';
import { baseMetadata, validationMetrics, type TrainingData } from './common.js';
import type { BinnedData, TreeArrays, TreeOptions } from './forest-tree.js';

export interface ForestTrainOptions {
  trees: number;
  /** Bins per feature (≤ 256): 256 is exact on the 8-bit pixel grid; fewer are quantile bins. */
  bins: number;
  maxDepth: number;
  minSamplesLeaf: number;
  /** Default √features. */
  featuresPerSplit?: number;
  seed: number;
  workers: number;
  /** Trees per candidate input when choosing raw vs deskewed pixels on the validation split. */
  searchTrees: number;
  quiet: boolean;
}

export const DEFAULT_FOREST: ForestTrainOptions = { trees: 100, bins: 256, maxDepth: 60, minSamplesLeaf: 1, seed: 1, workers: availableParallelism(), searchTrees: 30, quiet: false };

/**
 * Bins every feature (values in [0,1]) once on the 8-bit grid, row-major: one bin per level when there are
 * at most `bins` distinct levels, quantile bins otherwise. Each bin keeps its lowest and highest level, so a
 * tree stores raw thresholds and prediction needs no bins.
 */
export function binFeatures(x: Float32Array, n: number, d: number, bins: number, labels: Uint8Array): BinnedData {
  if (!Number.isInteger(bins) || bins < 2 || bins > 256) throw new RangeError(`bins must be 2..256, got ${bins}`);
  const binned = new Uint8Array(new SharedArrayBuffer(d * n));
  const levelLow = new Uint8Array(new SharedArrayBuffer(d * bins));
  const levelHigh = new Uint8Array(new SharedArrayBuffer(d * bins));
  const level = (v: number) => Math.max(0, Math.min(255, Math.round(v * 255)));
  const hist = new Uint32Array(256);
  const binOfLevel = new Uint8Array(256);
  for (let f = 0; f < d; f++) {
    hist.fill(0);
    for (let i = 0; i < n; i++) hist[level(x[i * d + f]!)]!++;
    const edges: number[] = [];
    let distinct = 0;
    for (let l = 0; l < 256; l++) if (hist[l]! > 0) distinct++;
    let cumulative = 0;
    let k = 1;
    let seen = 0;
    for (let l = 0; l < 256 && edges.length < bins - 1; l++) {
      if (hist[l] === 0) continue;
      cumulative += hist[l]!;
      seen++;
      if (seen === distinct) break; // the last level closes the last bin
      // Few enough distinct levels: each gets its own bin, and splits are exact. Otherwise quantiles.
      if (distinct <= bins || cumulative >= (k * n) / bins) {
        edges.push(l);
        while (k < bins && cumulative >= (k * n) / bins) k++;
      }
    }
    let b = 0;
    let filled = -1; // the last bin that has received data; levels ascend, so its first level is its lowest
    for (let l = 0; l < 256; l++) {
      while (b < edges.length && edges[b]! < l) b++;
      binOfLevel[l] = b;
      if (hist[l] === 0) continue;
      if (b !== filled) levelLow[f * bins + b] = l;
      levelHigh[f * bins + b] = l;
      filled = b;
    }
    for (let i = 0; i < n; i++) binned[i * d + f] = binOfLevel[level(x[i * d + f]!)]!;
  }
  const sharedLabels = new Uint8Array(new SharedArrayBuffer(n));
  sharedLabels.set(labels.subarray(0, n));
  return { binned, n, features: d, bins, labels: sharedLabels, levelLow, levelHigh };
}

/** Grows `trees` trees on a pool of worker threads sharing the binned data. */
export async function growForest(data: BinnedData, o: ForestTrainOptions, label = 'random forest'): Promise<RandomForest> {
  const pool = new Piscina({
    filename: new URL('./forest-worker.mjs', import.meta.url).href,
    workerData: { binned: data.binned.buffer, labels: data.labels.buffer, levelLow: data.levelLow.buffer, levelHigh: data.levelHigh.buffer, n: data.n, features: data.features, bins: data.bins },
    minThreads: o.workers,
    maxThreads: o.workers,
  });
  const options: TreeOptions = {
    featuresPerSplit: o.featuresPerSplit ?? Math.round(Math.sqrt(data.features)),
    maxDepth: o.maxDepth,
    minSamplesLeaf: o.minSamplesLeaf,
  };
  const bar = progress(label, o.trees, o.quiet);
  let done = 0;
  try {
    const trees = await Promise.all(
      Array.from({ length: o.trees }, async (_, t) => {
        const tree = (await pool.run({ options, seed: o.seed * 100_003 + t })) as TreeArrays;
        bar.update(++done);
        return tree;
      }),
    );
    return new RandomForest(data.features, trees);
  } finally {
    bar.stop();
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
export async function trainForest(data: TrainingData, options: Partial<ForestTrainOptions> = {}): Promise<{ model: DigitModel; search: ForestSearchRow[]; growSeconds: number }> {
  const o = { ...DEFAULT_FOREST, ...options };
  const start = performance.now();
  const search: ForestSearchRow[] = [];
  for (const useDeskew of [false, true]) {
    const fitX = useDeskew ? deskew(data.fitX, data.fit.n) : data.fitX;
    const valX = useDeskew ? deskew(data.validationX, data.validation.n) : data.validationX;
    const forest = await growForest(binFeatures(fitX, data.fit.n, PIXELS, o.bins, labelsOf(data.fit)), { ...o, trees: o.searchTrees }, `forest search (${useDeskew ? 'deskew' : 'raw'})`);
    const accuracy = evaluate(forest.predictProba(valX, data.validation.n), labelsOf(data.validation)).accuracy;
    search.push({ input: useDeskew ? 'deskewed pixels' : 'raw pixels', trees: o.searchTrees, validationAccuracy: accuracy });
  }
  const best = search.reduce((a, b) => (b.validationAccuracy > a.validationAccuracy ? b : a));
  const useDeskew = best.input === 'deskewed pixels';
  const trainX = useDeskew ? deskew(data.trainX, data.mnist.train.n) : data.trainX;
  const growStart = performance.now();
  const forest = await growForest(binFeatures(trainX, data.mnist.train.n, PIXELS, o.bins, labelsOf(data.mnist.train)), o);
  const growSeconds = (performance.now() - growStart) / 1000;
  const input = new InputTransform(useDeskew, null);
  const model = new DigitModel(
    baseMetadata(data, {
      kind: 'random-forest',
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
