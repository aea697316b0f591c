import { encodePng } from './png.js';
import { SIDE } from '../core/frame.js';
import { blankRgba, type RgbaImage } from '../core/image/rgba.js';

/**
 * The input image beside the 28×28 the model saw (white on black, zoomed ×6), as a PNG: the
 * `predict --show` view, so a person can check what preprocessing made of a drawing.
 */
export function sideBySidePng(img: RgbaImage, input: Float32Array): Buffer {
  const zoom = 6;
  const size = SIDE * zoom;
  const scale = Math.min(size / img.width, size / img.height);
  const tw = Math.max(1, Math.round(img.width * scale));
  const th = Math.max(1, Math.round(img.height * scale));
  const gap = 8;
  const png = blankRgba(tw + gap + size, size);
  for (let y = 0; y < th; y++) {
    for (let x = 0; x < tw; x++) {
      const sx = Math.min(img.width - 1, Math.floor(x / scale));
      const sy = Math.min(img.height - 1, Math.floor(y / scale));
      const s = (sy * img.width + sx) * 4;
      const a = img.data[s + 3]! / 255;
      // Transparent pixels over a light checkerboard, so "invisible" ink shows as it really is.
      const check = ((x >> 3) + (y >> 3)) % 2 ? 255 : 220;
      const o = (y * png.width + x) * 4;
      for (let c = 0; c < 3; c++) png.data[o + c] = Math.round(a * img.data[s + c]! + (1 - a) * check);
    }
  }
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const v = Math.round(255 * (input[Math.floor(y / zoom) * SIDE + Math.floor(x / zoom)] ?? 0));
      const o = (y * png.width + tw + gap + x) * 4;
      png.data[o] = v;
      png.data[o + 1] = v;
      png.data[o + 2] = v;
    }
  }
  return encodePng(png);
}
