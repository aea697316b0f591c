import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DigitModel } from '../models/model.js';
import { parseModel } from '../models/registry.js';
import { readInput } from './files.js';

export const BEST_MODEL_PATH = 'models/best.json';
/** Larger files are refused before reading: no committed model comes near this. */
export const MAX_MODEL_BYTES = 1024 * 1024 * 1024;

/** Reads and checks a model JSON file; every error names the file. */
export function loadModel(path = BEST_MODEL_PATH): DigitModel {
  const bytes = readInput(path, 'model file', { maxBytes: MAX_MODEL_BYTES, ifMissing: 'train one with npm run train or npm run bench' });
  return parseModel(bytes.toString('utf8'), path);
}

/** Writes a model JSON a person can read (metadata first), through a temporary file so no half model is left. */
export function saveModel(model: DigitModel, path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.tmp`, `${JSON.stringify(model.toJSON(), null, 1)}\n`);
  renameSync(`${path}.tmp`, path);
}
