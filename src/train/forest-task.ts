import { workerData } from 'node:worker_threads';
import { growTree, type BinnedData, type TreeOptions } from '../core/models/forest-tree.js';

/* A forest-growing thread: the binned data arrive once, in shared memory; each task grows one tree. */

const { binned, labels, levelLow, levelHigh, n, features, bins } = workerData as Record<'binned' | 'labels' | 'levelLow' | 'levelHigh', SharedArrayBuffer> &
  Pick<BinnedData, 'n' | 'features' | 'bins'>;
const data: BinnedData = {
  n,
  features,
  bins,
  binned: new Uint8Array(binned),
  labels: new Uint8Array(labels),
  levelLow: new Uint8Array(levelLow),
  levelHigh: new Uint8Array(levelHigh),
};

export default function ({ options, seed }: { options: TreeOptions; seed: number }) {
  return growTree(data, options, seed);
}
