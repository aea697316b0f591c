/** 8-bit RGBA pixels, row-major: what every decoder produces and all preprocessing starts from. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array;
}
