import { PIXELS } from '../frame.js';
import { ModelFormatError } from '../util/errors.js';
import { deskew } from './deskew.js';
import { Pca, type PcaJson } from './pca.js';

export interface InputJson {
  deskew: boolean;
  pca: PcaJson | null;
}

/** What a model does to a 28×28 image in [0,1] before its classifier sees it: optional deskew, optional PCA. */
export class InputTransform {
  constructor(
    readonly deskew: boolean,
    readonly pca: Pca | null,
  ) {}

  get outputSize(): number {
    return this.pca ? this.pca.components : PIXELS;
  }

  /** n images (n×784, [0,1]) → n×outputSize features. */
  apply(images: Float32Array, n: number): Float32Array {
    const x = this.deskew ? deskew(images, n) : images;
    return this.pca ? this.pca.project(x, n) : x;
  }

  describe(): string {
    return [this.deskew ? 'deskew' : 'raw pixels', this.pca ? `PCA-${this.pca.components}` : null].filter(Boolean).join(' → ');
  }

  toJSON(): InputJson {
    return { deskew: this.deskew, pca: this.pca ? this.pca.toJSON() : null };
  }

  static load(json: unknown): InputTransform {
    const j = json as Partial<InputJson> | null;
    if (!j || typeof j !== 'object' || typeof j.deskew !== 'boolean') {
      throw new ModelFormatError('invalid model: "input" must say whether to deskew and which PCA to apply');
    }
    return new InputTransform(j.deskew, j.pca ? Pca.load(j.pca) : null);
  }
}
