import type { ClassifierType } from '../core/models/classifier.js';
import { Committee } from '../core/models/committee.js';
import { DEFAULT_FEEDBACK_TRAIN, trainOnFeedback, type FeedbackTrainOptions } from './feedback.js';
import { RandomForest } from '../core/models/forest.js';
import { KnnClassifier } from '../core/models/knn.js';
import { IdmKnn } from '../core/models/knn-idm.js';
import { DEFAULT_IDM_KNN, trainIdmKnn, type IdmKnnTrainOptions } from './knn-idm.js';
import { Mlp } from '../core/models/mlp.js';
import type { DigitModel } from '../core/models/model.js';
import { BEST_MODEL_PATH, loadModel } from '../io/model-file.js';
import type { TrainingData } from './common.js';
import { DEFAULT_COMMITTEE, trainCommittee, type CommitteeTrainOptions } from './committee.js';
import { DEFAULT_FOREST, trainForest, type ForestTrainOptions } from './forest.js';
import { DEFAULT_KNN, trainKnn, type KnnTrainOptions } from './knn.js';
import { trainMlp, type MlpRunHooks } from './mlp.js';
import { DEFAULT_MLP, type MlpTrainOptions } from './mlp-options.js';

/**
 * One command-line option of a trainer: its flag, what it sets and how it is read. A value flag takes a
 * number ('int', 'number') or a comma-separated list ('ints') within `range` (inclusive), or a file name
 * ('path'); a switch takes nothing and sets `value`.
 */
export type OptionSpec<V> = { flag: string; help: string } & (
  | { kind: 'int' | 'number' | 'ints'; range: readonly [number, number] }
  | { kind: 'path' }
  | { kind: 'switch'; value: V }
);

const COUNT = [0, 10_000_000] as const;
const POSITIVE = [1, 10_000_000] as const;

export interface ModelRow<O extends object = object> {
  /** What `--model` calls it, and the bench's row. */
  readonly name: string;
  /** Its classifier's kind, and how to read it back. */
  readonly type: ClassifierType;
  readonly summary: string;
  readonly defaults: O;
  /** The options the command line sets, in --help order; the rest keep their defaults. */
  readonly options: { readonly [K in keyof O]?: OptionSpec<O[K]> };
  /** Made from other model files rather than from MNIST alone: the bench measures its file if there is one and skips it otherwise. */
  readonly fromFiles?: boolean;
  /** Why the bench has no row for it, when it has none (it changes a model rather than making one). */
  readonly noBenchRow?: string;
  /** Whether training polls shouldStop and keeps a checkpoint beside `out` that `resume` continues. */
  readonly resumable?: boolean;
  /** How long its default training takes, when that is too long for the bench to train it unasked (only with --retrain). */
  readonly longTraining?: string;
  /** Trains on MNIST; `out` is where the model will be written. */
  train(data: TrainingData, options: O, run: MlpRunHooks & { out: string }): Promise<{ model: DigitModel; interrupted?: boolean }>;
}

/** A typed row: its options are checked against its trainer's option type. */
function row<O extends object>(r: ModelRow<O>): ModelRow {
  return r;
}

const seed = { flag: 'seed', kind: 'int', range: [0, 2 ** 31 - 1], help: 'random seed' } as const;
const workers = { flag: 'workers', kind: 'int', range: [1, 64], help: 'worker threads' } as const;

/**
 * Every model the program trains, one row each. The train CLI, its --help, the bench and the loader all
 * loop over this table: a new model is its file in src/core/models, its trainer in src/train, and a row here.
 */
export const MODELS: readonly ModelRow[] = [
  row<KnnTrainOptions>({
    name: 'knn',
    type: KnnClassifier,
    summary: 'deskew → PCA → k-nearest neighbours, distance-weighted; PCA size and k chosen on the validation split',
    defaults: DEFAULT_KNN,
    options: {
      components: { flag: 'components', kind: 'ints', range: POSITIVE, help: 'candidate PCA sizes' },
      ks: { flag: 'k', kind: 'ints', range: POSITIVE, help: 'candidate k' },
      deskew: { flag: 'no-deskew', kind: 'switch', value: false, help: 'raw pixels instead of deskewed ones' },
    },
    train: (data, o, run) => trainKnn(data, o, run),
  }),
  row<IdmKnnTrainOptions>({
    name: 'knn-idm',
    type: IdmKnn,
    summary:
      'deskew → the nearest digits in a PCA space → the image distortion model (each pixel may move a few px; 3×3 gradient context) → k nearest; warp, shortlist and k chosen on the validation split',
    defaults: DEFAULT_IDM_KNN,
    options: {
      components: { flag: 'components', kind: 'int', range: [4, 784], help: 'PCA size of the shortlist' },
      shortlists: { flag: 'shortlist', kind: 'ints', range: POSITIVE, help: 'candidate shortlist lengths' },
      ks: { flag: 'k', kind: 'ints', range: POSITIVE, help: 'candidate k' },
      warps: { flag: 'warp', kind: 'ints', range: [0, 3], help: 'candidate warps, px' },
      gridQueries: { flag: 'grid-queries', kind: 'int', range: [1, 5000], help: 'validation digits the choice is made on' },
    },
    train: (data, o, run) => trainIdmKnn(data, o, run),
  }),
  row<ForestTrainOptions>({
    name: 'forest',
    type: RandomForest,
    summary: 'random forest, Gini splits, bootstrap; raw or deskewed pixels chosen on the validation split',
    defaults: DEFAULT_FOREST,
    options: {
      trees: { flag: 'trees', kind: 'int', range: POSITIVE, help: 'trees in the forest' },
      bins: { flag: 'bins', kind: 'int', range: [2, 256], help: 'bins per pixel: 256 is exact on 8-bit pixels, fewer are quantile bins' },
      maxDepth: { flag: 'max-depth', kind: 'int', range: [1, 64], help: 'deepest a tree grows' },
      minSamplesLeaf: { flag: 'min-leaf', kind: 'int', range: POSITIVE, help: 'fewest samples in a leaf' },
      searchTrees: { flag: 'search-trees', kind: 'int', range: POSITIVE, help: 'trees per input candidate in the validation search' },
      seed,
      workers,
    },
    train: (data, o, run) => trainForest(data, o, run),
  }),
  row<MlpTrainOptions>({
    name: 'mlp',
    type: Mlp,
    summary: 'softmax multilayer perceptron, ReLU, AdamW, on-the-fly augmentation, early stopping on validation',
    defaults: DEFAULT_MLP,
    options: {
      hidden: { flag: 'hidden', kind: 'ints', range: [1, 100_000], help: 'hidden layer sizes' },
      epochs: { flag: 'epochs', kind: 'int', range: [1, 100_000], help: 'most epochs' },
      batch: { flag: 'batch', kind: 'int', range: [1, 100_000], help: 'mini-batch size' },
      lr: { flag: 'lr', kind: 'number', range: [1e-8, 10], help: 'peak learning rate' },
      weightDecay: { flag: 'weight-decay', kind: 'number', range: [0, 10], help: 'AdamW weight decay' },
      patience: { flag: 'patience', kind: 'int', range: POSITIVE, help: 'epochs without a better validation accuracy before stopping' },
      seed,
      workers,
      fitLimit: { flag: 'limit', kind: 'int', range: POSITIVE, help: 'train on the first N images only' },
      augment: { flag: 'no-augment', kind: 'switch', value: null, help: 'no augmentation' },
      outliers: { flag: 'outliers', kind: 'int', range: COUNT, help: 'images that are not digits, trained towards "unsure" (outlier exposure)' },
      nonDigitWeight: { flag: 'non-digit-weight', kind: 'number', range: [0, 1], help: "a not-a-digit image's loss against a digit's" },
      corrupted: { flag: 'corrupted', kind: 'int', range: COUNT, help: 'MNIST training digits corrupted as user images (blur, low resolution, noise…)' },
      typed: { flag: 'typed', kind: 'int', range: COUNT, help: 'digits typed in fonts the robustness bench does not use' },
      from: { flag: 'from', kind: 'path', help: 'start from this MLP model file (fine-tuning)' },
      deslant: { flag: 'deslant', kind: 'switch', value: true, help: 'deskew the digits before augmentation, and when reading (a committee member)' },
      width: { flag: 'width', kind: 'int', range: [8, 20], help: 'normalise each digit to this width (px) before augmentation, and when reading' },
    },
    resumable: true,
    longTraining: 'about 40 minutes on 2 cores',
    train: (data, o, run) => trainMlp(data, o, { ...run, checkpointPath: `${run.out}.checkpoint` }),
  }),
  row<FeedbackTrainOptions>({
    name: 'feedback',
    type: Mlp,
    summary:
      'the served model (or --from: an MLP or a committee) fine-tuned on MNIST plus the corrections in the feedback store (FEEDBACK_DB or DATABASE_URL), its thresholds fitted again',
    defaults: DEFAULT_FEEDBACK_TRAIN,
    noBenchRow: 'the feedback task measures it, with a simulated user',
    options: {
      from: { flag: 'from', kind: 'path', help: 'the model to fine-tune (default: the served one)' },
      epochs: { flag: 'epochs', kind: 'int', range: [1, 1000], help: 'epochs of the fine-tune' },
      seed,
    },
    fromFiles: true,
    train: (data, o, run) => trainOnFeedback(data, o, run),
  }),
  row<{ from: string }>({
    name: 'recalibrate',
    type: Mlp,
    summary:
      'a model file as it is (--from): with --calibrate, its temperature and "not a digit" rule fitted again on held-out images; its weights and detector are kept, and the new confidence block records this command',
    defaults: { from: BEST_MODEL_PATH },
    noBenchRow: "it keeps a model's weights and refits its confidence only",
    options: { from: { flag: 'from', kind: 'path', help: 'the model file' } },
    fromFiles: true,
    train: async (_data, o) => ({ model: loadModel(o.from) }),
  }),
  row<CommitteeTrainOptions>({
    name: 'committee',
    type: Committee,
    summary: 'a committee of MLPs trained apart (other seeds), their probabilities averaged; made from MLP model files',
    defaults: DEFAULT_COMMITTEE,
    options: {
      members: { flag: 'members', kind: 'path', help: 'the member MLP model files, comma-separated' },
      select: { flag: 'select', kind: 'switch', value: true, help: 'keep the members a greedy forward selection on the validation split takes' },
      keep: {
        flag: 'keep',
        kind: 'path',
        help: 'with --select: members kept whatever it says, the selection adding to them (an outlier-exposed MLP, for refusal and Number mode)',
      },
      most: { flag: 'most', kind: 'int', range: [2, 64], help: 'with --select: at most this many members (the board downloads and runs each one)' },
      membersSpec: {
        flag: 'members-spec',
        kind: 'path',
        help: 'print the commands that train the members a JSON spec lists (one per machine or core) and assemble them; train nothing',
      },
    },
    fromFiles: true,
    train: (data, o) => trainCommittee(data, o),
  }),
];

export function modelRow(name: string): ModelRow {
  const r = MODELS.find((m) => m.name === name);
  if (!r) throw new RangeError(`unknown model "${name}"; expected ${MODELS.map((m) => m.name).join(', ')}`);
  return r;
}
