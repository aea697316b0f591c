/* The fast Fourier transform on flat Float64Arrays of real and imaginary parts, for the cepstrum of an image. */

/**
 * The twiddle factors of an n-point FFT, stage after stage (len = 2, 4, …, n; len/2 each, real and imaginary
 * interleaved), made by the same recurrence the butterflies used to run inline, so results are unchanged.
 */
const twiddleCache = new Map<string, Float64Array>();
function twiddles(n: number, inverse: boolean): Float64Array {
  const key = `${n} ${inverse}`;
  let table = twiddleCache.get(key);
  if (table) return table;
  table = new Float64Array(2 * n);
  let o = 0;
  for (let len = 2; len <= n; len <<= 1) {
    const angle = ((inverse ? 2 : -2) * Math.PI) / len;
    const wr = Math.cos(angle);
    const wi = Math.sin(angle);
    let cr = 1;
    let ci = 0;
    for (let k = 0; k < len / 2; k++, o += 2) {
      table[o] = cr;
      table[o + 1] = ci;
      const next = cr * wr - ci * wi;
      ci = cr * wi + ci * wr;
      cr = next;
    }
  }
  twiddleCache.set(key, table);
  return table;
}

/** In-place radix-2 FFT of `n` contiguous values (a power of two) starting at `offset`. */
function fftLine(re: Float64Array, im: Float64Array, n: number, offset: number, table: Float64Array): void {
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      const a = offset + i;
      const b = offset + j;
      const r = re[a]!;
      const m = im[a]!;
      re[a] = re[b]!;
      im[a] = im[b]!;
      re[b] = r;
      im[b] = m;
    }
  }
  let stage = 0;
  for (let len = 2; len <= n; len <<= 1) {
    const halfLen = len >> 1;
    for (let start = offset; start < offset + n; start += len) {
      for (let k = 0; k < halfLen; k++) {
        const cr = table[stage + 2 * k]!;
        const ci = table[stage + 2 * k + 1]!;
        const a = start + k;
        const b = a + halfLen;
        const tr = re[b]! * cr - im[b]! * ci;
        const ti = re[b]! * ci + im[b]! * cr;
        re[b] = re[a]! - tr;
        im[b] = im[a]! - ti;
        re[a]! += tr;
        im[a]! += ti;
      }
    }
    stage += len;
  }
}

/** In-place transpose of an n×n array. */
function transpose(v: Float64Array, n: number): void {
  for (let y = 0; y < n; y++) {
    for (let x = y + 1; x < n; x++) {
      const t = v[y * n + x]!;
      v[y * n + x] = v[x * n + y]!;
      v[x * n + y] = t;
    }
  }
}

/** In-place 2-D FFT of an n×n array (n a power of two), rows then columns; the inverse is unscaled. */
export function fft2(re: Float64Array, im: Float64Array, n: number, inverse: boolean): void {
  if (n & (n - 1)) throw new RangeError(`fft2 needs a power of two, got ${n}`);
  const table = twiddles(n, inverse);
  for (let y = 0; y < n; y++) fftLine(re, im, n, y * n, table);
  // Columns as rows: a transpose keeps the inner loop on contiguous memory.
  transpose(re, n);
  transpose(im, n);
  for (let y = 0; y < n; y++) fftLine(re, im, n, y * n, table);
  transpose(re, n);
  transpose(im, n);
}

/**
 * The real cepstrum of a w×h image centred in an n×n frame: the inverse FFT of the log power spectrum. A line
 * blur of length L multiplies the spectrum by a sinc whose zeros repeat every n/L, which shows here as a
 * negative dip at distance L in the blur's direction.
 */
export function cepstrum(image: Float32Array, w: number, h: number, n: number): Float64Array {
  const re = new Float64Array(n * n);
  const im = new Float64Array(n * n);
  const ox = (n - w) >> 1;
  const oy = (n - h) >> 1;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) re[(y + oy) * n + x + ox] = image[y * w + x]!;
  fft2(re, im, n, false);
  let max = 0;
  for (let k = 0; k < n * n; k++) {
    re[k] = re[k]! * re[k]! + im[k]! * im[k]!;
    if (re[k]! > max) max = re[k]!;
  }
  // The floor keeps the log of the sinc's zeros finite.
  for (let k = 0; k < n * n; k++) {
    re[k] = Math.log(re[k]! + 1e-4 * max);
    im[k] = 0;
  }
  fft2(re, im, n, true);
  for (let k = 0; k < n * n; k++) re[k] = re[k]! / (n * n);
  return re;
}
