import { CLASSES } from '../frame.js';
import { Random } from '../util/random.js';

/**
 * Data every tree is grown from: features binned once, row-major (feature f of sample i at i·features + f),
 * so one pass over a node's samples fills the histograms of all the features tried there: each sample's row
 * is fetched from memory once rather than once per feature.
 */
export interface BinnedData {
  binned: Uint8Array;
  n: number;
  features: number;
  bins: number;
  labels: Uint8Array;
  /** Lowest and highest 8-bit level (value × 255) with data in bin f·bins + b. */
  levelLow: Uint8Array;
  levelHigh: Uint8Array;
}

export interface TreeOptions {
  /** Features tried per split (√784 = 28 for pixels). */
  featuresPerSplit: number;
  maxDepth: number;
  minSamplesLeaf: number;
}

/**
 * A tree in preorder: an internal node's left child is the next node; `right` holds its right child, or for
 * a leaf the leaf's offset into `leaves` (10 probabilities, quantised to 0..255). feature −1 marks a leaf.
 */
export interface TreeArrays {
  feature: Int16Array;
  threshold: Float32Array;
  right: Int32Array;
  leaves: Uint8Array;
}

interface Pending {
  lo: number;
  hi: number;
  depth: number;
  counts: Float64Array;
  /** Node whose right pointer this node fills, or −1. */
  parent: number;
  /** Features already found constant in an ancestor: constant here too, so never drawn again. */
  constants: Int16Array;
}

/**
 * Bins every feature (values in [0,1]) once on the 8-bit grid, row-major: one bin per level when there are
 * at most `bins` distinct levels, quantile bins otherwise. Each bin keeps its lowest and highest level, so a
 * tree stores raw thresholds and prediction needs no bins.
 */
export function binFeatures(
  x: Float32Array,
  n: number,
  d: number,
  bins: number,
  labels: Uint8Array,
  alloc: (bytes: number) => Uint8Array = (bytes) => new Uint8Array(bytes),
): BinnedData {
  if (!Number.isInteger(bins) || bins < 2 || bins > 256) throw new RangeError(`bins must be 2..256, got ${bins}`);
  const binned = alloc(d * n);
  const levelLow = alloc(d * bins);
  const levelHigh = alloc(d * bins);
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
  const binLabels = alloc(n);
  binLabels.set(labels.subarray(0, n));
  return { binned, n, features: d, bins, labels: binLabels, levelLow, levelHigh };
}

/**
 * Grows one tree on a bootstrap sample with per-node class histograms: each level costs
 * O(samples × features tried). Gini impurity; if a tried feature is constant in the node, another is drawn.
 */
export function growTree(data: BinnedData, options: TreeOptions, seed: number): TreeArrays {
  const { n, features, bins, labels, levelLow, levelHigh } = data;
  const rng = new Random(seed);
  // Bootstrap as weights: a sample drawn k times counts k times.
  const weight = new Uint16Array(n);
  for (let i = 0; i < n; i++) weight[rng.int(n)]!++;
  let m = 0;
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) if (weight[i]! > 0) idx[m++] = i;
  // Label and weight of idx[a] at position a, permuted together with idx: node scans read them in order.
  const lab = new Uint8Array(m);
  const wt = new Uint16Array(m);
  for (let a = 0; a < m; a++) {
    lab[a] = labels[idx[a]!]!;
    wt[a] = weight[idx[a]!]!;
  }

  const featureOrder = Int32Array.from({ length: features }, (_, f) => f);
  const position = Int32Array.from({ length: features }, (_, f) => f);
  const hist = new Int32Array(options.featuresPerSplit * bins * CLASSES);
  const left = new Float64Array(CLASSES);
  const feature: number[] = [];
  const threshold: number[] = [];
  const right: number[] = [];
  const leaves: number[] = [];

  const batch = new Int32Array(options.featuresPerSplit);
  const scratch: SplitScratch = {
    data,
    options,
    rng,
    idx,
    lab,
    wt,
    featureOrder,
    position,
    hist,
    left,
    batch,
    touched: new Uint32Array(batch.length * WORDS),
    bins: new Int32Array(256),
  };
  const rootCounts = new Float64Array(CLASSES);
  for (let a = 0; a < m; a++) rootCounts[lab[a]!]! += wt[a]!;
  const stack: Pending[] = [{ lo: 0, hi: m, depth: 0, counts: rootCounts, parent: -1, constants: new Int16Array(0) }];

  while (stack.length > 0) {
    const node = stack.pop()!;
    const id = feature.length;
    if (node.parent >= 0) right[node.parent] = id;
    const { lo, hi, counts } = node;
    let total = 0;
    let classesPresent = 0;
    for (let c = 0; c < CLASSES; c++) {
      total += counts[c]!;
      if (counts[c]! > 0) classesPresent++;
    }
    let split: Split | null = null;
    if (classesPresent > 1 && node.depth < options.maxDepth && hi - lo >= 2 * options.minSamplesLeaf) {
      split = bestSplit(scratch, lo, hi, total, counts, node.constants);
    }
    if (!split) {
      feature.push(-1);
      threshold.push(0);
      right.push(leaves.length);
      for (let c = 0; c < CLASSES; c++) leaves.push(Math.round((255 * counts[c]!) / total));
      continue;
    }
    // Partition idx[lo, hi) so samples with bin ≤ split.bin come first.
    const binned = data.binned;
    let i = lo;
    let j = hi - 1;
    while (i <= j) {
      if (binned[idx[i]! * features + split.f]! <= split.bin) i++;
      else {
        swap(i, j);
        j--;
      }
    }
    const leftCounts = new Float64Array(CLASSES);
    for (let a = lo; a < i; a++) leftCounts[lab[a]!]! += wt[a]!;
    const rightCounts = new Float64Array(CLASSES);
    for (let c = 0; c < CLASSES; c++) rightCounts[c] = counts[c]! - leftCounts[c]!;
    feature.push(split.f);
    // Halfway between the highest value going left and the lowest going right in this node (as scikit-learn).
    threshold.push((levelHigh[split.f * bins + split.bin]! + levelLow[split.f * bins + split.nextBin]!) / 2 / 255);
    right.push(-1);
    // Right is pushed first so the left child is grown next and lands at id + 1.
    stack.push({ lo: i, hi, depth: node.depth + 1, counts: rightCounts, parent: id, constants: split.constants });
    stack.push({ lo, hi: i, depth: node.depth + 1, counts: leftCounts, parent: -1, constants: split.constants });
  }

  function swap(a: number, b: number): void {
    const t = idx[a]!;
    idx[a] = idx[b]!;
    idx[b] = t;
    const l = lab[a]!;
    lab[a] = lab[b]!;
    lab[b] = l;
    const w = wt[a]!;
    wt[a] = wt[b]!;
    wt[b] = w;
  }

  return { feature: Int16Array.from(feature), threshold: Float32Array.from(threshold), right: Int32Array.from(right), leaves: Uint8Array.from(leaves) };
}

interface SplitScratch {
  data: BinnedData;
  options: TreeOptions;
  rng: Random;
  idx: Int32Array;
  lab: Uint8Array;
  wt: Uint16Array;
  featureOrder: Int32Array;
  /** position[f]: where feature f stands in featureOrder. */
  position: Int32Array;
  /** The features drawn in the current batch, and per feature a bitset of the bins its samples fall in. */
  batch: Int32Array;
  touched: Uint32Array;
  /** Scratch: the bins one feature uses in the node, ascending. */
  bins: Int32Array;
  hist: Int32Array;
  left: Float64Array;
}

/** Bitset words per feature: 256 bins at most. */
const WORDS = 8;

interface Split {
  f: number;
  bin: number;
  /** The next bin this node's samples use above `bin`: the threshold lies between the two. */
  nextBin: number;
  score: number;
  /** Constant features of this node (known ones plus those found here), for its children. */
  constants: Int16Array;
}

/**
 * The best Gini split of idx[lo, hi) among `featuresPerSplit` non-constant features drawn at random
 * (as scikit-learn: known-constant features are set aside, and a drawn feature found constant is added to
 * them and another drawn). A module-level function with everything in locals: this loop is the forest's cost.
 */
function bestSplit(sc: SplitScratch, lo: number, hi: number, total: number, counts: Float64Array, known: Int16Array): Split | null {
  const { idx, lab, wt, hist, left, featureOrder, position, rng, batch, touched, bins: used } = sc;
  const { binned, features, bins } = sc.data;
  const { featuresPerSplit, minSamplesLeaf } = sc.options;
  const stride = bins * CLASSES;
  const swapTo = (f: number, k: number) => {
    const g = featureOrder[k]!;
    const p = position[f]!;
    featureOrder[k] = f;
    position[f] = k;
    featureOrder[p] = g;
    position[g] = p;
  };
  // featureOrder[0, constantCount) holds the constants; [constantCount, drawn) the features tried here.
  for (let k = 0; k < known.length; k++) swapTo(known[k]!, k);
  let constantCount = known.length;
  let drawn = constantCount;
  let best: { f: number; bin: number; nextBin: number; score: number } | null = null;
  let tried = 0;
  while (tried < featuresPerSplit && drawn < features) {
    // Draw a batch without replacement (partial Fisher–Yates) and fill all its histograms in one pass.
    let size = 0;
    for (; size < featuresPerSplit - tried && drawn < features; size++, drawn++) {
      const f = featureOrder[drawn + rng.int(features - drawn)]!;
      swapTo(f, drawn);
      batch[size] = f;
    }
    for (let a = lo; a < hi; a++) {
      const row = idx[a]! * features;
      const cls = lab[a]!;
      const w = wt[a]!;
      for (let j = 0; j < size; j++) {
        const b = binned[row + batch[j]!]!;
        hist[j * stride + b * CLASSES + cls]! += w;
        touched[j * WORDS + (b >>> 5)]! |= 1 << (b & 31);
      }
    }
    for (let j = 0; j < size; j++) {
      const f = batch[j]!;
      const h = j * stride;
      // The bins this node's samples use, ascending: splits are only tried between them.
      let count = 0;
      for (let w = 0; w < WORDS; w++) {
        let word = touched[j * WORDS + w]!;
        touched[j * WORDS + w] = 0;
        while (word !== 0) {
          const low = word & -word;
          used[count++] = w * 32 + 31 - Math.clz32(low);
          word ^= low;
        }
      }
      if (count === 1) {
        // Constant in this node (common deep in the tree): remember it for the subtree; another is drawn.
        hist.fill(0, h + used[0]! * CLASSES, h + (used[0]! + 1) * CLASSES);
        swapTo(f, constantCount++);
        continue;
      }
      tried++;
      left.fill(0);
      let leftTotal = 0;
      for (let u = 0; u + 1 < count; u++) {
        const b = used[u]!;
        for (let c = 0; c < CLASSES; c++) {
          left[c]! += hist[h + b * CLASSES + c]!;
          leftTotal += hist[h + b * CLASSES + c]!;
        }
        const rightTotal = total - leftTotal;
        if (leftTotal < minSamplesLeaf || rightTotal < minSamplesLeaf) continue;
        // Weighted Gini of the children, up to constants: maximise Σ l²/L + Σ r²/R.
        let sl = 0;
        let sr = 0;
        for (let c = 0; c < CLASSES; c++) {
          const l = left[c]!;
          const rr = counts[c]! - l;
          sl += l * l;
          sr += rr * rr;
        }
        const score = sl / leftTotal + sr / rightTotal;
        if (!best || score > best.score) best = { f, bin: b, nextBin: used[u + 1]!, score };
      }
      for (let u = 0; u < count; u++) hist.fill(0, h + used[u]! * CLASSES, h + (used[u]! + 1) * CLASSES);
    }
  }
  return best && { ...best, constants: Int16Array.from(featureOrder.subarray(0, constantCount)) };
}

/** Tree t of a forest seeded `seed`: the same on one thread or many. */
export function treeSeed(seed: number, t: number): number {
  return seed * 100_003 + t;
}
