import { availableParallelism } from 'node:os';
import { fitRows, PIXELS } from '../core/frame.js';
import { workerPool } from '../io/worker.js';
import type { TrainingData } from './common.js';
import type { ExtraResult, ExtraTask } from './extra-task.js';
import { reporter, type TrainHooks } from './hooks.js';

export interface ExtraCounts {
  /** Images that are not digits (letters, shapes, scribbles…), trained towards the uniform distribution. */
  outliers: number;
  /** MNIST training digits (never validation ones) corrupted as user images: blur, low resolution, noise… */
  corrupted: number;
  /** Digits typed in TRAINING_FONTS (src/samples/typed.ts). */
  typed: number;
  /** Letters drawn by a pen (penLetter, src/samples/non-digits.ts), also trained as non-digits. */
  penLetters?: number;
}

/**
 * Renders the extra training images on all cores, each through the same preprocessing a user's image
 * gets, so the network trains on what it will be shown. Deterministic for a seed.
 */
export async function extraSamples(data: TrainingData, counts: ExtraCounts, seed: number, hooks: TrainHooks = {}): Promise<ExtraResult> {
  const total = counts.outliers + counts.corrupted + counts.typed + (counts.penLetters ?? 0);
  const empty: ExtraResult = { pixels: new Uint8Array(0), labels: new Uint8Array(0), empty: 0 };
  if (total === 0) return empty;
  // A small heap limit makes the threads collect garbage often: they allocate a few MB per image, and with
  // the default limit their heaps grew past 5 GB each before collecting.
  const pool = workerPool(new URL('./extra-task.ts', import.meta.url), {
    workerData: { withMnist: counts.corrupted > 0 },
    minThreads: availableParallelism(),
    maxThreads: availableParallelism(),
    resourceLimits: { maxOldGenerationSizeMb: 768 },
  });
  const report = reporter(hooks, 'extra training images', total);
  const fitIndex = fitRows(data.mnist.train.n);
  const tasks: ExtraTask[] = [];
  const chunk = 250;
  const add = (kind: ExtraTask['kind'], count: number, offset: number) => {
    for (let a = 0; a < count; a += chunk) {
      const seeds = Array.from({ length: Math.min(chunk, count - a) }, (_, k) => seed * 10_000_019 + offset + a + k);
      // Corrupted digits walk the fit split with a stride, so any count draws from all of it.
      const images = kind === 'corrupted' ? seeds.map((_, k) => fitIndex[((a + k) * 7919) % fitIndex.length]!) : undefined;
      tasks.push({ kind, seeds, ...(images && { images }) });
    }
  };
  add('outlier', counts.outliers, 0);
  add('corrupted', counts.corrupted, 3_000_000);
  add('typed', counts.typed, 6_000_000);
  add('pen-letter', counts.penLetters ?? 0, 8_000_000);
  let done = 0;
  try {
    const parts = await Promise.all(
      tasks.map(async (t) => {
        const r = (await pool.run(t)) as ExtraResult;
        report.step((done += t.seeds.length));
        return r;
      }),
    );
    report.end();
    const n = parts.reduce((a, p) => a + p.labels.length, 0);
    const out: ExtraResult = { pixels: new Uint8Array(n * PIXELS), labels: new Uint8Array(n), empty: parts.reduce((a, p) => a + p.empty, 0) };
    let r = 0;
    for (const p of parts) {
      out.pixels.set(p.pixels, r * PIXELS);
      out.labels.set(p.labels, r);
      r += p.labels.length;
    }
    return out;
  } finally {
    await pool.destroy();
  }
}
