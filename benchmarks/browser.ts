/// <reference lib="dom" />
import { request } from 'node:http';
import { COMPACT_MODEL_PATH } from '../src/core/api.js';
import { labelsOf } from '../src/core/frame.js';
import { evaluate, type Evaluation } from '../src/eval/metrics.js';
import { scoreSamples } from '../src/eval/samples.js';
import { loadModel } from '../src/io/model-file.js';
import { parseModel } from '../src/core/models/registry.js';
import { compactModel } from '../src/core/models/compact-form.js';
import type { DigitModel } from '../src/core/models/model.js';
import { jitteredDigit } from '../src/samples/strokes.js';
import type { TrainingData } from '../src/train/common.js';
import { Random } from '../src/core/util/random.js';
import { drawNumber, drawStrokes, launchBrowser } from './drive/browser.js';
import { startServer } from './drive/server.js';
import { progress } from '../src/cli/progress.js';
import { BASELINE_COMMIT, baselineTree } from './baseline.js';
import { startServe } from './server.js';

export interface BrowserFigures {
  model: string;
  /** The compact model on the wire, by content encoding, and its JSON uncompressed; the full model's JSON. */
  bytes: { br: number; gzip: number; identity: number; fullJson: number };
  /** Accuracy of the full and the compact model. */
  accuracy: { mnistTest: { full: number; compact: number; n: number; disagree: number }; samples: { full: number; compact: number; n: number } };
  /** Canvas pixels → probabilities in Chromium, over every prediction the board made while 200 digits were drawn. */
  page: { drawings: number; predictions: number; medianMs: number; p95Ms: number; boardAccuracy: number };
  /** The same drawings sent to the server from the page (PNG encoding + POST + answer). */
  server: { requests: number; medianMs: number; p95Ms: number };
  /** Number mode: 4-digit numbers written on the wide board, every reading the page made timed (canvas → digits). */
  numbers: { drawings: number; readings: number; medianMs: number; p95Ms: number; fullyRight: number };
  /**
   * The board of the code before the SIMD kernels (benchmarks/baseline.ts), served by its own `npm start`
   * with the same model, given the same drawings in turn with today's board: each page's predictions timed.
   * Absent in older results.
   */
  baseline?: { commit: string; drawings: number; medianMs: number; p95Ms: number; todayMedianMs: number; todayP95Ms: number; ratio: number } | { why: string };
}

/** Drawings given in turn to today's board and the baseline's. */
const BASELINE_DRAWINGS = 60;

export const BROWSER_NUMBERS = 50;

export const BROWSER_DRAWINGS = 200;

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

/** Bytes on the wire for a GET with this Accept-Encoding (Node's fetch would decompress and hide them). */
function wireBytes(url: string, encoding: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request(url, { headers: { 'Accept-Encoding': encoding } }, (res) => {
      let n = 0;
      res.on('data', (c: Buffer) => (n += c.length));
      res.on('end', () =>
        (res.headers['content-encoding'] ?? 'identity') === encoding
          ? resolve(n)
          : reject(new Error(`asked for ${encoding}, got ${res.headers['content-encoding']}`)),
      );
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

function mnistTest(model: DigitModel, data: TrainingData): Evaluation {
  return evaluate(model.predictProba(data.testX, data.mnist.test.n), labelsOf(data.mnist.test));
}

/**
 * The browser side: the compact model's size on the wire and its accuracy beside the full model, then 200
 * digits drawn on the board in Chromium with real mouse events, timing every prediction the page makes
 * (canvas pixels → probabilities) and, for each drawing, a round trip to the server with the same canvas;
 * then 50 four-digit numbers written in Number mode, timing every reading.
 */
export async function benchBrowser(modelPath: string, data: TrainingData): Promise<BrowserFigures> {
  const full = loadModel(modelPath);
  const compactJson = compactModel(full);
  if (!compactJson) throw new RangeError(`${modelPath} (${full.metadata.kind}) has no compact form: the board predicts on the server for it`);
  const compact = parseModel(JSON.stringify(compactJson), 'the compact model');
  const f = mnistTest(full, data);
  const c = mnistTest(compact, data);
  const fullSamples = await scoreSamples(full, 'data/samples');
  const compactSamples = await scoreSamples(compact, 'data/samples');

  const browser = await launchBrowser();
  const server = await startServer({}, undefined, full);
  try {
    const modelUrl = `${server.url}${COMPACT_MODEL_PATH}`;
    const bytes = {
      br: await wireBytes(modelUrl, 'br'),
      gzip: await wireBytes(modelUrl, 'gzip'),
      identity: await wireBytes(modelUrl, 'identity'),
      fullJson: JSON.stringify(full.toJSON()).length,
    };
    const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
    await page.goto(server.url);
    await page.waitForFunction(() => /in your browser/.test(document.getElementById('engine')?.textContent ?? ''));
    const rng = new Random(2026);
    let correct = 0;
    const roundTrips: number[] = [];
    const bar = progress('board drawings in Chromium', BROWSER_DRAWINGS);
    for (let i = 0; i < BROWSER_DRAWINGS; i++) {
      const digit = i % 10;
      await page.keyboard.press('Escape');
      await drawStrokes(page, jitteredDigit(digit, rng).strokes);
      if ((await page.textContent('#prediction')) === String(digit)) correct++;
      roundTrips.push(
        await page.evaluate(async () => {
          const start = performance.now();
          const image = (document.getElementById('board') as HTMLCanvasElement).toDataURL('image/png');
          const r = await fetch('/api/predict', { method: 'POST', body: JSON.stringify({ image }), headers: { 'Content-Type': 'application/json' } });
          await r.json();
          return performance.now() - start;
        }),
      );
      bar.update(i + 1);
    }
    bar.stop();
    const times = await page.evaluate(() => performance.getEntriesByName('predict').map((e) => e.duration));
    // Number mode: four jittered digits at a time on the wide board.
    await page.goto(`${server.url}/#number`);
    await page.waitForFunction(() => /in your browser/.test(document.getElementById('engine')?.textContent ?? ''));
    let numbersRight = 0;
    const numbersBar = progress('numbers in Chromium', BROWSER_NUMBERS);
    for (let i = 0; i < BROWSER_NUMBERS; i++) {
      const number = Array.from({ length: 4 }, () => rng.int(10)).join('');
      await page.keyboard.press('Escape');
      await drawNumber(page, number, rng.uniform(0.05, 0.3), (d) => jitteredDigit(d, rng).strokes);
      if ((await page.textContent('#prediction')) === number) numbersRight++;
      numbersBar.update(i + 1);
    }
    numbersBar.stop();
    const numberTimes = await page.evaluate(() => performance.getEntriesByName('predict-number').map((e) => e.duration));
    await page.close();
    const baseline = await againstBaseline(browser, server.url, rng);
    return {
      model: full.metadata.description,
      bytes,
      accuracy: {
        mnistTest: { full: f.accuracy, compact: c.accuracy, n: data.mnist.test.n, disagree: f.predictions.filter((p, i) => p !== c.predictions[i]).length },
        samples: { full: fullSamples.correct / fullSamples.total, compact: compactSamples.correct / compactSamples.total, n: fullSamples.total },
      },
      page: {
        drawings: BROWSER_DRAWINGS,
        predictions: times.length,
        medianMs: quantile(times, 0.5),
        p95Ms: quantile(times, 0.95),
        boardAccuracy: correct / BROWSER_DRAWINGS,
      },
      server: { requests: roundTrips.length, medianMs: quantile(roundTrips, 0.5), p95Ms: quantile(roundTrips, 0.95) },
      numbers: {
        drawings: BROWSER_NUMBERS,
        readings: numberTimes.length,
        medianMs: quantile(numberTimes, 0.5),
        p95Ms: quantile(numberTimes, 0.95),
        fullyRight: numbersRight / BROWSER_NUMBERS,
      },
      baseline,
    };
  } finally {
    await browser.close();
    await server.close();
  }
}

/** Today's board beside the baseline's, the same drawings given to each in turn; see BrowserFigures.baseline. */
async function againstBaseline(
  browser: Awaited<ReturnType<typeof launchBrowser>>,
  today: string,
  rng: Random,
): Promise<NonNullable<BrowserFigures['baseline']>> {
  const tree = baselineTree();
  if (!('dir' in tree)) return tree;
  const { server, base } = await startServe({ WORKERS: '1' }, tree.dir);
  try {
    const pages = await Promise.all(
      [today, base].map(async (url) => {
        const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
        await page.goto(url);
        await page.waitForFunction(() => /in your browser/.test(document.getElementById('engine')?.textContent ?? ''));
        return page;
      }),
    );
    const bar = progress('the same drawings on the baseline board', BASELINE_DRAWINGS);
    for (let i = 0; i < BASELINE_DRAWINGS; i++) {
      const strokes = jitteredDigit(i % 10, rng).strokes;
      for (const page of pages) {
        await page.keyboard.press('Escape');
        await drawStrokes(page, strokes);
      }
      bar.update(i + 1);
    }
    bar.stop();
    const [now, before] = await Promise.all(pages.map((p) => p.evaluate(() => performance.getEntriesByName('predict').map((e) => e.duration))));
    await Promise.all(pages.map((p) => p.close()));
    return {
      commit: BASELINE_COMMIT,
      drawings: BASELINE_DRAWINGS,
      medianMs: quantile(before!, 0.5),
      p95Ms: quantile(before!, 0.95),
      todayMedianMs: quantile(now!, 0.5),
      todayP95Ms: quantile(now!, 0.95),
      ratio: quantile(before!, 0.5) / quantile(now!, 0.5),
    };
  } finally {
    server.kill('SIGTERM');
  }
}
