import { renameSync, writeFileSync } from 'node:fs';
import { CLASSES, PIXELS } from '../core/frame.js';
import { readInput } from '../io/files.js';
import { InputTransform, type InputJson } from '../core/features/transform.js';
import { Mlp, NON_DIGIT_WEIGHT } from '../core/models/mlp.js';
import { InputError, ModelFormatError } from '../core/util/errors.js';
import { decodeFloat32, encodeTensor } from '../core/util/tensors.js';
import type { EpochRecord, MlpTrainOptions } from './mlp-options.js';

/** Where a run stands after an epoch: enough to continue it exactly. */
export interface TrainState {
  epoch: number;
  /** Optimiser steps taken (Adam's bias correction counts them). */
  step: number;
  seconds: number;
  history: EpochRecord[];
  bestAccuracy: number;
  bestEpoch: number;
  params: Float32Array;
  best: Float32Array;
  m: Float32Array;
  v: Float32Array;
}

const VERSION = 2;

type Arrays = 'params' | 'best' | 'm' | 'v';

/** The state with its arrays in base64, and the options with the input transform as its JSON. */
interface CheckpointJson extends Omit<TrainState, Arrays>, Record<Arrays, string> {
  kind: 'mlp-checkpoint';
  version: typeof VERSION;
  options: Omit<MlpTrainOptions, 'transform'> & { transform: InputJson | null };
}

/** Writes the checkpoint through a temporary file, so Ctrl-C mid-write never leaves half of one. */
export function writeCheckpoint(path: string, options: MlpTrainOptions, s: TrainState): void {
  const { transform, ...rest } = options;
  const c: CheckpointJson = {
    kind: 'mlp-checkpoint',
    version: VERSION,
    options: { ...rest, transform: transform ? transform.toJSON() : null },
    epoch: s.epoch,
    step: s.step,
    seconds: s.seconds,
    history: s.history,
    bestAccuracy: s.bestAccuracy,
    bestEpoch: s.bestEpoch,
    params: encodeTensor(s.params),
    best: encodeTensor(s.best),
    m: encodeTensor(s.m),
    v: encodeTensor(s.v),
  };
  writeFileSync(`${path}.tmp`, JSON.stringify(c));
  renameSync(`${path}.tmp`, path);
}

/** Reads and checks a checkpoint: options, counters and every array's length, each error naming the file. */
export function readCheckpoint(path: string): { options: MlpTrainOptions; state: TrainState } {
  const text = readInput(path, 'checkpoint', { ifMissing: 'train without --resume first' }).toString('utf8');
  const fail = (problem: string): never => {
    throw new InputError(`checkpoint ${path} ${problem}; train again without --resume`);
  };
  let c: Partial<CheckpointJson>;
  try {
    c = JSON.parse(text) as Partial<CheckpointJson>;
  } catch (e) {
    return fail(`is not valid JSON (${(e as Error).message})`);
  }
  if (!c || typeof c !== 'object' || c.kind !== 'mlp-checkpoint') return fail('is not an MLP training checkpoint');
  if (c.version !== VERSION) return fail(`has version ${String(c.version)}, and this program reads version ${VERSION}`);
  const options = checkOptions(c.options, fail);
  const sizes = [options.transform ? options.transform.outputSize : PIXELS, ...options.hidden, CLASSES];
  const counts = { epoch: c.epoch, step: c.step, bestEpoch: c.bestEpoch };
  for (const [name, v] of Object.entries(counts)) if (!Number.isInteger(v) || (v as number) < 0) fail(`has no valid "${name}"`);
  if (typeof c.seconds !== 'number' || !(c.seconds >= 0)) fail('has no valid "seconds"');
  if (typeof c.bestAccuracy !== 'number' || !(c.bestAccuracy <= 1)) fail('has no valid "bestAccuracy"');
  if (!Array.isArray(c.history)) fail('has no "history" list');
  const nParams = Mlp.paramCount(sizes);
  const floats = (b64: unknown, what: string) => {
    try {
      return decodeFloat32(b64, nParams, `checkpoint ${what}`);
    } catch (e) {
      if (e instanceof ModelFormatError) return fail(`does not fit its options (${sizes.join('-')}): ${e.message.replace(/^invalid model: /, '')}`);
      throw e;
    }
  };
  return {
    options,
    state: {
      epoch: c.epoch!,
      step: c.step!,
      seconds: c.seconds!,
      history: c.history!,
      bestAccuracy: c.bestAccuracy!,
      bestEpoch: c.bestEpoch!,
      params: floats(c.params, 'params'),
      best: floats(c.best, 'best params'),
      m: floats(c.m, 'Adam m'),
      v: floats(c.v, 'Adam v'),
    },
  };
}

function checkOptions(o: CheckpointJson['options'] | undefined, fail: (problem: string) => never): MlpTrainOptions {
  if (!o || typeof o !== 'object') return fail('has no "options"');
  const positive = ['epochs', 'batch', 'patience', 'workers', 'validateEvery'] as const;
  for (const k of positive) if (!Number.isInteger(o[k]) || o[k] < 1) fail(`option "${k}" must be a positive integer, got ${JSON.stringify(o[k])}`);
  if (!Number.isInteger(o.seed)) fail(`option "seed" must be an integer, got ${JSON.stringify(o.seed)}`);
  for (const k of ['lr', 'minLrFraction', 'weightDecay'] as const)
    if (typeof o[k] !== 'number' || !Number.isFinite(o[k])) fail(`option "${k}" must be a number`);
  if (!Array.isArray(o.hidden) || !o.hidden.every((h) => Number.isInteger(h) && h > 0)) fail('option "hidden" must be a list of layer sizes');
  if (o.fitLimit !== undefined && (!Number.isInteger(o.fitLimit) || o.fitLimit < 1)) fail('option "fitLimit" must be a positive integer');
  for (const k of ['outliers', 'corrupted', 'typed'] as const) if (!Number.isInteger(o[k]) || o[k] < 0) fail(`option "${k}" must be a whole number`);
  if (o.from !== undefined && typeof o.from !== 'string') fail('option "from" must be a file name');
  if (o.augment !== null && (typeof o.augment !== 'object' || Object.values(o.augment).some((v) => typeof v !== 'number')))
    fail('option "augment" must be null or augmentation settings');
  let transform: InputTransform | undefined;
  try {
    transform = o.transform ? InputTransform.load(o.transform) : undefined;
  } catch (e) {
    if (e instanceof ModelFormatError) fail(`has an invalid input transform: ${e.message}`);
    throw e;
  }
  // Checkpoints from before the option trained their outliers at the default weight.
  const nonDigitWeight = o.nonDigitWeight ?? NON_DIGIT_WEIGHT;
  if (typeof nonDigitWeight !== 'number' || !(nonDigitWeight >= 0 && nonDigitWeight <= 1)) fail('option "nonDigitWeight" must be a number from 0 to 1');
  const { transform: _t, ...rest } = o;
  return { ...rest, nonDigitWeight, ...(transform && { transform }) };
}
