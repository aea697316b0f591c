import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import autocannon from 'autocannon';
import { decodeImage } from '../src/image/decode.js';
import { predictDecoded } from '../src/image/pipeline.js';
import { BEST_MODEL_PATH, loadModel } from '../src/models/registry.js';
import { rasterStrokes } from '../src/samples/raster.js';
import { smoothPath, TEMPLATES } from '../src/samples/strokes.js';
import { encodePng } from '../src/samples/styles.js';

export interface ServerBench {
  loadGenerator: string;
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
 * The web app (started as `npm start` starts it) under load on loopback, beside the in-process pipeline
 * measured in the same run:
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
  // The server runs as `npm start` does, in its own process, so the load generator does not share its event loop.
  const server = spawn(process.execPath, ['--import', 'tsx', 'src/cli/serve.ts'], { env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
  const base = await new Promise<string>((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /http:\/\/[\d.]+:\d+/.exec(out);
      if (m) resolve(m[0]);
    });
    server.once('exit', (code) => reject(new Error(`server exited with code ${code}`)));
  });
  const url = `${base}/api/predict`;
  const body = JSON.stringify({ image: `data:image/png;base64,${Buffer.from(png).toString('base64')}` });
  const run = existsSync(WRK) ? (c: number, d: number) => runWrk(url, body, c, d) : (c: number, d: number) => runAutocannon(url, body, c, d);
  try {
    await run(2, 2); // warm the workers' JIT
    const one = await run(1, durationSeconds);
    const loaded = await run(8, durationSeconds);
    const perCore = loaded.requestsPerSecond / cores;
    return {
      loadGenerator: existsSync(WRK) ? 'wrk' : 'autocannon',
      image: '280×280 canvas PNG, black strokes on white, as the drawing board sends (JSON data URL)',
      pipelinePerSecond: 1000 / pipelineMs,
      pipelineMs,
      concurrency1: { p50Ms: one.p50Ms, p99Ms: one.p99Ms, requestsPerSecond: one.requestsPerSecond },
      loaded: { connections: 8, p50Ms: loaded.p50Ms, p99Ms: loaded.p99Ms, requestsPerSecond: loaded.requestsPerSecond },
      cores,
      httpVsPipelinePerCore: perCore / (1000 / pipelineMs),
      errors: one.errors + loaded.errors,
    };
  } finally {
    server.kill('SIGTERM');
  }
}

interface LoadResult {
  p50Ms: number;
  p99Ms: number;
  requestsPerSecond: number;
  errors: number;
}

const WRK = '/usr/bin/wrk';

/** wrk (Debian's package) costs the machine far less CPU than a Node load generator. */
function runWrk(url: string, body: string, connections: number, seconds: number): LoadResult {
  const dir = mkdtempSync(join(tmpdir(), 'wrk-'));
  const script = join(dir, 'post.lua');
  writeFileSync(script, `wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = [[${body}]]\n`);
  const r = spawnSync(WRK, ['-t', String(Math.min(2, connections)), '-c', String(connections), '-d', `${seconds}s`, '--latency', '-s', script, url], { encoding: 'utf8' });
  rmSync(dir, { recursive: true });
  const out = r.stdout;
  const ms = (label: string) => {
    const m = new RegExp(`^\\s*${label}%\\s+([\\d.]+)(us|ms|s)`, 'm').exec(out);
    if (!m) throw new Error(`cannot read the ${label}% latency from wrk:\n${out}${r.stderr}`);
    return Number(m[1]) * ({ us: 0.001, ms: 1, s: 1000 } as Record<string, number>)[m[2]!]!;
  };
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(out);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    p50Ms: ms('50'),
    p99Ms: ms('99'),
    requestsPerSecond: Number(rps?.[1] ?? NaN),
    errors: Number(non2xx?.[1] ?? 0) + (socketErrors ? socketErrors.slice(1).reduce((a, b) => a + Number(b), 0) : 0),
  };
}

async function runAutocannon(url: string, body: string, connections: number, duration: number): Promise<LoadResult> {
  const r = await autocannon({ url, method: 'POST', headers: { 'content-type': 'application/json' }, body, connections, duration, pipelining: 1 });
  return { p50Ms: r.latency.p50, p99Ms: r.latency.p99, requestsPerSecond: r.requests.average, errors: r.errors + r.non2xx };
}
