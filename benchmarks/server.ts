import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import autocannon from 'autocannon';
import { decodeImage } from '../src/image/decode.js';
import { predictDecoded } from '../src/image/pipeline.js';
import { BEST_MODEL_PATH, loadModel } from '../src/models/registry.js';
import { rasterStrokes } from '../src/samples/raster.js';
import { smoothPath, TEMPLATES } from '../src/samples/strokes.js';
import { encodePng } from '../src/samples/styles.js';
import { createApp, DEFAULT_LIMITS } from '../src/server/app.js';
import { poolPredictor } from '../src/server/predictor.js';

export interface ServerBench {
  image: string;
  pipelinePerSecond: number;
  pipelineMs: number;
  concurrency1: { p50Ms: number; p99Ms: number; requestsPerSecond: number };
  loaded: { connections: number; p50Ms: number; p99Ms: number; requestsPerSecond: number };
  cores: number;
  /** HTTP requests/s per core over in-process pipeline runs/s on one core. */
  httpVsPipelinePerCore: number;
  errors: number;
}

/** A 280×280 canvas PNG like the drawing board sends: black round-brush strokes on white. */
function canvasPng(): Uint8Array {
  const strokes = TEMPLATES[3]![0]!.map((s) => smoothPath(s).map(([x, y]): [number, number] => [40 + x * 200, 40 + y * 200]));
  const ink = rasterStrokes(strokes, 280, 280, 10);
  const data = new Uint8Array(280 * 280 * 4);
  for (let i = 0; i < 280 * 280; i++) {
    data.fill(Math.round(255 * (1 - ink[i]!)), i * 4, i * 4 + 3);
    data[i * 4 + 3] = 255;
  }
  return encodePng({ width: 280, height: 280, data });
}

/**
 * The web app under load on loopback, beside the in-process pipeline measured in the same run:
 * p50/p99 latency at concurrency 1, requests/s under load, and the ratio of the two throughputs per core.
 */
export async function benchServer(durationSeconds = 10): Promise<ServerBench> {
  const png = canvasPng();
  const model = loadModel(BEST_MODEL_PATH);
  // In-process: decode → preprocess → predict on this thread, after a warm-up.
  for (let i = 0; i < 200; i++) predictDecoded(await decodeImage(png), model);
  const runs = 1500;
  const start = performance.now();
  for (let i = 0; i < runs; i++) predictDecoded(await decodeImage(png), model);
  const pipelineMs = (performance.now() - start) / runs;

  const cores = availableParallelism();
  const predictor = poolPredictor(BEST_MODEL_PATH, DEFAULT_LIMITS.maxPixels, cores);
  const server = createApp({ model, predictor }).listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/predict`;
  const body = JSON.stringify({ image: `data:image/png;base64,${Buffer.from(png).toString('base64')}` });
  const run = (connections: number, duration: number) =>
    autocannon({ url, method: 'POST', headers: { 'content-type': 'application/json' }, body, connections, duration, pipelining: 1 });
  try {
    await run(2, 2); // warm the workers' JIT
    const one = await run(1, durationSeconds);
    const loaded = await run(8, durationSeconds);
    const perCore = loaded.requests.average / cores;
    return {
      image: '280×280 canvas PNG, black strokes on white, as the drawing board sends (JSON data URL)',
      pipelinePerSecond: 1000 / pipelineMs,
      pipelineMs,
      concurrency1: { p50Ms: one.latency.p50, p99Ms: one.latency.p99, requestsPerSecond: one.requests.average },
      loaded: { connections: 8, p50Ms: loaded.latency.p50, p99Ms: loaded.latency.p99, requestsPerSecond: loaded.requests.average },
      cores,
      httpVsPipelinePerCore: perCore / (1000 / pipelineMs),
      errors: one.errors + one.non2xx + loaded.errors + loaded.non2xx,
    };
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await predictor.close();
  }
}
