/// <reference lib="dom" />
import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { decodeImage } from '../../src/codecs/decode.js';
import { predictDecoded } from '../../src/core/image/pipeline.js';
import { toMnistInput } from '../../src/core/image/preprocess.js';
import { loadModel } from '../../src/io/model-file.js';
import { drawDigit, launchBrowser, NO_CHROMIUM } from '../../benchmarks/drive/browser.js';
import { needs } from '../helpers/needs.js';
import { startServer } from '../../benchmarks/drive/server.js';

const NAME = 'the board predicts in the page';
const test = needs(suite(NAME), NAME, NO_CHROMIUM);
let browser: Browser;

test.before(async () => {
  if (NO_CHROMIUM) return;
  browser = await launchBrowser();
});
test.after(async () => {
  await browser?.close();
});

/** Waits until the board has its own model, i.e. predicts in the page. */
async function modelLoaded(page: import('playwright-core').Page): Promise<void> {
  await page.waitForFunction(() => /in your browser/.test(document.getElementById('engine')?.textContent ?? ''));
}

test('a digit drawn appears in #prediction within 1 s of the pointer going up, with no click', async () => {
  const server = await startServer();
  const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
  const posts: string[] = [];
  page.on('request', (r) => r.method() === 'POST' && posts.push(r.url()));
  try {
    await page.goto(server.url);
    await modelLoaded(page);
    for (const digit of [3, 7]) {
      await page.keyboard.press('Escape');
      assert.is(await page.textContent('#prediction'), '', 'Escape cleared the answer');
      await drawDigit(page, digit);
      const released = Date.now();
      await page.waitForFunction((d) => document.getElementById('prediction')?.textContent === String(d), digit, { timeout: 1000 });
      assert.ok(Date.now() - released <= 1000);
    }
    assert.equal(posts, [], 'no round trip to the server');
    // Predictions came during the strokes too, not only at their ends.
    const measured = await page.evaluate(() => performance.getEntriesByName('predict').length);
    assert.ok(measured > 6, `${measured} predictions for 2 digits of 1–2 strokes`);
  } finally {
    await page.close();
    await server.close();
  }
});

test('with the server stopped after load, the board still predicts; after a first visit it reloads offline', async () => {
  const server = await startServer();
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await page.goto(server.url);
    await modelLoaded(page);
    // The service worker controls the page once it has cached the files (bounded: a stuck worker fails the test, not hangs it).
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 15_000 });
    await server.close();
    assert.is(
      await page.evaluate(() =>
        fetch('/healthz').then(
          () => 'up',
          () => 'down',
        ),
      ),
      'down',
    );
    await drawDigit(page, 4);
    await page.waitForFunction(() => document.getElementById('prediction')?.textContent === '4', undefined, { timeout: 2000 });
    await page.reload();
    await modelLoaded(page);
    await drawDigit(page, 2);
    await page.waitForFunction(() => document.getElementById('prediction')?.textContent === '2', undefined, { timeout: 2000 });
    // The model page shows its last figures, saying they may be stale; an upload says it needs the server.
    await page.goto(`${server.url}/model`);
    await page.waitForFunction(() => /Offline: these are the figures from your last visit/.test(document.getElementById('stale')?.textContent ?? ''));
    await page.waitForSelector('#facts tr');
    assert.match((await page.textContent('#facts')) ?? '', /npm run/);
    await page.waitForSelector('#tree details');
    await page.goto(`${server.url}/upload`);
    const four = readdirSync('data/samples').find((f) => /-4-\d+\.png$/.test(f))!;
    await page.setInputFiles('input[type=file]', `data/samples/${four}`);
    await page.waitForFunction(() => /Reading an upload needs the server/.test(document.querySelector('.status')?.textContent ?? ''));
  } finally {
    await context.close();
    await server.close().catch(() => {});
  }
});

test('when the model cannot load, the board says so and the server predicts', async () => {
  const server = await startServer();
  const page = await browser.newPage();
  try {
    await page.route('**/api/model/compact.json', (r) =>
      r.fulfill({ status: 200, contentType: 'application/json', body: '{"name": "mnist-digit-model", "format": 1, "trunc' }),
    );
    await page.goto(server.url);
    await page.waitForFunction(() => /on the server/.test(document.getElementById('engine')?.textContent ?? ''));
    await drawDigit(page, 0);
    await page.waitForFunction(() => document.getElementById('prediction')?.textContent === '0');
  } finally {
    await page.close();
    await server.close();
  }
});

test('parity: every data/samples image gives the same 28×28 (≤ 1e-6) and digit in the page as on the server', async () => {
  const server = await startServer();
  const page = await browser.newPage();
  try {
    await page.goto(server.url);
    await modelLoaded(page);
    const files = readdirSync('data/samples').filter((f) => f.endsWith('.png'));
    assert.ok(files.length >= 200, `${files.length} PNGs`);
    const model = loadModel();
    let worst = 0;
    const digitsDiffer: string[] = [];
    const compactDiffer: string[] = [];
    for (const file of files) {
      const bytes = readFileSync(`data/samples/${file}`);
      // In the page: the browser decodes the PNG, the page's own core module preprocesses and predicts.
      const browserSide = await page.evaluate(async (b64) => {
        const core = (await import('/core.js' as string)) as typeof import('../../src/core/index.js');
        const blob = new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], { type: 'image/png' });
        const bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
        const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
        const ctx = canvas.getContext('2d')!;
        ctx.drawImage(bitmap, 0, 0);
        const d = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
        const img = { width: d.width, height: d.height, data: new Uint8Array(d.data.buffer) };
        // The served model itself (the parity of the code) and the board's compact copy of it.
        const cache = globalThis as unknown as { full?: import('../../src/core/index.js').DigitModel; compact?: import('../../src/core/index.js').DigitModel };
        cache.full ??= core.parseCompactModel(await (await fetch('/model.json')).text());
        cache.compact ??= core.parseCompactModel(await (await fetch(core.COMPACT_MODEL_PATH)).text());
        const p = core.predictDecoded(img, cache.full);
        const c = core.predictDecoded(img, cache.compact);
        return {
          pixels: Array.from(core.toMnistInput(img).pixels),
          digit: p.digit ?? p.guess,
          compact: { answer: c.digit === null ? c.reason : c.digit, guess: c.digit ?? c.guess },
        };
      }, bytes.toString('base64'));
      const decoded = await decodeImage(bytes);
      const serverPixels = toMnistInput(decoded).pixels;
      for (let i = 0; i < serverPixels.length; i++) worst = Math.max(worst, Math.abs(serverPixels[i]! - browserSide.pixels[i]!));
      const p = predictDecoded(decoded, model);
      if ((p.digit ?? p.guess) !== browserSide.digit) digitsDiffer.push(file);
      // The compact model must give the same answer (the digit, or the same refusal); its best guess behind a
      // refusal may differ only where the full model's top two are within 0.1 (6-bit weights move them that much).
      const [first, second] = [...(p.probabilities ?? [])].sort((a, b) => b - a);
      const clearGuess = first !== undefined && second !== undefined && first - second > 0.1;
      const c = browserSide.compact;
      if (c.answer !== (p.digit === null ? p.reason : p.digit) || (clearGuess && c.guess !== (p.digit ?? p.guess))) compactDiffer.push(file);
    }
    console.log(`parity: ${files.length} PNGs, largest difference ${worst}; the compact model differs on ${compactDiffer.length}: ${compactDiffer.join(', ')}`);
    assert.ok(worst <= 1e-6, `largest difference ${worst}`);
    assert.equal(digitsDiffer, []);
    assert.equal(compactDiffer, [], 'the compact model the board uses answers every sample as the full one does');
  } finally {
    await page.close();
    await server.close();
  }
});

test.run();
