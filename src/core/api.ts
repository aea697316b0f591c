/**
 * The JSON the API answers, shared by the server (src/server) and the pages (web/src): one definition,
 * checked by the compiler on both sides.
 */
import type { Box, NumberReading } from './image/number.js';
import type { LOOKS_LIKE_A_NUMBER, NOT_A_DIGIT, Prediction } from './image/pipeline.js';

/** What the model saw and thought of one image. `input` is the 28×28 it saw, as a PNG data URL. */
export type Answer =
  /** A digit; `deblurred` is the motion blur the app undid before it could read it: its length in the image's pixels, its direction anticlockwise from the horizontal. */
  | { digit: number; confidence: number; probabilities: number[]; input: string; deblurred?: { lengthPx: number; angleDegrees: number } }
  /**
   * Ink the model does not take for a digit: its best guess, that guess's probability, what it saw; or, with
   * reason "looks like a number", several digits and the `number` they read as.
   */
  | {
      digit: null;
      reason: typeof NOT_A_DIGIT | typeof LOOKS_LIKE_A_NUMBER;
      number?: string;
      guess: number;
      confidence: number;
      probabilities: number[];
      input: string;
    }
  /** No ink at all: the reason, nothing to guess. */
  | { digit: null; reason: string; number?: undefined; guess?: undefined; confidence?: undefined; probabilities?: undefined; input?: undefined };

/** POST /api/predict with one image: the answer and the model's name. */
export type PredictAnswer = Answer & { model: string };

/** POST /api/predict?mode=number with one image. */
export type PredictNumberAnswer = NumberAnswer & { model: string };

/** One digit of a number: a digit, or a piece that is not one (with the best guess), and where it is in the image. */
export type PieceAnswer = Extract<Answer, { input: string }> & { box: Box };

/** POST /api/predict?mode=number: the digits read left to right (pieces that are not digits are left out of `number`). */
export interface NumberAnswer {
  number: string;
  digits: PieceAnswer[];
  /** Why nothing was read (no ink). */
  reason?: string;
}

/** POST /api/predict with several images: one entry per file, in order. */
export interface UploadAnswer {
  results: (((Answer | NumberAnswer) & { file: string; model: string }) | { file: string; error: string })[];
}

/** POST /api/feedback: the stored correction's id, what it records, and how many the store holds; never the input. */
export interface FeedbackAnswer {
  id: number;
  label: number | null;
  predicted: number | null;
  /** The label is the model's own answer: kept as a confirmation, not counted as a correction. */
  confirmation: boolean;
  /** Corrections stored, confirmations left out. */
  count: number;
}

/** What POST /api/feedback takes: the image, the right label, and which piece of a number it is about. */
export interface FeedbackRequest {
  image: string;
  label: number | 'not a digit';
  mode?: 'digit' | 'number';
  piece?: number;
}

/** Any 4xx answer. */
export interface ErrorAnswer {
  error: string;
}

/** Where the board fetches its model: the served model in compact form (404 when it has none). */
export const COMPACT_MODEL_PATH = '/api/model/compact.json';
/** Set by the page's service worker on an answer it gives from its cache, offline: the page may say it is stale. */
export const OFFLINE_COPY_HEADER = 'X-Offline-Copy';

/** A prediction as the API answers it; `picture` turns the 28×28 into a data URL (pngjs on the server, a canvas in the browser). */
export function toAnswer(p: Prediction, picture: (input: Float32Array) => string): Answer {
  if (p.digit !== null) {
    // The pipeline's angle has y pointing down; people read angles anticlockwise from the horizontal.
    const deblurred = p.deblurred && { lengthPx: Math.round(p.deblurred.length), angleDegrees: Math.round(180 - (p.deblurred.angle * 180) / Math.PI) % 180 };
    return { digit: p.digit, confidence: p.confidence, probabilities: p.probabilities, input: picture(p.input), ...(deblurred && { deblurred }) };
  }
  if (p.guess === null) return { digit: null, reason: p.reason };
  return {
    digit: null,
    reason: p.reason,
    ...(p.number !== undefined && { number: p.number }),
    guess: p.guess,
    confidence: p.confidence,
    probabilities: p.probabilities,
    input: picture(p.input),
  };
}

/** A number reading as the API answers it. */
export function toNumberAnswer(r: NumberReading, picture: (input: Float32Array) => string): NumberAnswer {
  const digits = r.digits.map((d): PieceAnswer => {
    const seen = { confidence: d.confidence, probabilities: d.probabilities, input: picture(d.input), box: d.box };
    return d.digit !== null ? { digit: d.digit, ...seen } : { digit: null, reason: d.reason, guess: d.guess, ...seen };
  });
  return { number: r.number, digits, ...(r.reason !== undefined && { reason: r.reason }) };
}
