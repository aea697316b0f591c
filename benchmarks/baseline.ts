import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The last commit before the SIMD kernels (issue 27): the code their speed-ups are measured against, run in
 * the same bench beside today's, on the same model file.
 */
export const BASELINE_COMMIT = 'c51049e';

/**
 * A copy of the baseline commit's tree (git archive) in a temporary folder, sharing this checkout's
 * node_modules; or why there is none (a shallow clone lacks the commit).
 */
export function baselineTree(): { dir: string } | { why: string } {
  const dir = join(tmpdir(), `mnist-baseline-${BASELINE_COMMIT}`);
  if (existsSync(join(dir, 'package.json'))) return { dir };
  mkdirSync(dir, { recursive: true });
  const archive = spawnSync('sh', ['-c', `git archive ${BASELINE_COMMIT} | tar -x -C '${dir}'`], { encoding: 'utf8' });
  if (archive.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return { why: `the baseline commit ${BASELINE_COMMIT} is not in this clone (${archive.stderr.trim().split('\n')[0]}): no ratio to it` };
  }
  symlinkSync(resolve('node_modules'), join(dir, 'node_modules'));
  return { dir };
}
