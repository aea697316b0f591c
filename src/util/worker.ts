import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker from a module URL. Under tsx, workers do not inherit the TypeScript loader, so a .ts
 * worker starts through a small entry that registers it first.
 */
export function startWorker(url: URL, options: WorkerOptions = {}): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, options);
  const workerData = { ...(options.workerData as object), tsWorkerEntry: url.href };
  return new Worker(new URL('./ts-worker.mjs', import.meta.url), { ...options, workerData });
}
