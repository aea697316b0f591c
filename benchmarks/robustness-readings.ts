/* What the robustness bench's threads (robustness-task.ts) are asked and answer, shared with robustness.ts. */

/** "No digit found": the pipeline saw no ink (blank, too faint, only specks). */
export const NO_DIGIT_FOUND = -1;
/** Ink the model declined to read as one digit: "not a digit" or "looks like a number". */
export const DECLINED = -2;

export type RobustnessTask = { kind: 'track'; track: number; strength: number; indices: number[] } | { kind: 'typed'; font: string; sizes: [number, number][] };

/** Per image: the digit the pipeline read (NO_DIGIT_FOUND, DECLINED), the tutorial pipeline's, and the true one. */
export interface TrackReadings {
  predicted: number[];
  tutorial: number[];
  truth: number[];
}
