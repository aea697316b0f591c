// The model inspector: the served model's metadata, metrics, confusion matrix and pictures.
import type { Confidence, DetectorAbout, FeedbackRecord, Metrics, ModelMetadata } from '../../src/core.js';
import { byId as $, percent, registerOffline } from './common.js';

/** GET /api/model: the metadata, the confidence block (the detector's facts, not its weights) and the names of the pictures. */
type ModelAnswer = ModelMetadata & { confidence: (Omit<Confidence, 'detector'> & { detector?: DetectorAbout }) | null; input: string; visuals: string[] };

const pct = (v: number): string => percent(v, 2);

function row(table: HTMLElement, name: string, value: string, mono = false): void {
  const tr = document.createElement('tr');
  const th = document.createElement('th');
  th.scope = 'row';
  th.textContent = name;
  const td = document.createElement('td');
  if (mono) {
    const code = document.createElement('code');
    code.textContent = value;
    td.append(code);
  } else {
    td.textContent = value;
  }
  tr.append(th, td);
  table.append(tr);
}

function show(value: unknown): string {
  // A committee's members: one line each, the command that made it and how it scored.
  if (Array.isArray(value) && value.every((m) => typeof m === 'object' && m !== null && 'command' in m)) {
    return (value as { command: string; validationAccuracy?: number; testAccuracy?: number; sha256?: string }[])
      .map(
        (m) => `${m.command} (validation ${pct(m.validationAccuracy ?? NaN)}, test ${pct(m.testAccuracy ?? NaN)}, SHA-256 ${m.sha256?.slice(0, 12) ?? '?'}…)`,
      )
      .join('\n');
  }
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}

/** The rgb() of a CSS colour string, alpha dropped. */
const rgbOf = (c: string): number[] => (c.match(/[\d.]+/g) ?? ['0', '0', '0']).slice(0, 3).map(Number);

/** WCAG relative luminance of an [r, g, b] in 0..255. */
function luminance(rgb: number[]): number {
  const [r, g, b] = rgb.map((v) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

/**
 * The confusion matrix, each off-diagonal cell red in proportion to its count, blended here over the card's
 * own colour (`behind`) so that the text can be black or white, whichever reads better: at least 4.5:1.
 */
function confusionTable(confusion: number[][], behind: string): HTMLElement {
  const wrap = document.createElement('div');
  wrap.className = 'scroll';
  const table = document.createElement('table');
  table.className = 'confusion';
  wrap.append(table);
  table.setAttribute('aria-label', 'confusion matrix: rows are the true digit, columns the predicted digit');
  const caption = document.createElement('caption');
  caption.textContent = 'rows: the true digit · columns: the digit predicted';
  table.append(caption);
  const head = document.createElement('tr');
  const corner = document.createElement('th');
  corner.append('true ↓', document.createElement('br'), 'pred. →');
  corner.className = 'axes';
  head.append(corner);
  for (let d = 0; d < 10; d++) {
    const th = document.createElement('th');
    th.textContent = String(d);
    head.append(th);
  }
  table.append(head);
  const offMax = Math.max(1, ...confusion.flatMap((r, t) => r.filter((_, p) => p !== t)));
  confusion.forEach((r, t) => {
    const tr = document.createElement('tr');
    const th = document.createElement('th');
    th.textContent = String(t);
    tr.append(th);
    r.forEach((v, p) => {
      const td = document.createElement('td');
      td.textContent = String(v);
      if (t === p) td.style.background = 'var(--diag)';
      else {
        const a = (0.85 * v) / offMax;
        const cell = rgbOf(behind).map((c, k) => Math.round((1 - a) * c + a * [179, 38, 30][k]!));
        td.style.background = `rgb(${cell.join(', ')})`;
        // Black or white, whichever stands out more from the cell.
        td.style.color = (luminance(cell) + 0.05) / 0.05 >= 1.05 / (luminance(cell) + 0.05) ? 'black' : 'white';
      }
      tr.append(td);
    });
    table.append(tr);
  });
  return wrap;
}

/** GET /api/feedback/summary: counts only, never the corrections themselves. */
interface FeedbackSummary {
  store: string;
  /** Corrections, confirmations of the model's own answer left out. */
  count: number;
  confirmations: number;
  confusions: { predicted: number | null; label: number | null; n: number }[];
  learned: FeedbackRecord | null;
}

/** The corrections users made, the confusions they correct, and what the last fine-tune on them measured. */
async function feedback(): Promise<void> {
  const table = $('feedback');
  const response = await fetch('/api/feedback/summary');
  if (response.status === 404) return row(table, 'corrections', 'this server does not take corrections');
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const f = (await response.json()) as FeedbackSummary;
  const name = (d: number | null) => (d === null ? 'not a digit' : String(d));
  row(table, 'corrections stored', `${f.count.toLocaleString('en')} (${f.store})`);
  if (f.confirmations) row(table, 'answers confirmed', f.confirmations.toLocaleString('en'));
  const learned = f.learned;
  if (learned) {
    const before = learned.heldOutBefore === null ? '–' : pct(learned.heldOutBefore);
    const after = learned.heldOutAfter === null ? '–' : pct(learned.heldOutAfter);
    row(table, 'this model learned from', `${learned.used} corrections (${learned.heldOut} held out)`);
    row(table, 'held-out corrections, before → after', `${before} → ${after}`);
    row(table, 'store state', learned.storeHash.slice(0, 16), true);
  } else {
    row(table, 'fine-tuned on them', 'no fine-tuned model yet');
  }
  const top = f.confusions.slice(0, 8);
  $('feedback-confusions').textContent = top.length
    ? `Most corrected: ${top.map((c) => `${name(c.predicted)} → ${name(c.label)} ×${c.n}`).join(', ')}.`
    : 'No corrections yet: use “Wrong? Pick the right digit” on the board or an upload.';
}

async function main(): Promise<void> {
  const response = await fetch('/api/model');
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const m = (await response.json()) as ModelAnswer;
  $('title').textContent = `Model: ${m.kind}`;
  $('summary').textContent = m.description;
  row($('facts'), 'kind', m.kind);
  row($('facts'), 'input', m.input);
  row($('facts'), 'created', m.created);
  row($('facts'), 'reproduce with', m.command, true);
  row($('facts'), 'seed', String(m.seed));
  row($('facts'), 'training time', `${Number(m.trainSeconds).toFixed(1)} s`);
  for (const [split, v] of Object.entries(m.metrics ?? {}) as [string, Metrics][]) {
    row($('metrics'), `${split} accuracy`, `${pct(v.accuracy)} on ${v.n} images${v.ci95 ? ` (95% CI ${pct(v.ci95[0])}–${pct(v.ci95[1])})` : ''}`);
  }
  if (m.metrics?.test?.confusion) {
    const card = $('confusion').closest('.card') ?? document.body;
    $('confusion').replaceChildren(confusionTable(m.metrics.test.confusion, getComputedStyle(card).backgroundColor));
  }
  for (const [k, v] of Object.entries(m.hyperparameters ?? {})) row($('hyper'), k, show(v));
  for (const [file, hash] of Object.entries(m.data ?? {})) row($('data'), file, hash, true);
  if (m.confidence) {
    const c = m.confidence;
    row($('metrics'), 'refuses below', `${pct(c.refuseBelow)} calibrated confidence (temperature ${c.temperature.toFixed(3)})`);
    if (c.detector) {
      const d = c.detector;
      row(
        $('metrics'),
        'digit detector',
        `also refuses below ${pct(c.digitBelow ?? 0)} "a digit": an MLP ${(d.hyperparameters.sizes as number[]).join('-')}, seed ${d.seed}, ${Number(d.trainSeconds).toFixed(0)} s, trained on ${d.trainedOn}`,
      );
      row($('metrics'), 'detector made by', d.command, true);
    }
  }
  const captions: Record<string, string> = {
    eigendigits: 'PCA eigen-digits: the first principal components of the training images (blue positive, red negative).',
    weights: 'First-layer weights of the MLP: what each of the first 48 hidden units looks for (blue positive, red negative).',
  };
  if (m.visuals.length === 0) $('pictures').append('This model has no pictures to show.');
  for (const name of m.visuals) {
    const figure = document.createElement('figure');
    const img = document.createElement('img');
    img.src = `/api/model/${name}.png`;
    img.alt = captions[name] ?? name;
    const caption = document.createElement('figcaption');
    caption.className = 'hint';
    caption.textContent = captions[name] ?? name;
    figure.append(img, caption);
    $('pictures').append(figure);
  }
}

feedback().catch((e: unknown) => row($('feedback'), 'corrections', `cannot load: ${e instanceof Error ? e.message : String(e)}`));
main().catch((e: unknown) => {
  $('summary').textContent = `Cannot load the model: ${e instanceof Error ? e.message : String(e)}`;
});
registerOffline();
