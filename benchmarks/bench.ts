import { benchHostile } from './hostile.js';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import KNN from 'ml-knn';
import { PCA } from 'ml-pca';
import { progress, progressBars } from '../src/cli/progress.js';
import { intOption, runCli } from '../src/cli/run.js';
import { labelsOf, PIXELS, asRows } from '../src/core/frame.js';
import { sha256 } from '../src/data/mnist.js';
import { scoreSamples } from '../src/eval/samples.js';
import { mistakesPng } from '../src/eval/gallery.js';
import { timedEvaluation, type Evaluation } from '../src/eval/metrics.js';
import { deskew } from '../src/core/features/deskew.js';
import { InputTransform } from '../src/core/features/transform.js';
import { BEST_MODEL_PATH, loadModel, promoteModel, saveModel } from '../src/io/model-file.js';
import { argmaxRows } from '../src/core/models/classifier.js';
import { KnnClassifier } from '../src/core/models/knn.js';
import type { DigitModel } from '../src/core/models/model.js';
import { commandLine, scoreModel, trainingData, type TrainingData } from '../src/train/common.js';
import { binShared, DEFAULT_FOREST, growForest } from '../src/train/forest.js';
import { trainMlp } from '../src/train/mlp.js';
import { fitPcaParallel, projectParallel } from '../src/train/parallel.js';
import { MODELS, type ModelRow } from '../src/train/table.js';
import { RandomForestClassifier } from 'ml-random-forest';
import { permutation } from '../src/core/util/random.js';
import { renderReport } from './report.js';
import { benchPngDecode } from './png.js';
import { benchBrowser } from './browser.js';
import { benchNonDigits, type NonDigitFigures } from './non-digits.js';
import { benchNumbers, NUMBERS_PER_LENGTH } from './numbers.js';
import { benchFeedback } from './feedback.js';
import { benchRobustness, ROBUSTNESS_DIGITS, type RobustnessRow } from './robustness.js';
import { TRACKS } from '../src/samples/corruptions.js';
import { benchServer } from './server.js';
import { benchTrainingSpeed } from './training-speed.js';
import { chooseBest, readResults, upsert, writeResults, type Results } from './results.js';
import { fitPca } from '../src/core/features/pca-fit.js';

/**
 * What `npm run bench` runs unless told otherwise: the models compared (the fast ones trained, the served MLP
 * measured), the ml.js comparisons and the quick tasks, in under ten minutes on two cores from a fresh clone.
 */
const QUICK = ['pca-fit', 'knn-predict', 'knn', 'forest-train', 'forest', 'mlp', 'committee', 'samples', 'non-digits', 'numbers', 'png-decode'];

const usage = `npm run bench -- [--full | --only NAME[,NAME]] [--tracks NAME[,NAME]] [--retrain] [--knn-queries N] [--compare PATH]

  Trains or loads every model, evaluates each on the same MNIST test set, runs the side-by-side
  comparisons with the ml.js reference packages, and writes benchmarks/results.json and
  benchmarks/report.md (+ charts). A run without --only then serves the best model by validation accuracy
  (npm run promote's way: it says what it replaced), if the served model was among those measured; with
  --only it names the best and serves nothing.

  By default the quick tasks (under ten minutes): ${QUICK.join(', ')}. A row without its models/NAME.json
  measures the served model when it is of that kind; otherwise the MLP (60 epochs: about 40 minutes) keeps
  its last figures unless --retrain, and a committee is skipped.
  --full        every task: also mlp-speed, mlp-input, robustness (about 22 minutes), feedback,
                browser (about 7), server, hostile (about an hour in all)
  --only        run only these tasks (results of the others are kept from the last run)
  --tracks      the robustness task runs only these corruption tracks (the other rows are kept from the last run)
  --retrain     train models even when models/NAME.json exists (default: load it)
  --knn-queries how many test queries ml-knn answers in knn-predict (default 200)
  --compare     another model JSON (the one served before, or a candidate) measured beside the served model
                in the robustness and non-digits tasks`;

interface Context {
  data: TrainingData;
  results: Results;
  retrain: boolean;
  knnQueries: number;
  /** Another model to measure beside the served one in the robustness and non-digit tasks. */
  compare: string | undefined;
  /** The robustness tracks to run, or all. */
  tracks: string[] | undefined;
}

type Task = (ctx: Context) => Promise<void> | void;

/** The speed comparisons that run just before each model's own task. */
const COMPARISONS: Record<string, Record<string, Task>> = {
  knn: { 'pca-fit': pcaFit, 'knn-predict': knnPredict },
  forest: { 'forest-train': forestTrain },
  mlp: { 'mlp-speed': mlpSpeed, 'mlp-input': mlpInput },
};

/** Every model in the table is a task of its own name, after its speed comparisons; but those with no bench row (`noBenchRow` says why). */
const MODEL_ENTRIES = MODELS.filter((row) => !row.noBenchRow).flatMap((row): [string, Task][] => [
  ...Object.entries(COMPARISONS[row.name] ?? {}),
  [row.name, (ctx) => modelTask(ctx, row)],
]);
const MODEL_TASKS = new Set(MODEL_ENTRIES.map(([name]) => name));

const TASKS: Record<string, Task> = {
  ...Object.fromEntries(MODEL_ENTRIES),
  samples: samplesTask,
  robustness: robustnessTask,
  'non-digits': nonDigitsTask,
  numbers: numbersTask,
  feedback: feedbackTask,
  'png-decode': (ctx) => {
    for (const c of benchPngDecode()) {
      upsert(ctx.results.comparisons, c);
      console.error(`${c.task}: ${c.speedup.toFixed(1)}× pngjs, ${(100 * c.agreement).toFixed(0)}% identical (${c.workload})`);
    }
  },
  browser: async (ctx) => {
    const b = await benchBrowser(BEST_MODEL_PATH, ctx.data);
    ctx.results.browser = b;
    console.error(
      `browser: median ${b.page.medianMs.toFixed(2)} ms per prediction in the page (${b.page.predictions} predictions), server round trip ${b.server.medianMs.toFixed(1)} ms; compact model ${(b.bytes.br / 1e3).toFixed(0)} kB brotli; MNIST test ${(100 * b.accuracy.mnistTest.full).toFixed(2)}% → ${(100 * b.accuracy.mnistTest.compact).toFixed(2)}%`,
    );
    console.error(
      `numbers in the page: median ${b.numbers.medianMs.toFixed(1)} ms (p95 ${b.numbers.p95Ms.toFixed(1)}) per reading of a 4-digit number, ${(100 * b.numbers.fullyRight).toFixed(0)}% of ${b.numbers.drawings} read fully right`,
    );
  },
  hostile: async (ctx) => {
    const h = await benchHostile();
    ctx.results.hostile = h;
    console.error(
      `hostile: p99 of ordinary predictions ${h.quietP99Ms.toFixed(0)} ms quiet, ${h.idle.p99Ms.toFixed(0)} ms under ${h.idle.attempted} idle connections (${h.idle.held} held), ${h.strip.p99Ms.toFixed(0)} ms beside two strip senders; peak RSS ${h.uploads.peakRssMb.toFixed(0)} MB under ${h.uploads.clients} maximum uploads (${JSON.stringify(h.uploads.answered)}); /healthz after each ${[h.idle, h.strip, h.uploads].map((a) => a.healthzMs.toFixed(0)).join(' / ')} ms`,
    );
  },
  server: async (ctx) => {
    const r = await benchServer();
    ctx.results.server = r;
    console.error(
      `server: p50 ${r.concurrency1.p50Ms} ms at concurrency 1; ${r.loaded.requestsPerSecond.toFixed(0)} req/s with 8 connections; pipeline ${r.pipelinePerSecond.toFixed(0)}/s on one thread; HTTP per core ÷ pipeline ${(100 * r.httpVsPipelinePerCore).toFixed(0)}%`,
    );
  },
};

runCli(
  usage,
  {
    only: { type: 'string' },
    full: { type: 'boolean' },
    tracks: { type: 'string' },
    retrain: { type: 'boolean' },
    'knn-queries': { type: 'string' },
    compare: { type: 'string' },
  },
  async ({ values }) => {
    if (values.full && values.only) throw new RangeError('--full runs every task, --only some of them: give one');
    const only = values.only ? values.only.split(',') : values.full ? Object.keys(TASKS) : QUICK;
    const unknown = only.filter((t) => !TASKS[t]);
    if (unknown.length) throw new RangeError(`unknown task ${unknown.join(', ')}; tasks are ${Object.keys(TASKS).join(', ')}`);
    const ctx: Context = {
      data: trainingData(),
      results: readResults(),
      retrain: !!values.retrain,
      knnQueries: intOption(values['knn-queries'], 'knn-queries', 200),
      compare: values.compare,
      tracks: values.tracks?.split(','),
    };
    const unknownTracks = ctx.tracks?.filter((t) => !TRACKS.some((k) => k.name === t)) ?? [];
    if (unknownTracks.length) throw new RangeError(`unknown track ${unknownTracks.join(', ')}; tracks are ${TRACKS.map((t) => t.name).join(', ')}`);
    // Only a run that compared the models serves one, right after them, so the tasks that measure the served
    // model measure it; a partial run (--only) leaves the served model alone and names the best.
    let promoted = !!values.only;
    const promoteBest = () => {
      promoted = true;
      const served = existsSync(BEST_MODEL_PATH) ? sha256(readFileSync(BEST_MODEL_PATH)) : null;
      const best = chooseBest(ctx.results, served);
      if (!best) {
        console.error(
          `\n${BEST_MODEL_PATH} stays: ${served ? 'no file measured has its SHA-256, so nothing here compares with it (the task of its kind measures it)' : 'no model was measured'}`,
        );
        return;
      }
      const { replaced, now, same } = promoteModel(best.file);
      ctx.results.best = { name: best.name, validationAccuracy: best.validationAccuracy, testAccuracy: best.testAccuracy };
      console.error(same ? `\n${BEST_MODEL_PATH} stays ${now}` : `\n${BEST_MODEL_PATH} was ${replaced ?? 'absent'}; now ${now} (${best.name})`);
    };
    for (const name of only) {
      if (!promoted && !MODEL_TASKS.has(name)) promoteBest();
      console.error(`\n== ${name}`);
      const start = performance.now();
      await TASKS[name]!(ctx);
      console.error(`== ${name} done in ${((performance.now() - start) / 1000).toFixed(1)} s`);
      writeResults(ctx.results);
    }
    if (!promoted) promoteBest();
    const best = chooseBest(ctx.results, null);
    if (values.only && best) console.log(`\nbest model measured: ${best.name} (${best.file}); npm run promote -- ${best.file} serves it`);
    writeResults(ctx.results);
    renderReport(ctx.results);
    console.log('wrote benchmarks/results.json and benchmarks/report.md');
  },
);

function seconds(start: number): number {
  return (performance.now() - start) / 1000;
}

/** Our PCA on full MNIST (fit and projection timed), and beside ml-pca on a subsample it can handle. */
async function pcaFit(ctx: Context): Promise<void> {
  const { data } = ctx;
  const x = deskew(data.trainX, data.mnist.train.n);
  // Timed from a cold start: the thread pool starts inside the measurement.
  let start = performance.now();
  const pca = await fitPcaParallel(asRows(x, data.mnist.train.n, PIXELS), { components: 50 });
  const fitSeconds = seconds(start);
  const all = new Float32Array(70_000 * PIXELS);
  all.set(x);
  all.set(deskew(data.testX, data.mnist.test.n), x.length);
  start = performance.now();
  await projectParallel(pca, all, 70_000);
  const projectSeconds = seconds(start);
  const curve = (await fitPcaParallel(asRows(x, data.mnist.train.n, PIXELS), { components: 100 })).explainedVariance;
  ctx.results.pca = { fitSeconds, projectSeconds, components: 50, images: 60_000, explainedVariance: curve };
  console.error(`ours: fit ${fitSeconds.toFixed(2)} s on 60,000 images, projection of 70,000 in ${projectSeconds.toFixed(2)} s (both cores)`);

  // Side by side on the same 2,000 images: ml-pca's fit takes ~10 minutes on all 60,000.
  const n = 2000;
  const sub = x.subarray(0, n * PIXELS);
  start = performance.now();
  const ours = fitPca(asRows(sub, n, PIXELS), { components: 50 });
  const oursSeconds = seconds(start);
  const rows = Array.from({ length: n }, (_, i) => Array.from(sub.subarray(i * PIXELS, (i + 1) * PIXELS)));
  const bar = progress('ml-pca (reference)', 1);
  start = performance.now();
  const reference = new PCA(rows, { center: true, scale: false });
  const referenceSeconds = seconds(start);
  bar.update(1);
  bar.stop();
  const refVectors = reference.getEigenvectors();
  let minCos = 1;
  for (let c = 0; c < 50; c++) {
    let dot = 0;
    for (let i = 0; i < PIXELS; i++) dot += ours.vectors[c * PIXELS + i]! * refVectors.get(i, c);
    minCos = Math.min(minCos, Math.abs(dot));
  }
  upsert(ctx.results.comparisons, {
    task: 'pca-fit',
    reference: 'ml-pca',
    workload: `fit 50 components on the same ${n} deskewed training images`,
    oursSeconds,
    referenceSeconds,
    speedup: referenceSeconds / oursSeconds,
    agreement: minCos,
    agreementMeasure: 'min |cosine| between matching components 1–50',
  });
}

/** ml-knn (KD-tree) against our brute-force kNN on the same PCA-50 features and queries. */
async function knnPredict(ctx: Context): Promise<void> {
  const { data } = ctx;
  const x = deskew(data.trainX, data.mnist.train.n);
  const pca = await fitPcaParallel(asRows(x, data.mnist.train.n, PIXELS), { components: 50 });
  const train = await projectParallel(pca, x, data.mnist.train.n);
  const q = ctx.knnQueries;
  const queries = pca.project(deskew(data.testX.subarray(0, q * PIXELS), q), q);
  const labels = labelsOf(data.mnist.train);
  // Same rule on both sides: 4 nearest, plain majority vote.
  const ours = KnnClassifier.fit(asRows(train, labels.length, 50), labels, { k: 4, weighted: false });
  let start = performance.now();
  const oursPred = argmaxRows(ours.predictProba(queries, q), q);
  const oursSeconds = seconds(start);
  const toRows = (a: Float32Array, n: number) => Array.from({ length: n }, (_, i) => Array.from(a.subarray(i * 50, (i + 1) * 50)));
  const reference = new KNN(toRows(train, data.mnist.train.n), Array.from(labels), { k: 4 });
  const bar = progress('ml-knn (reference)', q);
  const refPred: number[] = [];
  start = performance.now();
  const rows = toRows(queries, q);
  rows.forEach((row, i) => {
    refPred.push(reference.predict(row));
    if (i % 10 === 0) bar.update(i);
  });
  const referenceSeconds = seconds(start);
  bar.stop();
  const agree = refPred.filter((p, i) => p === oursPred[i]).length / q;
  upsert(ctx.results.comparisons, {
    task: 'knn-predict',
    reference: 'ml-knn',
    workload: `${q} test queries against 60,000 training points, PCA-50 features, k=4 majority vote`,
    oursSeconds,
    referenceSeconds,
    speedup: referenceSeconds / oursSeconds,
    agreement: agree,
    agreementMeasure: 'fraction of identical predictions',
    notes: `ours ${((1000 * oursSeconds) / q).toFixed(2)} ms/query, ml-knn ${((1000 * referenceSeconds) / q).toFixed(1)} ms/query, single-threaded`,
  });
  console.error(
    `ours ${((1000 * oursSeconds) / q).toFixed(2)} ms/query, ml-knn ${((1000 * referenceSeconds) / q).toFixed(1)} ms/query, agreement ${(100 * agree).toFixed(1)}%`,
  );
}

/** Loads models/NAME.json (or trains it with its defaults), evaluates it on the test set and records the entry. */
async function modelTask(ctx: Context, row: ModelRow): Promise<void> {
  const { name } = row;
  const own = `models/${name}.json`;
  // A fresh clone has models/best.json only: when it is this row's kind it is measured rather than made again.
  const best = !existsSync(own) && !ctx.retrain && existsSync(BEST_MODEL_PATH) ? loadModel(BEST_MODEL_PATH) : null;
  const served = best?.metadata.kind === row.type.kind ? best : null;
  const file = served ? BEST_MODEL_PATH : own;
  let model: DigitModel;
  let scored: { test: Evaluation; predictMsPerImage: number };
  if (row.fromFiles && !existsSync(file)) {
    console.error(`no ${file}: a ${name} is made from other model files (npm run train -- --model ${name} --help); skipped`);
    return;
  }
  // A model long to train (the MLP) with another kind served and no file of its own keeps its last figures.
  if (row.longTraining && !existsSync(file) && !ctx.retrain) {
    console.error(`no ${file} and the served model is not one: ${name} keeps its last figures (--retrain trains it, ${row.longTraining})`);
    return;
  }
  if (existsSync(file) && !(ctx.retrain && !row.fromFiles)) {
    console.error(`loading ${file} (--retrain to train it again); it was made by:`);
    model = served ?? loadModel(file);
    console.error(`  ${model.metadata.command}`);
    const { evaluation, msPerImage } = timedEvaluation(model, ctx.data.testX, labelsOf(ctx.data.mnist.test));
    scored = { test: evaluation, predictMsPerImage: msPerImage };
  } else {
    model = (await row.train(ctx.data, row.defaults, { out: file, onProgress: progressBars() })).model;
    scored = scoreModel(model, ctx.data);
    saveModel(model, file);
  }
  const { test, predictMsPerImage } = scored;
  const validationAccuracy = model.metadata.metrics.validation?.accuracy ?? NaN;
  if (name === 'knn' && Array.isArray(model.metadata.notes?.validationGrid)) {
    ctx.results.knnSearch = model.metadata.notes.validationGrid as NonNullable<Results['knnSearch']>;
  }
  if (name === 'committee' && Array.isArray(model.metadata.notes?.selection)) {
    ctx.results.committeeSelection = model.metadata.notes.selection as NonNullable<Results['committeeSelection']>;
  }
  mkdirSync('benchmarks', { recursive: true });
  writeFileSync(`benchmarks/misclassified-${name}.png`, mistakesPng(ctx.data.mnist.test, test));
  upsert(ctx.results.models, {
    name,
    kind: model.metadata.kind,
    description: model.metadata.description,
    file,
    testAccuracy: test.accuracy,
    testCi95: test.ci95,
    validationAccuracy,
    trainSeconds: model.metadata.trainSeconds,
    predictMsPerImage,
    modelBytes: statSync(file).size,
    sha256: sha256(readFileSync(file)),
    refuses: model.confidence !== null,
    confusion: test.confusion,
    perClass: test.perClass.map(({ digit, precision, recall, f1 }) => ({ digit, precision, recall, f1 })),
  });
  console.error(
    `${name}: test ${(100 * test.accuracy).toFixed(2)}%, validation ${(100 * validationAccuracy).toFixed(2)}%, ${predictMsPerImage.toFixed(3)} ms/image`,
  );
}

/**
 * ml-random-forest against ours on the same shuffled subsample. ml-cart's split search is quadratic in the
 * samples: measured here, 10 trees with its defaults (all 784 features per tree) take 262 s on just 500
 * images, so the reference gets 10% of the features per tree and the 1,000 images it trains in ~1.5 minutes.
 */
async function forestTrain(ctx: Context): Promise<void> {
  const { data } = ctx;
  const n = 1000;
  const trees = 10;
  const order = permutation(data.mnist.train.n, 7).subarray(0, n);
  const x = new Float32Array(n * PIXELS);
  const labels = new Uint8Array(n);
  order.forEach((r, i) => {
    x.set(data.trainX.subarray(r * PIXELS, (r + 1) * PIXELS), i * PIXELS);
    labels[i] = data.mnist.train.labels![r]!;
  });
  const testLabels = labelsOf(data.mnist.test);
  let start = performance.now();
  const ours = await growForest(
    binShared(x, n, PIXELS, DEFAULT_FOREST.bins, labels),
    { ...DEFAULT_FOREST, trees },
    { onProgress: progressBars() },
    'our forest (subsample)',
  );
  const oursSeconds = seconds(start);
  const oursPred = argmaxRows(ours.predictProba(data.testX, data.mnist.test.n), data.mnist.test.n);
  const oursAccuracy = oursPred.filter((p, i) => p === testLabels[i]).length / testLabels.length;

  const rows = Array.from({ length: n }, (_, i) => Array.from(x.subarray(i * PIXELS, (i + 1) * PIXELS)));
  // noOOB: with default options ml-random-forest's out-of-bag vote throws "input must not be empty" here.
  const reference = new RandomForestClassifier({ nEstimators: trees, seed: 7, noOOB: true, maxFeatures: 0.1 });
  const bar = progress('ml-random-forest', 1);
  start = performance.now();
  reference.train(rows, Array.from(labels));
  const referenceSeconds = seconds(start);
  bar.update(1);
  bar.stop();
  const testRows = Array.from({ length: data.mnist.test.n }, (_, i) => Array.from(data.testX.subarray(i * PIXELS, (i + 1) * PIXELS)));
  const refPred = reference.predict(testRows);
  const referenceAccuracy = refPred.filter((p, i) => p === testLabels[i]).length / testLabels.length;
  const agreement = refPred.filter((p, i) => p === oursPred[i]).length / refPred.length;
  upsert(ctx.results.comparisons, {
    task: 'forest-train',
    reference: 'ml-random-forest',
    workload: `${trees} trees on the same ${n} shuffled training images (raw pixels); ml-random-forest with maxFeatures 0.1 (its default, all features per tree, trains only ~300 images in 2 minutes); accuracy on the 10,000 test images`,
    oursSeconds,
    referenceSeconds,
    speedup: referenceSeconds / oursSeconds,
    agreement,
    agreementMeasure: 'fraction of identical test predictions',
    notes: `test accuracy: ours ${(100 * oursAccuracy).toFixed(2)}%, ml-random-forest ${(100 * referenceAccuracy).toFixed(2)}%`,
  });
  ctx.results.forestSubsample = { n, trees, oursAccuracy, referenceAccuracy, oursSeconds, referenceSeconds };
  console.error(
    `forest on ${n}: ours ${oursSeconds.toFixed(2)} s (${(100 * oursAccuracy).toFixed(2)}%), ml-random-forest ${referenceSeconds.toFixed(1)} s (${(100 * referenceAccuracy).toFixed(2)}%)`,
  );
}

/** The reference network 784-256-10, batch 128, on 10,000 images: training throughput on both cores. */
async function mlpSpeed(ctx: Context): Promise<void> {
  ctx.results.mlpSpeed = await benchTrainingSpeed(ctx.data);
}

/**
 * Raw pixels against PCA features as MLP input, with identical short training (no augmentation, which
 * only raw pixels allow): the figure behind choosing raw pixels for the production MLP.
 */
async function mlpInput(ctx: Context): Promise<void> {
  const { data } = ctx;
  const pca = await fitPcaParallel(asRows(deskew(data.fitX, data.fit.n), data.fit.n, PIXELS), { components: 50 });
  const common = { hidden: [256], epochs: 8, augment: null, patience: 100, seed: 3 };
  const rows: NonNullable<Results['mlpInput']> = [];
  for (const [input, transform] of [
    ['raw pixels (784, sparse)', undefined],
    ['deskew → PCA-50 (dense)', new InputTransform(true, pca)],
  ] as const) {
    const r = await trainMlp(data, { ...common, ...(transform && { transform }) });
    rows.push({ input, validationAccuracy: r.model.metadata.metrics.validation!.accuracy, epochs: common.epochs });
    console.error(`${input}: validation ${(100 * rows[rows.length - 1]!.validationAccuracy).toFixed(2)}%`);
  }
  ctx.results.mlpInput = rows;
}

/** The best model on the user-style sample set, beside the tutorial pipeline. */
async function samplesTask(ctx: Context): Promise<void> {
  if (!existsSync(BEST_MODEL_PATH)) throw new RangeError(`no ${BEST_MODEL_PATH} yet: run a model task first`);
  const s = await scoreSamples(loadModel(BEST_MODEL_PATH), 'data/samples');
  const table = (t: Record<string, [number, number, number]>) =>
    Object.fromEntries(Object.entries(t).map(([k, [c, tc, n]]) => [k, { accuracy: c / n, tutorialAccuracy: tc / n, n }]));
  ctx.results.samples = {
    model: ctx.results.best?.name ?? 'best',
    total: s.total,
    accuracy: s.correct / s.total,
    tutorialAccuracy: s.tutorialCorrect / s.total,
    byStyle: table(s.byStyle),
    byGroup: table(s.byGroup),
    mistakes: s.mistakes,
  };
  console.error(`samples: ours ${((100 * s.correct) / s.total).toFixed(1)}%, tutorial pipeline ${((100 * s.tutorialCorrect) / s.total).toFixed(1)}%`);
}

/** The served model on every corruption track and on typed digits, beside the tutorial pipeline (and --compare). */
async function robustnessTask(ctx: Context): Promise<void> {
  const log = (r: RobustnessRow) =>
    console.error(
      `${r.track.padEnd(22)} ${r.strength.padEnd(40)} ${(100 * r.accuracy).toFixed(1).padStart(5)}%  no digit ${(100 * r.noDigitRate).toFixed(2)}%  declined ${(100 * r.declinedRate).toFixed(2)}%  tutorial ${(100 * r.tutorialAccuracy).toFixed(1)}%`,
    );
  const gallery = ctx.tracks ? 'benchmarks/robustness-failures-tracks.png' : 'benchmarks/robustness-failures.png';
  const fresh = await benchRobustness(loadModel(BEST_MODEL_PATH), BEST_MODEL_PATH, gallery, log, ctx.tracks);
  // With --tracks, the rows of the tracks not run are the last run's (the compared model's too, if it was the
  // same file), in the tracks' order.
  const last = ctx.results.robustness;
  const order = (r: RobustnessRow) => (r.track.startsWith('typed-') ? TRACKS.length : TRACKS.findIndex((t) => t.name === r.track));
  const withKept = (lastRows: RobustnessRow[] | undefined, rows: RobustnessRow[]) =>
    [...(ctx.tracks ? (lastRows ?? []).filter((r) => !ctx.tracks!.includes(r.track)) : []), ...rows].sort((a, b) => order(a) - order(b));
  let compare: { model: string; rows: RobustnessRow[] } | undefined;
  if (ctx.compare) {
    console.error(`\ncompared with ${ctx.compare}`);
    const compared = ctx.tracks ? 'benchmarks/robustness-failures-compared-tracks.png' : 'benchmarks/robustness-failures-compared.png';
    const rows = await benchRobustness(loadModel(ctx.compare), ctx.compare, compared, log, ctx.tracks);
    compare = { model: ctx.compare, rows: withKept(last?.compare?.model === ctx.compare ? last.compare.rows : undefined, rows) };
  }
  const rows = withKept(last?.rows, fresh);
  ctx.results.robustness = {
    model: ctx.results.best?.name ?? 'best',
    digits: `MNIST test images ${ROBUSTNESS_DIGITS[0]}–${ROBUSTNESS_DIGITS[ROBUSTNESS_DIGITS.length - 1]}`,
    rows,
    ...(compare && { compare }),
  };
}

/** Refusing what is not a digit, and calibration: the served model, beside --compare fitted the same way. */
async function nonDigitsTask(ctx: Context): Promise<void> {
  const show = (f: NonDigitFigures) =>
    console.error(
      `${f.model}: AUROC ${f.auroc.toFixed(4)}; refused: non-digits ${(100 * f.nonDigitsRefused).toFixed(1)}% (whole pipeline ${f.nonDigitsNotAnswered === undefined ? '–' : (100 * f.nonDigitsNotAnswered).toFixed(1)}%), MNIST test ${(100 * f.mnistRefused).toFixed(2)}%, samples ${(100 * f.samplesRefused).toFixed(1)}%; ECE ${(100 * f.eceBefore).toFixed(2)}% → ${(100 * f.eceAfter).toFixed(2)}% (T ${f.temperature})`,
    );
  const current = await benchNonDigits(loadModel(BEST_MODEL_PATH), BEST_MODEL_PATH, ctx.data, commandLine(), 'benchmarks/non-digits-answered.png');
  show(current);
  const compare = ctx.compare ? await benchNonDigits(loadModel(ctx.compare), ctx.compare, ctx.data, commandLine()) : undefined;
  if (compare) show(compare);
  ctx.results.nonDigits = { current, ...(compare && { compare }) };
}

/** Learning from corrections: a simulated user's 50 corrections, the served model fine-tuned on them, before and after. */
async function feedbackTask(ctx: Context): Promise<void> {
  const f = await benchFeedback(loadModel(BEST_MODEL_PATH), BEST_MODEL_PATH, ctx.data);
  const pct = (v: number | null) => (v === null ? '–' : `${(100 * v).toFixed(1)}%`);
  console.error(
    `feedback: ${f.corrections} corrections from ${f.drawingsToGetThem} drawings; the user's 1/4/7 ${pct(f.styleBefore)} → ${pct(f.styleAfter)}, their other digits ${pct(f.othersBefore)} → ${pct(f.othersAfter)}, MNIST test ${pct(f.mnistBefore)} → ${pct(f.mnistAfter)}; held-out corrections ${pct(f.heldOutBefore)} → ${pct(f.heldOutAfter)}; non-digits refused ${pct(f.nonDigitsBefore)} → ${pct(f.nonDigitsAfter)}; fine-tune ${f.seconds.toFixed(0)} s`,
  );
  ctx.results.feedback = f;
}

/** Numbers read whole by the served model: the report half (the tuning half chose the segmentation's weights). */
async function numbersTask(ctx: Context): Promise<void> {
  const figures = benchNumbers(loadModel(BEST_MODEL_PATH), ctx.results.best?.name ?? 'best', 'report', NUMBERS_PER_LENGTH, 'benchmarks/numbers-failures.png');
  for (const r of figures.rows) {
    console.error(
      `${r.length} digits: ${(100 * r.fullyRight).toFixed(1)}% fully right (MNIST ${(100 * r.mnistRight).toFixed(1)}%, strokes ${(100 * r.strokesRight).toFixed(1)}%), per digit ${(100 * r.perDigit).toFixed(1)}%, touching ${(100 * r.touchingRight).toFixed(1)}% of ${r.touchingN}, ${r.msPerNumber.toFixed(1)} ms`,
    );
  }
  ctx.results.numbers = figures;
}
