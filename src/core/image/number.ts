import { slantOf } from '../features/deskew.js';
import { CLASSES, PIXELS } from '../frame.js';
import { NOT_A_DIGIT, type DigitModel } from '../models/model.js';
import { ImageError } from '../util/errors.js';
import { analyseInk, digitFromCrop, strokesNotSpecks, strokeWidth, withComponents, workingFactor, type InkAnalysis, type InkImage } from './preprocess.js';
import type { ComponentBox } from './kernels.js';
import type { RgbaImage } from './rgba.js';

/*
 * Numbers: the ink of a whole image split into digits and each read by the model (recognition-driven
 * segmentation). Connected components are the atoms; a component wide enough to hold touching digits is
 * cut along candidate seams (top-to-bottom paths through the least ink). A left-to-right path through the atoms
 * then groups them into digits, each group scored by the model's own log-probability of its best digit
 * plus a few facts of geometry: broken strokes of one digit overlap horizontally, neighbouring digits do
 * not, a digit is not much wider than tall, and a cut through ink is a guess. Dynamic programming finds the
 * best grouping, so a detached 5-hat stays with its 5 when the model reads the pair as a 5 better than apart.
 */

/** A box in the image's own pixels. */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** One piece of a number: read as a digit, or refused as not one (with the best guess), and where it is. */
export type PieceReading =
  | { digit: number; confidence: number; probabilities: number[]; input: Float32Array; box: Box }
  | { digit: null; reason: typeof NOT_A_DIGIT; guess: number; confidence: number; probabilities: number[]; input: Float32Array; box: Box };

export interface NumberReading {
  /** The digits read, left to right; pieces refused as not digits are left out of it (and flagged in `digits`). */
  number: string;
  digits: PieceReading[];
  /** Why no number was read (no ink, or ink mostly refused as not digits), or undefined. */
  reason?: string;
  /** How many neighbouring digits were parted by cutting through ink (they touched) rather than apart already. */
  cuts: number;
}

/** Why a reading with ink gives no number: as many pieces or more were refused as read. */
export const NOT_DIGITS = 'no digit found: most of the ink does not look like digits';

/**
 * Why ink in one connected piece gives no number: the digits it would be cut into are not all read surely.
 * A letter (M, W, N) or a shape cuts into "digits" easily; a number written with every digit touching the
 * next is rare, and its digits read surely once cut.
 */
export const ONE_SHAPE = 'no number found: the ink is one connected shape, and the digits it would be cut into are not sure';

/**
 * When all the ink is one component cut into several digits, each must be read at least this sure. Chosen
 * on the non-digit validation half and the numbers tuning half (docs/decisions.md): it keeps 4-digit numbers
 * at 95% and costs 11 of 3,127 tuning numbers read right (touching pairs read less surely); checked again for
 * the served committee, where 0.97–0.98 read 2–3 more of 3,000 numbers and let 6–8 more of 1,200 non-digits
 * through. Three digits or more, none refused, need ONE_SHAPE_SURE_MANY: of such non-digits of the validation
 * half the surest's least sure digit read 0.91, and "2020" written in one stroke reads its least sure at 0.96.
 */
export const ONE_SHAPE_SURE = 0.99;
export const ONE_SHAPE_SURE_MANY = 0.95;

/**
 * Why pieces that lie over one another give no number: a number's digits stand side by side. Neighbouring
 * digits may share at most SIDE_BY_SIDE of the narrower one's columns: hatching, read as strokes grouped into
 * 3s and 7s, shares more; no number of the numbers bench's tuning half read right does (at most 0.33 of 3,300;
 * docs/decisions.md).
 */
export const STACKED = 'no number found: its pieces lie over one another, not side by side';
export const SIDE_BY_SIDE = 0.7;

/**
 * Why ink enclosed by another shape gives no number when the two are read as parts of different digits (or
 * the outer shape is cut into several): the eyes in a face read with halves of its ring as "62". A number's
 * digits stand beside each other, not inside each other.
 */
export const INSIDE = 'no number found: ink lies inside another shape, as eyes in a face do, and digits stand side by side';

/**
 * Why one shape cut into neighbouring 1s that lean apart gives no number: a V, an M or an N cut at its
 * corners reads as 11 or 1111, its strokes leaning in opposite ways, while the 1s of a number lean alike.
 * Neighbouring 1s cut from one shape whose slants (slantOf) differ by more than ONES_LEAN_APART: letters of
 * the non-digit validation half 0.52-0.96, touching 1s of the numbers tuning half at most 0.26.
 */
export const LEANING_ONES = 'no number found: one shape cut into 1s that lean apart, as a V or an M would be';
export const ONES_LEAN_APART = 0.4;

/**
 * Why a number with a short digit cut from its neighbour gives no number: a capital A whose left foot is cut
 * off reads "14", the foot a 1 a third of the A's height. A piece cut through ink from a neighbour and read as
 * a digit must stand SegmentWeights.minHeight of the digit height. In numbers of the tuning half read right,
 * such pieces stand at least 0.66 (shorter ones cut off are refused: a 5's tail); the two letters of the
 * non-digit validation half read so stood 0.33 and 0.39, and 9 of the 80 misread numbers under 0.6 (docs/decisions.md).
 */
export const STUB = "no number found: a digit cut from its neighbour is too short beside it, as an A's foot cut off is";

/** A number is read from at most this many pieces of ink (a 30-digit number, some digits in two strokes): the work grows with them. */
export const MAX_PIECES = 64;
export const TOO_MANY_PIECES = `too many pieces of ink to read as one number: more than ${MAX_PIECES}`;

/** Weights of the geometry terms, in units of log-probability (tuned on the numbers bench's tuning half). */
export interface SegmentWeights {
  /** A group read as d whose width/height is outside d's range in MNIST (ASPECT) pays `aspect` × the relative excess; the digit is chosen with it (digitByShape). */
  aspect: number;
  /** Merging across a horizontal gap pays `gap` × gap / height. */
  gap: number;
  /** Merging atoms pays `merge` × the share of the narrower that does not overlap the other horizontally. */
  merge: number;
  /** A group shorter than `minHeight` × the digit height pays `short` × its shortfall (a dash, a broken-off stroke). */
  minHeight: number;
  short: number;
  /** A group the model refuses as not a digit pays `refused`: ink is digits more often than not. */
  refused: number;
  /** Separating atoms whose column ranges overlap pays `overlap` × the overlapping share of the narrower. */
  overlap: number;
  /** Separating at a cut through ink pays `cut` × the cut's cost in strokes crossed (SEAM_ENTER); tuned to 0: the model's reading of the two sides decides. */
  cut: number;
  /**
   * A group pays `doubt` × −log of the digit detector's "a digit" (models with a detector): two overlapping
   * round digits read surely as one digit ("39" as a 3 at 0.998), and the detector, which learnt squeezed
   * digits as non-digits, doubts them. Chosen on the tuning half (docs/decisions.md).
   */
  doubt: number;
}

export const SEGMENT_WEIGHTS: SegmentWeights = { aspect: 3, gap: 3, merge: 1.5, minHeight: 0.6, short: 6, overlap: 1.5, cut: 0, refused: 2, doubt: 0.3 };

/**
 * Width/height of each digit's ink box in MNIST's training set: the 1st and 99th percentiles, slightly widened
 * (test/image/number.test.ts recomputes them). A piece read as a 6 but half as wide as any 6 is half a digit;
 * one read as a 1 but as wide as it is tall is more than one.
 */
export const ASPECT: readonly (readonly [number, number])[] = [
  [0.5, 1.5],
  [0.12, 1.05],
  [0.5, 1.75],
  [0.4, 1.3],
  [0.45, 1.3],
  [0.45, 1.75],
  [0.35, 1.2],
  [0.45, 1.3],
  [0.4, 1.3],
  [0.35, 1.1],
];

/**
 * A piece's digit once its shape is weighed: the digit d of greatest log p(d) less `weight` × how far the
 * piece's width/height lies outside d's ASPECT range (relatively). A piece far narrower than any 7 is more
 * likely the 1 the model rated second: "1232" with a flagged 1 read "7232" (docs/decisions.md). A 1's width
 * is at least its stroke's (in MNIST's 1s, width ÷ stroke width is 1.0 at the 1st percentile), so its floor is
 * the smaller of ASPECT's and `strokeShare`, the stroke width ÷ the piece's height: a 1 drawn with a thin pen
 * is narrower than any 1 of MNIST.
 */
export function digitByShape(probabilities: ArrayLike<number>, aspect: number, weight: number, strokeShare = Infinity): { digit: number; score: number } {
  let best = { digit: 0, score: -Infinity };
  for (let d = 0; d < CLASSES; d++) {
    const [narrowest, high] = ASPECT[d]!;
    // A 1 is as narrow as its pen allows: MNIST's thick pen sets ASPECT's floor, a thin one goes below it.
    const low = d === 1 ? Math.min(narrowest, strokeShare) : narrowest;
    const score = Math.log(Math.max(probabilities[d]!, 1e-9)) - weight * (Math.max(0, low / aspect - 1) + Math.max(0, aspect / high - 1));
    if (score > best.score) best = { digit: d, score };
  }
  return best;
}

/**
 * A 1 written against its neighbour is thinner than MIN_PIECE leaves: each side of a wide component may also be
 * cut one stroke from its edge, kept only when the sliver it parts off stands at least this share of the
 * digit height (a whole 1, not the arm of a 4 or the tip of a 5). Chosen on the numbers' tuning half.
 */
const EDGE_SLIVER_HEIGHT = 0.8;
/** A component this much wider than the digit height may hold touching digits: it gets candidate cuts. */
const WIDE_COMPONENT = 0.4;
/** A cut leaves at least this share of the digit height on either side, and cuts are this far apart. */
const MIN_PIECE = 0.08;
const MIN_PIECE_STROKES = 1.5;
/** How far a cut keeps from a component's edge and from another cut, in working pixels (MIN_PIECE, MIN_PIECE_STROKES). */
const cutMargin = (digitHeight: number, stroke: number) => Math.max(2, Math.round(Math.max(MIN_PIECE * digitHeight, MIN_PIECE_STROKES * stroke)));
/** Groups are runs of at most this many atoms, at most this wide (× height), across gaps at most this wide. */
const MAX_ATOMS = 4;
const MAX_GROUP_ASPECT = 1.6;
const MAX_GAP = 0.6;

/** A component, or the part of one between two cuts: per row of its component's box, the columns [from, to). */
interface Atom {
  label: number;
  /** The component box's top row; from[k] and to[k] belong to row rowTop + k. */
  rowTop: number;
  from: Int32Array;
  to: Int32Array;
  /** Tight ink box, inclusive, in working pixels. */
  left: number;
  top: number;
  right: number;
  bottom: number;
  centre: number;
  /** Whether the atom's left edge is a cut through its component (rather than the component's own edge), and that cut's cost. */
  cut: boolean;
  cutCost: number;
}

/** The ink of an atom, before it is known whether its left edge is a cut. */
type Piece = Omit<Atom, 'cut' | 'cutCost'>;

/** An inclusive box in working pixels. */
interface Rect {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

interface Group {
  start: number;
  end: number;
  left: number;
  top: number;
  right: number;
  bottom: number;
  gaps: number;
  /** Σ over joined neighbours of the share of the narrower not overlapping the group so far. */
  apart: number;
  score: number;
}

/** Reads every digit in the image, left to right. Throws only what decoding would: no ink is an empty reading with its reason. */
export function readNumber(img: RgbaImage, model: DigitModel, weights: SegmentWeights = SEGMENT_WEIGHTS, analysis?: InkImage): NumberReading {
  let ink: InkAnalysis;
  let keep: Uint8Array;
  try {
    // The one-digit reading's ink image, if it was made at the scale a number is read at.
    ink = analysis?.factor === workingFactor(img) ? withComponents(analysis) : analyseInk(img, workingFactor(img));
    keep = strokesNotSpecks(ink.areas);
  } catch (e) {
    if (e instanceof ImageError && e.code === 'empty') return { number: '', digits: [], reason: e.message, cuts: 0 };
    throw e;
  }
  const { labels } = ink;
  const stroke = Math.max(1, strokeWidth(ink.ink, ink.width, ink.height));
  // Heights are compared with the tallest component's: the digits of one number are about one size.
  const { atoms: found, digitHeight: height } = atomsOf(ink, labels, keep, stroke);
  if (found.length > MAX_PIECES) return { number: '', digits: [], reason: TOO_MANY_PIECES, cuts: 0 };
  const first = grouping(ink, labels, found, height, stroke, model, weights);
  const split = splitRefused(ink, labels, found, first, height, stroke, model, weights);
  const atoms = split ?? found;
  const reading = split ? grouping(ink, labels, split, height, stroke, model, weights) : first;
  const { groups, p, inputs, digitOf, chosen } = reading;
  const refused = (i: number) => reading.refusals[i]!;

  const picked = chosen.map((i) => groups[i]!);
  const f = ink.factor;
  const boxes = disjointColumns(picked);
  const digits = chosen.map((i, k): PieceReading => {
    const g = boxes[k]!;
    const probabilities = Array.from(p.subarray(i * CLASSES, (i + 1) * CLASSES), (v) => Number(v.toFixed(6)));
    const best = digitOf[i]!;
    const seen = {
      confidence: probabilities[best]!,
      probabilities,
      input: inputs.slice(i * PIXELS, (i + 1) * PIXELS),
      box: { x: g.left * f, y: g.top * f, w: (g.right - g.left + 1) * f, h: (g.bottom - g.top + 1) * f },
    };
    if (refused(i)) return { digit: null, reason: NOT_A_DIGIT, guess: best, ...seen };
    return { digit: best, ...seen };
  });
  // Whether each digit was cut from the one before it (they touched) rather than apart already.
  const cutFromPrevious = picked.map(({ start }) => start > 0 && atoms[start]!.cut && atoms[start]!.label === atoms[start - 1]!.label);
  const cuts = cutFromPrevious.filter(Boolean).length;
  // Ink that is mostly not digits is no number, though a piece of it reads as one (a smiley's ring as 0, its
  // eyes and mouth refused); a stray mark beside digits is flagged and the digits still read.
  const read = digits.filter((d) => d.digit !== null).length;
  if (read <= digits.length - read) return { number: '', digits, reason: NOT_DIGITS, cuts };
  const oneShape = digits.length > 1 && atoms.every((a) => a.label === atoms[0]!.label);
  const sure = digits.length >= 3 && read === digits.length ? ONE_SHAPE_SURE_MANY : ONE_SHAPE_SURE;
  if (oneShape && digits.some((d) => d.confidence < sure)) return { number: '', digits, reason: ONE_SHAPE, cuts };
  if (picked.some((g, k) => k > 0 && overlapShare(picked[k - 1]!, g) > SIDE_BY_SIDE)) return { number: '', digits, reason: STACKED, cuts };
  if (insideAnother(ink, labels, atoms, picked)) return { number: '', digits, reason: INSIDE, cuts };
  const leaning = digits.some((d, k) => {
    if (!cutFromPrevious[k] || d.digit !== 1 || digits[k - 1]!.digit !== 1) return false;
    return Math.abs(slantOf(d.input)!.slant - slantOf(digits[k - 1]!.input)!.slant) > ONES_LEAN_APART;
  });
  if (leaning) return { number: '', digits, reason: LEANING_ONES, cuts };
  const stub = picked.some((g, k) => {
    const cut = cutFromPrevious[k] || cutFromPrevious[k + 1];
    return cut && digits[k]!.digit !== null && g.bottom - g.top + 1 < weights.minHeight * height;
  });
  if (stub) return { number: '', digits, reason: STUB, cuts };
  return { number: digits.map((d) => d.digit ?? '').join(''), digits, cuts };
}

interface Grouping {
  groups: Group[];
  inputs: Float32Array;
  p: Float32Array;
  refusals: boolean[];
  /** Each group's digit once its shape is weighed (digitByShape), and its score as a digit (readPieces). */
  digitOf: Int32Array;
  pieceScores: Float64Array;
  /** The groups chosen, left to right. */
  chosen: number[];
}

/** Every candidate group read by the model and scored; dynamic programming picks the best grouping of all the atoms. */
function grouping(ink: InkImage, labels: Int32Array, atoms: Atom[], height: number, stroke: number, model: DigitModel, weights: SegmentWeights): Grouping {
  const groups = candidateGroups(atoms, height);
  const inputs = new Float32Array(groups.length * PIXELS);
  for (const [i, g] of groups.entries()) inputs.set(piecesInput(ink, labels, atoms.slice(g.start, g.end), g), i * PIXELS);
  const { p, refusals, digitOf, scores: pieceScores } = readPieces(inputs, groups, model, weights, height, stroke);

  // best[j]: the best score of atoms 0..j-1 grouped; from[j]: the group ending there.
  const best = new Float64Array(atoms.length + 1).fill(-Infinity);
  const from: number[] = new Array(atoms.length + 1).fill(-1);
  best[0] = 0;
  groups.forEach((g, i) => {
    g.score = pieceScores[i]! - weights.gap * (g.gaps / height) - weights.merge * g.apart;
    if (g.start > 0) g.score -= separation(atoms[g.start - 1]!, atoms[g.start]!, weights);
  });
  for (let j = 1; j <= atoms.length; j++) {
    groups.forEach((g, i) => {
      if (g.end !== j || best[g.start] === -Infinity) return;
      const s = best[g.start]! + g.score;
      if (s > best[j]!) {
        best[j] = s;
        from[j] = i;
      }
    });
  }
  const chosen: number[] = [];
  for (let j = atoms.length; j > 0; j = groups[from[j]!]!.start) chosen.unshift(from[j]!);
  return { groups, inputs, p, refusals, digitOf, pieceScores, chosen };
}

/**
 * Pieces of ink (28×28 inputs, with their boxes) read by the model, each scored as a digit: the model's
 * log-probability with the shape weighed (digitByShape), less what a short piece, a refused one and the
 * detector's doubt cost.
 */
function readPieces(
  inputs: Float32Array,
  boxes: readonly Rect[],
  model: DigitModel,
  weights: SegmentWeights,
  height: number,
  stroke: number,
): { p: Float32Array; refusals: boolean[]; digitOf: Int32Array; scores: Float64Array } {
  const n = boxes.length;
  const p = model.predictProba(inputs, n);
  const digitness = model.confidence?.detector?.digitness(inputs, n);
  const refusals = model.refusals(inputs, n, p, digitness);
  const digitOf = new Int32Array(n);
  const scores = new Float64Array(n);
  boxes.forEach((g, i) => {
    const h = g.bottom - g.top + 1;
    const shaped = digitByShape(p.subarray(i * CLASSES, (i + 1) * CLASSES), (g.right - g.left + 1) / h, weights.aspect, stroke / h);
    digitOf[i] = shaped.digit;
    let score = shaped.score - weights.short * Math.max(0, weights.minHeight - h / height);
    if (refusals[i]) score -= weights.refused;
    if (digitness) score += weights.doubt * Math.log(Math.max(digitness[i]!, 1e-6));
    scores[i] = score;
  });
  return { p, refusals, digitOf, scores };
}

/** The second look (splitRefused) tries at most this many refused groups, and this many seam ends from each side of each. */
const SECOND_LOOKS = 4;
const SECOND_LOOK_ENDS = 16;

/**
 * A second look at groups the model refused that are one wide component: touching digits whose seam was
 * not among the lightest few. The seams through the group to SECOND_LOOK_ENDS columns of its bottom row and
 * of its top row are tried, and the group is parted where the model reads both sides best, when that beats
 * the group read whole. Returns the atoms with those cuts made, or null when no group gains.
 */
function splitRefused(
  ink: InkAnalysis,
  labels: Int32Array,
  atoms: Atom[],
  reading: Grouping,
  height: number,
  stroke: number,
  model: DigitModel,
  weights: SegmentWeights,
): Atom[] | null {
  // One connected shape that the model refuses is left whole: parted, a letter's bowl and stem read "01"
  // (docs/decisions.md). The touching digits the look is for are mostly beside other digits.
  if (atoms.every((a) => a.label === atoms[0]!.label)) return null;
  const looks = reading.chosen.filter((i) => {
    const g = reading.groups[i]!;
    return reading.refusals[i] && g.right - g.left + 1 > WIDE_COMPONENT * height && atoms.slice(g.start, g.end).every((a) => a.label === atoms[g.start]!.label);
  });
  // Touching digits are a few pairs in a number; many refused shapes are not digits, and each look reads up to 4 × SECOND_LOOK_ENDS pieces.
  if (looks.length === 0 || looks.length > SECOND_LOOKS) return null;
  const margin = cutMargin(height, stroke);
  const out = atoms.slice();
  let changed = false;
  for (const i of looks.reverse()) {
    const g = reading.groups[i]!;
    const first = atoms[g.start]!;
    const last = atoms[g.end - 1]!;
    const b = ink.boxes.find((c) => c.label === first.label)!;
    const pieces: { left: Piece; right: Piece; cost: number }[] = [];
    const seen = new Set<string>();
    for (const upward of [false, true]) {
      const family = seamFamily(ink, labels, b, upward);
      const [low, high] = [g.left + margin - b.left, g.right - margin - b.left];
      const step = Math.max(1, Math.ceil((high - low + 1) / SECOND_LOOK_ENDS));
      for (let end = low; end <= high; end += step) {
        const path = family.path(end);
        const to = path.map((x, k) => Math.max(first.from[k]!, Math.min(x, last.to[k]!)));
        const left = atomOf(ink, labels, b, first.from, to);
        const right = atomOf(ink, labels, b, to, last.to);
        if (!left || !right) continue;
        // Seams that part the ink alike (they differ only where there is none) are read once.
        const key = `${left.left} ${left.top} ${left.right} ${left.bottom} ${left.centre}`;
        if (seen.has(key)) continue;
        seen.add(key);
        pieces.push({ left, right, cost: family.cost[end]! });
      }
    }
    if (pieces.length === 0) continue;
    const boxes = pieces.flatMap(({ left, right }) => [left, right]);
    const inputs = new Float32Array(boxes.length * PIXELS);
    for (const [k, a] of boxes.entries()) inputs.set(piecesInput(ink, labels, [a], a), k * PIXELS);
    const { scores } = readPieces(inputs, boxes, model, weights, height, stroke);
    let bestK = -1;
    let bestScore = reading.pieceScores[i]!;
    pieces.forEach((_, k) => {
      const s = scores[2 * k]! + scores[2 * k + 1]!;
      if (s > bestScore) {
        bestScore = s;
        bestK = k;
      }
    });
    if (bestK < 0) continue;
    const { left, right, cost } = pieces[bestK]!;
    out.splice(g.start, g.end - g.start, { ...left, cut: first.cut, cutCost: first.cutCost }, { ...right, cut: true, cutCost: cost });
    changed = true;
  }
  return changed ? out.sort((a, b) => a.centre - b.centre) : null;
}

/**
 * The groups' boxes, left to right, made not to share columns: where a box reaches into the next one's
 * (a leaning cut, a 5-hat over its neighbour) both end at the middle of the shared columns. Boxes show
 * where each digit is; the pieces' ink is already cut, so nothing is read differently.
 */
function disjointColumns(groups: Group[]): Rect[] {
  const boxes = groups.map(({ left, top, right, bottom }) => ({ left, top, right, bottom }));
  for (let k = 0; k + 1 < boxes.length; k++) {
    const a = boxes[k]!;
    const b = boxes[k + 1]!;
    if (a.right < b.left) continue;
    const middle = Math.max(a.left, Math.min(b.right - 1, Math.floor((a.right + b.left) / 2)));
    a.right = middle;
    b.left = middle + 1;
  }
  return boxes;
}

/**
 * Whether a component enclosed by another (from its box's centre, the other's ink lies left, right, above and
 * below) is not in one digit with all of it.
 */
function insideAnother(ink: InkImage, labels: Int32Array, atoms: Atom[], chosen: Group[]): boolean {
  const components = new Map<number, { left: number; top: number; right: number; bottom: number; digits: Set<number> }>();
  chosen.forEach((g, k) => {
    for (const a of atoms.slice(g.start, g.end)) {
      const c = components.get(a.label);
      if (!c) components.set(a.label, { left: a.left, top: a.top, right: a.right, bottom: a.bottom, digits: new Set([k]) });
      else {
        c.left = Math.min(c.left, a.left);
        c.top = Math.min(c.top, a.top);
        c.right = Math.max(c.right, a.right);
        c.bottom = Math.max(c.bottom, a.bottom);
        c.digits.add(k);
      }
    }
  });
  const { width, height } = ink;
  // Whether a walk from (x, y) by (dx, dy) meets a pixel of component `label` before the image's edge.
  const meets = (x: number, y: number, dx: number, dy: number, label: number) => {
    for (x += dx, y += dy; x >= 0 && y >= 0 && x < width && y < height; x += dx, y += dy) if (labels[y * width + x] === label) return true;
    return false;
  };
  for (const [label, outer] of components) {
    for (const inner of components.values()) {
      if (inner === outer || new Set([...outer.digits, ...inner.digits]).size === 1) continue;
      const x = Math.round((inner.left + inner.right) / 2);
      const y = Math.round((inner.top + inner.bottom) / 2);
      if (meets(x, y, -1, 0, label) && meets(x, y, 1, 0, label) && meets(x, y, 0, -1, label) && meets(x, y, 0, 1, label)) return true;
    }
  }
  return false;
}

/** What it costs to put atoms a and b (neighbours left to right) into different digits. */
function separation(a: Atom, b: Atom, w: SegmentWeights): number {
  // The two sides of a cut may share columns where the cut leans; that is no sign they are one digit.
  if (b.cut && a.label === b.label) return w.cut * b.cutCost;
  return w.overlap * overlapShare(a, b);
}

/** How much of the narrower of two column ranges the other overlaps, 0..1. */
function overlapShare(a: { left: number; right: number }, b: { left: number; right: number }): number {
  const overlap = Math.min(a.right, b.right) - Math.max(a.left, b.left) + 1;
  return Math.max(0, overlap / (Math.min(a.right - a.left, b.right - b.left) + 1));
}

/** The components that are strokes, each cut into atoms when it is wide enough to hold touching digits; sorted by centre. */
function atomsOf(ink: InkAnalysis, labels: Int32Array, keep: Uint8Array, stroke: number): { atoms: Atom[]; digitHeight: number } {
  const boxes = ink.boxes.filter((b) => keep[b.label]);
  const digitHeight = Math.max(...boxes.map((b) => b.bottom - b.top + 1));
  const atoms: Atom[] = [];
  for (const b of boxes) {
    const rows = b.bottom - b.top + 1;
    const left = new Int32Array(rows).fill(b.left);
    const right = new Int32Array(rows).fill(b.right + 1);
    const cuts = (b.right - b.left + 1 > WIDE_COMPONENT * digitHeight ? seams(ink, labels, b, digitHeight, stroke) : []).filter((c) => {
      if (!c.nearEdge) return true;
      const atLeft = c.path[0]! - b.left < b.right - c.path[0]!;
      const sliver = atLeft ? atomOf(ink, labels, b, left, c.path) : atomOf(ink, labels, b, c.path, right);
      return sliver !== null && sliver.bottom - sliver.top + 1 >= EDGE_SLIVER_HEIGHT * digitHeight;
    });
    const edges = [{ path: left, cost: 0 }, ...cuts, { path: right, cost: 0 }];
    for (let k = 0; k + 1 < edges.length; k++) {
      const atom = atomOf(ink, labels, b, edges[k]!.path, edges[k + 1]!.path);
      if (atom) atoms.push({ ...atom, cut: k > 0, cutCost: edges[k]!.cost });
    }
  }
  return { atoms: atoms.sort((a, b) => a.centre - b.centre), digitHeight };
}

/**
 * What a cut pays, in strokes crossed: each time it enters ink (a pixel at least half inked, from one that was
 * not), plus a little for every inked pixel it runs through and for every step sideways, so it stays near
 * vertical unless ink is in the way. Counting entries rather than ink lets a cut run down the tall seam where
 * two round digits touch (00) at the price of one stroke.
 */
const SEAM_ENTER = 1;
const SEAM_ALONG = 0.01;
const SEAM_STEP = 0.02;

/**
 * Cuts worth trying through a wide component: top-to-bottom paths of least ink (seams, moving at most one
 * column a row), found for every bottom column by dynamic programming; the lightest local minima are kept,
 * apart from each other and from the edges, left to right. A straight cut cannot part digits that overlap
 * or lean; a seam goes round the ink of one to cut through the other's as little as it can.
 */
function seams(
  ink: InkImage,
  labels: Int32Array,
  b: ComponentBox,
  digitHeight: number,
  stroke: number,
): { path: Int32Array; cost: number; nearEdge: boolean }[] {
  const w = b.right - b.left + 1;
  const { cost, path } = seamFamily(ink, labels, b, false);
  const margin = cutMargin(digitHeight, stroke);
  // The local minima of the cost, lightest first.
  const minima: number[] = [];
  for (let x = 1; x < w - 1; x++) if (cost[x]! <= cost[x - 1]! && cost[x]! <= cost[x + 1]!) minima.push(x);
  minima.sort((p, q) => cost[p]! - cost[q]!);
  const candidates = minima.filter((x) => x >= margin && x < w - margin);
  const most = Math.min(6, Math.ceil(w / (0.3 * digitHeight)));
  const ends: number[] = [];
  for (const c of candidates) {
    if (ends.length >= most) break;
    if (ends.every((k) => Math.abs(k - c) >= margin)) ends.push(c);
  }
  // Besides those, the lightest cut on each side between one stroke and `margin` from the edge (EDGE_SLIVER_HEIGHT).
  const near = Math.max(2, Math.round(stroke));
  const nearEdge = [near, w - margin]
    .map((from) => minima.find((x) => x >= from && x < from + margin - near) ?? -1)
    .filter((pick) => pick >= 0 && ends.every((k) => Math.abs(k - pick) >= near));
  return [...ends, ...nearEdge].sort((p, q) => p - q).map((end) => ({ path: path(end), cost: cost[end]!, nearEdge: nearEdge.includes(end) }));
}

/**
 * The lightest seam to each column of the component's bottom row (upward = false) or top row (true), by
 * dynamic programming over its rows: `cost` per end column, and `path(end)`, the seam's column per row
 * (absolute), top to bottom.
 */
function seamFamily(ink: InkImage, labels: Int32Array, b: ComponentBox, upward: boolean): { cost: Float32Array; path: (end: number) => Int32Array } {
  const w = b.right - b.left + 1;
  const rows = b.bottom - b.top + 1;
  const cost = new Float32Array(w);
  const next = new Float32Array(w);
  const move = new Int8Array(w * rows);
  const inkAt = (x: number, y: number) => {
    const i = (b.top + y) * ink.width + b.left + x;
    return labels[i] === b.label ? ink.ink[i]! : 0;
  };
  const row = (k: number) => (upward ? rows - 1 - k : k);
  for (let x = 0; x < w; x++) cost[x] = SEAM_ALONG * inkAt(x, row(0)) + (inkAt(x, row(0)) >= 0.5 ? SEAM_ENTER : 0);
  for (let k = 1; k < rows; k++) {
    const y = row(k);
    const before = row(k - 1);
    for (let x = 0; x < w; x++) {
      const here = inkAt(x, y);
      let best = Infinity;
      let m = 0;
      for (let d = -1; d <= 1; d++) {
        if (x + d < 0 || x + d >= w) continue;
        const c = cost[x + d]! + (d === 0 ? 0 : SEAM_STEP) + (here >= 0.5 && inkAt(x + d, before) < 0.5 ? SEAM_ENTER : 0);
        if (c < best) {
          best = c;
          m = d;
        }
      }
      next[x] = best + SEAM_ALONG * here;
      move[y * w + x] = m;
    }
    cost.set(next);
  }
  const path = (end: number) => {
    const out = new Int32Array(rows);
    let x = end;
    for (let k = rows - 1; k >= 0; k--) {
      const y = row(k);
      out[y] = b.left + x;
      x += move[y * w + x]!;
    }
    return out;
  };
  return { cost, path };
}

/** The tight box and ink centre of a component's pixels from `from` up to `to` in each row, or null when they hold no ink. */
function atomOf(ink: InkImage, labels: Int32Array, b: ComponentBox, from: Int32Array, to: Int32Array): Piece | null {
  let left = Infinity;
  let right = -1;
  let top = Infinity;
  let bottom = -1;
  let mass = 0;
  let mx = 0;
  for (let y = b.top; y <= b.bottom; y++) {
    for (let x = from[y - b.top]!; x < to[y - b.top]!; x++) {
      const i = y * ink.width + x;
      if (labels[i] !== b.label) continue;
      left = Math.min(left, x);
      right = Math.max(right, x);
      top = Math.min(top, y);
      bottom = Math.max(bottom, y);
      mass += ink.ink[i]!;
      mx += ink.ink[i]! * x;
    }
  }
  return right < 0 ? null : { label: b.label, rowTop: b.top, from, to, left, top, right, bottom, centre: mx / mass };
}

/** Runs of neighbouring atoms that could be one digit: not too many, not too wide, no wide gap inside. */
function candidateGroups(atoms: Atom[], height: number): Group[] {
  const groups: Group[] = [];
  for (let start = 0; start < atoms.length; start++) {
    const a = atoms[start]!;
    const g: Group = { start, end: start + 1, left: a.left, top: a.top, right: a.right, bottom: a.bottom, gaps: 0, apart: 0, score: 0 };
    groups.push({ ...g });
    for (let end = start + 2; end <= Math.min(atoms.length, start + MAX_ATOMS); end++) {
      const b = atoms[end - 1]!;
      const gap = Math.max(0, b.left - g.right - 1, g.left - b.right - 1);
      if (gap > MAX_GAP * height) break;
      g.gaps += gap;
      // Pieces of one component cut apart are joined again for free; separate strokes must overlap.
      if (!b.cut) g.apart += 1 - overlapShare(g, b);
      g.left = Math.min(g.left, b.left);
      g.right = Math.max(g.right, b.right);
      g.top = Math.min(g.top, b.top);
      g.bottom = Math.max(g.bottom, b.bottom);
      g.end = end;
      if (g.right - g.left + 1 > MAX_GROUP_ASPECT * height) break;
      groups.push({ ...g });
    }
  }
  return groups;
}

/** Atoms' ink (their pixels only) inside `box` through the rest of the pipeline: MNIST's 28×28. */
function piecesInput(ink: InkImage, labels: Int32Array, atoms: readonly Piece[], box: Rect): Float32Array {
  const w = box.right - box.left + 1;
  const h = box.bottom - box.top + 1;
  const crop = new Float32Array(w * h);
  for (const a of atoms) {
    for (let y = a.top; y <= a.bottom; y++) {
      for (let x = a.from[y - a.rowTop]!; x < a.to[y - a.rowTop]!; x++) {
        const i = y * ink.width + x;
        if (labels[i] === a.label) crop[(y - box.top) * w + (x - box.left)] = ink.ink[i]!;
      }
    }
  }
  return digitFromCrop(crop, w, h).pixels;
}
