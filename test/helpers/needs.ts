import type { Test } from 'uvu';

/**
 * The suite's `test` when nothing it needs is missing; otherwise one that registers each test as skipped,
 * so uvu's "Skipped" counts it and the reason is printed once. With CI=true a missing dependency fails the
 * run instead: CI installs everything (.ci/run), so a skip there would hide a broken install.
 */
export function needs<T>(test: Test<T>, suiteName: string, missing: string | null): Test<T> {
  if (missing === null) return test;
  if (process.env.CI === 'true') throw new Error(`${suiteName}: ${missing}, and CI=true makes a missing dependency a failure`);
  console.warn(`skipping "${suiteName}": ${missing}`);
  return Object.assign((name: string) => test.skip(name), test) as unknown as Test<T>;
}
