import { ALPHABET, encodeTensor } from '../util/tensors.js';
import { Committee } from './committee.js';
import type { DigitDetector } from './detector.js';
import { Mlp, type MlpJson } from './mlp.js';
import type { DigitModel, ModelJson } from './model.js';

/*
 * The compact form of a model, for the browser: its MLPs' weights quantised. The server writes it (GET
 * /api/model/compact.json) and the pages only read it (compact-registry.ts), so the writing lives here, apart
 * from the classes the pages' bundles carry.
 */

/**
 * Quantisation levels each side of zero: 63 values a weight, 6 bits. 15 levels changed digits of data/samples
 * and 31 none, at two thirds of int8's download (docs/decisions.md).
 */
export const COMPACT_LEVELS = 31;

/**
 * The network with its weights quantised: each unit's incoming weights become whole multiples of one scale (its
 * largest |w| / `levels`, at most 31), written one base64 character per weight (character k means k − 32).
 * Biases stay float32; they are 0.1% of the parameters. Fewer levels (15: 5 bits, 7: 4 bits) use fewer
 * characters, which compress further; Mlp.load reads any of them.
 */
export function compactMlp(net: Mlp, levels = COMPACT_LEVELS): MlpJson {
  if (!Number.isInteger(levels) || levels < 1 || levels > COMPACT_LEVELS) throw new RangeError(`compact levels must be 1 to ${COMPACT_LEVELS}, got ${levels}`);
  return {
    ...net.toJSON(),
    layers: net.layers.map((l) => {
      const scale = new Float32Array(l.outSize);
      for (let i = 0; i < l.inSize; i++) for (let o = 0; o < l.outSize; o++) scale[o] = Math.max(scale[o]!, Math.abs(l.w[i * l.outSize + o]!));
      for (let o = 0; o < l.outSize; o++) scale[o] = scale[o]! / levels || 1;
      let wq = '';
      for (let k = 0; k < l.w.length; k++) wq += ALPHABET[Math.round(l.w[k]! / scale[k % l.outSize]!) + 32];
      return { wq, scale: encodeTensor(scale), b: encodeTensor(l.b) };
    }),
  };
}

/**
 * The model with its MLP, or each of its committee's members, and its digit detector in compact form; null for
 * a classifier that has none (kNN, forest: the pages predict with POST /api/predict).
 */
export function compactModel(model: DigitModel, levels?: number): ModelJson | null {
  const c = model.classifier;
  const classifier =
    c instanceof Mlp ? compactMlp(c, levels) : c instanceof Committee ? { ...c.toJSON(), members: c.members.map((m) => compactMlp(m, levels)) } : null;
  if (!classifier) return null;
  const json = { ...model.toJSON(), classifier };
  const detector = model.confidence?.detector;
  if (!detector) return json;
  const compact = { ...detector.toJSON(), network: compactMlp(detector.network) } as unknown as DigitDetector;
  return { ...json, confidence: { ...model.confidence!, detector: compact } };
}
