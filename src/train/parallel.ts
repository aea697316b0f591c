import type { Rows } from '../core/frame.js';
import { availableParallelism } from 'node:os';
import type { Piscina } from 'piscina';
import type { Pca } from '../core/features/pca.js';
import { pcaFromCovariance } from '../core/features/pca-fit.js';
import { covarianceFromMoments } from '../core/math/linalg.js';
import { workerPool } from '../io/worker.js';
import type { MomentsTask, ProjectTask } from './parallel-tasks.js';

/**
 * Row-parallel numeric work on all cores: PCA's covariance moments and projections over whole data sets.
 * Threads start on first use and exit after a second idle, so short commands still end promptly.
 */
let pool: Piscina | null = null;

function threads(): Piscina {
  pool ??= workerPool(new URL('./parallel-tasks.ts', import.meta.url), { minThreads: 0, maxThreads: availableParallelism(), idleTimeout: 1000 });
  return pool;
}

/** The same values in shared memory, so threads read them without a copy each. */
export function shared(x: Float32Array): Float32Array {
  if (x.buffer instanceof SharedArrayBuffer) return x;
  const s = new Float32Array(new SharedArrayBuffer(x.byteLength));
  s.set(x);
  return s;
}

function ranges(n: number, parts: number): [number, number][] {
  return Array.from({ length: parts }, (_, i) => [Math.floor((n * i) / parts), Math.floor((n * (i + 1)) / parts)]);
}

async function parallelCovariance(x: Float32Array, n: number, d: number): Promise<{ mean: Float64Array; cov: Float64Array }> {
  const xs = shared(x.subarray(0, n * d));
  const parts = await Promise.all(
    ranges(n, availableParallelism()).map(
      ([from, to]) => threads().run({ kind: 'moments', x: xs, d, from, to } satisfies MomentsTask) as Promise<{ sum: Float64Array; moments: Float64Array }>,
    ),
  );
  const sum = new Float64Array(d);
  const moments = new Float64Array(d * d);
  for (const p of parts) {
    for (let i = 0; i < d; i++) sum[i]! += p.sum[i]!;
    for (let i = 0; i < d * d; i++) moments[i]! += p.moments[i]!;
  }
  return covarianceFromMoments(sum, moments, n, d);
}

/** fitPca with the covariance accumulated on all cores: the same components. */
export async function fitPcaParallel({ x, n, d }: Rows, { components = 50 } = {}): Promise<Pca> {
  return pcaFromCovariance(await parallelCovariance(x, n, d), d, components);
}

/** pca.project with rows split across threads: for whole data sets. */
export async function projectParallel(pca: Pca, x: Float32Array, n: number): Promise<Float32Array> {
  const d = pca.inputSize;
  const k = pca.components;
  const xs = shared(x.subarray(0, n * d));
  const out = new Float32Array(new SharedArrayBuffer(n * k * 4));
  await Promise.all(
    ranges(n, availableParallelism()).map(([from, to]) =>
      threads().run({ kind: 'project', x: xs, d, k, vectorsT: pca.vectorsT, meanProjection: pca.meanProjection, from, to, out } satisfies ProjectTask),
    ),
  );
  return out;
}
