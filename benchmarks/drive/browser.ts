import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { smoothPath, TEMPLATES, type Stroke } from '../../src/samples/strokes.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Why the browser tests cannot run here, or null when they can. */
export const NO_CHROMIUM = existsSync(CHROMIUM) ? null : `no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`;

/** Debian's Chromium driven by playwright-core (no browser download). */
export async function launchBrowser(): Promise<Browser> {
  if (NO_CHROMIUM) throw new Error(NO_CHROMIUM);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Draws a digit's template strokes on the page's canvas with real mouse events. */
export function drawDigit(page: Page, digit: number): Promise<void> {
  return drawStrokes(page, TEMPLATES[digit]![0]!);
}

/** Draws strokes (points in the unit square) on the page's canvas with real mouse events, 15% in from its edges. */
export async function drawStrokes(page: Page, strokes: Stroke[]): Promise<void> {
  const box = (await page.locator('canvas').boundingBox())!;
  const margin = 0.15;
  for (const stroke of strokes) {
    await drag(page, stroke, (x, y) => [box.x + box.width * (margin + x * (1 - 2 * margin)), box.y + box.height * (margin + y * (1 - 2 * margin))]);
  }
}

/** One stroke (smoothed, points in the unit square) as a mouse drag, each point placed on the page by `at`. */
async function drag(page: Page, stroke: Stroke, at: (x: number, y: number) => [number, number]): Promise<void> {
  const path = smoothPath(stroke, 4).map(([x, y]) => at(x, y));
  await page.mouse.move(path[0]![0], path[0]![1]);
  await page.mouse.down();
  for (const [x, y] of path.slice(1)) await page.mouse.move(x, y, { steps: 2 });
  await page.mouse.up();
}

/**
 * Writes a number on the page's canvas with real mouse events: each digit's strokes (its first template
 * unless `shape` says otherwise) in a box up to 70% of the canvas height, side by side with `gap` (a share
 * of that box) between them, centred.
 */
export async function drawNumber(page: Page, digits: string, gap = 0.15, shape: (digit: number) => Stroke[] = (d) => TEMPLATES[d]![0]!): Promise<void> {
  const box = (await page.locator('canvas').boundingBox())!;
  const size = Math.min(box.height * 0.7, (0.9 * box.width) / ((digits.length - 1) * (0.7 + gap) + 1));
  const step = size * (0.7 + gap);
  const left = box.x + (box.width - step * (digits.length - 1) - size) / 2;
  for (const [i, d] of [...digits].entries()) {
    for (const stroke of shape(Number(d))) await drag(page, stroke, (x, y) => [left + i * step + x * size, box.y + (box.height - size) / 2 + y * size]);
  }
}

/** How many canvas pixels are dark, i.e. inked. */
export function inkedPixels(page: Page): Promise<number> {
  return page.evaluate(() => {
    const c = document.querySelector('canvas')!;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i]! < 128) n++;
    return n;
  });
}
