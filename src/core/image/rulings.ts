/*
 * The printed lines of notebook paper (ruled or squared), found and taken out of the ink before its pieces are
 * found. A line is straight, thin and crosses the whole image; the digit written over it is not. Where a stroke
 * crosses a line the gap is filled from the ink on both sides of it, and pen ink darker than the line is kept.
 * Chosen on MNIST validation digits on the notebook-paper track (src/samples/corruptions.ts); docs/decisions.md.
 */

/** A working pixel at least this inky (stretched: stroke cores at 1) can be part of a printed line. */
const LINE_INK = 0.08;
/** A printed line covers at least this share of the pixels along it. */
const LINE_COVER = 0.85;
/** …with paper on both sides of it (2 px off) along at least this share: a line of its own, not part of a dark region. */
const ALONE = 0.3;
/** The thickest printed line, as a share of the image's side across it (at least 2 px). */
const MAX_THICKNESS = 0.025;
/** The steepest tilt searched, as rise over run: about 2°, a photo taken a little askew. */
const MAX_TILT = 0.035;
/** Pen ink is kept on a line where it is this much inkier than the line itself. */
const DARKER_THAN_LINE = 0.25;
/**
 * A line fainter than this (stroke cores at 1) is printed; one as dark as the pen is printed only with another
 * such beside it, for one straight dark stroke across the image may be the digit's (the bar of a tight-cropped 7).
 */
const FAINT_LINE = 0.7;

/** A line along the rows of a w-wide image: rows a to b (inclusive) at x = 0, shifted by offset[x]; its typical ink. */
interface Ruling {
  a: number;
  b: number;
  offset: Int32Array;
  level: number;
}

/** Takes the printed lines out of `ink` (w×h, stretched so stroke cores reach 1), in place; returns how many. */
export function removeRulings(ink: Float32Array, w: number, h: number): number {
  if (w < 16 || h < 16) return 0;
  // A line along the rows has ink in LINE_COVER of the columns, one down them in as many rows: a drawing with
  // paper round it (the board's) has neither, and is not looked at further.
  const inkyColumns = new Uint8Array(w);
  const inkyRows = new Uint8Array(h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (ink[y * w + x]! > LINE_INK) {
        inkyColumns[x] = 1;
        inkyRows[y] = 1;
      }
    }
  }
  const share = (a: Uint8Array) => a.reduce((n, v) => n + v, 0) / a.length;
  // Columns are the rows of the transposed image.
  const across = share(inkyColumns) >= LINE_COVER ? rulingsAlongRows(ink, w, h) : [];
  const down = share(inkyRows) >= LINE_COVER ? rulingsAlongRows(transpose(ink, w, h), h, w) : [];
  const dark = [...across, ...down].filter((l) => l.level >= FAINT_LINE).length;
  const printed = (lines: Ruling[]) => lines.filter((l) => dark >= 2 || l.level < FAINT_LINE);
  const [rows, columns] = [printed(across), printed(down)];
  for (const line of rows) erase(ink, w, h, line);
  if (columns.length) {
    const t = transpose(ink, w, h);
    for (const line of columns) erase(t, h, w, line);
    ink.set(transpose(t, h, w));
  }
  return rows.length + columns.length;
}

function transpose(a: Float32Array, w: number, h: number): Float32Array {
  const t = new Float32Array(a.length);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) t[x * h + y] = a[y * w + x]!;
  return t;
}

/** The ink at (x, y), 0 outside the rows. */
const at = (ink: Float32Array, w: number, h: number, x: number, y: number) => (y >= 0 && y < h ? ink[y * w + x]! : 0);

/** The printed lines running along the rows, each at the tilt that covers it best. */
function rulingsAlongRows(ink: Float32Array, w: number, h: number): Ruling[] {
  // prefix[y·(w + 1) + x]: how many of the first x pixels of row y are inky, so that the inky pixels of a tilted
  // line (a few straight runs, one per step of its rise) are counted in a few lookups.
  const prefix = new Int32Array(h * (w + 1));
  for (let y = 0; y < h; y++) {
    let count = 0;
    for (let x = 0; x < w; x++) {
      if (ink[y * w + x]! > LINE_INK) count++;
      prefix[y * (w + 1) + x + 1] = count;
    }
  }
  const maxRise = Math.round(MAX_TILT * w);
  const thickest = Math.max(2, Math.ceil(MAX_THICKNESS * h));
  const found: (Omit<Ruling, 'level'> & { rise: number; cover: number })[] = [];
  for (let rise = -maxRise; rise <= maxRise; rise++) {
    const offset = Int32Array.from({ length: w }, (_, x) => Math.round((rise * x) / (w - 1)));
    // Where the line's straight runs start, and its end.
    const starts = [...offset.keys()].filter((x) => x === 0 || offset[x] !== offset[x - 1]).concat(w);
    // The share of the pixels inky along the line through (0, y0) at this tilt.
    const cover = (y0: number) => {
      let count = 0;
      for (let r = 0; r + 1 < starts.length; r++) {
        const y = y0 + offset[starts[r]!]!;
        if (y >= 0 && y < h) count += prefix[y * (w + 1) + starts[r + 1]!]! - prefix[y * (w + 1) + starts[r]!]!;
      }
      return count / w;
    };
    // shares[k]: the line through (0, k − maxRise); a run of lines over LINE_COVER is one printed line.
    const shares = Float32Array.from({ length: h + 2 * maxRise }, (_, k) => cover(k - maxRise));
    const covers = (k: number) => k >= 0 && k < shares.length && shares[k]! >= LINE_COVER;
    for (let k = 0; k < shares.length; k++) {
      if (!covers(k) || covers(k - 1)) continue;
      let end = k;
      while (end - k < thickest && covers(end + 1)) end++;
      if (end - k < thickest) found.push({ a: k - maxRise, b: end - maxRise, offset, rise, cover: Math.max(...shares.subarray(k, end + 1)) });
    }
  }
  // The same line is found at neighbouring tilts, along it best at its own (a line 1–2 px thick is covered 85%
  // at a tilt or two off, and its ends were left): keep that one, by where it crosses the image's middle.
  found.sort((p, q) => q.cover - p.cover || p.b - p.a - (q.b - q.a) || Math.abs(p.rise) - Math.abs(q.rise));
  const centre = (r: { a: number; b: number; rise: number }) => (r.a + r.b + r.rise) / 2;
  const kept: (Ruling & { rise: number })[] = [];
  for (const f of found) {
    if (kept.some((k) => Math.abs(centre(k) - centre(f)) <= thickest)) continue;
    const { a, b, offset } = f;
    let alone = 0;
    for (let x = 0; x < w; x++) if (at(ink, w, h, x, a - 2 + offset[x]!) <= LINE_INK && at(ink, w, h, x, b + 2 + offset[x]!) <= LINE_INK) alone++;
    // Its level: the median ink along its middle, as strokes cross it only here and there.
    const middle = Float32Array.from(offset, (o, x) => at(ink, w, h, x, ((a + b) >> 1) + o)).sort();
    if (alone >= ALONE * w) kept.push({ ...f, level: middle[w >> 1]! });
  }
  return kept;
}

/**
 * Clears a line's pixels and its anti-aliased fringe, keeping pen ink clearly darker than the line, and bridging
 * a stroke that crosses it: where there is ink just outside the line on both sides (a pixel either way along it,
 * for slanted strokes), the line's pixels take the fainter of the two.
 */
function erase(ink: Float32Array, w: number, h: number, { a, b, offset, level }: Ruling): void {
  const near = (x: number, y: number) => Math.max(at(ink, w, h, x, y), x > 0 ? at(ink, w, h, x - 1, y) : 0, x + 1 < w ? at(ink, w, h, x + 1, y) : 0);
  for (let x = 0; x < w; x++) {
    const o = offset[x]!;
    const bridge = Math.min(near(x, a + o - 3), near(x, b + o + 3));
    for (let y = Math.max(0, a + o - 1); y <= Math.min(h - 1, b + o + 1); y++) {
      const i = y * w + x;
      if (ink[i]! > level + DARKER_THAN_LINE) continue;
      ink[i] = bridge > LINE_INK ? Math.min(ink[i]!, bridge) : 0;
    }
  }
}
