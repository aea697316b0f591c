import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import opentype from 'opentype.js';
import { greyRgba } from '../core/image/rgba.js';
import type { Random } from '../core/util/random.js';
import { encodePng, FAST_PNG } from '../codecs/png.js';

/*
 * Typed digits: 0–9 set in fonts kept as data (data/fonts, from the @fontsource packages), rasterised with opentype.js.
 * Handwriting-style and print faces, dark on white at several sizes, as someone would type a digit in an
 * editor and screenshot it.
 */

export const TYPED_FONTS = {
  handwriting: [
    'caveat',
    'indie-flower',
    'patrick-hand',
    'kalam',
    'shadows-into-light',
    'gloria-hallelujah',
    'permanent-marker',
    'architects-daughter',
    'covered-by-your-grace',
    'handlee',
    'gochi-hand',
    'schoolbell',
  ],
  print: [
    'roboto',
    'open-sans',
    'lato',
    'merriweather',
    'source-code-pro',
    'pt-serif',
    'noto-sans',
    'ubuntu',
    'montserrat',
    'courier-prime',
    'libre-baskerville',
    'oswald',
  ],
} as const;

/** Fonts whose digits train; the robustness bench's typed track uses TYPED_FONTS. */
export const TRAINING_FONTS = [
  'fira-sans',
  'ibm-plex-mono',
  'space-mono',
  'bitter',
  'crimson-text',
  'eb-garamond',
  'josefin-sans',
  'nunito',
  'raleway',
  'work-sans',
  'roboto-slab',
  'roboto-mono',
  'reenie-beanie',
  'rock-salt',
  'sue-ellen-francisco',
  'annie-use-your-telescope',
  'short-stack',
  'neucha',
  'itim',
  'nanum-pen-script',
  'homemade-apple',
  'amatic-sc',
  // Handwriting and script faces added so that outlier exposure sees the letters of many hands, not of a few.
  'dancing-script',
  'satisfy',
  'pacifico',
  'sacramento',
  'yellowtail',
  'kaushan-script',
  'courgette',
  'cedarville-cursive',
  'the-girl-next-door',
  'delius',
  'gaegu',
  'sriracha',
  'caveat-brush',
  'mansalva',
  'nanum-brush-script',
  'marck-script',
  'swanky-and-moo-moo',
  // Faces whose 1 carries a long flag, which the model trained without them read as 7 (or refused): of 47
  // @fontsource families tried beside the test fonts, these five were the only ones it misread.
  'exo-2',
  'outfit',
  'plus-jakarta-sans',
  'sora',
  'baloo-2',
];

/** The fonts, as data: each regular Latin face with its licence, and where it came from (data/fonts/SOURCES.tsv). */
export const FONTS_DIR = fileURLToPath(new URL('../../data/fonts', import.meta.url));

const fonts = new Map<string, opentype.Font>();

/** The font's regular Latin face (WOFF, which opentype.js reads) from data/fonts, parsed once. */
export function loadFont(name: string): opentype.Font {
  const cached = fonts.get(name);
  if (cached) return cached;
  const bytes = readFileSync(join(FONTS_DIR, `${name}.woff`));
  const font = opentype.parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  fonts.set(name, font);
  return font;
}

/** The outline of `text` set at (x, y) in `em` px, as polygons to fill. */
export function glyphPolygons(font: opentype.Font, text: string, x: number, y: number, em: number): Point[][] {
  return polygons(font.getPath(text, x, y, em));
}

type Point = [number, number];

/** A glyph outline as closed polygons, curves flattened into short segments. */
function polygons(path: opentype.Path): Point[][] {
  const out: Point[][] = [];
  let current: Point[] = [];
  let at: Point = [0, 0];
  const steps = 10;
  for (const c of path.commands) {
    if (c.type === 'M') {
      if (current.length > 1) out.push(current);
      current = [[c.x, c.y]];
      at = [c.x, c.y];
    } else if (c.type === 'L') {
      current.push([c.x, c.y]);
      at = [c.x, c.y];
    } else if (c.type === 'Q') {
      for (let i = 1; i <= steps; i++) {
        const t = i / steps;
        const u = 1 - t;
        current.push([u * u * at[0] + 2 * u * t * c.x1 + t * t * c.x, u * u * at[1] + 2 * u * t * c.y1 + t * t * c.y]);
      }
      at = [c.x, c.y];
    } else if (c.type === 'C') {
      for (let i = 1; i <= steps; i++) {
        const t = i / steps;
        const u = 1 - t;
        current.push([
          u * u * u * at[0] + 3 * u * u * t * c.x1 + 3 * u * t * t * c.x2 + t * t * t * c.x,
          u * u * u * at[1] + 3 * u * u * t * c.y1 + 3 * u * t * t * c.y2 + t * t * t * c.y,
        ]);
      }
      at = [c.x, c.y];
    } else if (c.type === 'Z') {
      if (current.length > 1) out.push(current);
      current = [];
    }
  }
  if (current.length > 1) out.push(current);
  return out;
}

/**
 * Coverage (0..1) of the filled polygons on a w×h canvas, nonzero winding, with `ss` sub-scanlines per
 * row and exact horizontal coverage of each span's ends.
 */
export function fillPolygons(polys: Point[][], w: number, h: number, ss = 4): Float32Array {
  const cover = new Float32Array(w * h);
  const edges: { x0: number; y0: number; x1: number; y1: number; dir: number }[] = [];
  for (const poly of polys) {
    for (let i = 0; i < poly.length; i++) {
      const [ax, ay] = poly[i]!;
      const [bx, by] = poly[(i + 1) % poly.length]!;
      if (ay === by) continue;
      edges.push(ay < by ? { x0: ax, y0: ay, x1: bx, y1: by, dir: 1 } : { x0: bx, y0: by, x1: ax, y1: ay, dir: -1 });
    }
  }
  const crossings: [number, number][] = [];
  for (let row = 0; row < h; row++) {
    for (let k = 0; k < ss; k++) {
      const y = row + (k + 0.5) / ss;
      crossings.length = 0;
      for (const e of edges) if (y >= e.y0 && y < e.y1) crossings.push([e.x0 + ((y - e.y0) / (e.y1 - e.y0)) * (e.x1 - e.x0), e.dir]);
      crossings.sort((a, b) => a[0] - b[0]);
      let winding = 0;
      for (let i = 0; i + 1 < crossings.length; i++) {
        winding += crossings[i]![1];
        if (winding !== 0) addSpan(cover, row * w, w, crossings[i]![0], crossings[i + 1]![0], 1 / ss);
      }
    }
  }
  for (let i = 0; i < cover.length; i++) cover[i] = Math.min(1, cover[i]!);
  return cover;
}

function addSpan(cover: Float32Array, o: number, w: number, xa: number, xb: number, weight: number): void {
  const a = Math.max(0, xa);
  const b = Math.min(w, xb);
  if (b <= a) return;
  const ia = Math.floor(a);
  const ib = Math.floor(b);
  if (ia === ib) {
    cover[o + ia]! += (b - a) * weight;
    return;
  }
  cover[o + ia]! += (ia + 1 - a) * weight;
  for (let x = ia + 1; x < ib; x++) cover[o + x]! += weight;
  if (ib < w) cover[o + ib]! += (b - ib) * weight;
}

/** The digit in `font`, its height about `textPx`, placed at random on a `canvas`×`canvas` sheet, as PNG. */
export function typedDigit(font: opentype.Font, digit: number, textPx: number, canvas: number, rng: Random): Uint8Array {
  const path = font.getPath(String(digit), 0, 0, textPx);
  const box = path.getBoundingBox();
  const gw = box.x2 - box.x1;
  const gh = box.y2 - box.y1;
  const x = rng.uniform(0.1, 0.9) * (canvas - gw) - box.x1;
  const y = rng.uniform(0.1, 0.9) * (canvas - gh) - box.y1;
  const ink = fillPolygons(glyphPolygons(font, String(digit), x, y, textPx), canvas, canvas);
  return encodePng(
    greyRgba(canvas, canvas, (i) => (1 - ink[i]!) * 0.98),
    { colorType: 0, ...FAST_PNG },
  );
}
