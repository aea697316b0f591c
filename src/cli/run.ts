import { parseArgs, type ParseArgsConfig } from 'node:util';
import { InputError } from '../core/util/errors.js';

/**
 * Runs a CLI's main with parsed flags. Known input problems print one clear line and exit 1;
 * anything else is a bug and keeps its stack.
 */
export function runCli<T extends NonNullable<ParseArgsConfig['options']>>(
  usage: string,
  options: T,
  main: (args: { values: ReturnType<typeof parseArgs<{ options: T; allowPositionals: true }>>['values']; positionals: string[] }) => unknown, // an exit code, or nothing, or a promise of either
): void {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (e) {
    console.error(`${(e as Error).message}\n\n${usage}`);
    process.exit(2);
  }
  if ((parsed.values as { help?: boolean }).help) {
    console.log(usage);
    return;
  }
  Promise.resolve()
    .then(() => main(parsed as never))
    .then((code) => {
      if (typeof code === 'number') process.exitCode = code;
    })
    .catch((e: unknown) => {
      if (e instanceof InputError || e instanceof RangeError) {
        console.error(`error: ${e.message}`);
        process.exitCode = 1;
      } else {
        console.error(e);
        process.exitCode = 1;
      }
    });
}

export function intOption(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new RangeError(`--${name} must be an integer, got "${value}"`);
  return n;
}

/** An integer from the environment variable `name`, or `fallback` when it is unset. */
export function envInt(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new RangeError(`${name} must be an integer, got "${value}"`);
  return n;
}

export function numberOption(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new RangeError(`--${name} must be a number, got "${value}"`);
  return n;
}

export function intList(value: string | undefined, name: string): number[] | undefined {
  return value === undefined ? undefined : value.split(',').map((v) => intOption(v, name, 0));
}
