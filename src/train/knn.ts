import { asRows, labelsOf, PIXELS, type Rows } from '../core/frame.js';
import { deskew } from '../core/features/deskew.js';
import { InputTransform } from '../core/features/transform.js';
import { KnnClassifier, vote } from '../core/models/knn.js';
import { argmaxRow } from '../core/models/classifier.js';
import { DigitModel } from '../core/models/model.js';
import { baseMetadata, validationMetrics, type TrainingData } from './common.js';
import { reporter, type TrainHooks } from './hooks.js';
import { fitPcaParallel, projectParallel } from './parallel.js';

export interface KnnTrainOptions {
  /** Candidate PCA sizes and k, chosen between on the validation split. */
  components: number[];
  ks: number[];
  deskew: boolean;
}

export const DEFAULT_KNN: KnnTrainOptions = { components: [20, 30, 40, 50, 60, 80], ks: [1, 3, 4, 5, 6, 8], deskew: true };

export interface KnnSearchRow {
  deskew: boolean;
  components: number;
  k: number;
  validationAccuracy: number;
}

/**
 * PCA + kNN: chooses the number of components and k on the validation split (neighbours are found once
 * for the largest k and re-voted for each smaller one), then refits PCA and kNN on all 60,000 images.
 */
export async function trainKnn(
  data: TrainingData,
  options: Partial<KnnTrainOptions> = {},
  hooks: TrainHooks = {},
): Promise<{ model: DigitModel; search: KnnSearchRow[] }> {
  const { components, ks, deskew: useDeskew } = { ...DEFAULT_KNN, ...options };
  const start = performance.now();
  const fitLabels = labelsOf(data.fit);
  const validationLabels = labelsOf(data.validation);
  const fitX = useDeskew ? deskew(data.fitX, data.fit.n) : data.fitX;
  const valX = useDeskew ? deskew(data.validationX, data.validation.n) : data.validationX;
  const search = await knnGrid(
    asRows(fitX, data.fit.n, PIXELS),
    fitLabels,
    asRows(valX, data.validation.n, PIXELS),
    validationLabels,
    { components, ks, deskew: useDeskew },
    hooks,
  );
  const best = search.reduce((a, b) => (b.validationAccuracy > a.validationAccuracy ? b : a));

  // Refit on all 60,000 training images with the chosen settings.
  const trainX = useDeskew ? deskew(data.trainX, data.mnist.train.n) : data.trainX;
  const pca = await fitPcaParallel(asRows(trainX, data.mnist.train.n, PIXELS), { components: best.components });
  const knn = KnnClassifier.fit(
    asRows(await projectParallel(pca, trainX, data.mnist.train.n), labelsOf(data.mnist.train).length, best.components),
    labelsOf(data.mnist.train),
    { k: best.k },
  );
  const input = new InputTransform(useDeskew, pca);
  const model = new DigitModel(
    baseMetadata(data, {
      kind: KnnClassifier.kind,
      description: `${input.describe()} → ${best.k}-nearest neighbours, distance-weighted vote`,
      seed: 0,
      preprocessing: input.describe(),
      hyperparameters: { components: best.components, k: best.k, weighted: true, trainedOn: 'all 60,000 training images' },
      trainSeconds: (performance.now() - start) / 1000,
      // Measured with PCA and kNN fitted on the other 55,000 images, before the final refit.
      metrics: { validation: validationMetrics(best.validationAccuracy, data.validation.n) },
      notes: { validationGrid: search },
    }),
    input,
    knn,
  );
  return { model, search };
}

/**
 * The validation accuracy of every (PCA size, k): one PCA of the largest size, truncated for each smaller one;
 * the neighbours found once for the largest k and voted again for each smaller one (the same answers as
 * fitting each pair on its own, which a test checks).
 */
export async function knnGrid(
  fit: Rows,
  fitLabels: Uint8Array,
  validation: Rows,
  validationLabels: Uint8Array,
  { components, ks, deskew }: KnnTrainOptions,
  hooks: TrainHooks = {},
): Promise<KnnSearchRow[]> {
  const fullPca = await fitPcaParallel(fit, { components: Math.max(...components) });
  const maxK = Math.max(...ks);
  const search: KnnSearchRow[] = [];
  const report = reporter(hooks, 'kNN validation grid', components.length * validation.n);
  for (const [ci, c] of components.entries()) {
    const pca = fullPca.truncate(c);
    const knn = KnnClassifier.fit(asRows(await projectParallel(pca, fit.x, fit.n), fit.n, c), fitLabels, { k: maxK });
    const q = await projectParallel(pca, validation.x, validation.n);
    const correct = new Array<number>(ks.length).fill(0);
    const index = new Int32Array(maxK);
    const dist2 = new Float64Array(maxK);
    const votes = new Float32Array(10);
    for (let r = 0; r < validation.n; r++) {
      knn.nearest(q, r, index, dist2);
      ks.forEach((k, ki) => {
        vote(fitLabels, index, dist2, k, true, votes, 0);
        if (argmaxRow(votes, 0) === validationLabels[r]) correct[ki]! += 1;
      });
      if (r % 250 === 0) report.step(ci * validation.n + r, `PCA-${c}`);
    }
    for (const [ki, k] of ks.entries()) search.push({ deskew, components: c, k, validationAccuracy: correct[ki]! / validation.n });
  }
  report.end();
  return search;
}
