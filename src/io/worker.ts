import { Worker, type WorkerOptions } from 'node:worker_threads';
import { Piscina } from 'piscina';

type PoolOptions = NonNullable<ConstructorParameters<typeof Piscina>[0]>;

// Under tsx, worker threads do not inherit the TypeScript loader, so a .ts module starts through the one
// entry that registers it first (worker-entry.mjs), which finds the module in workerData.entry.
const ENTRY = new URL('./worker-entry.mjs', import.meta.url);

function entryFor(url: URL, workerData: unknown): { url: URL; workerData: unknown } {
  if (!url.pathname.endsWith('.ts')) return { url, workerData };
  return { url: ENTRY, workerData: { ...(workerData as object), entry: url.href } };
}

/** Starts a worker thread running the module at `url`. */
export function startWorker(url: URL, options: WorkerOptions = {}): Worker {
  const start = entryFor(url, options.workerData);
  return new Worker(start.url, { ...options, workerData: start.workerData });
}

/** A piscina pool whose task is the default export of the module at `url`. */
export function workerPool(url: URL, options: Omit<PoolOptions, 'filename'> = {}): Piscina {
  const start = entryFor(url, options.workerData);
  return new Piscina({ ...options, filename: start.url.href, workerData: start.workerData });
}
