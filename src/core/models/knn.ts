import { CLASSES, type Rows } from '../frame.js';
import { type Picture, storedDigitsPicture } from './pictures.js';
import { ModelFormatError } from '../util/errors.js';
import { decodeFloat32, decodeTensor, encodeTensor } from '../util/tensors.js';
import type { Classifier, ClassifierJson } from './classifier.js';
import { modelBlock } from '../util/model-json.js';

export interface KnnOptions {
  k?: number;
  /** Weight each neighbour's vote by 1/distance (scikit-learn's weights='distance'). */
  weighted?: boolean;
}

export interface KnnJson extends ClassifierJson {
  name: 'knn';
  version: 1;
  k: number;
  weighted: boolean;
  inputSize: number;
  points: number;
  labels: string;
  /** points×inputSize training features, base64 little-endian float32. */
  features: string;
}

/**
 * Exact k-nearest neighbours by brute force over Float32Array rows, with two prunings that lose nothing:
 * - points are kept sorted by their first feature and visited outward from the query's value, so once
 *   (q₀ − p₀)² alone exceeds the k-th best distance, every point further out on that side is skipped;
 * - PCA features come ordered by variance, so a candidate is abandoned as soon as its partial distance
 *   passes the k-th best.
 */
export class KnnClassifier implements Classifier {
  static readonly kind = 'knn';
  static readonly legacyNames = ['KNN'];
  readonly name = KnnClassifier.kind;
  /** Training rows sorted by their first feature, with their labels and original indices. */
  private readonly sorted: Float32Array;
  private readonly sortedLabels: Uint8Array;
  private readonly sortedIndex: Int32Array;
  private readonly keys: Float32Array;

  private constructor(
    readonly inputSize: number,
    readonly k: number,
    readonly weighted: boolean,
    private readonly features: Float32Array,
    private readonly labels: Uint8Array,
  ) {
    const n = labels.length;
    const d = inputSize;
    this.sortedIndex = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => features[a * d]! - features[b * d]!);
    this.sorted = new Float32Array(n * d);
    this.sortedLabels = new Uint8Array(n);
    this.keys = new Float32Array(n);
    this.sortedIndex.forEach((p, i) => {
      this.sorted.set(features.subarray(p * d, (p + 1) * d), i * d);
      this.sortedLabels[i] = labels[p]!;
      this.keys[i] = features[p * d]!;
    });
  }

  get points(): number {
    return this.labels.length;
  }

  static fit({ x, n, d: inputSize }: Rows, labels: Uint8Array, options: KnnOptions = {}): KnnClassifier {
    const { k = 4, weighted = true } = options;
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
    if (n !== labels.length) throw new RangeError(`${n} rows for ${labels.length} labels`);
    if (labels.length < k) throw new RangeError(`need at least k=${k} training points, got ${labels.length}`);
    if (inputSize < 4) throw new RangeError(`kNN search needs at least 4 features, got ${inputSize}`);
    return new KnnClassifier(inputSize, k, weighted, x, labels);
  }

  /**
   * Indices and squared distances of the k nearest training points to row `row` of `x`, nearest first.
   * `index` and `dist2` are scratch arrays of length k, filled in place.
   */
  nearest(x: Float32Array, row: number, index: Int32Array, dist2: Float64Array): void {
    this.nearestSorted(x, row, index, dist2);
    for (let j = 0; j < this.k; j++) index[j] = this.sortedIndex[index[j]!]!;
  }

  /** As nearest, but indices are positions in the sorted order. */
  private nearestSorted(x: Float32Array, row: number, index: Int32Array, dist2: Float64Array): void {
    const d = this.inputSize;
    const k = this.k;
    const f = this.sorted;
    const keys = this.keys;
    const qo = row * d;
    const q0 = x[qo]!;
    dist2.fill(Infinity);
    index.fill(-1);
    let worst = Infinity;
    const n = keys.length;
    // Start at the first point whose key is ≥ the query's, then walk both ways, nearer key first.
    let hi = lowerBound(keys, q0);
    let lo = hi - 1;
    while (lo >= 0 || hi < n) {
      const gapLo = lo >= 0 ? q0 - keys[lo]! : Infinity;
      const gapHi = hi < n ? keys[hi]! - q0 : Infinity;
      const fromLo = gapLo <= gapHi;
      const gap = fromLo ? gapLo : gapHi;
      // Every remaining point is at least this far away in the first coordinate alone.
      if (gap * gap >= worst) break;
      const p = fromLo ? lo-- : hi++;
      const po = p * d;
      // The first four dimensions carry most of the distance: most candidates fail the bound right there.
      const d0 = x[qo]! - f[po]!;
      const d1 = x[qo + 1]! - f[po + 1]!;
      const d2 = x[qo + 2]! - f[po + 2]!;
      const d3 = x[qo + 3]! - f[po + 3]!;
      let s = d0 * d0 + d1 * d1 + d2 * d2 + d3 * d3;
      if (s >= worst) continue;
      let t = 4;
      // Then check the bound every 8 dimensions.
      while (t < d) {
        const end = Math.min(d, t + 8);
        for (; t < end; t++) {
          const diff = x[qo + t]! - f[po + t]!;
          s += diff * diff;
        }
        if (s >= worst) break;
      }
      if (s >= worst) continue;
      keepBest(dist2, index, k, s, p);
      worst = dist2[k - 1]!;
    }
  }

  predictProba(x: Float32Array, n: number): Float32Array {
    const out = new Float32Array(n * CLASSES);
    const index = new Int32Array(this.k);
    const dist2 = new Float64Array(this.k);
    for (let r = 0; r < n; r++) {
      this.nearestSorted(x, r, index, dist2);
      vote(this.sortedLabels, index, dist2, this.k, this.weighted, out, r * CLASSES);
    }
    return out;
  }

  /** With a way back to pixels: a few of the training digits it stores, per class. */
  pictures(toPixels: ((features: Float32Array) => Float32Array) | null): Record<string, Picture> {
    if (!toPixels) return {};
    const d = this.inputSize;
    return {
      stored: storedDigitsPicture(
        this.labels,
        (r) => toPixels(this.features.subarray(r * d, (r + 1) * d)),
        `The first 4 stored training digits of each class, of ${this.labels.length.toLocaleString('en')}: each is kept as its ${d} features and drawn here back as pixels. A digit is read by its ${this.k} nearest.`,
      ),
    };
  }

  toJSON(): KnnJson {
    return {
      name: this.name,
      version: 1,
      k: this.k,
      weighted: this.weighted,
      inputSize: this.inputSize,
      points: this.points,
      labels: encodeTensor(this.labels),
      features: encodeTensor(this.features),
    };
  }

  static load(json: unknown): KnnClassifier {
    const j = modelBlock<KnnJson>(json, KnnClassifier.kind, 1, KnnClassifier.legacyNames);
    const { k, inputSize, points } = j;
    if (![k, inputSize, points].every((v) => Number.isInteger(v) && (v as number) > 0) || (k as number) > (points as number) || (inputSize as number) < 4) {
      throw new ModelFormatError('invalid model: knn k/inputSize/points are not valid sizes');
    }
    const labels = decodeTensor(j.labels, (m) => new Uint8Array(m), points as number, 'KNN labels');
    if (labels.some((l) => l >= CLASSES)) throw new ModelFormatError('invalid model: KNN labels must be 0..9');
    const features = decodeFloat32(j.features, (points as number) * (inputSize as number), 'KNN features');
    return new KnnClassifier(inputSize as number, k as number, j.weighted !== false, features, labels);
  }
}

/**
 * Puts distance d, with its id, into the k best so far (ascending; the caller has checked it beats the k-th):
 * partial selection, where the k-th drops out. The kNN and the IDM kNN keep their neighbours this way.
 */
export function keepBest(dist: Float64Array, ids: Int32Array | Uint8Array, k: number, d: number, id: number): void {
  let i = k - 1;
  while (i > 0 && dist[i - 1]! > d) {
    dist[i] = dist[i - 1]!;
    ids[i] = ids[i - 1]!;
    i--;
  }
  dist[i] = d;
  ids[i] = id;
}

/**
 * Class probabilities from the first k of a sorted neighbour list, written to out[o..o+10).
 * Weighted votes count 1/distance; an exact match takes the whole vote.
 */
export function vote(labels: Uint8Array, index: Int32Array, dist2: Float64Array, k: number, weighted: boolean, out: Float32Array, o: number): void {
  out.fill(0, o, o + CLASSES);
  if (weighted && dist2[0] === 0) {
    out[o + labels[index[0]!]!] = 1;
    return;
  }
  // Sum in float64 so a unanimous vote is exactly 1, not 1 + float32 rounding.
  votes.fill(0);
  let total = 0;
  for (let j = 0; j < k; j++) {
    const w = weighted ? 1 / Math.sqrt(dist2[j]!) : 1;
    votes[labels[index[j]!]!]! += w;
    total += w;
  }
  for (let c = 0; c < CLASSES; c++) out[o + c] = votes[c]! / total;
}

const votes = new Float64Array(CLASSES);

/** First position in ascending `keys` whose key is ≥ v. */
function lowerBound(keys: Float32Array, v: number): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
