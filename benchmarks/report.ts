import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { SelectionStep as CommitteeStep } from '../src/train/committee.js';
import type { EpochRecord } from '../src/train/mlp-options.js';
import type { Results } from './results.js';
import { barChart, confusionHeatmap, lineChart } from './svg.js';
import type { RobustnessRow } from './robustness.js';

const pct = (v: number, d = 2) => `${(100 * v).toFixed(d)}%`;

/** `dir`/report.md with SVG charts in `dir`/charts, rendered from the results (results.json). */
export function renderReport(r: Results, dir = 'benchmarks'): void {
  mkdirSync(`${dir}/charts`, { recursive: true });
  const chart = (name: string, svg: string) => {
    writeFileSync(`${dir}/charts/${name}.svg`, svg);
    return `![${name}](charts/${name}.svg)`;
  };
  const models = [...r.models].sort((a, b) => b.testAccuracy - a.testAccuracy);
  const out: string[] = [
    '# Benchmark report',
    '',
    `Generated ${r.generated} by \`npm run bench\` on ${r.machine.cpus} × ${r.machine.cpuModel}, Node ${r.machine.node}. ` +
      'Every model is evaluated on the same 10,000-image MNIST test set; settings were chosen on a fixed 5,000-image validation split of the training set. Timings are wall-clock on a shared machine: compare ratios measured in the same run rather than absolute seconds.',
    '',
    '## Models',
    '',
    '| model | test accuracy (95% CI) | validation | train s | ms / image | size |',
    '|---|---|---|---|---|---|',
    ...models.map(
      (m) =>
        `| **${m.name}**: ${m.description} | ${pct(m.testAccuracy)} (${pct(m.testCi95[0])}–${pct(m.testCi95[1])}) | ${pct(m.validationAccuracy)} | ${m.trainSeconds.toFixed(1)} | ${m.predictMsPerImage.toFixed(3)} | ${(m.modelBytes / 1e6).toFixed(1)} MB |`,
    ),
    '',
  ];
  if (models.length) {
    out.push(
      chart(
        'accuracy',
        barChart(
          'Test accuracy',
          models.map((m) => ({ label: m.name, value: m.testAccuracy })),
          (v) => pct(v),
        ),
      ),
      chart(
        'train-seconds',
        barChart(
          'Training time, seconds',
          models.map((m) => ({ label: m.name, value: m.trainSeconds })),
          (v) => `${v.toFixed(1)} s`,
          { log: true },
        ),
      ),
      chart(
        'predict-ms',
        barChart(
          'Prediction time, ms per image',
          models.map((m) => ({ label: m.name, value: m.predictMsPerImage })),
          (v) => `${v.toFixed(3)} ms`,
          { log: true },
        ),
      ),
      chart(
        'model-size',
        barChart(
          'Model JSON size, MB',
          models.map((m) => ({ label: m.name, value: m.modelBytes / 1e6 })),
          (v) => `${v.toFixed(1)} MB`,
        ),
      ),
      '',
    );
  }
  const best = r.best && r.models.find((m) => m.name === r.best!.name);
  if (best) {
    out.push(
      `## Best model: ${best.name}`,
      '',
      `Chosen by validation accuracy (${pct(best.validationAccuracy)}) and served as \`models/best.json\`. Test accuracy ${pct(best.testAccuracy)}.`,
      '',
      chart('confusion-best', confusionHeatmap(`Confusion matrix, ${best.name} (rows: true digit)`, best.confusion)),
      '',
      '| digit | precision | recall | F1 |',
      '|---|---|---|---|',
      ...best.perClass.map((c) => `| ${c.digit} | ${pct(c.precision)} | ${pct(c.recall)} | ${pct(c.f1)} |`),
      '',
      `Misclassified test digits, most confident mistakes first (true>predicted confidence): [misclassified-${best.name}.png](misclassified-${best.name}.png)`,
      '',
      `![misclassified](misclassified-${best.name}.png)`,
      '',
    );
  }
  if (r.comparisons.length) {
    out.push(
      '## Side by side with the ml.js packages',
      '',
      'Each row ran both implementations in the same process on the same data.',
      '',
      '| task | reference | workload | ours | reference | speed-up | agreement |',
      '|---|---|---|---|---|---|---|',
      ...r.comparisons.map(
        (c) =>
          `| ${c.task} | ${c.reference} | ${c.workload} | ${c.oursSeconds.toFixed(3)} s | ${c.referenceSeconds.toFixed(2)} s | **${c.speedup.toFixed(1)}×** | ${c.agreementMeasure.startsWith('fraction') ? pct(c.agreement, 1) : c.agreement.toFixed(5)} (${c.agreementMeasure.replace(/\|/g, '\\|')}) |`,
      ),
      '',
      ...r.comparisons.filter((c) => c.notes).map((c) => `- ${c.task}: ${c.notes}`),
      '',
    );
  }
  if (r.pca) {
    let cumulative = 0;
    const points: [number, number][] = r.pca.explainedVariance.map((v, i) => [i + 1, (cumulative += v)]);
    out.push(
      '## PCA',
      '',
      `Fit of ${r.pca.components} components on ${r.pca.images.toLocaleString('en')} deskewed images: **${r.pca.fitSeconds.toFixed(2)} s** (sparse covariance on both cores + block subspace iteration, from a cold start). Projection of 70,000 images: **${r.pca.projectSeconds.toFixed(2)} s** (both cores; one image at a time in the server).`,
      '',
      chart('pca-variance', lineChart('Cumulative explained variance', 'components', 'fraction of variance', [{ name: 'deskewed MNIST', points }])),
      '',
    );
  }
  if (r.knnSearch?.length) {
    const byK = new Map<number, [number, number][]>();
    for (const row of r.knnSearch) {
      if (!byK.has(row.k)) byK.set(row.k, []);
      byK.get(row.k)!.push([row.components, row.validationAccuracy]);
    }
    const bestRow = r.knnSearch.reduce((a, b) => (b.validationAccuracy > a.validationAccuracy ? b : a));
    out.push(
      '## kNN: components and k, chosen on validation',
      '',
      `Best: PCA-${bestRow.components}, k=${bestRow.k}, distance-weighted, ${pct(bestRow.validationAccuracy)} on validation.`,
      '',
      chart(
        'knn-validation',
        lineChart(
          'kNN validation accuracy',
          'PCA components',
          'accuracy',
          [...byK].filter(([k]) => [1, 3, 4, 6].includes(k)).map(([k, points]) => ({ name: `k=${k}`, points })),
        ),
      ),
      '',
    );
  }
  if (r.deskew) out.push(`Deskewing: ${r.deskew.note}`, '');
  // The curve is in the MLP's own file, or in models/best.json when the MLP is the best model.
  const mlpFile = [r.models.find((m) => m.name === 'mlp')?.file, r.best?.name === 'mlp' ? 'models/best.json' : undefined].find((f) => f && existsSync(f));
  if (mlpFile) {
    const curve = (JSON.parse(readFileSync(mlpFile, 'utf8')) as { notes?: { curve?: EpochRecord[] } }).notes?.curve ?? [];
    const points = curve.filter((c) => c.validationAccuracy !== null).map((c): [number, number] => [c.seconds / 60, c.validationAccuracy!]);
    if (points.length > 1) {
      out.push(
        '## MLP training curve',
        '',
        chart('mlp-curve', lineChart('MLP validation accuracy against training time', 'minutes', 'validation accuracy', [{ name: 'validation', points }])),
        '',
      );
    }
  }
  // A committee chosen by forward selection keeps each step: its error against the number of members.
  const steps = r.committeeSelection;
  if (steps && steps.length > 1) {
    const series = (name: string, f: (s: CommitteeStep) => number) => ({ name, points: steps.map((s, i): [number, number] => [i + 1, 100 * (1 - f(s))]) });
    out.push(
      '## Committee: error against the number of members',
      '',
      `Members added by greedy forward selection on the validation split (\`--select\`); the test error of each step is measured for this chart only. ${steps.map((s, i) => `${i + 1}: ${s.members[i]}`).join(', ')}.`,
      '',
      chart(
        'committee-size',
        lineChart('Committee error (%) against members', 'members', 'error %', [
          series('validation', (s) => s.validationAccuracy),
          series('test', (s) => s.testAccuracy),
        ]),
      ),
      '',
    );
  } else if (existsSync(`${dir}/charts/committee-size.svg`)) {
    // Steps were read from the committee's model file until 2026-12-04, and that file is not committed.
    out.push(
      '## Committee: error against the number of members',
      '',
      "Members added by greedy forward selection on the validation split (`--select`). The chart is the last run's that had the committee's model file at hand; its steps were not yet kept in results.json, and are from the next committee run on.",
      '',
      '![committee-size](charts/committee-size.svg)',
      '',
    );
  }
  if (r.mlpSpeed && 'rows' in r.mlpSpeed) {
    const s = r.mlpSpeed;
    out.push(
      '## MLP training speed, beside scikit-learn and TensorFlow.js',
      '',
      `${s.images.toLocaleString('en')} MNIST images × ${s.epochs} epochs, batch ${s.batch}, Adam, float32, both cores; ours after its first epoch (thread start and JIT). scikit-learn's MLPClassifier ran right after ours on the same images: ${s.sklearn}. TensorFlow.js ran after it, on the same images, net, batch and optimiser, counted after its first epoch as ours: ${s.tfjs ?? 'not measured in this run'}.`,
      '',
      '| network | ours, samples/s | scikit-learn, samples/s | ours ÷ scikit-learn | TensorFlow.js, samples/s | ours ÷ TensorFlow.js | kernels, GFLOP/s per core |',
      '|---|---|---|---|---|---|---|',
      ...s.rows.map(
        (row) =>
          `| ${row.network} | ${row.samplesPerSecond.toLocaleString('en')} | ${row.sklearnSamplesPerSecond?.toLocaleString('en') ?? '–'} | ${row.ratio ? `${row.ratio.toFixed(2)}×` : '–'} | ${row.tfjsSamplesPerSecond?.toLocaleString('en') ?? '–'} | ${row.tfjsSamplesPerSecond ? `${(row.samplesPerSecond / row.tfjsSamplesPerSecond).toFixed(1)}×` : '–'} | ${row.gflopsPerCore.toFixed(1)} |`,
      ),
      '',
      `GFLOP/s count the multiply-adds done: the first layer's on non-zero pixels only (about a fifth of them), the second layer's all. One core's 128-bit SIMD peak, a tight loop of independent f32x4 multiply-adds in WebAssembly, measured in the same run: **${s.peakGflopsPerCore.toFixed(1)} GFLOP/s**.`,
      '',
    );
  }
  if (r.mlpInput?.length) {
    const production = r.models.find((m) => m.name === 'mlp');
    const bestPlain = r.mlpInput.reduce((a, b) => (b.validationAccuracy > a.validationAccuracy ? b : a));
    out.push(
      '## MLP input, chosen on validation',
      '',
      `Same network width (256 hidden), ${r.mlpInput[0]!.epochs} epochs, no augmentation:`,
      '',
      '| input | validation accuracy |',
      '|---|---|',
      ...r.mlpInput.map((m) => `| ${m.input} | ${pct(m.validationAccuracy)} |`),
      ...(production
        ? [`| raw pixels with on-the-fly augmentation (the production MLP, 800 hidden, 60 epochs) | **${pct(production.validationAccuracy)}** |`]
        : []),
      '',
      `Without augmentation, ${bestPlain.input} is the better input. The production MLP still takes raw pixels: the affine, elastic and stroke-width augmentation works in pixel space, and it is worth far more than the input choice${production ? ` (${pct(production.validationAccuracy)} against ${pct(bestPlain.validationAccuracy)})` : ''}; the sparse first layer keeps raw input cheap; and augmented training is what makes the model hold up on real drawings. Not tried: augmenting pixels and then projecting each sample onto PCA.`,
      '',
    );
  }
  const server = r.server as import('./server.js').ServerBench | undefined;
  if (server) {
    out.push(
      '## Web app under load',
      '',
      `POST /api/predict with a ${server.image}, served by \`npm start\` (Koa, one server process per core via node:cluster; each predicts board-sized images on its own event loop and sends photos to a thread), load from ${server.loadGenerator} on loopback. The in-process figure comes from the same run, in five rounds alternating with loaded HTTP runs (medians shown): the server's per-request work (decode → preprocess → predict → the 28×28 as PNG) in a loop on one thread. Load generator and server share the machine's ${server.cores} cores.`,
      '',
      '| measure | value |',
      '|---|---|',
      `| p50 / p99 latency, concurrency 1 | **${server.concurrency1.p50Ms} ms** / ${server.concurrency1.p99Ms} ms |`,
      `| requests/s, concurrency 1 | ${server.concurrency1.requestsPerSecond.toFixed(0)} |`,
      `| requests/s, ${server.loaded.connections} connections | **${server.loaded.requestsPerSecond.toFixed(0)}** (p50 ${server.loaded.p50Ms} ms, p99 ${server.loaded.p99Ms} ms) |`,
      `| in-process pipeline, one thread | ${server.pipelinePerSecond.toFixed(0)}/s (${server.pipelineMs.toFixed(2)} ms each) |`,
      ...(server.baseline
        ? [
            'ratio' in server.baseline
              ? `| the same pipeline before the SIMD kernels (commit ${server.baseline.commit}), alternating rounds / today's ÷ its | ${server.baseline.pipelinePerSecond.toFixed(0)}/s / **${server.baseline.ratio.toFixed(2)}×** |`
              : `| the same pipeline before the SIMD kernels | ${server.baseline.why} |`,
          ]
        : []),
      `| HTTP requests/s per core ÷ in-process pipeline runs/s | **${(100 * server.httpVsPipelinePerCore).toFixed(0)}%** |`,
      `| errors | ${server.errors} |`,
      ...(server.scaleOut
        ? [
            `| through nginx, 8 connections: one instance (one process) / two instances / ratio | ${server.scaleOut.oneInstance.toFixed(0)} / ${server.scaleOut.twoInstances.toFixed(0)} req/s / **${(server.scaleOut.twoInstances / server.scaleOut.oneInstance).toFixed(2)}×** (both instances and the load generator share the machine's ${server.cores} cores) |`,
          ]
        : []),
      '',
    );
  }
  const h = r.hostile;
  if (h) {
    const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(0)} ms` : 'no answer');
    const mark = (v: number, target: number) => (v <= target ? '✓' : '✗');
    out.push(
      '## Hostile load',
      '',
      `\`npm run bench -- --only hostile\`: \`npm start\` on loopback under three attacks in turn, ordinary digit predictions (the board's 280×280 PNG, one at a time, 150 of them) timed from an address of their own meanwhile, and /healthz asked after each. Quiet p99: ${ms(h.quietP99Ms)}. The idle flood comes from three processes, one per address (one process may open 20,000 files here); past the per-address cap (256 a process) every further connection is answered 503 at once.`,
      '',
      '| attack | measured | target |',
      '|---|---|---|',
      `| ${h.idle.attempted.toLocaleString('en')} idle connections from three addresses (${h.idle.held.toLocaleString('en')} still held after 2 s, ${h.idle.refused.toLocaleString('en')} answered 503): p99 of ordinary predictions | **${ms(h.idle.p99Ms)}** ${mark(h.idle.p99Ms, 50)} | ≤ 50 ms |`,
      `| two clients sending the 5450×54 strip of 300 strokes (${h.strip.stripsAnswered} answered): p99 of ordinary predictions | **${ms(h.strip.p99Ms)}** ${mark(h.strip.p99Ms, 50)} | ≤ 50 ms |`,
      `| ${h.uploads.clients} concurrent uploads of 20 files of 10 MB (answers: ${Object.entries(h.uploads.answered)
        .map(([s, n]) => `${n}× ${s}`)
        .join(', ')}): peak RSS of any server process | **${h.uploads.peakRssMb.toFixed(0)} MB** ${mark(h.uploads.peakRssMb, 600)} | ≤ 600 MB |`,
      `| /healthz after each attack | ${[h.idle, h.strip, h.uploads].map((a) => ms(a.healthzMs)).join(' / ')} | ≤ 1 s |`,
      '',
    );
  }
  if (r.browser) {
    const b = r.browser;
    const kb = (n: number) => `${(n / 1e3).toFixed(0)} kB`;
    out.push(
      '## In the browser',
      '',
      `The board predicts in the page with the core the server runs (src/core/index.ts, bundled by esbuild) and the served model in compact form: each hidden unit's weights quantised to 63 levels of one scale, one base64 character a weight. Model: ${b.model}. ${b.page.drawings} digits drawn on the board in Chromium with mouse events; every prediction the page made while drawing them is timed from canvas pixels to probabilities. Beside it, in the same run, the same canvas sent to the server from the page (PNG encoding, POST, answer) once per drawing.`,
      '',
      '| measure | value |',
      '|---|---|',
      `| prediction in the page, median / p95 (${b.page.predictions} predictions) | **${b.page.medianMs.toFixed(2)} ms** / ${b.page.p95Ms.toFixed(2)} ms |`,
      `| the same drawing on the server, round trip median / p95 (${b.server.requests}) | ${b.server.medianMs.toFixed(1)} ms / ${b.server.p95Ms.toFixed(1)} ms |`,
      `| server round trip ÷ page prediction (medians) | **${(b.server.medianMs / b.page.medianMs).toFixed(1)}×** |`,
      ...(b.baseline
        ? [
            'ratio' in b.baseline
              ? `| the board before the SIMD kernels (commit ${b.baseline.commit}) beside today's, the same ${b.baseline.drawings} drawings in turn: median / p95, then / today's | ${b.baseline.medianMs.toFixed(2)} ms / ${b.baseline.p95Ms.toFixed(2)} ms, then ${b.baseline.todayMedianMs.toFixed(2)} ms / ${b.baseline.todayP95Ms.toFixed(2)} ms: **${b.baseline.ratio.toFixed(2)}×** faster |`
              : `| the board before the SIMD kernels | ${b.baseline.why} |`,
          ]
        : []),
      `| board drawings read correctly | ${pct(b.page.boardAccuracy, 1)} |`,
      `| compact model on the wire: brotli / gzip / uncompressed | **${kb(b.bytes.br)}** / ${kb(b.bytes.gzip)} / ${kb(b.bytes.identity)} (full model JSON ${kb(b.bytes.fullJson)}) |`,
      `| MNIST test accuracy, full → compact | ${pct(b.accuracy.mnistTest.full)} → **${pct(b.accuracy.mnistTest.compact)}** (${b.accuracy.mnistTest.disagree} of ${b.accuracy.mnistTest.n.toLocaleString('en')} predictions differ) |`,
      `| data/samples accuracy, full → compact | ${pct(b.accuracy.samples.full, 1)} → **${pct(b.accuracy.samples.compact, 1)}** (${b.accuracy.samples.n} images) |`,
      ...(b.numbers
        ? [
            `| Number mode: a 4-digit number read in the page, median / p95 (${b.numbers.readings} readings while writing ${b.numbers.drawings} numbers; target < 20 ms) | **${b.numbers.medianMs.toFixed(1)} ms** / ${b.numbers.p95Ms.toFixed(1)} ms |`,
            `| those numbers read fully right | ${pct(b.numbers.fullyRight, 0)} |`,
          ]
        : []),
      '',
    );
  }
  if (r.samples) {
    const s = r.samples;
    out.push(
      '## User-style images (data/samples)',
      '',
      `${s.total} images drawn for this project (\`npm run samples\`), model **${s.model}**: **${pct(s.accuracy, 1)}** with MNIST-style preprocessing, against **${pct(s.tutorialAccuracy, 1)}** for the tutorial pipeline (grey → resize the whole image to 28×28 → invert).`,
      '',
      '| style | n | ours | tutorial pipeline |',
      '|---|---|---|---|',
      ...Object.entries(s.byGroup).map(([k, v]) => `| **all ${k}** | ${v.n} | **${pct(v.accuracy, 1)}** | ${pct(v.tutorialAccuracy, 1)} |`),
      ...Object.entries(s.byStyle).map(([k, v]) => `| ${k} | ${v.n} | ${pct(v.accuracy, 1)} | ${pct(v.tutorialAccuracy, 1)} |`),
      '',
      s.mistakes.length ? `Mistakes: ${s.mistakes.map((m) => `${m.file} (${m.label}→${m.predicted ?? 'no digit'})`).join(', ')}` : 'No mistakes.',
      '',
    );
  }
  if (r.robustness) out.push(...robustnessSection(r.robustness));
  if (r.nonDigits) out.push(...nonDigitSection(r.nonDigits, chart));
  if (r.numbers) out.push(...numbersSection(r.numbers));
  if (r.feedback) {
    const f = r.feedback;
    const p1 = (v: number | null) => (v === null ? '–' : pct(v, 1));
    out.push(
      '## Learning from corrections',
      '',
      `A simulated user writes in a style MNIST lacks (European 1s with a long flag and a base, crossed 7s, open 4s) and corrects every wrong answer through the real store until there are ${f.corrections} corrections (${f.drawingsToGetThem} drawings). The served model is fine-tuned on them (\`npm run train -- --model feedback\`'s code, ${f.seconds.toFixed(0)} s), then both models read ${300} fresh drawings of the user's 1, 4 and 7 and 300 of their other digits (other seeds), and MNIST's test set.`,
      '',
      '| measure | before | after |',
      '|---|---|---|',
      `| the user's 1, 4 and 7 (300 fresh drawings) | ${p1(f.styleBefore)} | **${p1(f.styleAfter)}** |`,
      `| the user's other digits (300 fresh drawings) | ${p1(f.othersBefore)} | ${p1(f.othersAfter)} |`,
      `| MNIST test (may drop at most 0.1 point) | ${pct(f.mnistBefore)} | ${pct(f.mnistAfter)} (${((f.mnistAfter - f.mnistBefore) * 100).toFixed(2)} points) |`,
      `| held-out corrections (every fifth) | ${p1(f.heldOutBefore)} | ${p1(f.heldOutAfter)} |`,
      // Results written before this row existed lack it.
      ...(f.nonDigitsBefore === undefined
        ? []
        : [
            `| non-digits refused (the non-digit bench's 1,400 test images; the fine-tune trains on other non-digits so as not to unlearn them) | ${p1(f.nonDigitsBefore)} | ${p1(f.nonDigitsAfter)} |`,
          ]),
      '',
    );
  }
  writeFileSync(`${dir}/report.md`, out.join('\n'));
}

/** The families with targets of their own. */
const TARGETS: Record<string, string> = {
  typed: '≥ 98%',
  'tight-crop': 'each crop within 1 point of the same image with a margin (below), ≤ 0.5% "no digit"',
  scan: '≥ 95%',
};

/** Each tight-crop level beside the same images with paper around them. */
function tightCropLines(rows: RobustnessRow[]): string[] {
  const tight = rows.filter((r) => r.track === 'tight-crop');
  const margin = rows.filter((r) => r.track === 'tight-crop-with-margin');
  if (!tight.length || tight.length !== margin.length) return [];
  return [
    "Held-out tracks (training never draws them): digits cropped to their ink with 0–3 px of paper, beside the very same crops with 30% paper around them, and digits made as UCI's optdigits were (a 32×32 bitmap counted into 8×8 levels 0–16, enlarged to fill the frame).",
    '',
    '| look before cropping | cropped to the ink | with a margin | difference | no digit (cropped) |',
    '|---|---|---|---|---|',
    ...tight.map(
      (t, i) =>
        `| ${t.strength.replace(/, cropped.*$/, '')} | ${pct(t.accuracy, 1)} | ${pct(margin[i]!.accuracy, 1)} | ${((t.accuracy - margin[i]!.accuracy) * 100).toFixed(1)} | ${pct(t.noDigitRate, 2)} |`,
    ),
    '',
  ];
}

/** Families whose accuracy must stay within two points of the clean track, per the robustness targets. */
const NEAR_CLEAN = ['blur', 'low-resolution', 'contrast', 'paper'];

function robustnessSection(rob: NonNullable<Results['robustness']>): string[] {
  const base = new Map((rob.compare?.rows ?? []).map((b) => [`${b.track}|${b.strength}`, b]));
  const clean = rob.rows.find((x) => x.family === 'clean');
  const targeted = rob.rows.filter((x) => !x.beyondTargets);
  const beyond = rob.rows.filter((x) => x.beyondTargets);
  const worst = (family: string) => targeted.filter((x) => x.family === family).reduce((a, b) => (b.accuracy < a.accuracy ? b : a));
  const families = [...new Set(rob.rows.map((x) => x.family))].filter((f) => f !== 'clean');
  const baseHead = rob.compare ? ` | ${rob.compare.model} | no digit | declined` : '';
  const most = (f: string, key: 'noDigitRate' | 'declinedRate') => Math.max(...targeted.filter((x) => x.family === f).map((x) => x[key]));
  return [
    '## Robustness: corrupted and typed digits',
    '',
    `${rob.digits}, each rendered as a user's image (dark ink on paper, 280 px) and corrupted one way per track, through the whole pipeline (decode → preprocess → model) with **${rob.model}**; the tutorial pipeline beside it. "No digit" counts "no digit found" answers (the pipeline saw no ink: the failure the targets below are about); "declined" counts "not a digit" and "looks like a number" answers (the model saw ink and would not read it as one digit). Both count as wrong. Typed digits: fonts that training never saw.`,
    '',
    ...(clean
      ? [
          '| family | worst level | accuracy | vs clean | most "no digit" | most declined | target |',
          '|---|---|---|---|---|---|---|',
          ...families.map((f) => {
            const w = worst(f);
            const target = TARGETS[f] ?? (NEAR_CLEAN.includes(f) ? 'within 2 points, ≤ 0.5% "no digit"' : '≤ 0.5% "no digit"');
            return `| ${f} | ${w.track} ${w.strength} | ${pct(w.accuracy, 1)} | ${((w.accuracy - clean.accuracy) * 100).toFixed(1)} | ${pct(most(f, 'noDigitRate'), 2)} | ${pct(most(f, 'declinedRate'), 2)} | ${target} |`;
          }),
          '',
          ...(beyond.length
            ? [
                `Harsher than the issue asks, so held to no target: ${beyond.map((x) => `${x.track} ${x.strength} ${pct(x.accuracy, 1)} (${((x.accuracy - clean.accuracy) * 100).toFixed(1)}; declined ${pct(x.declinedRate, 2)})`).join('; ')}.`,
                '',
              ]
            : []),
        ]
      : []),
    ...tightCropLines(rob.rows),
    `| track | strength | accuracy | no digit | declined | tutorial${baseHead} |`,
    `|---|---|---|---|---|---${rob.compare ? '|---|---|---' : ''}|`,
    ...rob.rows.map((x) => {
      const b = base.get(`${x.track}|${x.strength}`);
      const rates = (r: RobustnessRow) => `${pct(r.noDigitRate, 2)} | ${pct(r.declinedRate, 2)}`;
      return `| ${x.track} | ${x.strength} | ${pct(x.accuracy, 1)} | ${rates(x)} | ${pct(x.tutorialAccuracy, 1)}${rob.compare ? ` | ${b ? `${pct(b.accuracy, 1)} | ${rates(b)}` : '– | – | –'}` : ''} |`;
    }),
    '',
    'Failures, three per level (each: the image as a person sees it, then the 28×28 the model saw; true>answer, "-" for refused): [robustness-failures.png](robustness-failures.png)',
    '',
    '![robustness failures](robustness-failures.png)',
    '',
    ...(existsSync('benchmarks/robustness-failures-tracks.png')
      ? ['Failures of the last run of chosen tracks (`--tracks`), three per level: [robustness-failures-tracks.png](robustness-failures-tracks.png)', '']
      : []),
  ];
}

function nonDigitSection(nd: NonNullable<Results['nonDigits']>, chart: (name: string, svg: string) => string): string[] {
  const { current: c, compare: b } = nd;
  const line = (label: string, f: (x: typeof c) => string, target = '') => `| ${label} | **${f(c)}** | ${b ? f(b) : '–'} | ${target} |`;
  return [
    '## Not a digit, and confidence that means something',
    '',
    `The answer is "not a digit" when the calibrated top probability is below a threshold, or, for a model with a digit detector (a small network trained only to tell digits from non-digits), when the detector's probability of "a digit" is below its own. Temperature and thresholds are fitted on held-out images (MNIST's validation split, drawn digits with their own seed, the validation half of the non-digit set); every figure here is on test images: MNIST's test set, the other half of the non-digit set (${c.nonDigits} images: letters from fonts training never saw, shapes, scribbles, dots, dashes, hatching, squeezed digits) and data/samples. A model without a fitted threshold gets one fitted by the same rule before it is measured, and so does the model compared.${c.fittedBy === 'bench' ? ` **${c.model} carries no confidence block: these are the figures the rule would give it, and the app does not refuse yet.**` : ''}`,
    '',
    `| measure | served (${c.model}) | compared${b ? ` (${b.model})` : ''} | target |`,
    '|---|---|---|---|',
    line('AUROC, MNIST test digits vs non-digits', (x) => x.auroc.toFixed(4), '≥ 0.98'),
    line('non-digits refused', (x) => pct(x.nonDigitsRefused, 1), '≥ 95%'),
    line(
      'non-digits not answered with a digit by the whole pipeline (number check and deblurring included)',
      (x) => (x.nonDigitsNotAnswered === undefined ? '–' : pct(x.nonDigitsNotAnswered, 1)),
      '≥ 95%',
    ),
    line(
      'Number mode: non-digits read as no number (squeezed digits left out: they are numbers)',
      (x) => (x.nonDigitsNoNumber === undefined ? '–' : pct(x.nonDigitsNoNumber, 1)),
      '≥ 95%',
    ),
    line('partial digits (a digit with a stroke taken away; some still look like a digit) not answered with a digit', (x) =>
      x.partialDigitsNotAnswered === undefined ? '–' : pct(x.partialDigitsNotAnswered, 1),
    ),
    line('MNIST test digits refused', (x) => pct(x.mnistRefused, 2), '≤ 1%'),
    line('data/samples refused', (x) => pct(x.samplesRefused, 1), '≤ 1%'),
    line('MNIST test accuracy, a refusal counting as wrong', (x) => pct(x.mnistAccuracy, 2)),
    line('data/samples accuracy, likewise', (x) => pct(x.samplesAccuracy, 1)),
    line('expected calibration error, MNIST test: raw → calibrated', (x) => `${pct(x.eceBefore, 2)} → ${pct(x.eceAfter, 2)}`, '≤ 1%'),
    line('ms per one-image prediction with both rules / top probability alone (same run)', (x) =>
      x.detectorCost
        ? `${x.detectorCost.withDetector.toFixed(3)} / ${x.detectorCost.topOnly.toFixed(3)} (${(x.detectorCost.withDetector / x.detectorCost.topOnly).toFixed(2)}×)`
        : '–',
    ),
    line('temperature; the refusal rule', (x) =>
      x.topWeight
        ? `${x.temperature}; one rule: "a digit" and the top probability combined (log-odds, the top's weighted ${x.topWeight}) below ${x.digitBelow!.toFixed(4)}`
        : `${x.temperature}; top probability below ${x.refuseBelow.toFixed(4)}${x.digitBelow === null ? '' : `, or the detector's "a digit" below ${x.digitBelow.toFixed(4)}`}`,
    ),
    '',
    '| family | refused |',
    '|---|---|',
    ...Object.entries(c.byFamily).map(([f, v]) => `| ${f} | ${pct(v, 1)} |`),
    '',
    ...(existsSync('benchmarks/non-digits-answered.png')
      ? [
          `The test non-digits ${c.model} answers with a digit, as it saw them, family by family ("?>digit confidence"): [non-digits-answered.png](non-digits-answered.png)`,
          '',
          '![non-digits answered](non-digits-answered.png)',
          '',
        ]
      : []),
    chart(
      'coverage',
      lineChart('MNIST test: accuracy on the digits kept, as fewer are kept', 'share of digits kept', 'accuracy on those', [
        { name: c.model, points: c.coverage },
        ...(b ? [{ name: b.model, points: b.coverage }] : []),
      ]),
    ),
    '',
    chart(
      'reliability',
      lineChart('Reliability, MNIST test: accuracy against confidence', 'confidence', 'accuracy', [
        {
          name: 'perfect',
          points: [
            [0, 0],
            [1, 1],
          ],
        },
        { name: 'raw', points: c.reliabilityBefore.filter((x) => x.n > 0).map((x) => [x.confidence, x.accuracy]) },
        { name: 'calibrated', points: c.reliabilityAfter.filter((x) => x.n > 0).map((x) => [x.confidence, x.accuracy]) },
      ]),
    ),
    '',
  ];
}

function numbersSection(n: NonNullable<Results['numbers']>): string[] {
  const total = (f: (x: (typeof n.rows)[number]) => number) => n.rows.reduce((a, x) => a + f(x), 0);
  const touchingN = total((x) => x.touchingN);
  return [
    '## Numbers: segmented and read digit by digit',
    '',
    `Numbers of ${n.rows[0]?.length}–${n.rows[n.rows.length - 1]?.length} digits composed from MNIST **test** digits (8000–9999) and from the sample renderer's strokes, ${n.perLengthAndSource} of each length from each source: random gaps, 30% of neighbours touching or overlapping (up to 15% of the narrower), ±15% scale, baseline jitter, both polarities. Read whole by **${n.model}** (\`readNumber\`: components, seam cuts through wide ones, recognition-driven grouping). The segmentation's weights were chosen on another half (test digits 7000–7999, another seed); these figures are from the half nothing was tuned on. "Fully right" means every digit read, in order, nothing extra; per-digit accuracy is 1 − edit distance / length. "Touching" numbers have at least one pair of digits whose ink is connected.`,
    '',
    '| digits | numbers | fully right | MNIST digits | stroke digits | per digit | with a touching pair | ms / number |',
    '|---|---|---|---|---|---|---|---|',
    ...n.rows.map(
      (x) =>
        `| ${x.length} | ${x.n} | **${pct(x.fullyRight, 1)}** | ${pct(x.mnistRight, 1)} | ${pct(x.strokesRight, 1)} | ${pct(x.perDigit, 2)} | ${pct(x.touchingRight, 1)} of ${x.touchingN} | ${x.msPerNumber.toFixed(1)} |`,
    ),
    `| all | ${total((x) => x.n)} | ${pct(total((x) => x.fullyRight * x.n) / total((x) => x.n), 1)} | | | ${pct(total((x) => x.perDigit * x.n) / total((x) => x.n), 2)} | ${pct(total((x) => x.touchingRight * x.touchingN) / touchingN, 1)} of ${touchingN} | |`,
    '',
    ...(n.pairs
      ? [
          'Two hard ways digits run together, each in 4-digit numbers of stroke digits (other seeds): a 4, 5 or 7 whose arm, hat or bar runs on into the next digit, and two round digits (0, 3, 6, 8, 9) whose loops overlap. Target ≥ 95% fully right.',
          '',
          '| pair | numbers | fully right |',
          '|---|---|---|',
          ...n.pairs.map((p) => `| ${p.kind} | ${p.n} | **${pct(p.fullyRight, 1)}** |`),
          '',
        ]
      : []),
    'Targets (issue 26): ≥ 95% of 4-digit numbers fully right, and ≥ 95% of those with a touching pair.',
    '',
    `First failures (truth>read, "?" for a piece refused as not a digit, "-(…)" for no number, with the pieces it saw): ${n.failures
      .slice(0, 30)
      .map((f) => `${f.truth}>${f.read}${f.touching ? ' (touching)' : ''}`)
      .join(', ')}. Gallery, captioned truth>read ("-": no number), boxes as read (green a digit, red refused): [numbers-failures.png](numbers-failures.png)`,
    '',
    '![numbers failures](numbers-failures.png)',
    '',
  ];
}
