import { ModelFormatError } from './errors.js';

/**
 * The check every `load` starts with: an object whose name is this classifier's (or a legacy one) and
 * whose version is one this program reads. Returns the object for the fields to be checked next.
 */
export function modelBlock<T extends { name: string; version: number }>(
  json: unknown,
  kind: string,
  version: number,
  legacyNames: readonly string[] = [],
): Partial<T> {
  const j = json as Partial<T> | null;
  if (!j || typeof j !== 'object' || typeof j.name !== 'string' || !(j.name === kind || legacyNames.includes(j.name))) {
    throw new ModelFormatError(`invalid model: expected a ${kind} block`);
  }
  if (j.version !== version) throw new ModelFormatError(`invalid model: ${kind} version ${String(j.version)} is not supported (expected ${version})`);
  return j;
}
