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
