import cliProgress from 'cli-progress';
import type { ProgressEvent } from '../train/hooks.js';

export interface Progress {
  update(done: number, status?: string): void;
  stop(): void;
}

/** A progress bar on stderr (a line every 10 s when stderr is not a terminal, e.g. in CI). */
export function progress(label: string, total: number): Progress {
  const bar = new cliProgress.SingleBar(
    {
      format: `${label.padEnd(22)} [{bar}] {percentage}% {value}/{total} | {duration_formatted} elapsed, eta {eta_formatted} {status}`,
      stream: process.stderr,
      noTTYOutput: true,
      notTTYSchedule: 10_000,
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { status: '' });
  return {
    update: (done, status = '') => bar.update(done, { status }),
    stop: () => bar.stop(),
  };
}

/**
 * A trainer's onProgress hook drawn as progress bars: one bar per task, a new one when the task changes,
 * each closed when its work is done.
 */
export function progressBars(): (event: ProgressEvent) => void {
  let current: { task: string; bar: Progress; closed: boolean } | null = null;
  return ({ task, done, total, status }) => {
    if (current?.task !== task) {
      current?.bar.stop();
      current = { task, bar: progress(task, total), closed: false };
    }
    if (current.closed) return;
    current.bar.update(done, status);
    if (done >= total) {
      current.bar.stop();
      current.closed = true;
    }
  };
}
