import { fromBase64 } from '../core/util/tensors.js';

/*
 * The model file as the inspector shows it: every value as it is in the JSON, but each tensor (a base64
 * string) summarised by its type, shape, range, mean, a histogram and its first values. The file is 4.5 MB;
 * this is a few kB, and a person can read it.
 */

export interface TensorSummary {
  $tensor: 'float32' | 'int16' | 'int32' | 'uint8';
  shape: number[];
  min: number;
  max: number;
  mean: number;
  /** Counts in HISTOGRAM_BINS equal bins from min to max. */
  histogram: number[];
  first: number[];
}

const HISTOGRAM_BINS = 24;
const FIRST_VALUES = 16;

/** The tensors of the model format (docs/model-format.md), by their key. */
const TENSOR_TYPES: Record<string, TensorSummary['$tensor']> = {
  w: 'float32',
  b: 'float32',
  mean: 'float32',
  vectors: 'float32',
  features: 'float32',
  threshold: 'float32',
  feature: 'int16',
  right: 'int32',
  leafProbabilities: 'uint8',
  labels: 'uint8',
};

const ARRAYS = { float32: Float32Array, int16: Int16Array, int32: Int32Array, uint8: Uint8Array } as const;

function summarise(type: TensorSummary['$tensor'], bytes: Uint8Array, shape: (n: number) => number[]): TensorSummary | null {
  const Kind = ARRAYS[type];
  if (bytes.length % Kind.BYTES_PER_ELEMENT !== 0) return null;
  // A copy: the bytes of a base64 decode need not be aligned for the wider types.
  const values = new Kind(bytes.slice().buffer);
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  const histogram = new Array<number>(HISTOGRAM_BINS).fill(0);
  const width = (max - min) / HISTOGRAM_BINS || 1;
  for (const v of values) histogram[Math.min(HISTOGRAM_BINS - 1, Math.floor((v - min) / width))]!++;
  const round = (v: number) => Number(v.toPrecision(5));
  return {
    $tensor: type,
    shape: shape(values.length),
    min: round(min),
    max: round(max),
    mean: round(sum / Math.max(1, values.length)),
    histogram,
    first: Array.from(values.subarray(0, FIRST_VALUES), round),
  };
}

/** The shape of a tensor, from the numbers beside it: an MLP layer's sizes, a PCA's or kNN's dimensions. */
function shapeOf(key: string, parent: Record<string, unknown>, layer: { sizes: number[]; index: number } | null): (n: number) => number[] {
  return (n) => {
    if (layer && key === 'w') return [layer.sizes[layer.index]!, layer.sizes[layer.index + 1]!];
    const d = Number(parent.inputSize);
    if ((key === 'vectors' || key === 'features') && d > 0 && n % d === 0) return [n / d, d];
    if (key === 'leafProbabilities' && n % 10 === 0) return [n / 10, 10];
    return [n];
  };
}

/** The JSON of a model with each tensor replaced by its summary. */
export function modelTree(json: unknown): unknown {
  const walk = (raw: unknown, key: string, parent: Record<string, unknown>, layer: { sizes: number[]; index: number } | null): unknown => {
    // Blocks such as the digit detector are objects that JSON.stringify turns into their toJSON().
    const value = typeof (raw as { toJSON?: unknown } | null)?.toJSON === 'function' ? (raw as { toJSON(): unknown }).toJSON() : raw;
    if (typeof value === 'string') {
      const type = TENSOR_TYPES[key];
      const bytes = type && value.length > 0 ? fromBase64(value) : null;
      return (bytes && summarise(type!, bytes, shapeOf(key, parent, layer))) ?? value;
    }
    if (Array.isArray(value)) {
      // An MLP's layers: each knows its place in `sizes`.
      const sizes = key === 'layers' && Array.isArray(parent.sizes) ? (parent.sizes as number[]) : null;
      return value.map((v, i) => walk(v, String(i), parent, sizes ? { sizes, index: i } : null));
    }
    if (typeof value === 'object' && value !== null) {
      const o = value as Record<string, unknown>;
      return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, walk(v, k, o, layer)]));
    }
    return value;
  };
  return walk(json, '', {}, null);
}
