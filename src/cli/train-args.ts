import { DEFAULT_DETECTOR } from '../train/detector.js';
import { REFUSE_AT_MOST } from '../train/confidence.js';
import { MODELS, modelRow, type ModelRow, type OptionSpec } from '../train/table.js';
import { intOption, numberOption } from './run.js';

/* The train command's flags, help and checks, from the model table: apart from the command, so that tests read them in-process. */

type Spec = OptionSpec<unknown>;

function specsOf(row: ModelRow): [string, Spec][] {
  return Object.entries(row.options as Record<string, Spec>);
}

function showDefault(v: unknown): string {
  if (v === undefined) return ' (default: all)';
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) return '';
  return ` (default ${Array.isArray(v) ? v.join(',') : String(v)})`;
}

/** The --help text, from the model table. */
export function usage(): string {
  const lines = [
    `npm run train -- --model ${MODELS.map((m) => m.name).join('|')} [--out PATH] [model options] [--calibrate [--detector]]`,
    '',
    '  --model NAME          the model to train, one of those below',
    '  --out PATH            where to write the model JSON (default models/NAME.json); npm run promote serves it',
    '  --calibrate           then fit the temperature (on MNIST\'s validation split) and the "not a digit" threshold',
    `                        (refusing at most ${REFUSE_AT_MOST * 100}% of validation digits, MNIST's and drawn ones); a detector`,
    '                        the model already has (--from) is kept',
    `  --detector            with --calibrate: first train a digit detector (an MLP ${DEFAULT_DETECTOR.hidden} hidden units wide telling`,
    `                        digits from non-digits, seed ${DEFAULT_DETECTOR.seed}; about seven minutes, most of it rendering its`,
    '                        training images) whose "a digit" probability is a second refusal rule, fitted with the first',
  ];
  for (const row of MODELS) {
    lines.push('', `${row.name}: ${row.summary}`);
    for (const [key, spec] of specsOf(row)) {
      const arg = spec.kind === 'switch' ? '' : spec.kind === 'ints' ? ' N,N,…' : spec.kind === 'path' ? ' PATH' : ' N';
      const value = (row.defaults as Record<string, unknown>)[key];
      const dflt = spec.kind === 'switch' || (spec.kind === 'path' && value === undefined) ? '' : showDefault(value);
      lines.push(`  --${(spec.flag + arg).padEnd(20)}${spec.help}${dflt}`);
    }
    if (row.resumable) {
      lines.push(`  --${'resume'.padEnd(20)}continue from the checkpoint (the --out path + .checkpoint)`);
      lines.push('  Ctrl-C stops after the current batch and writes the best model so far; --resume continues it.');
    }
  }
  return lines.join('\n');
}

/** Every flag any row has: each is a string (a value) or a boolean (a switch). */
export function flagConfig(): Record<string, { type: 'string' | 'boolean' }> {
  const flags: Record<string, { type: 'string' | 'boolean' }> = {
    model: { type: 'string' },
    out: { type: 'string' },
    resume: { type: 'boolean' },
    calibrate: { type: 'boolean' },
    detector: { type: 'boolean' },
  };
  for (const row of MODELS) for (const [, spec] of specsOf(row)) flags[spec.flag] = { type: spec.kind === 'switch' ? 'boolean' : 'string' };
  return flags;
}

function inRange(n: number, flag: string, [min, max]: readonly [number, number]): number {
  if (n < min || n > max) throw new RangeError(`--${flag} must be from ${min} to ${max}, got ${n}`);
  return n;
}

/** The row's options from the flags given, defaults for the rest; a flag of another model is an error. */
function optionsFrom(row: ModelRow, values: Record<string, string | boolean | undefined>): object {
  const specs = specsOf(row);
  const own = new Set(['model', 'out', 'calibrate', 'detector', ...(row.resumable ? ['resume'] : []), ...specs.map(([, s]) => s.flag)]);
  const foreign = Object.keys(values).filter((f) => values[f] !== undefined && !own.has(f));
  if (foreign.length) {
    throw new RangeError(
      `${foreign.map((f) => `--${f}`).join(', ')} ${foreign.length > 1 ? 'are not options' : 'is not an option'} of ${row.name}; see npm run train -- --help`,
    );
  }
  const options: Record<string, unknown> = { ...row.defaults };
  for (const [key, spec] of specs) {
    const v = values[spec.flag];
    if (v === undefined) continue;
    if (spec.kind === 'switch') options[key] = spec.value;
    else if (spec.kind === 'path') options[key] = String(v);
    else {
      const read = (x: string) => inRange(spec.kind === 'number' ? numberOption(x, spec.flag, 0) : intOption(x, spec.flag, 0), spec.flag, spec.range);
      options[key] = spec.kind === 'ints' ? String(v).split(',').map(read) : read(String(v));
    }
  }
  return options;
}

/** The flags parsed → the row, its options and where to write; every mistake is a RangeError that names it. */
export function trainArgs(values: Record<string, string | boolean | undefined>): { row: ModelRow; options: object; out: string } {
  const name = values.model;
  if (typeof name !== 'string') throw new RangeError(`--model is required\n\n${usage()}`);
  const row = modelRow(name);
  const options = optionsFrom(row, values);
  if (values.detector && !values.calibrate) throw new RangeError('--detector trains a detector for --calibrate: give both');
  if (row.name === 'recalibrate' && !values.calibrate) throw new RangeError('recalibrate only fits the confidence again: give --calibrate');
  return { row, options, out: typeof values.out === 'string' ? values.out : `models/${name}.json` };
}
