import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number, status?: string): void;
  stop(): void;
}

/** A progress bar on stderr (a line every 10 s when stderr is not a terminal, e.g. in CI); silent when quiet. */
export function progress(label: string, total: number, quiet = false): Progress {
  if (quiet) return { update() {}, stop() {} };
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
