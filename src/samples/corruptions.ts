import { SIDE } from '../core/frame.js';
import { areaResize, bilinearAt, bilinearResize, boxBlur, dilate, lineBlur } from '../core/image/kernels.js';
import { greyRgba, type RgbaImage } from '../core/image/rgba.js';
import { Random } from '../core/util/random.js';
import { FAST_PNG, encodePng } from '../codecs/png.js';
import { encodeJpeg } from './styles.js';

/*
 * MNIST test digits turned into the images users send, then corrupted one way at a time, in the spirit of
 * MNIST-C (Mu & Gilmer 2019): each track is one corruption at a few strengths, all of which a person still
 * reads. An image is ink coverage in [0,1] on a w×h canvas until `toFile` paints and encodes it.
 */

/** Ink coverage on a canvas, plus how to paint it: ink and paper grey levels (0 black, 1 white). */
export interface Sheet {
  ink: Float32Array;
  w: number;
  h: number;
  inkLevel: number;
  paper: number;
  /** Per-pixel light multiplier (uneven light), or null for even light. */
  light: Float32Array | null;
}

export interface Track {
  name: string;
  /** Tracks of one family are reported together: the targets are per family. */
  family: 'clean' | 'blur' | 'low-resolution' | 'contrast' | 'paper' | 'noise' | 'jpeg' | 'stroke' | 'geometry' | 'broken-stroke' | 'tight-crop' | 'scan';
  /** Measured only: training never draws from it, so the bench sees a way of making images the model did not learn from. */
  heldOut?: boolean;
  /** Renders the images of the named track (the same seeds, so the same digits, crops and paper), changed as `make` says. */
  sameImagesAs?: string;
  /** Mildest first. `beyondTargets`: a level harsher than the issue asks for, reported without a target. */
  strengths: { label: string; value: number; beyondTargets?: boolean }[];
  /** An MNIST digit (28×28 in [0,1], white ink on black) as an encoded image file at this strength. */
  make(digit: Float32Array, value: number, rng: Random): { bytes: Uint8Array; ext: 'png' | 'jpg' };
}

const BOARD = 280;

/** The seed of one corrupted image (track, strength, digit): the same image in every run and every thread. */
export function imageSeed(track: number, strength: number, index: number): number {
  return (track * 1_000_003 + strength * 100_019 + index) >>> 0;
}

/**
 * MNIST digit `index` (its 28×28 pixels `digit`) as the robustness bench renders it at one level of one track:
 * the same file in every run and every thread.
 */
export function corruptedImage(track: number, strength: number, digit: Float32Array, index: number): { bytes: Uint8Array; ext: 'png' | 'jpg' } {
  const t = TRACKS[track]!;
  const seedTrack = t.sameImagesAs === undefined ? track : TRACKS.findIndex((o) => o.name === t.sameImagesAs);
  return t.make(digit, t.strengths[strength]!.value, new Random(imageSeed(seedTrack, strength, index)));
}

/**
 * A level of a track's `n` strengths, mildest first, level k drawn with weight k + 1: the model reads the mild
 * levels already, the strongest (digits 6 px tall, motion blur 60 px) are where it needs examples.
 */
export function strongerMoreOften(n: number, rng: Random): number {
  let u = rng.int((n * (n + 1)) / 2);
  for (let k = 0; k < n; k++) {
    u -= k + 1;
    if (u < 0) return k;
  }
  return n - 1;
}

/** The digit drawn in dark ink on white paper at `size` px, as a bilinear (smooth) upscale of its 28×28. */
export function sheetOf(digit: Float32Array, size = BOARD): Sheet {
  return { ink: bilinearResize(digit, SIDE, SIDE, size, size), w: size, h: size, inkLevel: 0.05, paper: 0.97, light: null };
}

/** Paints a sheet as 8-bit grey RGBA; `noise` adds to each pixel after painting. */
export function paintSheet(s: Sheet, noise?: (v: number) => number): RgbaImage {
  return greyRgba(s.w, s.h, (i) => {
    const a = Math.min(1, Math.max(0, s.ink[i]!));
    const v = (a * s.inkLevel + (1 - a) * s.paper) * (s.light ? s.light[i]! : 1);
    return noise ? noise(v) : v;
  });
}

function png(s: Sheet, noise?: (v: number) => number): { bytes: Uint8Array; ext: 'png' } {
  return { bytes: encodePng(paintSheet(s, noise), { colorType: 0, ...FAST_PNG }), ext: 'png' };
}

/** `passes` box blurs (boxBlur: O(pixels) whatever the radius), which together approach a Gaussian. */
export function fastBlur(src: Float32Array, w: number, h: number, r: number, passes = 3): Float32Array {
  let cur = src;
  for (let p = 0; p < passes; p++) cur = boxBlur(cur, w, h, r);
  return cur;
}

/** Samples `src` at (x + dx(x, y), y + dy(x, y)) for every pixel, bilinearly; outside is 0. */
function warp(src: Float32Array, w: number, h: number, map: (x: number, y: number) => [number, number]): Float32Array {
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const [sx, sy] = map(x, y);
      out[y * w + x] = bilinearAt(src, 0, w, h, sx, sy);
    }
  }
  return out;
}

const clamp01 = (v: number) => Math.max(0, Math.min(1, v));

/** The digit `px` tall, scanned that small and enlarged again with smoothing, on a `size` px sheet. */
function lowResolution(d: Float32Array, px: number, size: number): Sheet {
  const side = Math.round((px * SIDE) / 20);
  return { ...sheetOf(d, size), ink: bilinearResize(areaResize(d, SIDE, SIDE, side, side), side, side, size, size) };
}

/** The sheet cut to the box of its visible ink (coverage over 0.1) plus `margin` px, as a person crops a photo to the digit. */
export function cropToInk(s: Sheet, margin: number): Sheet {
  const { x0, y0, x1, y1 } = inkBox(s.ink, s.w, s.h, 0.1);
  return placed(s, Math.max(0, x0 - margin), Math.max(0, y0 - margin), Math.min(s.w - 1, x1 + margin), Math.min(s.h - 1, y1 + margin), 0);
}

/** The sheet's columns x0..x1 and rows y0..y1 with `pad` px of paper added on every side. */
function placed(s: Sheet, x0: number, y0: number, x1: number, y1: number, pad: number): Sheet {
  return { ...s, ...cropArea(s.ink, s.w, { x0, y0, x1, y1 }, pad), light: null };
}

/** Columns x0..x1 and rows y0..y1 (inclusive) of a `width`-wide image, with `pad` zeros on every side. */
export function cropArea(
  a: Float32Array,
  width: number,
  { x0, y0, x1, y1 }: { x0: number; y0: number; x1: number; y1: number },
  pad = 0,
): { ink: Float32Array; w: number; h: number } {
  const w = x1 - x0 + 1 + 2 * pad;
  const h = y1 - y0 + 1 + 2 * pad;
  const ink = new Float32Array(w * h);
  for (let y = y0; y <= y1; y++) ink.set(a.subarray(y * width + x0, y * width + x1 + 1), (y - y0 + pad) * w + pad);
  return { ink, w, h };
}

/** How a digit looks before it is cropped to its ink: the levels of the tight-crop tracks. */
const CROP_LOOKS: { label: string; sheet(d: Float32Array, rng: Random): Sheet }[] = [
  { label: 'crisp', sheet: (d) => sheetOf(d) },
  {
    label: 'soft (σ≈8 px of 280)',
    sheet: (d) => {
      const s = sheetOf(d);
      return { ...s, ink: fastBlur(s.ink, s.w, s.h, 8) };
    },
  },
  { label: 'low-resolution, 8–20 px tall', sheet: (d, rng) => lowResolution(d, 8 + rng.int(13), BOARD) },
  {
    label: 'soft and low-resolution',
    sheet: (d, rng) => {
      const s = lowResolution(d, 8 + rng.int(13), BOARD);
      return { ...s, ink: fastBlur(s.ink, s.w, s.h, 8) };
    },
  },
  { label: 'grey paper', sheet: (d, rng) => ({ ...sheetOf(d), paper: rng.uniform(0.45, 0.8), inkLevel: rng.uniform(0.05, 0.25) }) },
  { label: 'white on black', sheet: (d) => ({ ...sheetOf(d), paper: 0.05, inkLevel: 0.95 }) },
];

/** A look of CROP_LOOKS cut to the ink with a margin of 0–3 px. */
function tightCrop(d: Float32Array, look: number, rng: Random): Sheet {
  const s = CROP_LOOKS[look]!.sheet(d, rng);
  return cropToInk(s, rng.int(4));
}

/**
 * A digit made the way UCI's optdigits were: drawn into a 32×32 bitmap (its ink box scaled so the longer side
 * fills it, ink over half), counted in 4×4 blocks into 8×8 levels 0–16, and that grid enlarged smoothly so the
 * digit fills the frame.
 */
function scan8x8(d: Float32Array, rng: Random): Sheet {
  const { ink: crop, w, h } = cropArea(d, SIDE, inkBox(d, SIDE, SIDE, 0.3));
  const scale = 32 / Math.max(w, h);
  const bw = Math.max(1, Math.round(w * scale));
  const bh = Math.max(1, Math.round(h * scale));
  const inner = bilinearResize(crop, w, h, bw, bh);
  const bits = new Uint8Array(32 * 32);
  for (let y = 0; y < bh; y++) for (let x = 0; x < bw; x++) bits[(((32 - bh) >> 1) + y) * 32 + ((32 - bw) >> 1) + x] = inner[y * bw + x]! >= 0.5 ? 1 : 0;
  const levels = new Float32Array(64);
  for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) levels[(y >> 2) * 8 + (x >> 2)]! += bits[y * 32 + x]! / 16;
  const size = 64 + rng.int(217);
  return { ...sheetOf(d, size), ink: bilinearResize(levels, 8, 8, size, size) };
}

/** How the paper of a notebook is printed: the levels of the notebook-paper track. */
const NOTEBOOKS: { label: string; lines: (rng: Random) => { spacing: number; darkness: number; width: number; grid: boolean; margin: boolean } }[] = [
  {
    label: 'ruled: pale lines 100–140 px apart, sometimes a margin line',
    lines: (rng) => ({ spacing: rng.uniform(100, 140), darkness: rng.uniform(0.15, 0.35), width: rng.uniform(1.5, 3), grid: false, margin: rng.next() < 0.5 }),
  },
  {
    label: 'squared: a pale grid 35–60 px apart',
    lines: (rng) => ({ spacing: rng.uniform(35, 60), darkness: rng.uniform(0.15, 0.3), width: rng.uniform(1, 2.5), grid: true, margin: false }),
  },
  {
    label: 'ruled: dark lines 50–140 px apart',
    lines: (rng) => ({ spacing: rng.uniform(50, 140), darkness: rng.uniform(0.4, 0.6), width: rng.uniform(1.5, 3), grid: false, margin: rng.next() < 0.5 }),
  },
];

/**
 * The digit written on notebook paper: printed lines (anti-aliased, tilted up to 1.5° as a photo is) darken the
 * paper under the ink, as the `light` multiplier does. The lines run across the whole sheet, the digit crosses them.
 */
function notebookPaper(d: Float32Array, level: number, rng: Random): Sheet {
  const s = sheetOf(d);
  const { spacing, darkness, width, grid, margin } = NOTEBOOKS[level]!.lines(rng);
  const tilt = (rng.uniform(-1.5, 1.5) * Math.PI) / 180;
  const [c, sn] = [Math.cos(tilt), Math.sin(tilt)];
  const phase = rng.uniform(0, spacing);
  const marginAt = rng.uniform(0.05, 0.25) * s.w;
  // Coverage of a line `width` px wide at signed distance `t` from its centre line.
  const cover = (t: number) => clamp01(width / 2 + 0.5 - Math.abs(t));
  const nearest = (u: number) => u - phase - spacing * Math.round((u - phase) / spacing);
  const light = new Float32Array(s.w * s.h);
  for (let y = 0; y < s.h; y++) {
    for (let x = 0; x < s.w; x++) {
      const across = y * c - x * sn;
      const along = x * c + y * sn;
      let line = cover(nearest(across));
      if (grid) line = Math.max(line, cover(nearest(along)));
      if (margin) line = Math.max(line, cover(along - marginAt));
      light[y * s.w + x] = 1 - darkness * line;
    }
  }
  return { ...s, light };
}

/** The box of the values over `above`, inclusive. */
export function inkBox(a: Float32Array, w: number, h: number, above: number): { x0: number; y0: number; x1: number; y1: number } {
  let x0 = w;
  let y0 = h;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (a[y * w + x]! <= above) continue;
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
    }
  }
  return { x0, y0, x1, y1 };
}

export const TRACKS: Track[] = [
  { name: 'clean', family: 'clean', strengths: [{ label: '280 px board', value: 0 }], make: (d) => png(sheetOf(d)) },
  {
    name: 'low-resolution',
    family: 'low-resolution',
    // The digit's height, as the issue words it ("a 10×10 or 16×16 digit"): MNIST's 28×28 frame holds it in a
    // 20×20 box, so the frame goes down to 28/20 of that. Digits 6 px tall (the frame at 8 px) go beyond the
    // issue's 8 px and are reported too.
    strengths: [16, 12, 10, 8, 6].map((px) => ({ label: `digit ${px} px tall`, value: px, ...(px < 8 && { beyondTargets: true }) })),
    // Scanned or photographed small, then shown enlarged with smoothing: wide grey ramps, no crisp edge.
    make: (d, px, rng) => png(lowResolution(d, px, 64 + rng.int(217))),
  },
  {
    name: 'gaussian-blur',
    family: 'blur',
    strengths: [4, 8, 12].map((r) => ({ label: `σ≈${r} px of 280`, value: r })),
    make: (d, r) => {
      const s = sheetOf(d);
      return png({ ...s, ink: fastBlur(s.ink, s.w, s.h, r) });
    },
  },
  {
    name: 'motion-blur',
    family: 'blur',
    strengths: [20, 40, 60].map((l) => ({ label: `${l} px of 280`, value: l })),
    make: (d, l, rng) => {
      const s = sheetOf(d);
      return png({ ...s, ink: lineBlur(s.ink, s.w, s.h, l, rng.uniform(0, Math.PI), 2) });
    },
  },
  {
    name: 'low-contrast',
    family: 'contrast',
    strengths: [0.25, 0.12, 0.06].map((c) => ({ label: `ink ${Math.round(c * 100)}% darker than paper`, value: c })),
    make: (d, c, rng) => {
      const paper = rng.uniform(0.45, 0.85);
      return png({ ...sheetOf(d), paper, inkLevel: paper - c });
    },
  },
  {
    name: 'faint-pencil',
    family: 'contrast',
    strengths: [0.35, 0.2].map((c) => ({ label: `grey stroke, ${Math.round(c * 100)}% contrast, soft edge`, value: c })),
    make: (d, c) => {
      const s = sheetOf(d);
      return png({ ...s, ink: fastBlur(s.ink, s.w, s.h, 2, 1), inkLevel: s.paper - c });
    },
  },
  {
    name: 'uneven-light',
    family: 'paper',
    strengths: [0.3, 0.6].map((g) => ({ label: `light falls ${Math.round(g * 100)}% across the sheet`, value: g })),
    make: (d, g, rng) => {
      const s = { ...sheetOf(d), paper: rng.uniform(0.7, 0.95), inkLevel: rng.uniform(0.1, 0.3) };
      const angle = rng.uniform(0, 2 * Math.PI);
      const light = new Float32Array(s.w * s.h);
      for (let y = 0; y < s.h; y++) {
        for (let x = 0; x < s.w; x++) {
          const u = x / s.w - 0.5;
          const v = y / s.h - 0.5;
          light[y * s.w + x] = Math.max(0.2, 1 - g * (0.5 + u * Math.cos(angle) + v * Math.sin(angle)) - 0.4 * g * (u * u + v * v));
        }
      }
      return png({ ...s, light });
    },
  },
  {
    name: 'shot-noise',
    family: 'noise',
    strengths: [30, 10, 4].map((photons) => ({ label: `${photons} photons per unit of light`, value: photons })),
    make: (d, photons, rng) => png(sheetOf(d), (v) => clamp01(v + Math.sqrt(Math.max(v, 0) / photons) * rng.gaussian())),
  },
  {
    name: 'impulse-noise',
    family: 'noise',
    strengths: [0.02, 0.05, 0.1].map((p) => ({ label: `${p * 100}% of pixels salt or pepper`, value: p })),
    make: (d, p, rng) => png(sheetOf(d), (v) => (rng.next() < p ? (rng.next() < 0.5 ? 0 : 1) : v)),
  },
  {
    name: 'jpeg',
    family: 'jpeg',
    strengths: [30, 20, 10].map((q) => ({ label: `quality ${q}`, value: q })),
    make: (d, q) => ({ bytes: encodeJpeg(paintSheet(sheetOf(d)), q), ext: 'jpg' }),
  },
  {
    name: 'thick-stroke',
    family: 'stroke',
    strengths: [6, 12].map((r) => ({ label: `pen ${2 * r} px wider of 280`, value: r })),
    make: (d, r) => {
      const s = sheetOf(d);
      return png({ ...s, ink: dilate(s.ink, s.w, s.h, r) });
    },
  },
  {
    name: 'thin-stroke',
    family: 'stroke',
    strengths: [4, 7].map((r) => ({ label: `pen ${2 * r} px narrower of 280`, value: r })),
    make: (d, r) => {
      const s = sheetOf(d);
      const negated = s.ink.map((v) => -v);
      return png({ ...s, ink: dilate(negated, s.w, s.h, r).map((v) => -v) });
    },
  },
  {
    name: 'rotation',
    family: 'geometry',
    strengths: [10, 18, 25].map((deg) => ({ label: `±${deg}°`, value: deg })),
    make: (d, deg, rng) => {
      const s = sheetOf(d);
      const a = ((rng.next() < 0.5 ? -1 : 1) * deg * Math.PI) / 180;
      const c = s.w / 2;
      return png({
        ...s,
        ink: warp(s.ink, s.w, s.h, (x, y) => [c + (x - c) * Math.cos(a) - (y - c) * Math.sin(a), c + (x - c) * Math.sin(a) + (y - c) * Math.cos(a)]),
      });
    },
  },
  {
    name: 'small-on-large-canvas',
    family: 'geometry',
    strengths: [56, 40, 28].map((px) => ({ label: `${px} px digit on 640×480`, value: px })),
    make: (d, px, rng) => {
      // px is the 28×28 box's side, so the digit itself is about 20/28 of it.
      const w = 640;
      const h = 480;
      const ink = new Float32Array(w * h);
      const small = bilinearResize(d, SIDE, SIDE, px, px);
      const ox = rng.int(w - px);
      const oy = rng.int(h - px);
      for (let y = 0; y < px; y++) for (let x = 0; x < px; x++) ink[(oy + y) * w + ox + x] = small[y * px + x]!;
      return png({ ...sheetOf(d), ink, w, h });
    },
  },
  {
    name: 'dotted-stroke',
    family: 'broken-stroke',
    strengths: [8, 12].map((p) => ({ label: `dots every ${p} px of 280`, value: p })),
    make: (d, period) => {
      const s = sheetOf(d);
      const on = Math.round(period * 0.6);
      return png({ ...s, ink: s.ink.map((v, i) => ((i % s.w) % period < on && Math.floor(i / s.w) % period < on ? v : 0)) });
    },
  },
  {
    name: 'zigzag-stroke',
    family: 'broken-stroke',
    strengths: [4, 8].map((a) => ({ label: `±${a} px waves of 280`, value: a })),
    make: (d, amplitude) => {
      const s = sheetOf(d);
      return png({ ...s, ink: warp(s.ink, s.w, s.h, (x, y) => [x + amplitude * Math.sin((2 * Math.PI * y) / 14), y]) });
    },
  },
  // Held out from training: images made another way than the training's (cropped to the ink, optdigits scans,
  // notebook paper).
  {
    name: 'tight-crop',
    family: 'tight-crop',
    heldOut: true,
    strengths: CROP_LOOKS.map((l, i) => ({ label: `${l.label}, cropped to its ink + 0–3 px`, value: i })),
    make: (d, look, rng) => png(tightCrop(d, look, rng)),
  },
  {
    name: 'tight-crop-with-margin',
    family: 'tight-crop',
    heldOut: true,
    sameImagesAs: 'tight-crop',
    strengths: CROP_LOOKS.map((l, i) => ({ label: `${l.label}, the same crop with 30% paper around it`, value: i })),
    make: (d, look, rng) => {
      const s = tightCrop(d, look, rng);
      return png(placed(s, 0, 0, s.w - 1, s.h - 1, Math.round(0.3 * Math.max(s.w, s.h))));
    },
  },
  {
    name: 'scan-8x8',
    family: 'scan',
    heldOut: true,
    strengths: [{ label: 'optdigits-style 8×8 levels 0–16, enlarged to fill the frame', value: 0 }],
    make: (d, _, rng) => png(scan8x8(d, rng)),
  },
  // Last, so that the tracks before it keep their index, and with it their images (imageSeed).
  {
    name: 'notebook-paper',
    family: 'paper',
    heldOut: true,
    strengths: NOTEBOOKS.map((n, i) => ({ label: n.label, value: i })),
    make: (d, level, rng) => png(notebookPaper(d, level, rng)),
  },
];

/** The tracks training draws corrupted digits from: all but the held-out ones, in their order. */
export const TRAINING_TRACKS = TRACKS.filter((t) => !t.heldOut);
