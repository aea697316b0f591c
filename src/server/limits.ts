/** How much one request may send. Image size in pixels is the decoder's limit (MAX_PIXELS in src/codecs/decode.ts). */
export interface Limits {
  /** Largest JSON body, bytes (a base64 image inside it). */
  jsonBytes: number;
  /** Largest uploaded file, bytes. */
  fileBytes: number;
  /** Most files in one multipart request. */
  files: number;
  /**
   * Upload bytes one process holds at once, the uploads' declared sizes (Content-Length; without one, the
   * most a request may send) summed; past it a new upload is answered 503 with Retry-After, unread.
   */
  uploadBytesInFlight: number;
}

export const DEFAULT_LIMITS: Limits = { jsonBytes: 2 * 1024 * 1024, fileBytes: 10 * 1024 * 1024, files: 20, uploadBytesInFlight: 256 * 1024 * 1024 };

/** How many connections a server process holds, and for how long a client may take to send its request. */
export interface ConnectionLimits {
  /** Open connections in all; past it Node closes new ones at once. */
  total: number;
  /** Open connections from one address; past it a new one is answered 503 with Retry-After and closed. Not applied behind a trusted proxy (every client has its address). */
  perAddress: number;
  /** A request's headers must arrive within this, ms; its whole body within `requestMs`. */
  headersMs: number;
  requestMs: number;
  /** An idle keep-alive connection is closed after this, ms. */
  keepAliveMs: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = { total: 8000, perAddress: 256, headersMs: 10_000, requestMs: 60_000, keepAliveMs: 5_000 };
