import { spawnSync } from 'node:child_process';

/** Runs one of the project's CLIs as `npm run` would (through tsx), returning exit code and output. */
export function runScript(script: string, args: string[], env: Record<string, string> = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
