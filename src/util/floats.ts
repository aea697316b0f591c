import { ModelFormatError } from './errors.js';

/** Float32Array → base64 of its little-endian bytes: compact and exact in JSON. */
export function encodeFloats(a: Float32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

/** base64 → Float32Array, checking the length so a truncated model fails loudly. */
export function decodeFloats(b64: unknown, expectedLength: number, what: string): Float32Array {
  if (typeof b64 !== 'string') throw new ModelFormatError(`invalid model: ${what} must be a base64 string`);
  const bytes = Buffer.from(b64, 'base64');
  if (bytes.length !== expectedLength * 4) {
    throw new ModelFormatError(
      `invalid model: ${what} holds ${Math.floor(bytes.length / 4)} floats, expected ${expectedLength}`,
    );
  }
  const out = new Float32Array(expectedLength);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

export function encodeBytes(a: Uint8Array | Uint16Array | Int16Array | Int32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

export function decodeInts<T extends Uint8Array | Uint16Array | Int16Array | Int32Array>(
  b64: unknown,
  make: (n: number) => T,
  expectedLength: number,
  what: string,
): T {
  if (typeof b64 !== 'string') throw new ModelFormatError(`invalid model: ${what} must be a base64 string`);
  const bytes = Buffer.from(b64, 'base64');
  const out = make(expectedLength);
  if (bytes.length !== out.byteLength) {
    throw new ModelFormatError(`invalid model: ${what} holds ${bytes.length} bytes, expected ${out.byteLength}`);
  }
  new Uint8Array(out.buffer).set(bytes);
  return out;
}
