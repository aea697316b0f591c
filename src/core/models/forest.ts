import { CLASSES, PIXELS, type Rows } from '../frame.js';
import { fixedPicture, type Picture } from './pictures.js';
import { binFeatures, growTree, treeSeed, type TreeArrays, type TreeOptions } from './forest-tree.js';
import { ModelFormatError } from '../util/errors.js';
import { decodeFloat32, decodeTensor, encodeTensor } from '../util/tensors.js';
import type { Classifier, ClassifierJson } from './classifier.js';
import { modelBlock } from '../util/model-json.js';

export interface ForestJson extends ClassifierJson {
  name: 'forest';
  version: 1;
  inputSize: number;
  trees: {
    nodes: number;
    leaves: number;
    /** Int16 feature per node (−1 = leaf), Float32 threshold (go left when x ≤ threshold), Int32 right child
     * or leaf offset, Uint8 leaf class probabilities ×255; all base64, little-endian, preorder. */
    feature: string;
    threshold: string;
    right: string;
    leafProbabilities: string;
  }[];
}

export interface ForestOptions {
  trees: number;
  /** Bins per feature (≤ 256): 256 is exact on the 8-bit pixel grid; fewer are quantile bins. */
  bins: number;
  maxDepth: number;
  minSamplesLeaf: number;
  /** Default √features. */
  featuresPerSplit?: number;
  seed: number;
}

export const DEFAULT_FOREST_OPTIONS: ForestOptions = { trees: 100, bins: 256, maxDepth: 60, minSamplesLeaf: 1, seed: 1 };

/** What each tree of a forest with these options is grown with, on d features. */
export function treeOptions(o: ForestOptions, d: number): TreeOptions {
  return { featuresPerSplit: o.featuresPerSplit ?? Math.round(Math.sqrt(d)), maxDepth: o.maxDepth, minSamplesLeaf: o.minSamplesLeaf };
}

/** A random forest: each tree votes with its leaf's class distribution; the forest averages them. */
export class RandomForest implements Classifier {
  static readonly kind = 'forest';
  static readonly legacyNames = ['RandomForest'];
  readonly name = RandomForest.kind;

  constructor(
    readonly inputSize: number,
    readonly trees: TreeArrays[],
  ) {}

  /**
   * Grows a forest on this thread: n rows of x (n×d, values in [0,1]). src/train/forest.ts grows the same
   * trees (the same seeds) on a pool of threads.
   */
  static fit({ x, n, d }: Rows, labels: Uint8Array, options: Partial<ForestOptions> = {}): RandomForest {
    const o = { ...DEFAULT_FOREST_OPTIONS, ...options };
    const data = binFeatures(x, n, d, o.bins, labels);
    const tree = treeOptions(o, d);
    return new RandomForest(
      d,
      Array.from({ length: o.trees }, (_, t) => growTree(data, tree, treeSeed(o.seed, t))),
    );
  }

  predictProba(x: Float32Array, n: number): Float32Array {
    const out = new Float32Array(n * CLASSES);
    const sum = new Float64Array(CLASSES);
    for (let r = 0; r < n; r++) {
      sum.fill(0);
      const xo = r * this.inputSize;
      for (const t of this.trees) {
        let node = 0;
        while (t.feature[node]! >= 0) node = x[xo + t.feature[node]!]! <= t.threshold[node]! ? node + 1 : t.right[node]!;
        const leaf = t.right[node]!;
        for (let c = 0; c < CLASSES; c++) sum[c]! += t.leaves[leaf + c]!;
      }
      let total = 0;
      for (let c = 0; c < CLASSES; c++) total += sum[c]!;
      for (let c = 0; c < CLASSES; c++) out[r * CLASSES + c] = sum[c]! / total;
    }
    return out;
  }

  get nodeCount(): number {
    return this.trees.reduce((a, t) => a + t.feature.length, 0);
  }

  /** On pixel input: how often each pixel is split on, over all trees. */
  pictures(): Record<string, Picture> {
    if (this.inputSize !== PIXELS) return {};
    return {
      splits: fixedPicture(
        'Pixels the trees split on',
        `How often each pixel is tested, over the ${this.trees.length} trees: darker is more often. The digits' edges, where the classes differ, carry the decisions.`,
        'ink',
        () => {
          const counts = new Float32Array(PIXELS);
          for (const t of this.trees) for (const f of t.feature) if (f >= 0) counts[f]!++;
          return { vectors: [counts] };
        },
      ),
    };
  }

  toJSON(): ForestJson {
    return {
      name: this.name,
      version: 1,
      inputSize: this.inputSize,
      trees: this.trees.map((t) => ({
        nodes: t.feature.length,
        leaves: t.leaves.length / CLASSES,
        feature: encodeTensor(t.feature),
        threshold: encodeTensor(t.threshold),
        right: encodeTensor(t.right),
        leafProbabilities: encodeTensor(t.leaves),
      })),
    };
  }

  static load(json: unknown): RandomForest {
    const j = modelBlock<ForestJson>(json, RandomForest.kind, 1, RandomForest.legacyNames);
    const d = j.inputSize;
    if (!Number.isInteger(d) || (d as number) < 1) throw new ModelFormatError('invalid model: forest inputSize must be a positive integer');
    if (!Array.isArray(j.trees) || j.trees.length === 0) throw new ModelFormatError('invalid model: forest has no trees');
    const trees = j.trees.map((t, i) => {
      const nodes = t?.nodes;
      const leaves = t?.leaves;
      if (!Number.isInteger(nodes) || !Number.isInteger(leaves) || (nodes as number) < 1)
        throw new ModelFormatError(`invalid model: tree ${i} has no valid node count`);
      const tree: TreeArrays = {
        feature: decodeTensor(t.feature, (k) => new Int16Array(k), nodes as number, `tree ${i} features`),
        threshold: decodeFloat32(t.threshold, nodes as number, `tree ${i} thresholds`),
        right: decodeTensor(t.right, (k) => new Int32Array(k), nodes as number, `tree ${i} children`),
        leaves: decodeTensor(t.leafProbabilities, (k) => new Uint8Array(k), (leaves as number) * CLASSES, `tree ${i} leaves`),
      };
      checkTree(tree, d as number, i);
      return tree;
    });
    return new RandomForest(d as number, trees);
  }
}

/** Every pointer in range and pointing forward, so prediction can neither loop nor read out of bounds. */
function checkTree(t: TreeArrays, inputSize: number, i: number): void {
  for (let node = 0; node < t.feature.length; node++) {
    const f = t.feature[node]!;
    const r = t.right[node]!;
    const ok =
      f < 0
        ? r >= 0 && r % CLASSES === 0 && r + CLASSES <= t.leaves.length
        : f < inputSize && node + 1 < t.feature.length && r > node + 1 && r < t.feature.length;
    if (!ok) throw new ModelFormatError(`invalid model: tree ${i} node ${node} points outside the tree`);
  }
}
