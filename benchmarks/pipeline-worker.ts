import { parentPort, workerData } from 'node:worker_threads';
import { MAX_PIXELS } from '../src/codecs/decode.js';
import { BEST_MODEL_PATH, loadModel } from '../src/io/model-file.js';
import type { DigitModel } from '../src/core/models/model.js';
import { predictTask } from '../src/server/predict-task.js';

// The in-process pipeline measured on a thread of its own, with a heap as small as a server process's:
// the bench's own heap holds all of MNIST, and its garbage collections would slow the loop down.

let cachedModel: DigitModel | undefined;

/** How many times the server's per-request work runs per second on this thread (warmed up on the first call). */
async function pipelineRuns(png: Uint8Array, seconds: number): Promise<number> {
  const warm = cachedModel !== undefined;
  const model = (cachedModel ??= loadModel(BEST_MODEL_PATH));
  const once = async () => {
    const r = await predictTask(model, png, MAX_PIXELS);
    if (!r.ok || !('digit' in r.answer) || r.answer.digit !== 3) throw new Error(`the bench image should read as 3, got ${JSON.stringify(r)}`);
  };
  if (!warm) for (let i = 0; i < 200; i++) await once();
  let runs = 0;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    await once();
    runs++;
  }
  return runs / seconds;
}

const { png } = workerData as { png: Uint8Array };
parentPort!.on('message', (seconds: number) => void pipelineRuns(png, seconds).then((rate) => parentPort!.postMessage(rate)));
