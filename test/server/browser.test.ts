/// <reference lib="dom" />
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { smoothPath, TEMPLATES } from '../../src/samples/strokes.js';
import { encodePng } from '../../src/samples/styles.js';
import { launchBrowser } from '../helpers/browser.js';
import { digitInk, toRgba } from '../helpers/images.js';
import { refusingModel, startServer } from '../helpers/server.js';

const test = suite('web pages in Chromium');
const ARTIFACTS = 'test/artifacts';
let browser: Browser | null = null;
let server: Awaited<ReturnType<typeof startServer>>;

test.before(async () => {
  browser = await launchBrowser();
  server = await startServer();
  mkdirSync(ARTIFACTS, { recursive: true });
});
test.after(async () => {
  await browser?.close();
  await server.close();
});

/** Draws a digit's template strokes on the page's canvas with real mouse events. */
async function drawDigit(page: Page, digit: number): Promise<void> {
  const box = (await page.locator('canvas').boundingBox())!;
  const margin = 0.15;
  for (const stroke of TEMPLATES[digit]![0]!) {
    const path = smoothPath(stroke, 4).map(([x, y]) => [box.x + box.width * (margin + x * (1 - 2 * margin)), box.y + box.height * (margin + y * (1 - 2 * margin))] as const);
    await page.mouse.move(path[0]![0], path[0]![1]);
    await page.mouse.down();
    for (const [x, y] of path.slice(1)) await page.mouse.move(x, y, { steps: 2 });
    await page.mouse.up();
  }
}

/** How many canvas pixels are dark, i.e. inked. */
function inkedPixels(page: Page): Promise<number> {
  return page.evaluate(() => {
    const c = document.querySelector('canvas')!;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i]! < 128) n++;
    return n;
  });
}

async function prediction(page: Page): Promise<string> {
  await page.waitForFunction(() => (document.getElementById('prediction')?.textContent ?? '') !== '' || /first|No digit/.test(document.getElementById('confidence')?.textContent ?? ''));
  return (await page.textContent('#prediction')) ?? '';
}

test('drawing a digit and pressing Predict shows that digit', async () => {
  if (!browser) return;
  const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(server.url);
  assert.is(await page.locator('canvas').count(), 1);
  for (const digit of [7, 3, 0]) {
    await page.getByRole('button', { name: 'Clear' }).click();
    await drawDigit(page, digit);
    await page.getByRole('button', { name: 'Predict' }).click();
    await page.waitForFunction(() => document.getElementById('seen')?.hidden === false);
    assert.is(await prediction(page), String(digit));
    await page.screenshot({ path: join(ARTIFACTS, `board-${digit}.png`) });
  }
  assert.equal(errors, []);
  await page.close();
});

test('a refused drawing reads "This doesn\'t look like a digit", with the best guess in small type', async () => {
  if (!browser) return;
  const refusing = await startServer({}, undefined, refusingModel());
  const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
  try {
    await page.goto(refusing.url);
    await drawDigit(page, 4);
    await page.getByRole('button', { name: 'Predict' }).click();
    await page.waitForFunction(() => /doesn't look like a digit/.test(document.getElementById('confidence')?.textContent ?? ''));
    assert.is(await page.textContent('#prediction'), '?');
    assert.match((await page.textContent('#confidence .guess')) ?? '', /^best guess 4, \d+\.\d%$/);
    await page.screenshot({ path: join(ARTIFACTS, 'board-not-a-digit.png') });
  } finally {
    await page.close();
    await refusing.close();
  }
});

test('Clear empties the board, and Predict on an empty board says "Draw a digit first"', async () => {
  if (!browser) return;
  const page = await browser.newPage();
  await page.goto(server.url);
  await drawDigit(page, 1);
  assert.ok((await inkedPixels(page)) > 100);
  await page.getByRole('button', { name: 'Clear' }).click();
  assert.is(await inkedPixels(page), 0);
  await page.getByRole('button', { name: 'Predict' }).click();
  await page.waitForFunction(() => /Draw a digit first/.test(document.getElementById('confidence')?.textContent ?? ''));
  assert.is(await page.textContent('#prediction'), '');
  await page.close();
});

test('Undo removes the last stroke only', async () => {
  if (!browser) return;
  const page = await browser.newPage();
  await page.goto(server.url);
  await drawDigit(page, 7);
  await drawDigit(page, 1);
  const both = await inkedPixels(page);
  await page.getByRole('button', { name: 'Undo' }).click();
  const one = await inkedPixels(page);
  assert.ok(one > 0 && one < both, `${both} → ${one}`);
  await page.close();
});

test('uploading files on /upload shows a prediction for each and an error line for a bad one', async () => {
  if (!browser) return;
  const dir = mkdtempSync(join(tmpdir(), 'upload-'));
  const five = join(dir, 'five.png');
  writeFileSync(five, encodePng(toRgba(digitInk(5, 240, 240, { size: 180, brush: 9 }), 240, 240, [40, 40, 200], null)));
  const bad = join(dir, 'notes.txt');
  writeFileSync(bad, 'not an image');
  const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
  await page.goto(`${server.url}/upload`);
  await page.setInputFiles('#files', [five, bad]);
  await page.waitForSelector('.upload-result .digit');
  assert.is(await page.textContent('.upload-result .digit'), '5');
  assert.match((await page.textContent('.upload-result.failed')) ?? '', /notes\.txt: unsupported format/);
  await page.screenshot({ path: join(ARTIFACTS, 'upload.png'), fullPage: true });
  await page.close();
});

test('at a phone-sized viewport the whole board and its buttons are visible', async () => {
  if (!browser) return;
  const page = await browser.newPage({ viewport: { width: 360, height: 640 }, hasTouch: true, isMobile: true });
  await page.goto(server.url);
  for (const selector of ['canvas', 'button:has-text("Predict")', 'button:has-text("Clear")']) {
    const box = (await page.locator(selector).boundingBox())!;
    assert.ok(box.x >= 0 && box.y >= 0 && box.x + box.width <= 360 && box.y + box.height <= 640, `${selector} at ${JSON.stringify(box)}`);
  }
  assert.is(await page.evaluate(() => getComputedStyle(document.querySelector('canvas')!).touchAction), 'none');
  await page.screenshot({ path: join(ARTIFACTS, 'phone.png') });
  await page.close();
});

test('the model inspector shows metadata and pictures', async () => {
  if (!browser) return;
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  await page.goto(`${server.url}/model`);
  await page.waitForSelector('#facts tr');
  assert.match((await page.textContent('#facts')) ?? '', /npm run/);
  const pictures = await page.locator('#pictures img').count();
  assert.ok(pictures >= 1);
  await page.waitForFunction(() => [...document.querySelectorAll('#pictures img')].every((i) => (i as HTMLImageElement).naturalWidth > 0));
  await page.screenshot({ path: join(ARTIFACTS, 'model.png'), fullPage: true });
  await page.close();
});

test.run();
