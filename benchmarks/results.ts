import type { SelectionStep as CommitteeStep } from '../src/train/committee.js';
import type { BrowserFigures } from './browser.js';
import type { NonDigitFigures } from './non-digits.js';
import type { FeedbackFigures } from './feedback.js';
import type { HostileBench } from './hostile.js';
import type { NumbersFigures } from './numbers.js';
import type { RobustnessRow } from './robustness.js';
import type { TrainingSpeed } from './training-speed.js';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { sha256 } from '../src/data/mnist.js';
import { cpus } from 'node:os';

export interface ModelEntry {
  name: string;
  kind: string;
  description: string;
  file: string;
  testAccuracy: number;
  testCi95: [number, number];
  validationAccuracy: number;
  trainSeconds: number;
  predictMsPerImage: number;
  modelBytes: number;
  /** SHA-256 of the file measured: only that file may become models/best.json. */
  sha256?: string;
  /** Whether it carries a confidence block (a temperature and a "not a digit" threshold). */
  refuses?: boolean;
  confusion: number[][];
  perClass: { digit: number; precision: number; recall: number; f1: number }[];
}

export interface Comparison {
  task: string;
  reference: string;
  /** What both ran on, e.g. "2,000 training images". */
  workload: string;
  oursSeconds: number;
  referenceSeconds: number;
  speedup: number;
  /** Fraction that agrees (predictions), or min |cosine| (PCA components). */
  agreement: number;
  agreementMeasure: string;
  notes?: string;
}

export interface Results {
  generated: string;
  machine: { cpus: number; cpuModel: string; node: string };
  models: ModelEntry[];
  comparisons: Comparison[];
  best?: { name: string; validationAccuracy: number; testAccuracy: number };
  mlpSpeed?: TrainingSpeed;
  pca?: { fitSeconds: number; projectSeconds: number; components: number; images: number; explainedVariance: number[] };
  knnSearch?: { deskew: boolean; components: number; k: number; validationAccuracy: number }[];
  /** The committee's greedy forward selection, step by step (its model file's notes): kept here, as model files other than models/best.json are not committed. */
  committeeSelection?: CommitteeStep[];
  deskew?: { withoutDeskew: number; withDeskew: number; note: string };
  mlpInput?: { input: string; validationAccuracy: number; epochs: number }[];
  robustness?: { model: string; digits: string; rows: RobustnessRow[]; compare?: { model: string; rows: RobustnessRow[] } };
  nonDigits?: { current: NonDigitFigures; compare?: NonDigitFigures };
  browser?: BrowserFigures;
  numbers?: NumbersFigures;
  feedback?: FeedbackFigures;
  hostile?: HostileBench;
  samples?: {
    model: string;
    total: number;
    accuracy: number;
    tutorialAccuracy: number;
    byStyle: Record<string, { accuracy: number; tutorialAccuracy: number; n: number }>;
    byGroup: Record<string, { accuracy: number; tutorialAccuracy: number; n: number }>;
    mistakes: { file: string; label: number; predicted: number | null }[];
  };
  [extra: string]: unknown;
}

export const RESULTS_PATH = 'benchmarks/results.json';

/** Earlier results, so a partial run (--only) updates its entries and keeps the rest. */
export function readResults(path = RESULTS_PATH): Results {
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version };
  const fresh: Results = { generated: new Date().toISOString(), machine, models: [], comparisons: [] };
  if (!existsSync(path)) return fresh;
  try {
    const old = JSON.parse(readFileSync(path, 'utf8')) as Results;
    return { ...old, generated: fresh.generated, machine, models: old.models ?? [], comparisons: old.comparisons ?? [] };
  } catch {
    console.error(`warning: ${path} is not valid JSON; starting afresh`);
    return fresh;
  }
}

export function writeResults(r: Results, path = RESULTS_PATH): void {
  writeFileSync(path, `${JSON.stringify(r, null, 2)}\n`);
}

export function upsert<T extends { name?: string; task?: string }>(list: T[], item: T): void {
  const key = (x: T) => x.name ?? x.task;
  const i = list.findIndex((x) => key(x) === key(item));
  if (i >= 0) list[i] = item;
  else list.push(item);
}

/**
 * The model a full bench run serves: the best by validation accuracy of the files this bench measured (a
 * file changed since has figures nobody checked), those that can answer "not a digit" first, the smaller file
 * on a tie. Null when none was measured, or when the model served now (its SHA-256, `served`) is not among
 * them: figures that leave it out cannot say another is better (a default run once replaced the served
 * committee by the kNN, the best of the files it had measured that day).
 */
export function chooseBest(results: Results, served: string | null): ModelEntry | null {
  const measured = results.models.filter((m) => existsSync(m.file) && m.sha256 === sha256(readFileSync(m.file)) && Number.isFinite(m.validationAccuracy));
  if (served !== null && !measured.some((m) => m.sha256 === served)) return null;
  const refusing = measured.filter((m) => m.refuses);
  const candidates = refusing.length ? refusing : measured;
  if (candidates.length === 0) return null;
  // On a tie the smaller file: it downloads to the board sooner and predicts faster.
  const better = (a: ModelEntry, b: ModelEntry) =>
    b.validationAccuracy > a.validationAccuracy || (b.validationAccuracy === a.validationAccuracy && b.modelBytes < a.modelBytes);
  return candidates.reduce((a, b) => (better(a, b) ? b : a));
}
