import { PIXELS } from '../frame.js';
import { ModelFormatError } from '../util/errors.js';
import { deskew } from './deskew.js';
import { Pca, type PcaJson } from './pca.js';
import { normaliseWidth } from './width.js';

export interface InputJson {
  deskew: boolean;
  /** Width normalisation to this many pixels (width.ts), after deskewing; absent in older files. */
  width?: number | null;
  pca: PcaJson | null;
}

/** The widths a digit may be normalised to: Meier et al. used 10–20 px in the 20×20 box. */
export const WIDTHS = [8, 20] as const;

/** What a model does to a 28×28 image in [0,1] before its classifier sees it: optional deskew, optional width normalisation, optional PCA. */
export class InputTransform {
  constructor(
    readonly deskew: boolean,
    readonly pca: Pca | null,
    readonly width: number | null = null,
  ) {
    if (width !== null && !(Number.isInteger(width) && width >= WIDTHS[0] && width <= WIDTHS[1])) {
      throw new RangeError(`a normalised width must be ${WIDTHS[0]}..${WIDTHS[1]} px, got ${width}`);
    }
  }

  get outputSize(): number {
    return this.pca ? this.pca.components : PIXELS;
  }

  /** n images (n×784, [0,1]) → n×outputSize features. */
  apply(images: Float32Array, n: number): Float32Array {
    const straight = this.deskew ? deskew(images, n) : images;
    const x = this.width === null ? straight : normaliseWidth(straight, n, this.width);
    return this.pca ? this.pca.project(x, n) : x;
  }

  describe(): string {
    return [this.deskew ? 'deskew' : 'raw pixels', this.width === null ? null : `width ${this.width} px`, this.pca ? `PCA-${this.pca.components}` : null]
      .filter(Boolean)
      .join(' → ');
  }

  /** The transform as one string: two transforms with the same key read a digit the same way. */
  get key(): string {
    return JSON.stringify(this.toJSON());
  }

  toJSON(): InputJson {
    return { deskew: this.deskew, ...(this.width !== null && { width: this.width }), pca: this.pca ? this.pca.toJSON() : null };
  }

  static load(json: unknown): InputTransform {
    const j = json as Partial<InputJson> | null;
    if (!j || typeof j !== 'object' || typeof j.deskew !== 'boolean') {
      throw new ModelFormatError('invalid model: "input" must say whether to deskew and which PCA to apply');
    }
    if (j.width !== undefined && j.width !== null && !(Number.isInteger(j.width) && j.width >= WIDTHS[0] && j.width <= WIDTHS[1])) {
      throw new ModelFormatError(`invalid model: "input" width must be ${WIDTHS[0]}..${WIDTHS[1]} px, got ${JSON.stringify(j.width)}`);
    }
    return new InputTransform(j.deskew, j.pca ? Pca.load(j.pca) : null, j.width ?? null);
  }
}
