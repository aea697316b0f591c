/* The fast Fourier transform on flat Float64Arrays of real and imaginary parts, for the cepstrum of an image. */

/** In-place radix-2 FFT of one line: `n` values (a power of two) starting at `offset`, `stride` apart. */
function fftLine(re: Float64Array, im: Float64Array, n: number, offset: number, stride: number, inverse: boolean): void {
  const at = (i: number) => offset + i * stride;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      const a = at(i);
      const b = at(j);
      const r = re[a]!;
      const m = im[a]!;
      re[a] = re[b]!;
      im[a] = im[b]!;
      re[b] = r;
      im[b] = m;
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const angle = ((inverse ? 2 : -2) * Math.PI) / len;
    const wr = Math.cos(angle);
    const wi = Math.sin(angle);
    for (let start = 0; start < n; start += len) {
      let cr = 1;
      let ci = 0;
      for (let k = 0; k < len / 2; k++) {
        const a = at(start + k);
        const b = at(start + k + len / 2);
        const tr = re[b]! * cr - im[b]! * ci;
        const ti = re[b]! * ci + im[b]! * cr;
        re[b] = re[a]! - tr;
        im[b] = im[a]! - ti;
        re[a]! += tr;
        im[a]! += ti;
        const next = cr * wr - ci * wi;
        ci = cr * wi + ci * wr;
        cr = next;
      }
    }
  }
}

/** In-place 2-D FFT of an n×n array (n a power of two), rows then columns; the inverse is unscaled. */
export function fft2(re: Float64Array, im: Float64Array, n: number, inverse: boolean): void {
  if (n & (n - 1)) throw new RangeError(`fft2 needs a power of two, got ${n}`);
  for (let y = 0; y < n; y++) fftLine(re, im, n, y * n, 1, inverse);
  for (let x = 0; x < n; x++) fftLine(re, im, n, x, n, inverse);
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
