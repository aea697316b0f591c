/** 8-bit RGBA pixels, row-major: what every decoder produces and all preprocessing starts from. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** An opaque grey image from a level per pixel (0 black, 1 white), clamped and rounded to 8 bits. */
export function greyRgba(width: number, height: number, level: (i: number) => number): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0, o = 0; i < width * height; i++, o += 4) {
    const g = Math.max(0, Math.min(255, Math.round(255 * level(i))));
    data[o] = g;
    data[o + 1] = g;
    data[o + 2] = g;
    data[o + 3] = 255;
  }
  return { width, height, data };
}

export type Rgb = readonly [number, number, number];

/** A blank RGBA image, every byte `fill` (255: opaque white), to draw into. */
export function blankRgba(width: number, height: number, fill = 255): RgbaImage {
  return { width, height, data: new Uint8Array(width * height * 4).fill(fill) };
}

/** Ink (0..1 a pixel) in `inkRgb` over `paper`, or over full transparency when `paper` is null. */
export function inkOnPaper(ink: Float32Array, width: number, height: number, inkRgb: Rgb, paper: Rgb | null): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const a = ink[i]!;
    for (let c = 0; c < 3; c++) data[i * 4 + c] = paper ? Math.round(a * inkRgb[c]! + (1 - a) * paper[c]!) : a > 0 ? inkRgb[c]! : 0;
    data[i * 4 + 3] = paper ? 255 : Math.round(255 * a);
  }
  return { width, height, data };
}
