import { readInput } from '../io/files.js';
import { join } from 'node:path';
import type { DigitModel } from '../core/models/model.js';
import { decodeImage } from '../codecs/decode.js';
import { tutorialInput } from '../core/image/naive.js';
import { predictDecoded } from '../core/image/pipeline.js';
import { DataError } from '../core/util/errors.js';

export interface SampleRow {
  file: string;
  label: number;
  style: string;
  group: string;
}

export function readSampleLabels(dir: string): SampleRow[] {
  const path = join(dir, 'labels.csv');
  const lines = readInput(path, 'sample labels').toString('utf8').trim().split('\n');
  if (lines[0] !== 'file,label,style,group') throw new DataError(path, 'header must be file,label,style,group', 1);
  return lines.slice(1).map((line, i) => {
    const [file, label, style, group] = line.split(',');
    const digit = Number(label);
    if (!file || !style || !group || !Number.isInteger(digit) || digit < 0 || digit > 9) throw new DataError(path, `bad row "${line}"`, i + 2);
    return { file, label: digit, style, group };
  });
}

export interface SampleScore {
  total: number;
  correct: number;
  /** Digits the model refused ("not a digit" or no ink): counted as wrong in `correct`. */
  refused: number;
  tutorialCorrect: number;
  /** style or group → [correct, tutorial correct, total] */
  byStyle: Record<string, [number, number, number]>;
  byGroup: Record<string, [number, number, number]>;
  mistakes: { file: string; label: number; predicted: number | null }[];
}

/** Accuracy on the user-style sample set, with our preprocessing and with the tutorial pipeline. */
export async function scoreSamples(model: DigitModel, dir: string): Promise<SampleScore> {
  const rows = readSampleLabels(dir);
  const score: SampleScore = { total: 0, correct: 0, refused: 0, tutorialCorrect: 0, byStyle: {}, byGroup: {}, mistakes: [] };
  for (const row of rows) {
    const img = await decodeImage(readInput(join(dir, row.file), 'sample image'));
    const predicted = predictDecoded(img, model).digit;
    const tutorial = model.predict(tutorialInput(img), 1)[0];
    const ok = predicted === row.label ? 1 : 0;
    const tutorialOk = tutorial === row.label ? 1 : 0;
    score.total++;
    score.correct += ok;
    if (predicted === null) score.refused++;
    score.tutorialCorrect += tutorialOk;
    for (const [table, key] of [
      [score.byStyle, row.style],
      [score.byGroup, row.group],
    ] as const) {
      const cell = (table[key] ??= [0, 0, 0]);
      cell[0] += ok;
      cell[1] += tutorialOk;
      cell[2]++;
    }
    if (!ok) score.mistakes.push({ file: row.file, label: row.label, predicted });
  }
  return score;
}
