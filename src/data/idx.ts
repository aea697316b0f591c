import { DataError } from '../core/util/errors.js';
import { PIXELS, SIDE } from '../core/frame.js';

const LABELS_MAGIC = 0x00000801;
const IMAGES_MAGIC = 0x00000803;

/** Parses an IDX1 label file (LeCun's format): magic 0x801, count, then one byte per label. */
export function parseIdxLabels(bytes: Uint8Array, file: string): Uint8Array {
  const view = header(bytes, file, 8);
  const magic = view.getUint32(0);
  if (magic !== LABELS_MAGIC) throw new DataError(file, `wrong magic number 0x${hex(magic)}, expected 0x00000801 (IDX labels)`);
  const n = view.getUint32(4);
  expectLength(bytes, 8 + n, file, `${n} labels`);
  const labels = bytes.slice(8, 8 + n);
  const bad = labels.findIndex((l) => l > 9);
  if (bad >= 0) throw new DataError(file, `label ${labels[bad]} is outside 0..9`, bad);
  return labels;
}

/** Parses an IDX3 image file: magic 0x803, count, rows, cols, then row-major bytes. Only 28×28 is accepted. */
export function parseIdxImages(bytes: Uint8Array, file: string): Uint8Array {
  const view = header(bytes, file, 16);
  const magic = view.getUint32(0);
  if (magic !== IMAGES_MAGIC) throw new DataError(file, `wrong magic number 0x${hex(magic)}, expected 0x00000803 (IDX images)`);
  const n = view.getUint32(4);
  const rows = view.getUint32(8);
  const cols = view.getUint32(12);
  if (rows !== SIDE || cols !== SIDE) throw new DataError(file, `images are ${rows}×${cols}, expected 28×28`);
  expectLength(bytes, 16 + n * PIXELS, file, `${n} images of 28×28`);
  return bytes.slice(16, 16 + n * PIXELS);
}

function header(bytes: Uint8Array, file: string, size: number): DataView {
  if (bytes.length < size) throw new DataError(file, `truncated: ${bytes.length} bytes is shorter than the ${size}-byte IDX header`);
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function expectLength(bytes: Uint8Array, expected: number, file: string, what: string): void {
  if (bytes.length < expected) throw new DataError(file, `truncated: ${bytes.length} bytes, but the header promises ${what} (${expected} bytes)`);
  if (bytes.length > expected) throw new DataError(file, `${bytes.length - expected} unexpected bytes after ${what}`);
}

function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}
