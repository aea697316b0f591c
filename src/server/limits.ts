/** How much one request may send. Image size in pixels is the decoder's limit (MAX_PIXELS in src/image/decode.ts). */
export interface Limits {
  /** Largest JSON body, bytes (a base64 image inside it). */
  jsonBytes: number;
  /** Largest uploaded file, bytes. */
  fileBytes: number;
  /** Most files in one multipart request. */
  files: number;
}

export const DEFAULT_LIMITS: Limits = { jsonBytes: 2 * 1024 * 1024, fileBytes: 10 * 1024 * 1024, files: 20 };
