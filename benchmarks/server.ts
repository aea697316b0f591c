import { type ChildProcessByStdio, spawn, spawnSync } from 'node:child_process';
import type { Readable } from 'node:stream';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BASELINE_COMMIT, baselineTree } from './baseline.js';
import { availableParallelism } from 'node:os';
import autocannon from 'autocannon';
import { progress } from '../src/cli/progress.js';
import { encodePng } from '../src/codecs/png.js';
import { blankRgba } from '../src/core/image/rgba.js';
import { rasterStrokes } from '../src/samples/raster.js';
import { smoothPath, TEMPLATES } from '../src/samples/strokes.js';
import { startWorker } from '../src/io/worker.js';
import { NGINX, startNginx } from './drive/nginx.js';

export interface ServerBench {
  loadGenerator: string;
  image: string;
  /** In-process runs/s of what the server does per request (decode → preprocess → predict → answer), one thread. */
  pipelinePerSecond: number;
  pipelineMs: number;
  /**
   * The same pipeline in the code before the SIMD kernels (benchmarks/baseline.ts), measured in rounds
   * alternating with today's; today's ÷ the baseline's is the median of the rounds' ratios. Absent in older results.
   */
  baseline?: { commit: string; pipelinePerSecond: number; ratio: number } | { why: string };
  concurrency1: { p50Ms: number; p99Ms: number; requestsPerSecond: number };
  loaded: { connections: number; p50Ms: number; p99Ms: number; requestsPerSecond: number };
  cores: number;
  /** HTTP requests/s per core over in-process runs/s on one thread. */
  httpVsPipelinePerCore: number;
  errors: number;
  /**
   * Through nginx, req/s with 8 connections to one `npm start` instance (WORKERS=1) and to two sharing the
   * work, in alternating rounds (medians); null without nginx. Absent in older results.
   */
  scaleOut?: { oneInstance: number; twoInstances: number } | null;
}

/**
 * A 280×280 canvas PNG like the drawing board sends: black round-brush strokes on white, RGBA, and "Up"
 * filtering on every line, which is what Chromium's canvas.toDataURL writes.
 */
export function canvasPng(): Uint8Array {
  const strokes = TEMPLATES[3]![0]!.map((s) => smoothPath(s).map(([x, y]): [number, number] => [40 + x * 200, 40 + y * 200]));
  const ink = rasterStrokes(strokes, 280, 280, 10);
  const png = blankRgba(280, 280);
  for (let i = 0; i < 280 * 280; i++) {
    png.data.fill(Math.round(255 * (1 - ink[i]!)), i * 4, i * 4 + 3);
    png.data[i * 4 + 3] = 255;
  }
  return encodePng(png, { filterType: 2 });
}

/** A thread that measures the pipeline (of this tree, or of another's `root`) on request: `measure(seconds)` gives runs/s. */
function pipelineThread(png: Uint8Array, root?: string): { measure: (seconds: number) => Promise<number>; close: () => Promise<number> } {
  const url = root ? pathToFileURL(join(root, 'benchmarks/pipeline-worker.ts')) : new URL('./pipeline-worker.ts', import.meta.url);
  const worker = startWorker(url, { workerData: { png } });
  return {
    measure: (seconds) =>
      new Promise((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
        worker.postMessage(seconds);
      }),
    close: () => worker.terminate(),
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/**
 * The web app (started as `npm start` starts it) under load on loopback, beside the in-process pipeline:
 * p50/p99 latency at concurrency 1, then `rounds` rounds of [pipeline on one thread, HTTP with 8 connections],
 * so each throughput ratio compares figures measured seconds apart on this noisy shared machine. Rates and
 * the ratio are the rounds' medians.
 */
export async function benchServer(latencySeconds = 10, rounds = 5): Promise<ServerBench> {
  const png = canvasPng();
  const cores = availableParallelism();
  const pipeline = pipelineThread(png);
  const tree = baselineTree();
  const baseline = 'dir' in tree ? pipelineThread(png, tree.dir) : null;

  // The server runs as `npm start` does, in its own processes, so the load generator does not share its event loop.
  const { server, base } = await startServe();
  const url = `${base}/api/predict`;
  const body = JSON.stringify({ image: `data:image/png;base64,${Buffer.from(png).toString('base64')}` });
  const run = existsSync(WRK) ? (c: number, d: number) => runWrk(url, body, c, d) : (c: number, d: number) => runAutocannon(url, body, c, d);
  try {
    await run(2, 3); // warm the server's JIT
    const one = await run(1, latencySeconds);
    const measured: { single: number; http: LoadResult; before: number }[] = [];
    const bar = progress('server rounds', rounds);
    for (let i = 0; i < rounds; i++) {
      measured.push({ single: await pipeline.measure(3), before: baseline ? await baseline.measure(3) : 0, http: await run(8, 3) });
      bar.update(i + 1);
    }
    bar.stop();
    const loaded = measured.map((m) => m.http).sort((a, b) => a.requestsPerSecond - b.requestsPerSecond)[rounds >> 1]!;
    const pipelinePerSecond = median(measured.map((m) => m.single));
    return {
      loadGenerator: existsSync(WRK) ? 'wrk' : 'autocannon',
      image: '280×280 canvas PNG, black strokes on white, as the drawing board sends (JSON data URL)',
      pipelinePerSecond,
      pipelineMs: 1000 / pipelinePerSecond,
      baseline: baseline
        ? { commit: BASELINE_COMMIT, pipelinePerSecond: median(measured.map((m) => m.before)), ratio: median(measured.map((m) => m.single / m.before)) }
        : { why: (tree as { why: string }).why },
      concurrency1: { p50Ms: one.p50Ms, p99Ms: one.p99Ms, requestsPerSecond: one.requestsPerSecond },
      loaded: { connections: 8, p50Ms: loaded.p50Ms, p99Ms: loaded.p99Ms, requestsPerSecond: loaded.requestsPerSecond },
      cores,
      httpVsPipelinePerCore: median(measured.map((m) => m.http.requestsPerSecond / cores / m.single)),
      errors: one.errors + measured.reduce((a, m) => a + m.http.errors, 0),
      scaleOut: existsSync(NGINX) ? await scaleOut(body, rounds) : null,
    };
  } finally {
    server.kill('SIGTERM');
    await pipeline.close();
    await baseline?.close();
  }
}

/** Two `npm start` instances of one process each, behind nginx (as docs/deploy.md), against one of them behind nginx. */
async function scaleOut(body: string, rounds: number): Promise<{ oneInstance: number; twoInstances: number }> {
  const instances = [await startServe({ WORKERS: '1' }), await startServe({ WORKERS: '1' })];
  const one = await startNginx([instances[0]!.base]);
  const two = await startNginx(instances.map((i) => i.base));
  const run = (url: string) => (existsSync(WRK) ? runWrk(`${url}/api/predict`, body, 8, 3) : runAutocannon(`${url}/api/predict`, body, 8, 3));
  try {
    const warm = await run(two.url);
    if (warm.errors > 0) throw new Error(`${warm.errors} requests through nginx failed: the scale-out figures would be error pages`);
    const rates: { one: number; two: number }[] = [];
    for (let i = 0; i < rounds; i++) rates.push({ one: (await run(one.url)).requestsPerSecond, two: (await run(two.url)).requestsPerSecond });
    return { oneInstance: median(rates.map((r) => r.one)), twoInstances: median(rates.map((r) => r.two)) };
  } finally {
    one.child.kill('SIGTERM');
    two.child.kill('SIGTERM');
    for (const i of instances) i.server.kill('SIGTERM');
  }
}

/** `npm start` in processes of its own on a free port, with `env` added; resolves once it listens. */
export async function startServe(env: Record<string, string> = {}, cwd = '.'): Promise<{ server: ChildProcessByStdio<null, Readable, null>; base: string }> {
  const server = spawn(process.execPath, ['--import', 'tsx', 'src/cli/serve.ts'], {
    cwd,
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const base = await new Promise<string>((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /http:\/\/[\d.]+:\d+/.exec(out);
      if (m) resolve(m[0]);
    });
    server.once('exit', (code) => reject(new Error(`server exited with code ${code}`)));
  });
  return { server, base };
}

interface LoadResult {
  p50Ms: number;
  p99Ms: number;
  requestsPerSecond: number;
  errors: number;
}

const WRK = '/usr/bin/wrk';

/** wrk (Debian's package) costs the machine far less CPU than a Node load generator; one thread is plenty here. */
function runWrk(url: string, body: string, connections: number, seconds: number): LoadResult {
  const dir = mkdtempSync(join(tmpdir(), 'wrk-'));
  const script = join(dir, 'post.lua');
  writeFileSync(script, `wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = [[${body}]]\n`);
  const r = spawnSync(WRK, ['-t', '1', '-c', String(connections), '-d', `${seconds}s`, '--latency', '-s', script, url], { encoding: 'utf8' });
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
