/**
 * The JSON the API answers, shared by the server (src/server) and the pages (web/src): one definition,
 * checked by the compiler on both sides.
 */
import type { NOT_A_DIGIT, Prediction } from './image/pipeline.js';

/** What the model saw and thought of one image. `input` is the 28×28 it saw, as a PNG data URL. */
export type Answer =
  | { digit: number; confidence: number; probabilities: number[]; input: string }
  /** Ink the model does not take for a digit: its best guess, that guess's probability, what it saw. */
  | { digit: null; reason: typeof NOT_A_DIGIT; guess: number; confidence: number; probabilities: number[]; input: string }
  /** No ink at all: the reason, nothing to guess. */
  | { digit: null; reason: string; guess?: undefined; confidence?: undefined; probabilities?: undefined; input?: undefined };

/** POST /api/predict with one image: the answer and the model's name. */
export type PredictAnswer = Answer & { model: string };

/** POST /api/predict with several images: one entry per file, in order. */
export interface UploadAnswer {
  results: ((Answer & { file: string; model: string }) | { file: string; error: string })[];
}

/** Any 4xx answer. */
export interface ErrorAnswer {
  error: string;
}

/** Where the board fetches its model: the served model in compact form (404 when it has none). */
export const COMPACT_MODEL_PATH = '/api/model/compact.json';

/** A prediction as the API answers it; `picture` turns the 28×28 into a data URL (pngjs on the server, a canvas in the browser). */
export function toAnswer(p: Prediction, picture: (input: Float32Array) => string): Answer {
  if (p.digit !== null) return { digit: p.digit, confidence: p.confidence, probabilities: p.probabilities, input: picture(p.input) };
  if (p.guess === null) return { digit: null, reason: p.reason };
  return { digit: null, reason: p.reason, guess: p.guess, confidence: p.confidence, probabilities: p.probabilities, input: picture(p.input) };
}
