import { asRows, fromUnit, labelsOf, PIXELS } from '../core/frame.js';
import { deskew } from '../core/features/deskew.js';
import { InputTransform } from '../core/features/transform.js';
import { argmaxRow } from '../core/models/classifier.js';
import { idmDistance, idmFeatures } from '../core/models/idm.js';
import { IdmKnn, IdmScratch, idmVote } from '../core/models/knn-idm.js';
import { DigitModel } from '../core/models/model.js';
import { baseMetadata, validationMetrics, type TrainingData } from './common.js';
import { reporter, type TrainHooks } from './hooks.js';
import { fitPcaParallel, projectParallel } from './parallel.js';

export interface IdmKnnTrainOptions {
  /** The PCA the shortlist is found in. */
  components: number;
  /** Candidates chosen between on the validation split. */
  shortlists: number[];
  ks: number[];
  warps: number[];
  /** How many validation digits the choice is made on (the search computes every distance in full). */
  gridQueries: number;
}

export const DEFAULT_IDM_KNN: IdmKnnTrainOptions = { components: 50, shortlists: [20, 50], ks: [1, 3, 5], warps: [1, 2, 3], gridQueries: 1500 };

export interface IdmSearchRow {
  warp: number;
  shortlist: number;
  k: number;
  validationAccuracy: number;
}

/**
 * The validation accuracy of every (warp, shortlist, k): the IDM distances to the largest shortlist are
 * computed once per warp; a smaller shortlist is the front of the PCA order, and each k votes from them.
 */
export async function idmGrid(
  classifier: IdmKnn,
  x: Float32Array,
  labels: Uint8Array,
  n: number,
  { shortlists, ks, warps }: Pick<IdmKnnTrainOptions, 'shortlists' | 'ks' | 'warps'>,
  hooks: TrainHooks = {},
): Promise<IdmSearchRow[]> {
  const most = Math.max(...shortlists);
  const scratch = new IdmScratch(most);
  const projected = classifier.pca.project(x, n);
  const correct = new Map<string, number>();
  const report = reporter(hooks, 'kNN-IDM validation grid', n);
  const probabilities = new Float32Array(10);
  // One feature grid per shortlisted digit, filled afresh for each query: each is compared at every warp.
  const references = Array.from({ length: most }, () => new Float32Array(scratch.reference.length));
  for (let r = 0; r < n; r++) {
    classifier.shortlistOf(projected, r, scratch);
    idmFeatures(x, r * PIXELS, 1, scratch.query);
    for (let j = 0; j < most; j++) classifier.featuresOf(scratch.index[j]!, references[j]!);
    for (const warp of warps) {
      const distance = references.map((grid) => idmDistance(scratch.query, 0, grid, 0, warp));
      for (const s of shortlists) {
        const order = Array.from({ length: s }, (_, j) => j).sort((a, b) => distance[a]! - distance[b]!);
        const sorted = order.map((j) => distance[j]!);
        const sortedLabels = order.map((j) => classifier.labelOf(scratch.index[j]!));
        for (const k of ks) {
          if (k > s) continue;
          idmVote(sorted, sortedLabels, k, probabilities, 0);
          const key = `${warp} ${s} ${k}`;
          correct.set(key, (correct.get(key) ?? 0) + (argmaxRow(probabilities, 0) === labels[r] ? 1 : 0));
        }
      }
    }
    if (r % 50 === 0) {
      report.step(r);
      // Let the progress bar's timer run: the search is one long computation.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  report.end();
  return [...correct].map(([key, right]) => {
    const [warp, shortlist, k] = key.split(' ').map(Number) as [number, number, number];
    return { warp, shortlist, k, validationAccuracy: right / n };
  });
}

/**
 * Deskew → a PCA shortlist → the image distortion model: warp, shortlist and k chosen on the first
 * `gridQueries` validation digits with PCA and images from the other 55,000, then refitted on all 60,000.
 */
export async function trainIdmKnn(
  data: TrainingData,
  options: Partial<IdmKnnTrainOptions> = {},
  hooks: TrainHooks = {},
): Promise<{ model: DigitModel; search: IdmSearchRow[] }> {
  const o = { ...DEFAULT_IDM_KNN, ...options };
  const start = performance.now();
  const fitX = deskew(data.fitX, data.fit.n);
  const q = Math.min(o.gridQueries, data.validation.n);
  const valX = deskew(data.validationX.subarray(0, q * PIXELS), q);
  const fitPca = await fitPcaParallel(asRows(fitX, data.fit.n, PIXELS), { components: o.components });
  const onFit = new IdmKnn(
    { k: 1, shortlist: Math.max(...o.shortlists), warp: o.warps[0]! },
    fitPca,
    fromUnit(fitX),
    labelsOf(data.fit),
    await projectParallel(fitPca, fitX, data.fit.n),
  );
  const search = await idmGrid(onFit, valX, labelsOf(data.validation).subarray(0, q), q, o, hooks);
  // The best; on a tie the cheaper: a smaller warp, then a shorter shortlist.
  const best = search.reduce((a, b) =>
    b.validationAccuracy > a.validationAccuracy || (b.validationAccuracy === a.validationAccuracy && b.warp * 1000 + b.shortlist < a.warp * 1000 + a.shortlist)
      ? b
      : a,
  );
  const trainX = deskew(data.trainX, data.mnist.train.n);
  const pca = await fitPcaParallel(asRows(trainX, data.mnist.train.n, PIXELS), { components: o.components });
  const classifier = new IdmKnn(
    { k: best.k, shortlist: best.shortlist, warp: best.warp },
    pca,
    fromUnit(trainX),
    labelsOf(data.mnist.train),
    await projectParallel(pca, trainX, data.mnist.train.n),
  );
  const input = new InputTransform(true, null);
  const model = new DigitModel(
    baseMetadata(data, {
      kind: IdmKnn.kind,
      description: `deskew → the ${best.shortlist} nearest in PCA-${o.components} → image distortion model (warp ${best.warp} px, 3×3 gradient context) → ${best.k}-NN`,
      seed: 0,
      preprocessing: input.describe(),
      hyperparameters: { components: o.components, ...classifier.options, trainedOn: 'all 60,000 training images' },
      trainSeconds: (performance.now() - start) / 1000,
      // Measured with the PCA and images of the other 55,000, before the refit.
      metrics: { validation: validationMetrics(best.validationAccuracy, q) },
      notes: { validationGrid: search, validationQueries: `the first ${q} of the 5,000 validation digits` },
    }),
    input,
    classifier,
  );
  return { model, search };
}
