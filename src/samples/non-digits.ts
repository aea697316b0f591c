import { greyRgba, type RgbaImage } from '../core/image/rgba.js';
import type { Random } from '../core/util/random.js';
import { rasterStrokes } from './raster.js';
import { jitteredDigit, smoothPath, type Stroke } from './strokes.js';
import { fillPolygons, glyphPolygons, loadFont, TRAINING_FONTS, TYPED_FONTS } from './typed.js';

/*
 * Things people put on a digit board that are not one digit: letters, shapes, scribbles, dots, dashes,
 * hatching, and several digits squeezed together. Two disjoint halves: 'train' images teach the model what
 * to refuse (outlier exposure); 'bench' images, from other fonts and other seeds, measure it.
 */

export type Split = 'train' | 'bench';

export interface NonDigitFamily {
  name: string;
  make(rng: Random, split: Split): RgbaImage;
}

const SIZE = 280;

/** Letters that are not read as a digit by people either: O (0), I and l (1), S (5), Z (2), B (8), g q (9), b G (6) are left out. */
const LETTERS = 'ACEFHJKLMNPRTUVWXYadefhkmnprtuvwxy';

/**
 * Fonts whose letters train, and other fonts whose letters measure. The training fonts for typed digits
 * (TRAINING_FONTS, src/train/extra.ts) train letters too: they are never benchmarked as letters.
 */
export const LETTER_FONTS: Record<Split, readonly string[]> = {
  train: [...TYPED_FONTS.print, ...TYPED_FONTS.handwriting.slice(0, 6), ...TRAINING_FONTS],
  bench: TYPED_FONTS.handwriting.slice(6),
};

function sheet(ink: Float32Array, rng: Random): RgbaImage {
  // Mostly dark ink on white, sometimes a white-on-black board, as the digits are drawn.
  const dark = rng.next() < 0.8;
  return greyRgba(SIZE, SIZE, (i) => {
    const a = Math.min(1, ink[i]!);
    return dark ? 1 - a * 0.95 : a;
  });
}

/** Strokes in a unit box drawn with a pen of random width into the middle of the board. */
function drawStrokes(strokes: Stroke[], rng: Random, smooth = true): RgbaImage {
  const size = SIZE * rng.uniform(0.45, 0.8);
  const ox = (SIZE - size) / 2 + rng.uniform(-0.08, 0.08) * SIZE;
  const oy = (SIZE - size) / 2 + rng.uniform(-0.08, 0.08) * SIZE;
  const paths = strokes.map((s) => (smooth && s.length > 2 ? smoothPath(s) : s).map(([x, y]): [number, number] => [ox + x * size, oy + y * size]));
  return sheet(rasterStrokes(paths, SIZE, SIZE, size * rng.uniform(0.025, 0.07)), rng);
}

const jitter = (s: Stroke, rng: Random, a = 0.03): Stroke => s.map(([x, y]) => [x + rng.uniform(-a, a), y + rng.uniform(-a, a)]);

function polygon(cx: number, cy: number, r: number, sides: number, turn: number, inner = r): Stroke {
  const out: Stroke = [];
  const n = inner === r ? sides : 2 * sides;
  for (let i = 0; i <= n; i++) {
    const rr = inner === r || i % 2 === 0 ? r : inner;
    const t = turn + (2 * Math.PI * i) / n;
    out.push([cx + rr * Math.cos(t), cy + rr * Math.sin(t)]);
  }
  return out;
}

function arc(cx: number, cy: number, r: number, from: number, to: number, points = 10): Stroke {
  return Array.from({ length: points + 1 }, (_, i) => {
    const t = from + ((to - from) * i) / points;
    return [cx + r * Math.cos(t), cy + r * Math.sin(t)] as [number, number];
  });
}

const SHAPES: ((rng: Random) => Stroke[])[] = [
  (rng) => [polygon(0.5, 0.55, 0.42, 3, -Math.PI / 2 + rng.uniform(-0.2, 0.2))], // triangle
  (rng) => [polygon(0.5, 0.5, 0.45, 4, Math.PI / 4 + rng.uniform(-0.15, 0.15))], // square
  (rng) => [polygon(0.5, 0.52, 0.46, 5, -Math.PI / 2 + rng.uniform(-0.2, 0.2), 0.2)], // star
  () => [
    [
      [0.5, 0.08],
      [0.5, 0.92],
    ],
    [
      [0.08, 0.5],
      [0.92, 0.5],
    ],
  ], // plus
  () => [
    [
      [0.1, 0.1],
      [0.9, 0.9],
    ],
    [
      [0.9, 0.1],
      [0.1, 0.9],
    ],
  ], // cross
  () => [
    [
      [0.08, 0.5],
      [0.9, 0.5],
    ],
    [
      [0.65, 0.25],
      [0.9, 0.5],
      [0.65, 0.75],
    ],
  ], // arrow
  () => [
    [
      [0.1, 0.55],
      [0.4, 0.85],
      [0.92, 0.12],
    ],
  ], // tick
  () => [
    arc(0.5, 0.5, 0.45, 0, 2 * Math.PI, 16),
    [
      [0.35, 0.35],
      [0.36, 0.37],
    ],
    [
      [0.65, 0.35],
      [0.66, 0.37],
    ],
    arc(0.5, 0.52, 0.25, 0.3, Math.PI - 0.3),
  ], // smiley
  () => [
    arc(0.5, 0.5, 0.45, 0, 2 * Math.PI, 16),
    [
      [0.5, 0.05],
      [0.5, 0.95],
    ],
    [
      [0.05, 0.5],
      [0.95, 0.5],
    ],
  ], // circle with a cross
  (rng) => [Array.from({ length: 40 }, (_, i): [number, number] => [0.5 + 0.012 * i * Math.cos(i * 0.5 + rng.next()), 0.5 + 0.012 * i * Math.sin(i * 0.5)])], // spiral
  () => [Array.from({ length: 30 }, (_, i): [number, number] => [0.05 + 0.03 * i, 0.5 + 0.2 * Math.sin(i * 0.6)])], // wave
  () => [
    [
      [0.5, 0.9],
      [0.1, 0.4],
      [0.3, 0.12],
      [0.5, 0.3],
      [0.7, 0.12],
      [0.9, 0.4],
      [0.5, 0.9],
    ],
  ], // heart
  () => [
    [
      [0.2, 0.1],
      [0.2, 0.9],
      [0.8, 0.9],
      [0.8, 0.1],
    ],
  ], // cup
];

export const NON_DIGIT_FAMILIES: NonDigitFamily[] = [
  {
    name: 'letter',
    make(rng, split) {
      const fonts = LETTER_FONTS[split];
      const font = loadFont(fonts[rng.int(fonts.length)]!);
      const letter = LETTERS[rng.int(LETTERS.length)]!;
      const em = rng.uniform(120, 220);
      const box = font.getPath(letter, 0, 0, em).getBoundingBox();
      const x = (SIZE - (box.x2 - box.x1)) / 2 - box.x1 + rng.uniform(-20, 20);
      const y = (SIZE - (box.y2 - box.y1)) / 2 - box.y1 + rng.uniform(-20, 20);
      return sheet(fillPolygons(glyphPolygons(font, letter, x, y, em), SIZE, SIZE), rng);
    },
  },
  {
    name: 'shape',
    make: (rng) =>
      drawStrokes(
        SHAPES[rng.int(SHAPES.length)]!(rng).map((s) => jitter(s, rng)),
        rng,
        false,
      ),
  },
  {
    name: 'scribble',
    make(rng) {
      const points: Stroke = [[rng.uniform(0.2, 0.8), rng.uniform(0.2, 0.8)]];
      for (let i = 0; i < 8 + rng.int(14); i++) points.push([rng.uniform(0.05, 0.95), rng.uniform(0.05, 0.95)]);
      return drawStrokes([points], rng);
    },
  },
  {
    name: 'dot',
    make(rng) {
      // A pen dot, or a small ring.
      const c: [number, number] = [rng.uniform(0.3, 0.7), rng.uniform(0.3, 0.7)];
      const strokes: Stroke[] = rng.next() < 0.5 ? [[c, c]] : [arc(c[0], c[1], rng.uniform(0.02, 0.08), 0, 2 * Math.PI, 8)];
      return drawStrokes(strokes, rng, false);
    },
  },
  {
    name: 'dash',
    make(rng) {
      // Horizontal or slanted, never upright: an upright bar is a 1.
      const a = rng.uniform(-0.5, 0.5);
      const l = rng.uniform(0.25, 0.45);
      return drawStrokes(
        [
          [
            [0.5 - l * Math.cos(a), 0.5 - l * Math.sin(a)],
            [0.5 + l * Math.cos(a), 0.5 + l * Math.sin(a)],
          ],
        ],
        rng,
        false,
      );
    },
  },
  {
    name: 'hatching',
    make(rng) {
      const lines: Stroke[] = [];
      const cross = rng.next() < 0.5;
      const n = 4 + rng.int(5);
      for (let i = 0; i < n; i++) {
        const t = (i + 0.5) / n;
        lines.push([
          [0.05, t * 0.9],
          [t * 0.9 + 0.05, 0.05],
        ]);
        if (cross)
          lines.push([
            [0.95 - t * 0.9, 0.05],
            [0.95, t * 0.9],
          ]);
      }
      return drawStrokes(
        lines.map((l) => jitter(l, rng, 0.02)),
        rng,
        false,
      );
    },
  },
  {
    name: 'squeezed-digits',
    make(rng) {
      const count = 2 + rng.int(2);
      // Half of them touch or overlap their neighbours, as digits written close together do: read whole, a
      // number segmenter's wrong merge must look like no digit (src/core/image/number.ts).
      const spread = rng.next() < 0.5 ? 0.8 : rng.uniform(1.3, 1.5);
      const strokes: Stroke[] = [];
      for (let k = 0; k < count; k++) {
        const shape = jitteredDigit(rng.int(10), rng);
        for (const s of shape.strokes) strokes.push(s.map(([x, y]) => [(k + 0.5 + (x - 0.5) * spread) / count, 0.2 + y * 0.6]));
      }
      return drawStrokes(strokes, rng);
    },
  },
];

/**
 * A digit with a stroke taken away, as Ctrl+Z leaves it: one stroke of a digit drawn in several goes (a 4's
 * stem), or, for a digit of one stroke, all but its first 35–65%. Measured only, never trained on, and reported
 * as a family of its own. 1 and 7 are left out: without their base or bar they are still a 1 and a 7.
 */
export function partialDigit(rng: Random): { digit: number; image: RgbaImage } {
  const digit = [0, 2, 3, 4, 5, 6, 8, 9][rng.int(8)]!;
  const { strokes } = jitteredDigit(digit, rng);
  let kept: Stroke[];
  if (strokes.length > 1) {
    const gone = rng.int(strokes.length);
    kept = strokes.filter((_, k) => k !== gone);
  } else {
    const path = smoothPath(strokes[0]!);
    kept = [path.slice(0, Math.max(2, Math.round(path.length * rng.uniform(0.35, 0.65))))];
  }
  return { digit, image: drawStrokes(kept, rng, false) };
}

/**
 * Letters as a pen draws them, for training only: hand-made skeletons (one or more per letter of LETTERS) in
 * tenths of a box, strokes split by "|", points "xy". A stroke of two points is a straight line, so corners
 * stay sharp; longer strokes are smoothed. Lowercase letters sit on the line y = 7 with x-height 3.
 * The bench never draws them: its letters come from fonts training never sees.
 */
const PEN_LETTERS: Record<string, string[]> = {
  A: ['19 51|51 89|36 66', '19 41 61 89|36 66'],
  C: ['82 51 23 15 28 59 88'],
  E: ['81 21|21 29|29 89|25 75', '81 21 25 29 89|25 65'],
  F: ['81 21|21 29|25 75'],
  H: ['21 29|81 89|25 85'],
  J: ['71 77 59 38 26', '41 91|71 77 59 38 26'],
  K: ['21 29|81 25|35 89'],
  L: ['21 29|29 79', '21 28 39 79'],
  M: ['19 11|11 55|55 91|91 99', '19 12 21 55 81 92 99'],
  N: ['29 21|21 89|89 81'],
  P: ['29 21|21 61 83 65 25'],
  R: ['29 21|21 61 83 65 25|45 89'],
  T: ['11 91|51 59'],
  U: ['21 27 49 69 87 81', '21 27 49 69 87 81|81 89'],
  V: ['11 59|59 91'],
  W: ['01 39|39 54|54 79|79 91'],
  X: ['11 99|91 19'],
  Y: ['11 55|91 55|55 59'],
  a: ['74 53 34 26 37 57 75|73 77', '74 53 34 26 37 57 75 73 77 87'],
  d: ['74 53 34 26 37 57 75|70 77'],
  e: ['25 75 64 53 34 25 36 57 76'],
  f: ['61 40 31 37|23 53'],
  h: ['20 27|24 43 63 74 77'],
  k: ['20 27|63 25|35 67'],
  m: ['23 27|24 33 43 54 57|54 63 73 84 87'],
  n: ['23 27|24 43 63 74 77'],
  p: ['23 29|24 43 63 75 66 47 26'],
  r: ['23 27|25 43 63 74'],
  t: ['30 36 47 67|13 53', '30 37|13 53'],
  u: ['23 26 37 57 75|73 77', '23 26 37 57 75 73 77 87'],
  v: ['23 57|57 83'],
  w: ['13 37|37 54|54 77|77 93'],
  x: ['23 77|73 27'],
  y: ['23 57|83 39', '23 26 36 55 74|73 78 59 39 28'],
};

/** A letter drawn by a jittered pen (jitteredDigit with the letter's skeleton), as a user would on the board. */
export function penLetter(rng: Random): RgbaImage {
  const letter = LETTERS[rng.int(LETTERS.length)]!;
  const variants = PEN_LETTERS[letter]!;
  const skeleton = variants[rng.int(variants.length)]!.split('|').map((stroke) =>
    stroke.split(' ').map(([x, y]): [number, number] => [Number(x) / 10, Number(y) / 10]),
  );
  return drawStrokes(jitteredDigit(0, rng, { jitter: 0.025 }, skeleton).strokes, rng);
}

/** Training sees letters twice as often as the other families: they are the most varied. */
const TRAINING_TURNS = [0, ...NON_DIGIT_FAMILIES.keys()];

/** One non-digit image of a family chosen in turn: equally often each for the bench, letters twice for training. */
export function nonDigit(i: number, rng: Random, split: Split): { family: string; image: RgbaImage } {
  const family = split === 'bench' ? NON_DIGIT_FAMILIES[i % NON_DIGIT_FAMILIES.length]! : NON_DIGIT_FAMILIES[TRAINING_TURNS[i % TRAINING_TURNS.length]!]!;
  return { family: family.name, image: family.make(rng, split) };
}
