import { readFileSync, statSync } from 'node:fs';
import { InputError } from '../core/util/errors.js';

const CAUSES: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a directory, not a file',
  ENOTDIR: 'a part of the path is not a directory',
  EMFILE: 'too many open files',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the path is too long',
};

/** A file-system error in words: "no such file", not "ENOENT". */
export function fsCause(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return (code && CAUSES[code]) ?? (e as Error).message;
}

/**
 * Reads a whole file, refusing one over `maxBytes` before reading it. Errors name the file, what it was
 * for, and the cause in words; `ifMissing` tells the user how to make a file that does not exist yet.
 */
export function readInput(path: string, what: string, { maxBytes = Infinity, ifMissing = '' } = {}): Buffer {
  try {
    const size = statSync(path).size;
    if (size > maxBytes) throw new InputError(`${what} ${path} is ${size} bytes, over the ${maxBytes}-byte limit`);
    return readFileSync(path);
  } catch (e) {
    if (e instanceof InputError) throw e;
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT' && ifMissing ? `; ${ifMissing}` : '';
    throw new InputError(`cannot read ${what} ${path}: ${fsCause(e)}${missing}`);
  }
}
