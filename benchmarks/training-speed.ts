import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import wabtInit from 'wabt';
import { PIXELS } from '../src/core/frame.js';
import type { TrainingData } from '../src/train/common.js';
import { trainMlp } from '../src/train/mlp.js';

export interface TrainingSpeedRow {
  network: string;
  /** Ours, both cores, after the first epoch (its JIT warm-up and thread start). */
  samplesPerSecond: number;
  /** scikit-learn's MLPClassifier on the same images, net, batch and optimiser, right after ours; null without it. */
  sklearnSamplesPerSecond: number | null;
  /** Ours ÷ scikit-learn's. */
  ratio: number | null;
  /** TensorFlow.js's WASM backend on the same images, net, batch and optimiser, after its first epoch; null without it. */
  tfjsSamplesPerSecond: number | null;
  /** Multiply-adds actually done (first layer: non-zero pixels only) per second, per core. */
  gflopsPerCore: number;
}

export interface TrainingSpeed {
  images: number;
  epochs: number;
  batch: number;
  rows: TrainingSpeedRow[];
  /** Why scikit-learn did not run, or its version. */
  sklearn: string;
  /** Why TensorFlow.js did not run, or its version and backend. Absent in older results. */
  tfjs?: string;
  /** One core's 128-bit SIMD peak: a tight loop of independent f32x4 multiply-adds, in WebAssembly. */
  peakGflopsPerCore: number;
}

const IMAGES = 10_000;
const EPOCHS = 3;
const BATCH = 128;

/**
 * MLP training throughput beside scikit-learn's MLPClassifier (Debian's python3-sklearn, OpenBLAS), each run
 * right after the other on the same 10,000 images with the same net, batch 128, Adam and float32; and the
 * training kernels' GFLOP/s beside the machine's 128-bit SIMD peak.
 */
export async function benchTrainingSpeed(data: TrainingData): Promise<TrainingSpeed> {
  const python = findSklearn();
  const dir = mkdtempSync(join(tmpdir(), 'mlp-speed-'));
  try {
    const tfjs = await bundleTfjs(dir);
    let tfjsAbout = tfjs.ok ? '' : tfjs.why;
    writeFileSync(join(dir, 'pixels'), data.fit.pixels.subarray(0, IMAGES * PIXELS));
    writeFileSync(join(dir, 'labels'), data.fit.labels!.subarray(0, IMAGES));
    let nonZero = 0;
    for (let i = 0; i < IMAGES * PIXELS; i++) if (data.fit.pixels[i] !== 0) nonZero++;
    const inputs = nonZero / IMAGES;
    const rows: TrainingSpeedRow[] = [];
    for (const hidden of [256, 800]) {
      const r = await trainMlp(data, { hidden: [hidden], batch: BATCH, epochs: EPOCHS, fitLimit: IMAGES, augment: null, validateEvery: 1000, patience: 1000 });
      const ours = r.history.slice(1).reduce((a, h) => a + h.samplesPerSecond, 0) / Math.max(1, r.history.length - 1);
      const sklearn = python.ok ? runSklearn(python.path, dir, hidden) : null;
      const tf = tfjs.ok ? runTfjs(tfjs, dir, hidden) : null;
      if (tf) tfjsAbout = tf.about;
      // Forward and weight gradient of the first layer on non-zero pixels; the second layer dense, both ways.
      const flops = 2 * (2 * inputs * hidden + 3 * hidden * 10);
      rows.push({
        network: `784-${hidden}-10`,
        samplesPerSecond: Math.round(ours),
        sklearnSamplesPerSecond: sklearn,
        ratio: sklearn ? ours / sklearn : null,
        tfjsSamplesPerSecond: tf?.samplesPerSecond ?? null,
        gflopsPerCore: (ours * flops) / 2 / 1e9,
      });
      console.error(`${rows.at(-1)!.network}: ${Math.round(ours)} samples/s; scikit-learn ${sklearn ?? '–'}; TensorFlow.js ${tf?.samplesPerSecond ?? '–'}`);
    }
    return {
      images: IMAGES,
      epochs: EPOCHS,
      batch: BATCH,
      rows,
      sklearn: python.ok ? python.version : python.why,
      tfjs: tfjsAbout,
      peakGflopsPerCore: await simdPeak(),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The first Python with scikit-learn: Debian's /usr/bin/python3 (a pyenv shim may come first on PATH). */
function findSklearn(): { ok: true; path: string; version: string } | { ok: false; why: string } {
  for (const path of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(path, ['-c', 'import sklearn; print(sklearn.__version__)'], { encoding: 'utf8' });
    if (r.status === 0) return { ok: true, path, version: `scikit-learn ${r.stdout.trim()}` };
  }
  return { ok: false, why: 'scikit-learn is not installed (apt-get install -y python3-sklearn): no comparison' };
}

function runSklearn(python: string, dir: string, hidden: number): number {
  const script = new URL('./sklearn_mlp.py', import.meta.url).pathname;
  const r = spawnSync(python, [script, join(dir, 'pixels'), join(dir, 'labels'), String(IMAGES), String(EPOCHS), String(hidden)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`scikit-learn's run failed: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { samplesPerSecond: number }).samplesPerSecond;
}

/**
 * benchmarks/tfjs_mlp.ts bundled for Node (tfjs-core's gradients are ES modules with directory imports, which
 * Node cannot load as they are), with where the WASM backend's binaries are; or why it cannot run.
 */
async function bundleTfjs(dir: string): Promise<{ ok: true; script: string; wasmDir: string } | { ok: false; why: string }> {
  let wasmDir: string;
  try {
    wasmDir = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  } catch {
    return { ok: false, why: 'TensorFlow.js is not installed (npm install): no comparison' };
  }
  const script = join(dir, 'tfjs_mlp.mjs');
  await build({
    entryPoints: [new URL('./tfjs_mlp.ts', import.meta.url).pathname],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: script,
    logLevel: 'error',
    // The WASM backend's Emscripten loader is CommonJS: it needs require and __dirname.
    banner: {
      js: "import { createRequire } from 'node:module'; import { fileURLToPath } from 'node:url'; const require = createRequire(import.meta.url); const __dirname = fileURLToPath(new URL('.', import.meta.url));",
    },
  });
  return { ok: true, script, wasmDir };
}

function runTfjs(tfjs: { script: string; wasmDir: string }, dir: string, hidden: number): { samplesPerSecond: number; about: string } {
  const r = spawnSync(process.execPath, [tfjs.script, join(dir, 'pixels'), join(dir, 'labels'), String(IMAGES), String(EPOCHS), String(hidden), tfjs.wasmDir], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`TensorFlow.js's run failed: ${r.stderr.slice(0, 2000)}`);
  const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { samplesPerSecond: number; version: string; backend: string };
  return { samplesPerSecond: out.samplesPerSecond, about: `TensorFlow.js ${out.version}, ${out.backend} backend` };
}

/** GFLOP/s of one core running 12 independent chains of f32x4 multiply and add: the most 128-bit SIMD gives. */
async function simdPeak(): Promise<number> {
  const chains = 12;
  const locals = Array.from({ length: chains }, (_, i) => `(local $a${i} v128)`).join(' ');
  const body = Array.from({ length: chains }, (_, i) => `(local.set $a${i} (f32x4.add (f32x4.mul (local.get $a${i}) (local.get $m)) (local.get $s)))`).join(
    '\n',
  );
  const sum = Array.from({ length: chains }, (_, i) => `(f32x4.extract_lane 0 (local.get $a${i}))`).reduce((a, b) => `(f32.add ${a} ${b})`);
  const wat = `(module (func (export "run") (param $n i32) (result f32) ${locals} (local $m v128) (local $s v128)
    (local.set $m (v128.const f32x4 0.999 0.999 0.999 0.999)) (local.set $s (v128.const f32x4 1e-3 1e-3 1e-3 1e-3))
    (loop $l ${body} (local.set $n (i32.sub (local.get $n) (i32.const 1))) (br_if $l (local.get $n)))
    ${sum}))`;
  const wabt = await wabtInit();
  const module = wabt.parseWat('peak.wat', wat, { simd: true });
  const { buffer } = module.toBinary({});
  module.destroy();
  const { run } = new WebAssembly.Instance(new WebAssembly.Module(buffer as Uint8Array<ArrayBuffer>)).exports as { run: (n: number) => number };
  run(1e6);
  let best = 0;
  for (let i = 0; i < 5; i++) {
    const n = 5e7;
    const start = performance.now();
    run(n);
    best = Math.max(best, (n * chains * 8) / ((performance.now() - start) / 1000) / 1e9);
  }
  return best;
}
