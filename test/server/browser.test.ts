/// <reference lib="dom" />
import { suite } from '../helpers/suite.js';
import { inkOnPaper } from '../../src/core/image/rgba.js';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page, Request } from 'playwright-core';
import { encodePng } from '../../src/codecs/png.js';
import { drawDigit, drawNumber, drawStrokes, inkedPixels, launchBrowser, NO_CHROMIUM } from '../../benchmarks/drive/browser.js';
import { needs } from '../helpers/needs.js';
import { benchImage, digitInk, FACE, numberPng } from '../helpers/images.js';
import { startServer } from '../../benchmarks/drive/server.js';
import { refusingModel } from '../helpers/server.js';
import { openStore } from '../../src/feedback/store.js';

const NAME = 'web pages in Chromium';
const test = needs(suite(NAME), NAME, NO_CHROMIUM);
const ARTIFACTS = 'test/artifacts';
/** The served model's kind and commands, which the model page shows (read once: a committee's file is 11 MB). */
const served = JSON.parse(readFileSync('models/best.json', 'utf8')) as { kind: string; command: string; confidence: { command: string } };
let browser: Browser;
let server: Awaited<ReturnType<typeof startServer>>;

test.before(async () => {
  if (NO_CHROMIUM) return;
  browser = await launchBrowser();
  server = await startServer();
  mkdirSync(ARTIFACTS, { recursive: true });
});
test.after(async () => {
  await browser?.close();
  await server.close();
});

async function prediction(page: Page): Promise<string> {
  await page.waitForFunction(
    () => (document.getElementById('prediction')?.textContent ?? '') !== '' || /first|No digit/.test(document.getElementById('confidence')?.textContent ?? ''),
  );
  return (await page.textContent('#prediction')) ?? '';
}

test('drawing a digit and pressing Predict shows that digit', async () => {
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
  const dir = mkdtempSync(join(tmpdir(), 'upload-'));
  const five = join(dir, 'five.png');
  writeFileSync(five, encodePng(inkOnPaper(digitInk(5, 240, 240, { size: 180, brush: 9 }), 240, 240, [40, 40, 200], null)));
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

test('an upload read only after undoing its motion blur says so under the digit', async () => {
  // MNIST test digit 5067 (a 3) blurred 60 px as the robustness bench makes it (see test/server/api.test.ts).
  const file = join(mkdtempSync(join(tmpdir(), 'upload-')), 'shaky-photo.png');
  writeFileSync(file, benchImage('motion-blur', 2, 5067));
  const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
  await page.goto(`${server.url}/upload`);
  await page.setInputFiles('#files', [file]);
  await page.waitForSelector('.upload-result .digit');
  assert.is(await page.textContent('.upload-result .digit'), '3');
  assert.match((await page.textContent('.upload-result')) ?? '', /after undoing a motion blur of about \d+ px at \d+°/);
  await page.screenshot({ path: join(ARTIFACTS, 'upload-deblurred.png'), fullPage: true });
  await page.close();
});

test('at a phone-sized viewport the whole board and its buttons are visible', async () => {
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
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  await page.goto(`${server.url}/model`);
  await page.waitForSelector('#facts tr');
  assert.match((await page.textContent('#facts')) ?? '', /npm run/);
  // The served model's refusal rule and digit detector: the threshold, what made them, never the weights.
  const metrics = (await page.textContent('#metrics')) ?? '';
  assert.match(metrics, /refuses below\s*[\d.]+% on one score: the digit detector's "a digit" and the calibrated confidence/);
  assert.match(metrics, /digit detector\s*its "a digit" is part of that rule: an MLP 784-256-2, seed 21/);
  // The served file's own commands: a refusal fitted by the model's training command is not said twice.
  const fittedBy = served.confidence.command === served.command ? 'the same command, under "reproduce with"' : served.confidence.command;
  assert.ok(metrics.includes(`refusal fitted by${fittedBy}`), metrics);
  const pictures = await page.locator('#pictures img').count();
  assert.ok(pictures >= 1);
  await page.waitForFunction(() => [...document.querySelectorAll('#pictures img')].every((i) => (i as HTMLImageElement).naturalWidth > 0));
  // How many units and in what order: the picture follows the choice.
  const units = page.locator('#pictures figure').first();
  await units.locator('select').nth(1).selectOption('class');
  await page.waitForFunction(() => /order=class/.test((document.querySelector('#pictures img') as HTMLImageElement).src));
  // The file as a tree: metadata in full, tensors summarised, opened on demand.
  await page.waitForSelector('#tree details');
  assert.match((await page.textContent('#tree')) ?? '', /command: "npm run/);
  // A committee's first member's first layer, or the MLP's: each key opened inside the one before.
  let node = page.locator('#tree > details');
  for (const key of served.kind === 'committee' ? ['classifier', 'members', '0', 'layers', '0'] : ['classifier', 'layers', '0']) {
    node = node.locator(':scope > details').filter({ has: page.locator(`xpath=./summary/span[@class="key" and text()="${key}"]`) });
    await node.locator(':scope > summary').click();
  }
  await page.waitForFunction(() => /w float32 \[784×800\] · min -?[\d.]+ · max [\d.]+ · mean/.test(document.getElementById('tree')?.textContent ?? ''));
  assert.is(await page.getAttribute('a[href="/model.json?download"]', 'download'), 'mnist-digit-model.json');
  // A cell of the confusion matrix shows its test digits.
  await page.locator('.confusion tr:nth-child(7) td:nth-child(11)').click();
  await page.waitForFunction(() => ((document.querySelector('#cell img') as HTMLImageElement | null)?.naturalWidth ?? 0) > 0);
  assert.match((await page.textContent('#cell')) ?? '', /test digits? 4 read as 9/);
  await page.screenshot({ path: join(ARTIFACTS, 'model.png'), fullPage: true });
  await page.close();
});

/** Images in the page that tried to load and show nothing: the broken-image icon. */
function brokenImages(page: Page): Promise<number> {
  return page.evaluate(
    () => [...document.images].filter((i) => i.checkVisibility() && (!i.getAttribute('src') || (i.complete && i.naturalWidth === 0))).length,
  );
}

test('an empty, cleared or undone board shows no picture and no old answer', async () => {
  const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
  await page.goto(server.url);
  await page.waitForFunction(() => /in your browser/.test(document.getElementById('engine')?.textContent ?? ''));
  const empty = async (when: string) => {
    assert.is(await page.isVisible('#seen'), false, `${when}: no "what the model saw"`);
    assert.is(await brokenImages(page), 0, `${when}: no broken image`);
    assert.is(await page.textContent('#prediction'), '', `${when}: no digit`);
    assert.is(await page.locator('#bars li').count(), 0, `${when}: no bars`);
  };
  await empty('empty board');
  await drawDigit(page, 7);
  await page.waitForFunction(() => document.getElementById('prediction')?.textContent === '7');
  assert.is(await page.isVisible('#seen'), true);
  await page.getByRole('button', { name: 'Clear' }).click();
  await empty('after Clear');
  await drawDigit(page, 1);
  await page.waitForFunction(() => document.getElementById('prediction')?.textContent === '1');
  await page.getByRole('button', { name: 'Undo' }).click();
  await empty('after Undo back to an empty board');
  // More strokes change the answer: a 1 that becomes a 7.
  await drawDigit(page, 1);
  await page.waitForFunction(() => document.getElementById('prediction')?.textContent === '1');
  await page.keyboard.press('Escape');
  await empty('after Escape');
  await page.close();
});

test('on the server path, an answer for a drawing that changed meanwhile is dropped, and an error hides the old picture', async () => {
  const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
  await page.route('**/api/model/compact.json', (r) => r.fulfill({ status: 404, contentType: 'application/json', body: '{"error":"no compact form"}' }));
  let fail = false;
  await page.route('**/api/predict', async (r) => {
    await new Promise((done) => setTimeout(done, 400));
    if (fail) await r.fulfill({ status: 400, contentType: 'application/json', body: '{"error":"the image is broken"}' });
    else await r.continue();
  });
  await page.goto(server.url);
  await page.waitForFunction(() => /on the server/.test(document.getElementById('engine')?.textContent ?? ''));
  await drawDigit(page, 7);
  await page.waitForFunction(() => document.getElementById('prediction')?.textContent === '7');
  // Draw, and clear before the slow answer comes back: the board stays empty.
  const asked = new Set<Request>();
  const answered = new Set<Request>();
  page.on('request', (q) => q.url().endsWith('/api/predict') && asked.add(q));
  const settle = (q: Request) => asked.has(q) && answered.add(q);
  page.on('requestfinished', settle);
  page.on('requestfailed', settle);
  await drawDigit(page, 3);
  await page.getByRole('button', { name: 'Clear' }).click();
  // Every answer for the 3 arrives after the Clear; once they all have, and the page has had two frames to
  // show one, it must not have.
  assert.ok(asked.size > 0 && answered.size < asked.size, 'the 3 was answered before Clear');
  while (answered.size < asked.size) await new Promise((done) => setTimeout(done, 20));
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
  assert.is(await page.textContent('#prediction'), '');
  assert.is(await page.isVisible('#seen'), false);
  // An error answer: its message, in red, with no picture of an earlier drawing beside it.
  fail = true;
  await drawDigit(page, 2);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => /broken/.test(document.getElementById('confidence')?.textContent ?? ''));
  assert.is(await page.isVisible('#seen'), false);
  assert.match((await page.getAttribute('#confidence', 'class')) ?? '', /error/);
  await page.close();
});

test('the model page fits 1280 px and a phone, its card headings under the page heading, all ten confusion columns in view', async () => {
  for (const [width, height] of [
    [1280, 800],
    [390, 844],
  ] as const) {
    const page = await browser.newPage({ viewport: { width, height } });
    await page.goto(`${server.url}/model`);
    await page.waitForSelector('.confusion td');
    assert.is(await page.evaluate(() => document.documentElement.scrollWidth), width, `no sideways scroll at ${width} px`);
    const [h1, h2] = await page.evaluate(() => ['h1', 'h2'].map((t) => parseFloat(getComputedStyle(document.querySelector(t)!).fontSize)));
    assert.ok(h2! < h1!, `h2 ${h2}px < h1 ${h1}px`);
    // Every cell of the matrix lies inside its card, on the phone too.
    const outside = await page.evaluate(() => {
      const card = document.querySelector('.confusion')!.closest('.card')!.getBoundingClientRect();
      return [...document.querySelectorAll('.confusion td')].filter((td) => td.getBoundingClientRect().right > card.right).length;
    });
    assert.is(outside, 0, `at ${width} px`);
    assert.is(await page.locator('.confusion tr').nth(1).locator('td').count(), 10);
    await page.close();
  }
});

test('the confusion matrix labels its axes, and every off-diagonal count reads at least 4.5:1 on its cell, in both colour schemes', async () => {
  for (const colorScheme of ['light', 'dark'] as const) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme });
    await page.goto(`${server.url}/model`);
    await page.waitForSelector('.confusion td');
    assert.ok(await page.isVisible('.confusion caption'));
    assert.match((await page.textContent('.confusion caption')) ?? '', /rows: the true digit · columns: the digit predicted/);
    assert.match((await page.textContent('.confusion th.axes')) ?? '', /true ↓.*pred\. →/);
    const cells = await page.evaluate(() =>
      [...document.querySelectorAll('.confusion tr')]
        .slice(1)
        .flatMap((tr, t) =>
          [...tr.querySelectorAll('td')].flatMap((td, p) =>
            t === p ? [] : [[getComputedStyle(td).color, getComputedStyle(td).backgroundColor, td.textContent]],
          ),
        ),
    );
    assert.is(cells.length, 90);
    const worst = cells.map(([fg, bg, n]) => ({ ratio: contrast(fg!, bg!), n, bg })).sort((a, b) => a.ratio - b.ratio)[0]!;
    assert.ok(worst.ratio >= 4.5, `${colorScheme}: the count ${worst.n} on ${worst.bg} reads ${worst.ratio.toFixed(2)}:1`);
    await page.close();
  }
});

test('the model page says what the feedback state means, not a command to run', async () => {
  const store = await openStore({ databaseUrl: '', path: ':memory:' });
  const withStore = await startServer({}, undefined, undefined, { store });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${withStore.url}/model`);
    await page.waitForFunction(() => (document.getElementById('feedback')?.textContent ?? '').includes('fine-tuned on them'));
    const text = (await page.textContent('#feedback')) ?? '';
    assert.match(text, /no fine-tuned model yet/);
    assert.not.match(text, /npm run/);
    await page.close();
  } finally {
    await withStore.close();
    await store.close();
  }
});

test('pressing Predict while the chosen files are still being read shows each file once', async () => {
  const files = readdirSync('data/samples')
    .filter((f) => f.startsWith('photo'))
    .slice(0, 6)
    .map((f) => join('data/samples', f));
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${server.url}/upload`);
  // Choosing the files sends them; Predict, pressed before the answer, sends them again.
  await page.setInputFiles('#files', files);
  await page.click('button:has-text("Predict")');
  await page.waitForFunction(() => /6 of 6 predicted/.test(document.getElementById('status')?.textContent ?? ''));
  await page.waitForTimeout(500);
  assert.is(await page.locator('.upload-result').count(), 6);
  await page.close();
});

test('uploads: a blank image shows no broken picture, and nine images make compact cards with the bars on demand', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'uploads-'));
  const blank = join(dir, 'blank.png');
  writeFileSync(blank, encodePng({ width: 60, height: 60, data: new Uint8Array(60 * 60 * 4).fill(255) }));
  const nine = [
    blank,
    ...readdirSync('data/samples')
      .filter((f) => f.startsWith('paint-png'))
      .slice(0, 8)
      .map((f) => join('data/samples', f)),
  ];
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${server.url}/upload`);
  await page.setInputFiles('#files', nine);
  await page.waitForFunction(() => document.querySelectorAll('.upload-result').length === 9);
  await page.waitForFunction(() => [...document.images].every((i) => i.complete));
  assert.is(await brokenImages(page), 0);
  assert.match((await page.textContent('.upload-result')) ?? '', /No digit found/);
  // A thumbnail is padded with the paper's white, not a checkerboard that reads as transparency.
  assert.equal(
    await page
      .locator('.upload-result .thumb')
      .first()
      .evaluate((t) => [getComputedStyle(t).backgroundImage, getComputedStyle(t).backgroundColor]),
    ['none', 'rgb(255, 255, 255)'],
  );
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  assert.ok(height < 1600, `nine cards make a ${height} px page`);
  assert.is(await page.locator('.upload-result .bars').first().isVisible(), false, 'bars folded away');
  assert.match((await page.textContent('.upload-result .top3')) ?? '', /^top 3: \d \d+\.\d% · \d /);
  await page.locator('.upload-result summary').first().click();
  assert.is(await page.locator('.upload-result .bars').first().isVisible(), true, 'bars on demand');
  await page.screenshot({ path: join(ARTIFACTS, 'upload-nine.png'), fullPage: true });
  await page.close();
});

test('on a phone the answer and its bars are on screen after Predict', async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await page.goto(server.url);
  await drawDigit(page, 5);
  await page.getByRole('button', { name: 'Predict' }).click();
  await page.waitForFunction(() => document.getElementById('prediction')?.textContent === '5');
  for (const selector of ['#prediction', '#bars', 'canvas', 'button:has-text("Predict")']) {
    const box = (await page.locator(selector).boundingBox())!;
    assert.ok(box.y >= 0 && box.y + box.height <= 844, `${selector} at ${JSON.stringify(box)}`);
  }
  await page.close();
});

/** WCAG contrast ratio of two CSS rgb() colours. */
function contrast(a: string, b: string): number {
  const lum = (c: string) => {
    const [r, g, bl] = c
      .match(/[\d.]+/g)!
      .slice(0, 3)
      .map((v) => {
        const s = Number(v) / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

test('light and dark: control borders reach 3:1 against their background, and the keyboard shortcuts are shown', async () => {
  const backgrounds: string[] = [];
  for (const colorScheme of ['light', 'dark'] as const) {
    const page = await browser.newPage({ colorScheme });
    await page.goto(server.url);
    const pairs = await page.evaluate(() =>
      [...document.querySelectorAll('button:not(.primary), canvas')].map((el) => {
        let bg = 'rgba(0, 0, 0, 0)';
        for (let p = el.parentElement; p && /rgba\(0, 0, 0, 0\)|transparent/.test(bg); p = p.parentElement) bg = getComputedStyle(p).backgroundColor;
        return [el.id || el.textContent, getComputedStyle(el).borderTopColor, bg];
      }),
    );
    for (const [name, border, bg] of pairs)
      assert.ok(contrast(border!, bg!) >= 3, `${colorScheme}: ${name} border ${border} on ${bg}: ${contrast(border!, bg!).toFixed(2)}`);
    backgrounds.push(await page.evaluate(() => getComputedStyle(document.body.parentElement!).backgroundColor));
    assert.match((await page.textContent('.keys')) ?? '', /Enter.*predict.*Esc.*clear/);
    assert.is(await page.getAttribute('a[href="/upload"]:not(nav a)', 'href'), '/upload');
    await page.close();
  }
  assert.ok(contrast(backgrounds[0]!, backgrounds[1]!) > 10, `light ${backgrounds[0]} and dark ${backgrounds[1]} pages`);
});

/** The boxes drawn over an image: [x, width] of each rectangle in its own pixels, and the label above each. */
function boxesOf(page: Page, svg: string): Promise<{ x: number; w: number; label: string }[]> {
  return page.evaluate((selector) => {
    const rects = [...document.querySelectorAll(`${selector} rect`)];
    const labels = [...document.querySelectorAll(`${selector} text`)];
    return rects.map((r, i) => ({ x: Number(r.getAttribute('x')), w: Number(r.getAttribute('width')), label: labels[i]?.textContent ?? '' }));
  }, svg);
}

test('Number mode reads a written number in the page, with a box round each digit, left to right', async () => {
  for (const [width, height] of [
    [1280, 800],
    [390, 844],
  ] as const) {
    const page = await browser.newPage({ viewport: { width, height }, ...(width < 500 && { isMobile: true, hasTouch: true }) });
    const posts: string[] = [];
    page.on('request', (r) => r.method() === 'POST' && posts.push(r.url()));
    await page.goto(`${server.url}/#number`);
    await page.waitForFunction(() => /in your browser/.test(document.getElementById('engine')?.textContent ?? ''));
    assert.is(await page.textContent('h1'), 'Write a number');
    const canvasBefore = (await page.locator('canvas').boundingBox())!;
    assert.ok(canvasBefore.width > 1.9 * canvasBefore.height, 'a wide board');
    await drawNumber(page, '2026');
    await page.waitForFunction(() => document.getElementById('prediction')?.textContent === '2026', null, { timeout: 2000 });
    const boxes = await boxesOf(page, '#boxes');
    assert.equal(
      boxes.map((b) => b.label),
      ['2', '0', '2', '6'],
    );
    for (let i = 1; i < boxes.length; i++) assert.ok(boxes[i - 1]!.x + boxes[i - 1]!.w <= boxes[i]!.x, `box ${i - 1} ends before box ${i}`);
    assert.is(await page.locator('#pieces li').count(), 4);
    // The words beside a long number wrap under it rather than into a column a word wide.
    const words = (await page.locator('#confidence').boundingBox())!;
    assert.ok(words.width >= 150, `the words are ${words.width} px wide at ${width} px`);
    // Each digit read is in view without scrolling: beside the board on a desktop, above it on a phone.
    const lastPiece = (await page.locator('#pieces li').last().boundingBox())!;
    assert.ok(lastPiece.y + lastPiece.height <= height, `the last piece ends at y = ${lastPiece.y + lastPiece.height} of ${height}`);
    assert.equal(posts, [], 'read in the page, no round trip');
    assert.ok((await page.evaluate(() => performance.getEntriesByName('predict-number').length)) > 4, 'read live, as it was written');
    // The board did not move under the pen when the answer arrived (the answer sits above it on a phone).
    assert.is((await page.locator('canvas').boundingBox())!.y, canvasBefore.y, `at ${width} px`);
    assert.is(await page.evaluate(() => document.documentElement.scrollWidth), width);
    // The board's card ends under its last line, with no empty paper below it.
    const card = (await page.locator('.board').boundingBox())!;
    const note = (await page.locator('#engine').boundingBox())!;
    assert.ok(card.y + card.height - (note.y + note.height) < 40, `${card.y + card.height - (note.y + note.height)} px of card under its note at ${width} px`);
    await page.screenshot({ path: join(ARTIFACTS, `board-number-${width}.png`) });
    await page.close();
  }
});

test('a face in Number mode reads as no number, saying why, its pieces boxed in grey', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${server.url}/#number`);
  await page.waitForFunction(() => /in your browser/.test(document.getElementById('engine')?.textContent ?? ''));
  await drawNumber(page, '0', 0.15, () => FACE);
  await page.waitForFunction(() => /No number found: ink lies inside another shape/.test(document.getElementById('confidence')?.textContent ?? ''), null, {
    timeout: 3000,
  });
  assert.is(await page.textContent('#prediction'), '');
  const kinds = await page.evaluate(() => [...document.querySelectorAll('#boxes rect')].map((r) => r.getAttribute('class')));
  assert.ok(kinds.length >= 1 && kinds.every((k) => k === 'unread' || k === 'refused'), JSON.stringify(kinds));
  await page.close();
});

test('one-digit mode names two separate digits as a number, and one click reads them as one', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(server.url);
  await page.waitForFunction(() => /in your browser/.test(document.getElementById('engine')?.textContent ?? ''));
  await drawNumber(page, '42', 0.1);
  await page.waitForFunction(() => /looks like a number: 42/.test(document.getElementById('confidence')?.textContent ?? ''));
  assert.is(await page.textContent('#prediction'), '?');
  await page.screenshot({ path: join(ARTIFACTS, 'board-looks-like-a-number.png') });
  await page.click('#as-number');
  await page.waitForFunction(() => document.getElementById('prediction')?.textContent === '42');
  assert.is(await page.evaluate(() => location.hash), '#number');
  assert.is(await page.locator('#boxes rect').count(), 2);
  // The page's title follows the mode, both ways.
  assert.is(await page.title(), 'Write a number · MNIST classic');
  await page.check('input[name="mode"][value="digit"]');
  assert.is(await page.title(), 'Draw a digit · MNIST classic');
  await page.close();
});

test('the keyboard focus ring stands out at least 3:1 from what is behind it, in the header and on the page, in both colour schemes', async () => {
  for (const colorScheme of ['light', 'dark'] as const) {
    const page = await browser.newPage({ viewport: { width: 1000, height: 700 }, colorScheme });
    await page.goto(server.url);
    // The first Tab lands on a header link; then a control on the page itself.
    for (const focus of [
      () => page.keyboard.press('Tab'),
      () => page.focus('input[name="mode"][value="number"]').then(() => page.keyboard.press('ArrowLeft')),
    ]) {
      await focus();
      const [ring, background, what] = await page.evaluate(() => {
        const active = document.activeElement!;
        let behind: Element | null = active.parentElement;
        while (behind && getComputedStyle(behind).backgroundColor === 'rgba(0, 0, 0, 0)') behind = behind.parentElement;
        return [getComputedStyle(active).outlineColor, getComputedStyle(behind ?? document.documentElement).backgroundColor, active.outerHTML.slice(0, 60)];
      });
      const ratio = contrast(ring!, background!);
      assert.ok(ratio >= 3, `${colorScheme}, ${what}: focus ring ${ring} on ${background}, ${ratio.toFixed(2)}:1`);
    }
    await page.close();
  }
});

test('upload with "Read whole numbers" shows each number with its digits boxed over the image', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'numbers-'));
  writeFileSync(join(dir, '2026.png'), numberPng('2026'));
  writeFileSync(join(dir, '71.png'), numberPng('71', { step: 0.9 }));
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${server.url}/upload`);
  await page.check('#numbers');
  await page.setInputFiles('#files', [join(dir, '2026.png'), join(dir, '71.png')]);
  await page.waitForFunction(() => document.querySelectorAll('.number-result svg rect').length === 6);
  assert.equal(await page.$$eval('.number-result .prediction', (els) => els.map((e) => e.textContent)), ['2026', '71']);
  const boxes = await boxesOf(page, '.number-result:first-child svg');
  assert.equal(
    boxes.map((b) => b.label),
    ['2', '0', '2', '6'],
  );
  // The image is drawn under its boxes, at its own size.
  assert.is(await page.locator('.number-result svg image').count(), 2);
  assert.is(await page.locator('.number-result .pieces li').count(), 6);
  await page.screenshot({ path: join(ARTIFACTS, 'upload-numbers.png'), fullPage: true });
  await page.close();
});

test('"Wrong? Pick the right digit" saves a correction from the board, and per digit in Number mode', async () => {
  const store = await openStore({ databaseUrl: '', path: join(mkdtempSync(join(tmpdir(), 'board-feedback-')), 'f.db') });
  const withFeedback = await startServer({}, undefined, undefined, { store });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  try {
    await page.goto(withFeedback.url);
    await page.waitForFunction(() => /in your browser/.test(document.getElementById('engine')?.textContent ?? ''));
    await drawDigit(page, 7);
    await page.waitForFunction(() => document.getElementById('prediction')?.textContent === '7');
    // "Wrong?" sits with the answer, not under the board.
    assert.is(await page.locator('.result #correct summary').count(), 1);
    // By keyboard: Enter on the focused "Wrong?" opens it, and does not predict anew over it.
    await page.focus('#correct summary');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => (document.querySelector('#correct details') as HTMLDetailsElement | null)?.open === true);
    assert.is(await page.evaluate(() => document.activeElement?.closest('#correct') !== null), true);
    await page.click('#correct button:text-is("1")');
    await page.waitForFunction(() => /saved as correction #1/.test(document.querySelector('#correct .hint')?.textContent ?? ''));
    await page.screenshot({ path: join(ARTIFACTS, 'board-correction.png') });
    await page.goto(`${withFeedback.url}/#number`);
    await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Write a number');
    await page.keyboard.press('Escape');
    await drawNumber(page, '42');
    await page.waitForFunction(() => document.getElementById('prediction')?.textContent === '42');
    await page.click('#pieces li:nth-child(2) summary');
    await page.click('#pieces li:nth-child(2) button:text-is("not a digit")');
    await page.waitForFunction(() => /saved as correction #2/.test(document.querySelector('#pieces li:nth-child(2) .hint:last-child')?.textContent ?? ''));
    const rows = await store.list();
    assert.equal(
      rows.map((r) => [r.predicted, r.label]),
      [
        [7, 1],
        [2, null],
      ],
    );
  } finally {
    await page.close();
    await withFeedback.close();
    await store.close();
  }
});

test('on a phone the board never moves as the live answer changes: none, a digit, not a digit, two digits', async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  try {
    await page.goto(server.url);
    await page.waitForFunction(() => /in your browser/.test(document.getElementById('engine')?.textContent ?? ''));
    const top = async () => (await page.locator('canvas').boundingBox())!.y;
    const tops = [await top()];
    await drawDigit(page, 7);
    await page.waitForFunction(() => document.getElementById('prediction')?.textContent === '7');
    tops.push(await top());
    await page.keyboard.press('Escape');
    const star: [number, number][] = [
      [0.5, 0.05],
      [0.62, 0.4],
      [0.97, 0.4],
      [0.68, 0.6],
      [0.8, 0.95],
      [0.5, 0.73],
      [0.2, 0.95],
      [0.32, 0.6],
      [0.03, 0.4],
      [0.38, 0.4],
      [0.5, 0.05],
    ];
    await drawStrokes(page, [star]);
    await page.waitForFunction(() => /doesn't look like a digit/.test(document.getElementById('confidence')?.textContent ?? ''));
    tops.push(await top());
    await page.keyboard.press('Escape');
    await drawNumber(page, '42');
    await page.waitForFunction(() => /looks like a number/.test(document.getElementById('confidence')?.textContent ?? ''));
    tops.push(await top());
    assert.equal(tops.map(Math.round), new Array(4).fill(Math.round(tops[0]!)), `the board's top: ${tops.join(', ')}`);
  } finally {
    await page.close();
  }
});

test('in Number mode one digit\'s "Wrong?" opens over the page: its neighbours stay put, its choices in rows', async () => {
  const store = await openStore({ databaseUrl: '', path: ':memory:' });
  const withFeedback = await startServer({}, undefined, undefined, { store });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  try {
    await page.goto(`${withFeedback.url}/#number`);
    await page.waitForFunction(() => /in your browser/.test(document.getElementById('engine')?.textContent ?? ''));
    await drawNumber(page, '427');
    await page.waitForFunction(() => document.getElementById('prediction')?.textContent === '427');
    const boxes = () => page.locator('#pieces li').evaluateAll((lis) => lis.map((li) => li.getBoundingClientRect().x));
    const before = await boxes();
    await page.click('#pieces li:nth-child(1) summary');
    await page.waitForSelector('#pieces li:nth-child(1) .choices button', { state: 'visible' });
    assert.equal(await boxes(), before);
    const rows = await page
      .locator('#pieces li:nth-child(1) .choices button')
      .evaluateAll((bs) => new Set(bs.map((b) => Math.round(b.getBoundingClientRect().y))).size);
    assert.ok(rows <= 3, `the 11 choices take ${rows} rows`);
  } finally {
    await page.close();
    await withFeedback.close();
    await store.close();
  }
});

test('on a phone the model page breaks no label inside a word, and nested values are small tables, not JSON', async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  try {
    await page.goto(`${server.url}/model`);
    await page.waitForSelector('#hyper tr');
    const broken = await page.evaluate(() => {
      const out: string[] = [];
      for (const th of document.querySelectorAll('#facts th, #metrics th, #hyper th, #data th')) {
        const text = th.firstChild;
        if (!text || text.nodeType !== Node.TEXT_NODE) continue;
        const value = text.textContent ?? '';
        // A word split over two lines has two boxes.
        for (const m of value.matchAll(/[^\s-]+/g)) {
          const range = document.createRange();
          range.setStart(text, m.index!);
          range.setEnd(text, m.index! + m[0].length);
          if (range.getClientRects().length > 1) out.push(m[0]);
        }
      }
      return out;
    });
    assert.equal(broken, [], 'labels broken inside a word');
    // The MLP's augmentation, or a committee's members, a row each.
    const committee = served.kind === 'committee';
    const nested = await page
      .locator('#hyper tr', { has: page.locator(`th:text-is("${committee ? 'members' : 'augmentation'}")`) })
      .locator('table.nested th')
      .allTextContents();
    if (committee) assert.equal(nested, ['1', '2', '3']);
    else assert.ok(nested.includes('rotate deg') && nested.includes('elastic px'), nested.join(', '));
    assert.not.match((await page.textContent('#hyper')) ?? '', /[{}"]/);
  } finally {
    await page.close();
  }
});

test('screenshots of every page at 1280×800, 390×844 and 640×400 (a laptop at 200% zoom), light and dark, none scrolling sideways', async () => {
  for (const colorScheme of ['light', 'dark'] as const) {
    for (const [width, height] of [
      [1280, 800],
      [390, 844],
      [640, 400],
    ] as const) {
      const page = await browser.newPage({ viewport: { width, height }, colorScheme, ...(width < 500 && { isMobile: true, hasTouch: true }) });
      await page.goto(server.url);
      await drawDigit(page, 6);
      await page.waitForFunction(() => document.getElementById('prediction')?.textContent !== '');
      for (const path of ['/', '/upload', '/model']) {
        if (path !== '/') await page.goto(`${server.url}${path}`);
        if (path === '/model') await page.waitForSelector('.confusion td');
        if (path === '/upload') {
          await page.setInputFiles('#files', ['data/samples/photo-3-0.jpg', 'data/samples/thin-brush-8-1.png']);
          await page.waitForFunction(() => document.querySelectorAll('.upload-result').length === 2);
        }
        assert.is(await page.evaluate(() => document.documentElement.scrollWidth), width, `${path} at ${width} px, ${colorScheme}`);
        if (path === '/' && height === 400) {
          // At 200% zoom the answer sits beside the board, both in view.
          const answer = (await page.locator('#prediction').boundingBox())!;
          const board = (await page.locator('canvas').boundingBox())!;
          assert.ok(answer.y + answer.height <= height && answer.x > board.x + board.width, `answer ${JSON.stringify(answer)}, board ${JSON.stringify(board)}`);
        }
        const name = path === '/' ? 'board' : path.slice(1);
        await page.screenshot({ path: join(ARTIFACTS, `${name}-${width}-${colorScheme}.png`), fullPage: path !== '/' });
      }
      await page.close();
    }
  }
});

test.run();
