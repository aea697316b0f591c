import { readInput } from '../io/files.js';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { DataError } from '../core/util/errors.js';
import { makeFrame, PIXELS, type DigitFrame } from '../core/frame.js';

/** Refuse zip entries that would inflate past this: a zip bomb must not take the machine down. */
export const MAX_CSV_BYTES = 512 * 1024 * 1024;

const COMMA = 44;
const LF = 10;
const CR = 13;

/**
 * Parses one MNIST CSV in the course layouts:
 * - Kaggle train.csv: header `label,pixel0..pixel783`, then 785 numbers a row;
 * - Kaggle test.csv: header `pixel0..pixel783`, unlabelled;
 * - headerless: 785 numbers a row with the label first (784 numbers: unlabelled).
 * Every bad cell is an error naming the file, row (1-based, as an editor shows it) and column.
 */
export function parseDigitCsv(bytes: Uint8Array, file: string): DigitFrame {
  let pos = 0;
  let line = 1;
  let labelled: boolean | null = null;

  if (bytes.length === 0) throw new DataError(file, 'empty file');
  if (bytes[0] !== undefined && (bytes[0] < 48 || bytes[0] > 57)) {
    const end = indexOfLineEnd(bytes, 0);
    const header = Buffer.from(bytes.subarray(0, end))
      .toString('latin1')
      .replace(/^\uFEFF|^\xEF\xBB\xBF/, '')
      .trim();
    labelled = checkHeader(header, file);
    pos = skipLineEnd(bytes, end);
    line = 2;
  }

  // One row per line at most, so counting line feeds bounds the allocation.
  let maxRows = 1;
  for (let i = bytes.indexOf(LF, pos); i >= 0; i = bytes.indexOf(LF, i + 1)) maxRows++;
  const pixels = new Uint8Array(maxRows * PIXELS);
  const labels = new Uint8Array(maxRows);
  const row = new Uint8Array(PIXELS + 1);
  let count = 0;
  while (pos < bytes.length) {
    const end = indexOfLineEnd(bytes, pos);
    if (end === pos) {
      pos = skipLineEnd(bytes, end);
      line++;
      continue; // blank line (e.g. the final newline)
    }
    const cells = parseRow(bytes, pos, end, row, file, line);
    if (labelled === null) {
      if (cells !== PIXELS && cells !== PIXELS + 1) {
        throw new DataError(file, `${cells} columns; expected 785 (label + 784 pixels) or 784 (pixels only)`, line);
      }
      labelled = cells === PIXELS + 1;
    }
    const expected = labelled ? PIXELS + 1 : PIXELS;
    if (cells !== expected) throw new DataError(file, `${cells} columns, expected ${expected}`, line);
    if (labelled) {
      if ((row[0] as number) > 9) throw new DataError(file, `label ${row[0]} is outside 0..9`, line, 1);
      labels[count] = row[0] as number;
      pixels.set(row.subarray(1), count * PIXELS);
    } else {
      pixels.set(row.subarray(0, PIXELS), count * PIXELS);
    }
    count++;
    pos = skipLineEnd(bytes, end);
    line++;
  }
  if (count === 0) throw new DataError(file, 'no data rows');
  return makeFrame(pixels.slice(0, count * PIXELS), labelled ? labels.slice(0, count) : null);
}

function checkHeader(header: string, file: string): boolean {
  const names = header.split(',').map((s) => s.trim().replace(/^"|"$/g, ''));
  const labelled = names[0] === 'label';
  const pixelNames = labelled ? names.slice(1) : names;
  if (pixelNames.length !== PIXELS) {
    throw new DataError(file, `header has ${names.length} columns; expected label,pixel0..pixel783 or pixel0..pixel783`, 1);
  }
  const bad = pixelNames.findIndex((n, i) => n !== `pixel${i}`);
  if (bad >= 0) {
    throw new DataError(file, `header column "${pixelNames[bad]}" should be "pixel${bad}"`, 1, bad + (labelled ? 2 : 1));
  }
  return labelled;
}

/** Parses the integers of one row into `out`, returning how many cells it had. */
function parseRow(bytes: Uint8Array, start: number, end: number, out: Uint8Array, file: string, line: number): number {
  let cells = 0;
  let value = 0;
  let digits = 0;
  for (let i = start; i <= end; i++) {
    const c = i === end ? COMMA : (bytes[i] as number);
    if (c === COMMA) {
      if (digits === 0) throw new DataError(file, 'empty cell', line, cells + 1);
      if (value > 255) throw new DataError(file, `value ${value} is outside 0..255`, line, cells + 1);
      if (cells < out.length) out[cells] = value;
      cells++;
      value = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      digits++;
      if (digits > 6) throw new DataError(file, 'value is too long to be a pixel (0..255)', line, cells + 1);
    } else if (c !== 32 && c !== 9) {
      const text = Buffer.from(bytes.subarray(i, Math.min(end, i + 12)))
        .toString('latin1')
        .split(',')[0];
      throw new DataError(file, `non-numeric cell "${text}"`, line, cells + 1);
    }
  }
  return cells;
}

function indexOfLineEnd(bytes: Uint8Array, from: number): number {
  let i = bytes.indexOf(LF, from);
  if (i < 0) i = bytes.length;
  return i > from && bytes[i - 1] === CR ? i - 1 : i;
}

function skipLineEnd(bytes: Uint8Array, end: number): number {
  if (bytes[end] === CR) end++;
  if (bytes[end] === LF) end++;
  return end;
}

export interface CsvZip {
  /** Entry name → frame, e.g. train.csv, test.csv. */
  frames: Map<string, DigitFrame>;
}

/** Reads the course's mnist_data.zip: every .csv in it, each parsed as above. */
export function readCsvZip(path: string, bytes: Uint8Array = readInput(path, 'course zip')): CsvZip {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, {
      filter: (f) => {
        if (!f.name.toLowerCase().endsWith('.csv') || f.name.startsWith('__MACOSX/')) return false;
        if (f.originalSize > MAX_CSV_BYTES) {
          throw new DataError(`${path}:${f.name}`, `inflates to ${f.originalSize} bytes, over the ${MAX_CSV_BYTES}-byte limit`);
        }
        return true;
      },
    });
  } catch (e) {
    if (e instanceof DataError) throw e;
    throw new DataError(path, `not a readable zip file (${(e as Error).message})`);
  }
  const names = Object.keys(entries).sort();
  if (names.length === 0) throw new DataError(path, 'the zip holds no .csv file');
  const frames = new Map<string, DigitFrame>();
  for (const name of names) frames.set(name.split('/').pop() as string, parseDigitCsv(entries[name] as Uint8Array, `${path}:${name}`));
  return { frames };
}

/** One frame as CSV text in the Kaggle layout (header, then label first when labelled). */
export function toCsv(frame: DigitFrame): Uint8Array {
  const header = (frame.labels ? ['label'] : []).concat(Array.from({ length: PIXELS }, (_, i) => `pixel${i}`)).join(',');
  const lines: string[] = [header];
  for (let r = 0; r < frame.n; r++) {
    const px = frame.pixels.subarray(r * PIXELS, (r + 1) * PIXELS).join(',');
    lines.push(frame.labels ? `${frame.labels[r]},${px}` : px);
  }
  return strToU8(`${lines.join('\n')}\n`);
}

/** Writes frames into a zip in the course layout, e.g. { 'train.csv': train, 'test.csv': test }. */
export function writeCsvZip(frames: Record<string, DigitFrame>): Uint8Array {
  const files: Record<string, Uint8Array> = {};
  for (const [name, frame] of Object.entries(frames)) files[name] = toCsv(frame);
  return zipSync(files, { level: 6 });
}
