import { PIXELS, SIDE } from '../frame.js';
import type { RgbaImage } from './rgba.js';
import { areaResize } from './kernels.js';

/**
 * The usual tutorial pipeline, kept only as the baseline the bench compares against: drop alpha, grey,
 * resize the whole image to 28×28, invert. It gets most real drawings wrong.
 */
export function tutorialInput(img: RgbaImage): Float32Array {
  const grey = new Float32Array(img.width * img.height);
  for (let i = 0; i < grey.length; i++) {
    grey[i] = (0.299 * img.data[i * 4]! + 0.587 * img.data[i * 4 + 1]! + 0.114 * img.data[i * 4 + 2]!) / 255;
  }
  const small = areaResize(grey, img.width, img.height, SIDE, SIDE);
  const out = new Float32Array(PIXELS);
  for (let i = 0; i < PIXELS; i++) out[i] = 1 - small[i]!;
  return out;
}
