import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labelsOf } from '../src/core/frame.js';
import { evaluate } from '../src/eval/metrics.js';
import { nonDigitSet, nonDigitsRefused } from '../src/eval/refusal.js';
import { openStore } from '../src/feedback/store.js';
import { predictDecoded } from '../src/core/image/pipeline.js';
import type { RgbaImage } from '../src/core/image/rgba.js';
import type { DigitModel } from '../src/core/models/model.js';
import { paintSheet } from '../src/samples/corruptions.js';
import { rasterStrokes } from '../src/samples/raster.js';
import { jitteredDigit, smoothPath, type Stroke } from '../src/samples/strokes.js';
import { DEFAULT_FEEDBACK_TUNE, fineTuneOnFeedback } from '../src/train/feedback.js';
import type { TrainingData } from '../src/train/common.js';
import { Random } from '../src/core/util/random.js';
import { progressBars } from '../src/cli/progress.js';

/*
 * Does the model learn from corrections? A simulated user writes in a style MNIST lacks — European 1s with
 * a long flag and a base, crossed 7s, open 4s — on the board, and corrects every wrong answer through the
 * real store until there are 50 corrections. The served model is fine-tuned on them, then both models read
 * 300 fresh drawings of that style (other seeds) and MNIST's test set.
 */

/** The user's own 1, 4 and 7; their other digits are the renderer's usual ones. */
const USER_STYLE: Record<number, Stroke[]> = {
  1: [
    [
      [0.12, 0.42],
      [0.55, 0.05],
      [0.55, 0.95],
    ],
    [
      [0.25, 0.95],
      [0.85, 0.95],
    ],
  ],
  4: [
    [
      [0.22, 0.04],
      [0.18, 0.55],
      [0.85, 0.55],
    ],
    [
      [0.68, 0.04],
      [0.68, 0.97],
    ],
  ],
  7: [
    [
      [0.15, 0.08],
      [0.85, 0.08],
      [0.42, 0.96],
    ],
    [
      [0.28, 0.52],
      [0.78, 0.52],
    ],
  ],
};
export const STYLE_DIGITS = [1, 4, 7];
export const CORRECTIONS = 50;
export const FRESH = 300;

/** One drawing by the user: their template for `digit`, jittered as the sample renderer does, dark on white. */
function userDrawing(digit: number, rng: Random): RgbaImage {
  const size = 280;
  const own = USER_STYLE[digit];
  const strokes = own ? jitteredDigit(digit, rng, {}, own).strokes : jitteredDigit(digit, rng).strokes;
  const box = size * rng.uniform(0.6, 0.8);
  const x0 = (size - box) / 2;
  const paths = strokes.map((s) => smoothPath(s).map(([x, y]): [number, number] => [x0 + x * box, x0 + y * box]));
  return paintSheet({ ink: rasterStrokes(paths, size, size, box * rng.uniform(0.035, 0.06)), w: size, h: size, inkLevel: 0.05, paper: 0.97, light: null });
}

function readsRight(model: DigitModel, img: RgbaImage, digit: number): boolean {
  return predictDecoded(img, model).digit === digit;
}

export interface FeedbackFigures {
  corrections: number;
  drawingsToGetThem: number;
  /** 300 fresh drawings of the user's 1, 4 and 7 (100 each). */
  styleBefore: number;
  styleAfter: number;
  /** 300 fresh drawings of the user's other digits: nothing else should get worse. */
  othersBefore: number;
  othersAfter: number;
  mnistBefore: number;
  mnistAfter: number;
  heldOutBefore: number | null;
  heldOutAfter: number | null;
  /**
   * The non-digit bench's test half refused, before and after: a fine-tune on MNIST and corrections alone
   * unlearns refusing them (src/train/feedback.ts mixes other non-digits in); the threshold is fitted again.
   */
  nonDigitsBefore: number;
  nonDigitsAfter: number;
  seconds: number;
}

/** `nonDigitHalf` is 'validation' only when choosing the fine-tune's options; the bench reports on 'test'. */
export async function benchFeedback(
  model: DigitModel,
  from: string,
  data: TrainingData,
  nonDigitHalf: 'validation' | 'test' = 'test',
): Promise<FeedbackFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'feedback-bench-'));
  const store = await openStore({ databaseUrl: '', path: join(dir, 'feedback.db') });
  try {
    // The user draws, sees the answer, and corrects it when it is wrong: the correction the server would store.
    const rng = new Random(14);
    let drawings = 0;
    while ((await store.count()) < CORRECTIONS && drawings < 5000) {
      drawings++;
      const digit = rng.next() < 0.6 ? STYLE_DIGITS[rng.int(STYLE_DIGITS.length)]! : rng.int(10);
      const p = predictDecoded(userDrawing(digit, rng), model);
      if (p.digit === digit || p.input === null) continue;
      await store.add({
        input: Uint8Array.from(p.input, (v) => Math.round(255 * v)),
        label: digit,
        predicted: p.digit,
        probabilities: p.probabilities,
        model: from,
        clientHash: 'simulated-user',
        createdAt: new Date().toISOString(),
      });
    }
    const start = performance.now();
    const tuned = await fineTuneOnFeedback(model, store, data, { ...DEFAULT_FEEDBACK_TUNE, from, command: 'npm run bench -- --only feedback' }, progressBars());
    const seconds = (performance.now() - start) / 1000;
    const fresh = (digits: number[], seed: number) => {
      const r = new Random(seed);
      return Array.from({ length: FRESH }, (_, i) => {
        const digit = digits[i % digits.length]!;
        return { digit, img: userDrawing(digit, r) };
      });
    };
    const style = fresh(STYLE_DIGITS, 15);
    const others = fresh([0, 2, 3, 5, 6, 8, 9], 16);
    const share = (m: DigitModel, set: { digit: number; img: RgbaImage }[]) => set.filter((s) => readsRight(m, s.img, s.digit)).length / set.length;
    const mnist = (m: DigitModel) => evaluate(m.predictProba(data.testX, data.mnist.test.n), labelsOf(data.mnist.test)).accuracy;
    const nonDigits = nonDigitSet(nonDigitHalf);
    const refused = (m: DigitModel) => nonDigitsRefused(m, nonDigits);
    const f = tuned.metadata.feedback!;
    return {
      corrections: await store.count(),
      drawingsToGetThem: drawings,
      styleBefore: share(model, style),
      styleAfter: share(tuned, style),
      othersBefore: share(model, others),
      othersAfter: share(tuned, others),
      mnistBefore: mnist(model),
      mnistAfter: mnist(tuned),
      heldOutBefore: f.heldOutBefore,
      heldOutAfter: f.heldOutAfter,
      nonDigitsBefore: refused(model),
      nonDigitsAfter: refused(tuned),
      seconds,
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
