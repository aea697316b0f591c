import { parseArgs } from 'node:util';
import { InputError } from '../core/util/errors.js';
import { flagConfig, trainArgs } from './train-args.js';

/*
 * A committee's members as a plan: a JSON spec → one `npm run train` command per member, then the command that
 * assembles them. The members are independent, so the commands can run on as many machines or cores as there
 * are; the last one runs where their files are gathered (docs/how-it-works.md).
 *
 *   {
 *     "options": { "hidden": 800, "epochs": 150 },       every member's flags (optional)
 *     "members": [{ "seed": 2 }, { "seed": 3, "deslant": true }, { "seed": 5, "width": 16 }],
 *     "dir": "models/members",                           where the member files go (optional; this default)
 *     "out": "models/committee.json",                    the committee's file (optional; this default)
 *     "select": true,                                    assemble with --select (optional; this default)
 *     "keep": [1],                                       members --select must keep, by place (optional)
 *     "most": 3,                                         --most: at most this many members (optional)
 *     "calibrate": false                                 assemble with --calibrate --detector: a committee to serve
 *   }
 *
 * Flags are the MLP's, named as on the command line; true is a switch, false leaves it out. Each member's
 * command is checked as `npm run train` checks it, so a mistake is found before hours of training.
 */

type Flags = Record<string, string | number | boolean>;

interface MembersSpec {
  options: Flags;
  members: Flags[];
  dir: string;
  out: string;
  select: boolean;
  /** Places (from 1) of the members the selection must keep (--keep). */
  keep: number[];
  most: number | undefined;
  calibrate: boolean;
}

function isFlags(v: unknown): v is Flags {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => ['string', 'number', 'boolean'].includes(typeof x));
}

function parseSpec(text: string, source: string): MembersSpec {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${source} is not JSON: ${(e as Error).message}`);
  }
  if (typeof j !== 'object' || j === null || Array.isArray(j)) throw new InputError(`${source} must be a JSON object with a "members" list`);
  const {
    options = {},
    members,
    dir = 'models/members',
    out = 'models/committee.json',
    select = true,
    keep = [],
    most,
    calibrate = false,
    ...rest
  } = j as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length)
    throw new InputError(
      `${source}: unknown key ${unknown.map((k) => `"${k}"`).join(', ')}; expected options, members, dir, out, select, keep, most, calibrate`,
    );
  if (!Array.isArray(members) || members.length < 2) throw new InputError(`${source}: "members" must list at least two members`);
  if (!isFlags(options)) throw new InputError(`${source}: "options" must be an object of flags and their values`);
  members.forEach((m, k) => {
    if (!isFlags(m)) throw new InputError(`${source}: member ${k + 1} must be an object of flags and their values`);
    if ('out' in m || 'model' in m)
      throw new InputError(`${source}: member ${k + 1} sets --${'out' in m ? 'out' : 'model'}; the plan names each member's file itself`);
  });
  for (const [key, v] of Object.entries({ dir, out })) if (typeof v !== 'string' || v === '') throw new InputError(`${source}: "${key}" must be a path`);
  for (const [key, v] of Object.entries({ select, calibrate })) if (typeof v !== 'boolean') throw new InputError(`${source}: "${key}" must be true or false`);
  if (!Array.isArray(keep) || !keep.every((k) => Number.isInteger(k) && k >= 1 && k <= members.length))
    throw new InputError(`${source}: "keep" must list members by their place, 1 to ${members.length}`);
  if (most !== undefined && (!Number.isInteger(most) || (most as number) < Math.max(2, keep.length) || !select))
    throw new InputError(`${source}: "most" must be a whole number of members, at least 2 and the kept ones, with "select": true`);
  if (keep.length > 0 && !select) throw new InputError(`${source}: "keep" names members the selection must keep: it needs "select": true`);
  return {
    options,
    members: members as Flags[],
    dir: dir as string,
    out: out as string,
    select: select as boolean,
    keep: keep as number[],
    most: most as number | undefined,
    calibrate: calibrate as boolean,
  };
}

/** A word for the shell: left alone when it is plain, else single-quoted. */
function shellWord(w: string): string {
  const quoted = w.replaceAll("'", "'\\''");
  return /^[\w./,=:@%+-]+$/.test(w) ? w : `'${quoted}'`;
}

/** The spec's commands: one `npm run train` per member, checked as the command checks its flags, then the assembly. */
export function membersPlan(text: string, source: string): string[] {
  const spec = parseSpec(text, source);
  const files = spec.members.map((_, k) => `${spec.dir.replace(/\/$/, '')}/member-${k + 1}.json`);
  const commands = spec.members.map((member, k) => {
    const file = files[k]!;
    const argv = ['--model', 'mlp'];
    for (const [flag, v] of Object.entries({ ...spec.options, ...member })) {
      if (v === false) continue;
      argv.push(`--${flag}`);
      if (v !== true) argv.push(String(v));
    }
    argv.push('--out', file);
    try {
      const { values } = parseArgs({ args: argv, options: flagConfig(), strict: true });
      trainArgs(values);
    } catch (e) {
      throw new InputError(`${source}: member ${k + 1}: ${(e as Error).message.split('\n')[0]}`);
    }
    return `npm run train -- ${argv.map(shellWord).join(' ')}`;
  });
  const assemble = [
    '--model',
    'committee',
    ...(spec.select ? ['--select'] : []),
    ...(spec.keep.length > 0 ? ['--keep', spec.keep.map((k) => files[k - 1]!).join(',')] : []),
    ...(spec.most !== undefined ? ['--most', String(spec.most)] : []),
    '--members',
    files.join(','),
    '--out',
    spec.out,
    ...(spec.calibrate ? ['--calibrate', '--detector'] : []),
  ];
  return [...commands, `npm run train -- ${assemble.map(shellWord).join(' ')}`];
}
