import { launchBrowser, drawDigit, drawNumber, NO_CHROMIUM } from './drive/browser.js';
import { startServer } from './drive/server.js';

/*
 * The README's pictures, taken from the running app so that they cannot go stale: `npm run screenshots`
 * writes docs/board.png, docs/number.png, docs/inspector.png and docs/units.png with the served model.
 */

if (NO_CHROMIUM) {
  console.error(`screenshots need Chromium: ${NO_CHROMIUM}`);
  process.exit(1);
}
const server = await startServer();
const browser = await launchBrowser();
const ready = /in your browser/;
try {
  const board = await browser.newPage({ viewport: { width: 900, height: 660 } });
  await board.goto(server.url);
  await board.waitForFunction((re) => new RegExp(re).test(document.getElementById('engine')?.textContent ?? ''), ready.source);
  await drawDigit(board, 3);
  await board.waitForFunction(() => document.getElementById('prediction')?.textContent === '3');
  await board.screenshot({ path: 'docs/board.png' });

  const number = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await number.goto(`${server.url}/#number`);
  await number.waitForFunction((re) => new RegExp(re).test(document.getElementById('engine')?.textContent ?? ''), ready.source);
  await drawNumber(number, '2026');
  await number.waitForFunction(() => document.getElementById('prediction')?.textContent === '2026');
  await number.screenshot({ path: 'docs/number.png' });

  // The inspector: the pictures of what the model learned, and the model file opened at its first layer.
  const inspector = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
  await inspector.goto(`${server.url}/model`);
  await inspector.waitForFunction(() => [...document.querySelectorAll('#pictures img')].every((i) => (i as HTMLImageElement).naturalWidth > 0));
  // The cell of the most frequent mistake.
  await inspector.evaluate(() => {
    const cells = [...document.querySelectorAll<HTMLElement>('.confusion td[role="button"]')].filter((td) => td.style.background !== 'var(--diag)');
    cells.sort((a, b) => Number(b.textContent) - Number(a.textContent))[0]?.click();
  });
  await inspector.waitForFunction(() => ((document.querySelector('#cell img') as HTMLImageElement | null)?.naturalWidth ?? 0) > 0);
  await inspector.locator('.card', { has: inspector.locator('#metrics') }).screenshot({ path: 'docs/inspector.png' });
  const units = inspector.locator('#pictures figure').first();
  await units.locator('select').first().selectOption('24');
  await inspector.waitForFunction(() => {
    const img = document.querySelector('#pictures img') as HTMLImageElement;
    return /count=24/.test(img.src) && img.complete && img.naturalWidth > 0;
  });
  await units.screenshot({ path: 'docs/units.png' });
  console.log('wrote docs/board.png, docs/number.png, docs/inspector.png and docs/units.png');
} finally {
  await browser.close();
  await server.close();
}
