import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { encodePng } from '../src/codecs/png.js';
import { rasterStrokes } from '../src/samples/raster.js';
import { greyRgba } from '../src/core/image/rgba.js';
import { Random } from '../src/core/util/random.js';
import { canvasPng, startServe } from './server.js';

/*
 * The server as a hostile or careless client meets it, on loopback only: `npm start` (one process per core)
 * under three attacks in turn, with ordinary digit predictions timed from an address of their own meanwhile,
 * and /healthz asked after each. Bounded in time: every attack lasts ATTACK_SECONDS at most.
 */

export interface HostileBench {
  /** Ordinary predictions, one at a time, with nothing else going on. */
  quietP99Ms: number;
  idle: { attempted: number; held: number; refused: number; p99Ms: number; healthzMs: number };
  strip: { clients: number; stripsAnswered: number; p99Ms: number; healthzMs: number };
  uploads: { clients: number; bytesEach: number; answered: Record<string, number>; peakRssMb: number; healthzMs: number };
}

const ATTACK_SECONDS = 20;
/** Ordinary predictions come from this address: the attackers' per-address caps are not theirs. */
const ORDINARY = '127.0.0.9';

function post(base: string, path: string, body: Buffer, contentType: string, localAddress: string): Promise<{ status: number; ms: number }> {
  const start = performance.now();
  return new Promise((resolve) => {
    const req = request(
      `${base}${path}`,
      { method: 'POST', localAddress, agent: false, headers: { 'Content-Type': contentType, 'Content-Length': body.length } },
      (r) => {
        r.resume();
        r.on('end', () => resolve({ status: r.statusCode ?? 0, ms: performance.now() - start }));
      },
    );
    req.on('error', () => resolve({ status: 0, ms: performance.now() - start }));
    req.setTimeout(60_000, () => req.destroy());
    req.end(body);
  });
}

/** p99 of `n` ordinary digit predictions sent one after another. */
async function ordinaryP99(base: string, n = 150): Promise<number> {
  const body = Buffer.from(JSON.stringify({ image: `data:image/png;base64,${Buffer.from(canvasPng()).toString('base64')}` }));
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = await post(base, '/api/predict', body, 'application/json', ORDINARY);
    ms.push(r.status === 200 ? r.ms : Number.POSITIVE_INFINITY);
  }
  ms.sort((a, b) => a - b);
  return ms[Math.min(n - 1, Math.floor(0.99 * n))]!;
}

/** How long /healthz takes to answer 200 (Infinity past 5 s). */
async function healthz(base: string): Promise<number> {
  const start = performance.now();
  const ok = await new Promise<boolean>((resolve) => {
    const req = request(`${base}/healthz`, { localAddress: ORDINARY, agent: false }, (r) => {
      r.resume();
      resolve(r.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.setTimeout(5000, () => req.destroy());
    req.end();
  });
  return ok ? performance.now() - start : Number.POSITIVE_INFINITY;
}

/**
 * `count` connections from three addresses, one process each (benchmarks/flood.ts: a process may open only
 * 20,000 files here), each sending the start of a request and then holding. `report` gives how many are still
 * held and how many were answered 503, and closes them.
 */
async function idleFlood(port: number, count: number): Promise<{ report: () => Promise<{ held: number; refused: number }> }> {
  const floods = [1, 2, 3].map((a, i) => {
    const share = Math.floor((count * (i + 1)) / 3) - Math.floor((count * i) / 3);
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(new URL('./flood.ts', import.meta.url)), String(port), String(share), `127.0.0.${a}`],
      {
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    return { child, next: async () => JSON.parse(((await lines.next()).value as string | undefined) ?? 'null') as Record<string, number> };
  });
  for (const f of floods) await f.next(); // {"opened"}
  return {
    report: async () => {
      const counts = await Promise.all(
        floods.map((f) => {
          f.child.stdin.write('report\n');
          return f.next();
        }),
      );
      return { held: counts.reduce((a, c) => a + c.held!, 0), refused: counts.reduce((a, c) => a + c.refused!, 0) };
    },
  };
}

/** The 5450×54 strip of 300 strokes that held an event loop for a second (issue 29, defect 2). */
function stripPng(): Buffer {
  const w = 5450;
  const h = 54;
  const rng = new Random(1);
  const paths = Array.from({ length: 300 }, (_, i): [number, number][] => [
    [10 + i * 18, 8 + rng.uniform(0, 10)],
    [10 + i * 18 + rng.uniform(-6, 6), 44 + rng.uniform(-4, 4)],
  ]);
  const ink = rasterStrokes(paths, w, h, 3);
  return Buffer.from(encodePng(greyRgba(w, h, (i) => 1 - ink[i]!)));
}

/** A multipart body of `files` files of `bytes` random bytes each (not images: the server must still read them). */
function bigUpload(files: number, bytes: number): { body: Buffer; type: string } {
  const boundary = 'hostile-bench';
  const random = Buffer.alloc(bytes, 7);
  const parts: Buffer[] = [];
  for (let f = 0; f < files; f++) {
    parts.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="big-${f}.png"\r\nContent-Type: image/png\r\n\r\n`),
      random,
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), type: `multipart/form-data; boundary=${boundary}` };
}

/** Peak resident memory of a process and its children, MB (VmHWM, Linux). */
function peakRssMb(pid: number): number {
  const children = execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map(Number);
  return Math.max(
    ...[pid, ...children].map((p) => {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      return m ? Number(m[1]) / 1024 : 0;
    }),
  );
}

/** Runs the three attacks against a fresh `npm start`; each figure is measured while its attack goes on. */
export async function benchHostile(idleConnections = 40_000): Promise<HostileBench> {
  const { server, base } = await startServe();
  const port = Number(new URL(base).port);
  try {
    await ordinaryP99(base, 30); // warm up
    const quietP99Ms = await ordinaryP99(base);

    const flood = await idleFlood(port, idleConnections);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const idleP99 = await ordinaryP99(base);
    const { held, refused } = await flood.report();
    const idle = { attempted: idleConnections, held, refused, p99Ms: idleP99, healthzMs: await healthz(base) };

    const strip = stripPng();
    const stripBody = Buffer.from(JSON.stringify({ image: strip.toString('base64') }));
    let stripsAnswered = 0;
    let attacking = true;
    const attackers = [5, 6].map(async (a) => {
      while (attacking) if ((await post(base, '/api/predict', stripBody, 'application/json', `127.0.0.${a}`)).status) stripsAnswered++;
    });
    const stripP99 = await ordinaryP99(base);
    attacking = false;
    await Promise.all(attackers);
    const stripFigures = { clients: 2, stripsAnswered, p99Ms: stripP99, healthzMs: await healthz(base) };

    const clients = 16;
    const upload = bigUpload(20, 10 * 1024 * 1024 - 1024);
    const deadline = performance.now() + ATTACK_SECONDS * 1000;
    const answered: Record<string, number> = {};
    await Promise.all(
      Array.from({ length: clients }, async (_, c) => {
        if (performance.now() > deadline) return;
        const r = await post(base, '/api/predict', upload.body, upload.type, `127.0.0.${10 + c}`);
        answered[r.status] = (answered[r.status] ?? 0) + 1;
      }),
    );
    const uploads = { clients, bytesEach: upload.body.length, answered, peakRssMb: peakRssMb(server.pid!), healthzMs: await healthz(base) };
    return { quietP99Ms, idle, strip: stripFigures, uploads };
  } finally {
    server.kill('SIGTERM');
  }
}
