import { labelsOf } from '../core/frame.js';
import { auroc, expectedCalibrationError, fitTemperature, reliability, thresholdKeeping } from '../eval/calibration.js';
import { DRAWN_SEED, drawnDigitSet, type InputSet, nonDigitSet, topScores } from '../eval/refusal.js';
import { withTemperature } from '../core/models/classifier.js';
import { combinedDigitness, digitScore, type Confidence, type DigitModel } from '../core/models/model.js';
import type { TrainingData } from './common.js';

/*
 * Fitting "how sure" and "not a digit" on held-out images only, a step of training (npm run train --
 * --calibrate): the temperature on MNIST's validation split, the refusal thresholds so that at most
 * REFUSE_AT_MOST of validation digits are refused, both MNIST's and drawn ones, and the non-digits'
 * validation half. The bench reports on the other half (src/eval/refusal.ts).
 */

/** The share of held-out digits the threshold may refuse, each set on its own. */
export const REFUSE_AT_MOST = 0.005;

/** The detector's shares of held-out digits it may refuse on its own, tried in turn: the top-probability rule gets the rest. */
const DETECTOR_SHARES = [0, 0.001, 0.002, 0.003, 0.004, 0.005];

/** The weights of the top probability's log-odds tried for the one combined rule (combinedDigitness). */
const TOP_WEIGHTS = [0.5, 0.75, 1, 1.5, 2, 3];

/**
 * The highest top-probability threshold that, with the rows already refused by the detector, refuses at most
 * `fraction` of these digits; -1 when the detector alone refuses more.
 */
function topThresholdWithin(top: number[], refusedByDetector: boolean[], fraction: number): number {
  const rest = top.filter((_, i) => !refusedByDetector[i]).sort((a, b) => a - b);
  const allowed = Math.floor(fraction * top.length) - (top.length - rest.length);
  return allowed < 0 ? -1 : (rest[allowed] ?? 1);
}

/** A digit set's calibrated top probabilities and, with a detector, its "a digit" probabilities. */
export interface ScoredDigits {
  top: number[];
  digitness: Float32Array | null;
}

/**
 * The refusal rule that refuses most validation non-digits while keeping at most REFUSE_AT_MOST of each digit
 * set. Two kinds are tried. Two thresholds: for each share the detector may refuse on its own
 * (DETECTOR_SHARES), its threshold keeps that share of each digit set, and the top-probability threshold is
 * the highest that keeps the union within REFUSE_AT_MOST of each. One combined rule for each of TOP_WEIGHTS:
 * the threshold on combinedDigitness that keeps REFUSE_AT_MOST of each. On a tie, the earlier (two
 * thresholds, the smaller detector share). Without a detector: the top-probability threshold alone.
 */
export function fitThresholds(
  digitSets: ScoredDigits[],
  nonDigits: ScoredDigits & { blank: number },
): { refuseBelow: number; digitBelow: number; topWeight?: number; nonDigitsRefused: number } {
  let best: { refuseBelow: number; digitBelow: number; topWeight?: number; nonDigitsRefused: number } = { refuseBelow: 0, digitBelow: 0, nonDigitsRefused: -1 };
  const rate = (refused: number) => (refused + nonDigits.blank) / (nonDigits.top.length + nonDigits.blank);
  for (const share of nonDigits.digitness ? DETECTOR_SHARES : [0]) {
    const digitBelow = share === 0 ? 0 : Math.min(...digitSets.map((s) => thresholdKeeping(Array.from(s.digitness!), share)));
    const byDetector = (s: ScoredDigits) => s.top.map((_, i) => s.digitness !== null && s.digitness[i]! < digitBelow);
    const refuseBelow = Math.min(...digitSets.map((s) => topThresholdWithin(s.top, byDetector(s), REFUSE_AT_MOST)));
    if (refuseBelow < 0) continue;
    const refused = rate(byDetector(nonDigits).filter((d, i) => d || nonDigits.top[i]! < refuseBelow).length);
    if (refused > best.nonDigitsRefused) best = { refuseBelow, digitBelow, nonDigitsRefused: refused };
  }
  for (const topWeight of nonDigits.digitness ? TOP_WEIGHTS : []) {
    const combined = (s: ScoredDigits) => s.top.map((t, i) => combinedDigitness(t, s.digitness![i]!, topWeight));
    const digitBelow = Math.min(...digitSets.map((s) => thresholdKeeping(combined(s), REFUSE_AT_MOST)));
    const refused = rate(combined(nonDigits).filter((v) => v < digitBelow).length);
    if (refused > best.nonDigitsRefused) best = { refuseBelow: 0, digitBelow, topWeight, nonDigitsRefused: refused };
  }
  return best;
}

/**
 * Fits the temperature and the refusal thresholds on held-out images; returns them with the figures. With a
 * detector (the model's own unless another is given) both rules are fitted together.
 */
export async function fitConfidence(model: DigitModel, data: TrainingData, command: string, detector = model.confidence?.detector): Promise<Confidence> {
  const labels = labelsOf(data.validation);
  const raw = model.rawProba(data.validationX, data.validation.n);
  const temperature = fitTemperature(raw, labels);
  const calibrated = withTemperature(raw, labels.length, temperature);
  const scored = (set: InputSet, p: Float32Array): ScoredDigits => ({ top: topScores(p, set.n), digitness: detector?.digitness(set.x, set.n) ?? null });
  const mnist = scored({ x: data.validationX, n: labels.length, labels, families: [], blank: 0 }, calibrated);
  const drawnSet = await drawnDigitSet();
  const drawn = scored(drawnSet, withTemperature(model.rawProba(drawnSet.x, drawnSet.n), drawnSet.n, temperature));
  const validationNonDigits = nonDigitSet('validation');
  const nonDigits = {
    ...scored(validationNonDigits, withTemperature(model.rawProba(validationNonDigits.x, validationNonDigits.n), validationNonDigits.n, temperature)),
    blank: validationNonDigits.blank,
  };
  const { refuseBelow, digitBelow, topWeight, nonDigitsRefused: validationNonDigitsRefused } = fitThresholds([mnist, drawn], nonDigits);
  // The model's own scale (DigitModel.digitScores): below 1 is refused; the AUROC's score too.
  const score = (s: ScoredDigits) => s.top.map((v, i) => digitScore(v, s.digitness?.[i] ?? null, refuseBelow, digitBelow, topWeight));
  const refused = (s: ScoredDigits) => score(s).filter((v) => v < 1).length / s.top.length;
  return {
    temperature: Number(temperature.toFixed(4)),
    refuseBelow: Number(refuseBelow.toFixed(6)),
    fittedOn: `temperature: NLL on MNIST's ${labels.length}-image validation split; ${detector ? 'the refusal rule (two thresholds, on the top probability and on the digit detector\'s "a digit", or one on their log-odds combined)' : 'threshold'}: refuse at most ${REFUSE_AT_MOST * 100}% of those and of ${drawnSet.n} drawn digits (sample renderer, seed ${DRAWN_SEED})${detector ? ', the rule refusing most of the validation half of the non-digit set' : ''}`,
    figures: {
      validationEceBefore: round(expectedCalibrationError(reliability(raw, labels))),
      validationEceAfter: round(expectedCalibrationError(reliability(calibrated, labels))),
      validationDigitsRefused: round(refused(mnist)),
      drawnDigitsRefused: round(refused(drawn)),
      validationNonDigitsRefused: round(validationNonDigitsRefused),
      validationAuroc: round(auroc(score(mnist), score(nonDigits))),
    },
    command,
    ...(detector && { digitBelow: Number(digitBelow.toFixed(6)), ...(topWeight !== undefined && { topWeight }), detector }),
  };
}

const round = (v: number) => Number(v.toFixed(5));
