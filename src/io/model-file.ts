import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { DigitModel } from '../core/models/model.js';
import { parseModel } from '../core/models/registry.js';
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

/** A model file in one line: what it is, its test accuracy and the start of its SHA-256. */
export function describeModelFile(path: string): string {
  const model = loadModel(path);
  const test = model.metadata.metrics.test?.accuracy;
  const sha = createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 12);
  return `${model.metadata.description}${test === undefined ? '' : `, MNIST test ${(100 * test).toFixed(2)}%`}, sha256 ${sha}…`;
}

/**
 * The one way a model becomes the served one: checked by loading it whole, then copied over models/best.json
 * (through a temporary file). Returns what was served before (null when nothing was) and what is now.
 */
export function promoteModel(path: string, target = BEST_MODEL_PATH): { replaced: string | null; now: string; same: boolean } {
  const now = describeModelFile(path);
  const replaced = existsSync(target) ? describeModelFile(target) : null;
  const same = resolve(path) === resolve(target) || (replaced !== null && readFileSync(path).equals(readFileSync(target)));
  if (!same) {
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(path, `${target}.tmp`);
    renameSync(`${target}.tmp`, target);
  }
  return { replaced, now, same };
}
