import { asRows, CLASSES, PIXELS } from '../frame.js';
import { Pca, type PcaJson } from '../features/pca.js';
import { ModelFormatError } from '../util/errors.js';
import { modelBlock } from '../util/model-json.js';
import { decodeTensor, encodeTensor } from '../util/tensors.js';
import type { Classifier, ClassifierJson } from './classifier.js';
import { GRID_FLOATS, idmDistance, idmFeatures, MAX_WARP } from './idm.js';
import { keepBest, KnnClassifier } from './knn.js';
import { type Picture, storedDigitsPicture } from './pictures.js';

export interface IdmKnnJson extends ClassifierJson {
  name: 'knn-idm';
  version: 1;
  /** Neighbours that vote, of the shortlist, by IDM distance. */
  k: number;
  /** Training digits nearest in the PCA space that IDM compares with. */
  shortlist: number;
  /** How far (pixels) the IDM lets each pixel move. */
  warp: number;
  pca: PcaJson;
  points: number;
  labels: string;
  /** points×784 training digits as the classifier sees them (deskewed), 0..255, base64. */
  images: string;
}

export interface IdmKnnOptions {
  k: number;
  shortlist: number;
  warp: number;
}

/**
 * k-nearest neighbours by a distance that forgives small deformations: the `shortlist` training digits
 * nearest in a PCA space (an exact kNN), then the image distortion model (idm.ts) between the query and each
 * of them; the k nearest by it vote, weighted by 1/distance. In the manner of Keysers et al. 2007, who
 * pre-selected by Euclidean distance too. Reads deskewed 28×28 pixels in [0,1].
 */
export class IdmKnn implements Classifier {
  static readonly kind = 'knn-idm';
  static readonly legacyNames: readonly string[] = [];
  readonly name = IdmKnn.kind;
  readonly inputSize = PIXELS;
  private readonly near: KnnClassifier;

  constructor(
    readonly options: IdmKnnOptions,
    readonly pca: Pca,
    private readonly images: Uint8Array,
    private readonly labels: Uint8Array,
    /** The training digits' PCA features, when the caller has them already (else they are projected here). */
    features?: Float32Array,
  ) {
    const { k, shortlist, warp } = options;
    const n = labels.length;
    if (!(Number.isInteger(k) && Number.isInteger(shortlist) && k >= 1 && shortlist >= k && shortlist <= n)) {
      throw new RangeError(`need 1 ≤ k ≤ shortlist ≤ ${n} training digits, got k ${k}, shortlist ${shortlist}`);
    }
    if (!(Number.isInteger(warp) && warp >= 0 && warp <= MAX_WARP)) throw new RangeError(`warp must be 0..${MAX_WARP} px, got ${warp}`);
    if (images.length !== n * PIXELS) throw new RangeError(`${images.length / PIXELS} images for ${n} labels`);
    const f =
      features ??
      pca.project(
        Float32Array.from(images, (v) => v / 255),
        n,
      );
    this.near = KnnClassifier.fit(asRows(f, n, pca.components), labels, { k: shortlist });
  }

  get points(): number {
    return this.labels.length;
  }

  /** The shortlist of row r of `projected` (its PCA features), nearest first, into scratch.index. */
  shortlistOf(projected: Float32Array, r: number, scratch: IdmScratch): void {
    this.near.nearest(projected, r, scratch.index, scratch.pcaDistance);
  }

  /** Training digit i's IDM feature grid, into `out`. */
  featuresOf(i: number, out: Float32Array): void {
    idmFeatures(this.images, i * PIXELS, 1 / 255, out);
  }

  labelOf(i: number): number {
    return this.labels[i]!;
  }

  predictProba(x: Float32Array, n: number): Float32Array {
    const { k, shortlist, warp } = this.options;
    const out = new Float32Array(n * CLASSES);
    const projected = this.pca.project(x, n);
    const s = new IdmScratch(shortlist);
    const best = new Float64Array(k);
    const bestLabel = new Uint8Array(k);
    for (let r = 0; r < n; r++) {
      this.shortlistOf(projected, r, s);
      idmFeatures(x, r * PIXELS, 1, s.query);
      best.fill(Infinity);
      for (let j = 0; j < shortlist; j++) {
        this.featuresOf(s.index[j]!, s.reference);
        // Past the k-th best so far it cannot vote: the distance stops there.
        const d = idmDistance(s.query, 0, s.reference, 0, warp, best[k - 1]!);
        if (d < best[k - 1]!) keepBest(best, bestLabel, k, d, this.labels[s.index[j]!]!);
      }
      idmVote(best, bestLabel, k, out, r * CLASSES);
    }
    return out;
  }

  /** The training digits it compares with, as stored. */
  pictures(): Record<string, Picture> {
    return {
      stored: storedDigitsPicture(
        this.labels,
        (r) => Float32Array.from(this.images.subarray(r * PIXELS, (r + 1) * PIXELS), (v) => v / 255),
        `The first 4 stored training digits of each class, of ${this.points.toLocaleString('en')}, deskewed as it reads them. A digit is compared with the ${this.options.shortlist} nearest in a PCA-${this.pca.components} space, pixel by pixel with each pixel free to move ${this.options.warp} px, and read by its ${this.options.k} nearest.`,
      ),
    };
  }

  toJSON(): IdmKnnJson {
    return {
      name: this.name,
      version: 1,
      ...this.options,
      pca: this.pca.toJSON(),
      points: this.points,
      labels: encodeTensor(this.labels),
      images: encodeTensor(this.images),
    };
  }

  static load(json: unknown): IdmKnn {
    const j = modelBlock<IdmKnnJson>(json, IdmKnn.kind, 1);
    const { k, shortlist, warp, points } = j;
    if (![k, shortlist, points].every((v) => Number.isInteger(v) && (v as number) > 0) || !Number.isInteger(warp)) {
      throw new ModelFormatError('invalid model: knn-idm k/shortlist/warp/points are not valid sizes');
    }
    const labels = decodeTensor(j.labels, (m) => new Uint8Array(m), points as number, 'knn-idm labels');
    if (labels.some((l) => l >= CLASSES)) throw new ModelFormatError('invalid model: knn-idm labels must be 0..9');
    const images = decodeTensor(j.images, (m) => new Uint8Array(m), (points as number) * PIXELS, 'knn-idm images');
    const pca = Pca.load(j.pca);
    if (pca.inputSize !== PIXELS) throw new ModelFormatError(`invalid model: knn-idm's PCA reads ${pca.inputSize} values, not ${PIXELS}`);
    try {
      return new IdmKnn({ k: k as number, shortlist: shortlist as number, warp: warp as number }, pca, images, labels);
    } catch (e) {
      throw new ModelFormatError(`invalid model: ${(e as Error).message}`);
    }
  }
}

/** Per-query work space: the shortlist and the two feature grids. */
export class IdmScratch {
  readonly index: Int32Array;
  readonly pcaDistance: Float64Array;
  readonly query = new Float32Array(GRID_FLOATS);
  readonly reference = new Float32Array(GRID_FLOATS);
  constructor(shortlist: number) {
    this.index = new Int32Array(shortlist);
    this.pcaDistance = new Float64Array(shortlist);
  }
}

/** Class probabilities from the k nearest by IDM (ascending), weighted by 1/distance; a distance of 0 takes the whole vote. */
export function idmVote(distance: ArrayLike<number>, labels: ArrayLike<number>, k: number, out: Float32Array, o: number): void {
  out.fill(0, o, o + CLASSES);
  if (distance[0] === 0) {
    out[o + labels[0]!] = 1;
    return;
  }
  let total = 0;
  const votes = new Float64Array(CLASSES);
  for (let j = 0; j < k; j++) {
    const w = 1 / distance[j]!;
    votes[labels[j]!]! += w;
    total += w;
  }
  for (let c = 0; c < CLASSES; c++) out[o + c] = votes[c]! / total;
}
