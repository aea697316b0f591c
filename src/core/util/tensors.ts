import { ModelFormatError } from './errors.js';

// Typed arrays ⇄ base64 of their little-endian bytes: compact and exact in JSON. Written here rather than
// with Buffer so that model files load the same way in the browser.

/** The standard base64 alphabet: a character's index is its 6-bit value. */
export const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const CODE = new Uint8Array(ALPHABET.length);
for (let i = 0; i < ALPHABET.length; i++) CODE[i] = ALPHABET.charCodeAt(i);
/** Character code → 6-bit value; 255 for a character that is not base64. URL-safe - and _ are accepted too. */
const VALUE = new Uint8Array(256).fill(255);
for (let i = 0; i < ALPHABET.length; i++) VALUE[ALPHABET.charCodeAt(i)] = i;
VALUE['-'.charCodeAt(0)] = 62;
VALUE['_'.charCodeAt(0)] = 63;

/** Bytes → standard base64 with padding. */
export function toBase64(bytes: Uint8Array): string {
  const n = bytes.length;
  const out = new Uint8Array(Math.ceil(n / 3) * 4);
  let o = 0;
  let i = 0;
  for (; i + 2 < n; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out[o++] = CODE[v >> 18]!;
    out[o++] = CODE[(v >> 12) & 63]!;
    out[o++] = CODE[(v >> 6) & 63]!;
    out[o++] = CODE[v & 63]!;
  }
  if (i < n) {
    const v = (bytes[i]! << 16) | ((i + 1 < n ? bytes[i + 1]! : 0) << 8);
    out[o++] = CODE[v >> 18]!;
    out[o++] = CODE[(v >> 12) & 63]!;
    out[o++] = i + 1 < n ? CODE[(v >> 6) & 63]! : 61;
    out[o++] = 61; // '='
  }
  // Chunks keep String.fromCharCode's argument list short.
  let s = '';
  for (let c = 0; c < out.length; c += 0x8000) s += String.fromCharCode(...out.subarray(c, c + 0x8000));
  return s;
}

/** base64 (padded or not) → bytes, or null if a character is not base64 or the length is impossible. */
export function fromBase64(s: string): Uint8Array | null {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 61) end--;
  if (s.length - end > 2 || end % 4 === 1) return null;
  const out = new Uint8Array(Math.floor((end * 3) / 4));
  let o = 0;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    const v = c < 256 ? VALUE[c]! : 255;
    if (v === 255) return null;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 255;
    }
  }
  return out;
}

function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Any tensor's typed array → base64 of its little-endian bytes. */
export function encodeTensor(a: Uint8Array | Uint16Array | Int16Array | Int32Array | Float32Array): string {
  return toBase64(bytesOf(a));
}

/** base64 → Float32Array, checking the length so a truncated model fails loudly. */
export function decodeFloat32(b64: unknown, expectedLength: number, what: string): Float32Array {
  return decodeTensor(b64, (n) => new Float32Array(n), expectedLength, what);
}

/** base64 → a typed array of `expectedLength` values made by `make`; a wrong length or bad base64 names `what`. */
export function decodeTensor<T extends Uint8Array | Uint16Array | Int16Array | Int32Array | Float32Array>(
  b64: unknown,
  make: (n: number) => T,
  expectedLength: number,
  what: string,
): T {
  if (typeof b64 !== 'string') throw new ModelFormatError(`invalid model: ${what} must be a base64 string`);
  const bytes = fromBase64(b64);
  if (!bytes) throw new ModelFormatError(`invalid model: ${what} is not valid base64`);
  const out = make(expectedLength);
  if (bytes.length !== out.byteLength) {
    const unit = out.BYTES_PER_ELEMENT;
    throw new ModelFormatError(`invalid model: ${what} holds ${Math.floor(bytes.length / unit)} values, expected ${expectedLength}`);
  }
  bytesOf(out).set(bytes);
  return out;
}
