import { encodePng } from '../codecs/png.js';
import { blankRgba } from '../core/image/rgba.js';
import { PIXELS, SIDE } from '../core/frame.js';
import type { DigitModel } from '../core/models/model.js';
import { fixedPicture, type Picture, unitsPicture } from '../core/models/pictures.js';
import { drawText, setPixel } from './gallery.js';

/**
 * Pictures a person can look at, by name: the PCA's mean and eigendigits, the classifier's own, the digit
 * detector's units. Here, with the inspector's drawing, rather than on DigitModel: the pages that only read
 * digits do not carry it.
 */
export function modelPictures({ input, classifier, confidence }: DigitModel): Record<string, Picture> {
  const pca = input.pca?.inputSize === PIXELS ? input.pca : null;
  const out: Record<string, Picture> = {};
  if (pca) {
    const explained = pca.explainedVariance.reduce((a, b) => a + b, 0);
    out.mean = fixedPicture('The mean digit', 'The average training image, from which the PCA measures every image.', 'ink', () => ({ vectors: [pca.mean] }));
    out.eigendigits = fixedPicture(
      'Eigendigits',
      `The PCA's ${pca.components} components, the directions in which training digits vary most, each labelled with the share of the variance it explains (blue positive, red negative). Together they explain ${(100 * explained).toFixed(1)}%.`,
      'signed',
      () => ({
        vectors: Array.from({ length: pca.components }, (_, c) => pca.vectors.subarray(c * PIXELS, (c + 1) * PIXELS)),
        labels: pca.explainedVariance.map((v) => `${(100 * v).toFixed(1)}%`),
      }),
    );
  }
  Object.assign(out, classifier.pictures?.(pca ? (f) => pca.reconstruct(f) : null));
  const detector =
    confidence?.detector && unitsPicture(confidence.detector.network, 'Digit detector: first-layer units', 'answer', ' (0: a digit, 1: not a digit)');
  if (detector) out.detector = detector;
  return out;
}

/** A 28×28 image in [0,1] as a PNG data URL (white ink on black, as the model sees it). */
export function inputDataUrl(pixels: Float32Array): string {
  const png = blankRgba(SIDE, SIDE);
  for (let i = 0; i < PIXELS; i++) {
    const v = Math.round(255 * Math.min(1, Math.max(0, pixels[i]!)));
    png.data[i * 4] = v;
    png.data[i * 4 + 1] = v;
    png.data[i * 4 + 2] = v;
    png.data[i * 4 + 3] = 255;
  }
  // Greyscale, and no per-line filter search: a quarter of the bytes and less work for 784 pixels.
  return `data:image/png;base64,${encodePng(png, { colorType: 0, filterType: 0 }).toString('base64')}`;
}

/**
 * Tiles of 784-long vectors (a Picture's) as one PNG grid, each tile zoomed ×3. 'signed': positive values
 * blue, negative red, scaled by the tile's largest magnitude; 'ink': dark is high, scaled from the tile's
 * lowest to its highest. A label, if any, is written under its tile.
 */
export function tilesPng(
  vectors: Float32Array[],
  { style = 'signed', labels, columns = 8 }: { style?: Picture['style']; labels?: string[]; columns?: number } = {},
): Buffer {
  const zoom = 3;
  const tile = SIDE * zoom;
  const gap = 4;
  const caption = labels ? 14 : 0;
  const rows = Math.max(1, Math.ceil(vectors.length / columns));
  const png = blankRgba(Math.min(columns, Math.max(1, vectors.length)) * (tile + gap) + gap, rows * (tile + gap + caption) + gap);
  vectors.forEach((v, k) => {
    let max = -Infinity;
    let min = Infinity;
    for (let i = 0; i < PIXELS; i++) {
      max = Math.max(max, style === 'signed' ? Math.abs(v[i]!) : v[i]!);
      min = Math.min(min, v[i]!);
    }
    // Ink from zero to the tile's darkest; a reconstruction's dips below zero are paper.
    if (style === 'ink') min = 0;
    const span = Math.max(1e-12, style === 'signed' ? max : max - min);
    const ox = gap + (k % columns) * (tile + gap);
    const oy = gap + Math.floor(k / columns) * (tile + gap + caption);
    for (let y = 0; y < tile; y++) {
      for (let x = 0; x < tile; x++) {
        const value = v[Math.floor(y / zoom) * SIDE + Math.floor(x / zoom)]!;
        let rgb: number[];
        if (style === 'signed') {
          const w = value / span;
          const a = Math.min(1, Math.abs(w));
          rgb = w >= 0 ? [255 - 196 * a, 255 - 145 * a, 255 - 87 * a] : [255 - 63 * a, 255 - 175 * a, 255 - 178 * a];
        } else {
          const g = 255 - 235 * Math.max(0, (value - min) / span);
          rgb = [g, g, g];
        }
        setPixel(png, ox + x, oy + y, Math.round(rgb[0]!), Math.round(rgb[1]!), Math.round(rgb[2]!));
      }
    }
    if (labels?.[k]) drawText(png, labels[k], ox + 1, oy + tile + 2, 2);
  });
  return encodePng(png);
}
