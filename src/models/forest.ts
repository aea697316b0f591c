import { CLASSES } from '../data/frame.js';
import type { TreeArrays } from '../train/forest-tree.js';
import { ModelFormatError } from '../util/errors.js';
import { decodeFloats, decodeInts, encodeBytes, encodeFloats } from '../util/floats.js';
import type { Classifier, ClassifierJson } from './classifier.js';

export interface ForestJson extends ClassifierJson {
  name: 'RandomForest';
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

/** A random forest: each tree votes with its leaf's class distribution; the forest averages them. */
export class RandomForest implements Classifier {
  readonly name = 'RandomForest';

  constructor(
    readonly inputSize: number,
    readonly trees: TreeArrays[],
  ) {}

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

  toJSON(): ForestJson {
    return {
      name: 'RandomForest',
      version: 1,
      inputSize: this.inputSize,
      trees: this.trees.map((t) => ({
        nodes: t.feature.length,
        leaves: t.leaves.length / CLASSES,
        feature: encodeBytes(t.feature),
        threshold: encodeFloats(t.threshold),
        right: encodeBytes(t.right),
        leafProbabilities: encodeBytes(t.leaves),
      })),
    };
  }

  static load(json: unknown): RandomForest {
    const j = json as Partial<ForestJson> | null;
    if (!j || typeof j !== 'object' || j.name !== 'RandomForest') throw new ModelFormatError('invalid model: expected a RandomForest classifier');
    if (j.version !== 1) throw new ModelFormatError(`invalid model: RandomForest version ${String(j.version)} is not supported (expected 1)`);
    const d = j.inputSize;
    if (!Number.isInteger(d) || (d as number) < 1) throw new ModelFormatError('invalid model: RandomForest inputSize must be a positive integer');
    if (!Array.isArray(j.trees) || j.trees.length === 0) throw new ModelFormatError('invalid model: RandomForest has no trees');
    const trees = j.trees.map((t, i) => {
      const nodes = t?.nodes;
      const leaves = t?.leaves;
      if (!Number.isInteger(nodes) || !Number.isInteger(leaves) || (nodes as number) < 1) throw new ModelFormatError(`invalid model: tree ${i} has no valid node count`);
      const tree: TreeArrays = {
        feature: decodeInts(t.feature, (k) => new Int16Array(k), nodes as number, `tree ${i} features`),
        threshold: decodeFloats(t.threshold, nodes as number, `tree ${i} thresholds`),
        right: decodeInts(t.right, (k) => new Int32Array(k), nodes as number, `tree ${i} children`),
        leaves: decodeInts(t.leafProbabilities, (k) => new Uint8Array(k), (leaves as number) * CLASSES, `tree ${i} leaves`),
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
    const ok = f < 0 ? r >= 0 && r % CLASSES === 0 && r + CLASSES <= t.leaves.length : f < inputSize && node + 1 < t.feature.length && r > node + 1 && r < t.feature.length;
    if (!ok) throw new ModelFormatError(`invalid model: tree ${i} node ${node} points outside the tree`);
  }
}
