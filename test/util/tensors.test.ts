import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import { decodeFloat32, decodeTensor, encodeTensor, fromBase64, toBase64 } from '../../src/core/util/tensors.js';
import { ModelFormatError } from '../../src/core/util/errors.js';
import { Random } from '../../src/core/util/random.js';

const test = suite('base64 of typed arrays');
const rng = new Random(5);

test('every length 0..40 of random bytes encodes as Buffer does and decodes back', () => {
  for (let n = 0; n <= 40; n++) {
    const bytes = Uint8Array.from({ length: n }, () => rng.int(256));
    const b64 = toBase64(bytes);
    assert.is(b64, Buffer.from(bytes).toString('base64'), `length ${n}`);
    assert.equal(Array.from(fromBase64(b64)!), Array.from(bytes), `length ${n}`);
    assert.equal(Array.from(fromBase64(b64.replace(/=+$/, ''))!), Array.from(bytes), `unpadded, length ${n}`);
  }
});

test('every typed array round-trips bit for bit, NaN and -0 included', () => {
  const floats = Float32Array.from([0, -0, 1.5, -3e-39, NaN, Infinity, -Infinity, 3.4e38]);
  const back = decodeFloat32(encodeTensor(floats), floats.length, 'test');
  assert.equal(Array.from(new Uint32Array(back.buffer)), Array.from(new Uint32Array(floats.buffer)));
  for (const a of [
    Uint8Array.from([0, 255, 7]),
    Uint16Array.from([0, 65535, 513]),
    Int16Array.from([-32768, 32767, -1]),
    Int32Array.from([-(2 ** 31), 2 ** 31 - 1, 0]),
  ]) {
    const make = (n: number) => new (a.constructor as new (n: number) => typeof a)(n);
    assert.equal(Array.from(decodeTensor(encodeTensor(a), make, a.length, 'test')), Array.from(a));
  }
});

test('a view into a larger buffer encodes only its own bytes', () => {
  const big = Float32Array.from([1, 2, 3, 4, 5]);
  assert.equal(Array.from(decodeFloat32(encodeTensor(big.subarray(1, 3)), 2, 'test')), [2, 3]);
});

test('wrong length, wrong characters and wrong types are ModelFormatErrors naming the field', () => {
  const b64 = encodeTensor(new Float32Array(4));
  const bad = (f: () => unknown, message: RegExp) => assert.throws(f, (e: Error) => e instanceof ModelFormatError && message.test(e.message));
  bad(() => decodeFloat32(b64, 5, 'layer 0 weights'), /layer 0 weights holds 4 values, expected 5/);
  bad(() => decodeFloat32(b64.slice(0, 8), 4, 'w'), /w holds 1 values, expected 4/);
  bad(() => decodeFloat32('AAAA$AAA', 1, 'w'), /w is not valid base64/);
  bad(() => decodeFloat32(42, 1, 'w'), /w must be a base64 string/);
  assert.is(fromBase64('A'), null);
  assert.is(fromBase64('AA==='), null);
});

test.run();
