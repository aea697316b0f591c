import { encodePng } from '../codecs/png.js';
import { blankRgba, type RgbaImage } from '../core/image/rgba.js';
import { labelsOf, PIXELS, SIDE, type DigitFrame } from '../core/frame.js';

/** 3×5 pixel glyphs, enough to caption a tile "7>1 93%". */
const GLYPHS: Record<string, string> = {
  '0': '111101101101111',
  '1': '010110010010111',
  '2': '111001111100111',
  '3': '111001111001111',
  '4': '101101111001001',
  '5': '111100111001111',
  '6': '111100111101111',
  '7': '111001010010010',
  '8': '111101111101111',
  '9': '111101111001111',
  '>': '100010001010100',
  '%': '101001010100101',
  '-': '000000111000000',
  ' ': '000000000000000',
  '?': '111001011000010',
  '.': '000000000000010',
};

export interface GalleryItem {
  /** 784 pixels, 0..255 or [0,1] (see `scale`). */
  pixels: ArrayLike<number>;
  offset: number;
  /** −1 for "not a digit". */
  truth: number;
  /** −1 for "no digit". */
  predicted: number;
  confidence: number;
}

const ZOOM = 3;
const TILE = SIDE * ZOOM;
const CAPTION = 5 * 2 + 6;
const PAD = 4;

/**
 * A grid of misclassified digits as a PNG: each tile is the 28×28 image zoomed ×3, captioned
 * "true>predicted confidence%" in red under it ("?" for a true non-digit, "-" for no answer).
 */
export function galleryPng(items: GalleryItem[], columns = 10, scale = 1): Buffer {
  const rows = Math.max(1, Math.ceil(items.length / columns));
  const width = columns * (TILE + PAD) + PAD;
  const height = rows * (TILE + CAPTION + PAD) + PAD;
  const png = blankRgba(width, height);
  items.forEach((item, i) => {
    const ox = PAD + (i % columns) * (TILE + PAD);
    const oy = PAD + Math.floor(i / columns) * (TILE + CAPTION + PAD);
    for (let y = 0; y < TILE; y++) {
      for (let x = 0; x < TILE; x++) {
        const v = (item.pixels[item.offset + Math.floor(y / ZOOM) * SIDE + Math.floor(x / ZOOM)] as number) * scale;
        const g = 255 - Math.max(0, Math.min(255, Math.round(v)));
        setPixel(png, ox + x, oy + y, g, g, g);
      }
    }
    const text = `${item.truth < 0 ? '?' : item.truth}>${item.predicted < 0 ? '-' : item.predicted} ${Math.round(item.confidence * 100)}%`;
    drawText(png, text, ox + 1, oy + TILE + 3, 2);
  });
  return encodePng(png);
}

/** Draws text in red with the 3×5 glyphs at `size` px a glyph pixel. */
export function drawText(png: RgbaImage, text: string, x: number, y: number, size: number): void {
  for (const ch of text) {
    const glyph = GLYPHS[ch] ?? (GLYPHS[' '] as string);
    for (let gy = 0; gy < 5; gy++) {
      for (let gx = 0; gx < 3; gx++) {
        if (glyph[gy * 3 + gx] !== '1') continue;
        for (let sy = 0; sy < size; sy++) for (let sx = 0; sx < size; sx++) setPixel(png, x + gx * size + sx, y + gy * size + sy, 200, 0, 0);
      }
    }
    x += 4 * size;
  }
}

export function setPixel(png: RgbaImage, x: number, y: number, r: number, g: number, b: number): void {
  if (x < 0 || y < 0 || x >= png.width || y >= png.height) return;
  const o = (y * png.width + x) * 4;
  png.data[o] = r;
  png.data[o + 1] = g;
  png.data[o + 2] = b;
  png.data[o + 3] = 255;
}

/** The digits whose (true, predicted) pair passes `keep`, as gallery items. */
function itemsWhere(
  pixels: Uint8Array,
  labels: Uint8Array,
  predictions: Uint8Array,
  confidences: Float32Array,
  keep: (truth: number, predicted: number) => boolean,
): GalleryItem[] {
  const items: GalleryItem[] = [];
  for (let i = 0; i < labels.length; i++) {
    if (keep(labels[i]!, predictions[i]!))
      items.push({ pixels, offset: i * PIXELS, truth: labels[i]!, predicted: predictions[i]!, confidence: confidences[i]! });
  }
  return items;
}

/** The first `limit` misclassified test digits, most confident mistakes first. */
export function misclassified(pixels: Uint8Array, labels: Uint8Array, predictions: Uint8Array, confidences: Float32Array, limit = 60): GalleryItem[] {
  const items = itemsWhere(pixels, labels, predictions, confidences, (t, p) => t !== p);
  items.sort((a, b) => b.confidence - a.confidence);
  return items.slice(0, limit);
}

/**
 * The digits of one confusion-matrix cell (true digit `truth`, read as `predicted`): in a cell of mistakes the
 * most confident first, on the diagonal the least sure first.
 */
export function cellItems(
  pixels: Uint8Array,
  labels: Uint8Array,
  predictions: Uint8Array,
  confidences: Float32Array,
  truth: number,
  predicted: number,
  limit = 60,
): GalleryItem[] {
  const items = itemsWhere(pixels, labels, predictions, confidences, (t, p) => t === truth && p === predicted);
  items.sort((a, b) => (truth === predicted ? a.confidence - b.confidence : b.confidence - a.confidence));
  return items.slice(0, limit);
}

/** The misclassified-digit gallery of an evaluation of `frame`, as a PNG. */
export function mistakesPng(frame: DigitFrame, e: { predictions: Uint8Array; confidences: Float32Array }): Buffer {
  return galleryPng(misclassified(frame.pixels, labelsOf(frame), e.predictions, e.confidences), 10, 1);
}
