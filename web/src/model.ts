// The model inspector: the served model's metadata, metrics, confusion matrix and pictures.
import { OFFLINE_COPY_HEADER } from '../../src/core/api.js';
import type { Confidence, DetectorAbout, FeedbackRecord, Metrics, ModelMetadata } from '../../src/core/index.js';
import type { TensorSummary } from '../../src/eval/model-tree.js';
import { byId as $, percent, registerOffline } from './common.js';

/** GET /api/model: the metadata, the confidence block (the detector's facts, not its weights) and the names of the pictures. */
/** A picture the server draws (src/core/models/pictures.ts). */
interface PictureAbout {
  name: string;
  title: string;
  caption: string;
  available: number;
  orders: { name: string; label: string }[];
}

type ModelAnswer = ModelMetadata & {
  confidence: (Omit<Confidence, 'detector'> & { detector?: DetectorAbout }) | null;
  input: string;
  pictures: PictureAbout[];
};

const pct = (v: number): string => percent(v, 2);

/** "weightDecay" → "weight decay": a label that wraps between words, not inside one. */
const words = (key: string): string => key.replace(/([a-z])([A-Z])/g, (_, a: string, b: string) => `${a} ${b.toLowerCase()}`);

function row(table: HTMLElement, name: string, value: unknown, mono = false): void {
  const tr = document.createElement('tr');
  const th = document.createElement('th');
  th.scope = 'row';
  th.textContent = words(name);
  const td = document.createElement('td');
  if (isMembers(value)) {
    // A committee's members: a row each, how it sees the digit and scored, and the command that made it.
    const inner = document.createElement('table');
    inner.className = 'nested members';
    value.forEach((m, k) => {
      const tr = document.createElement('tr');
      const name = document.createElement('th');
      name.scope = 'row';
      name.textContent = `${k + 1}`;
      const about = document.createElement('td');
      const code = document.createElement('code');
      code.textContent = m.command;
      const facts = `${m.input ?? 'raw pixels'} · validation ${pct(m.validationAccuracy ?? NaN)} · test ${pct(m.testAccuracy ?? NaN)} · SHA-256 ${m.sha256?.slice(0, 12) ?? '?'}…`;
      about.append(facts, document.createElement('br'), code);
      tr.append(name, about);
      inner.append(tr);
    });
    td.append(inner);
  } else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    // A nested value (the augmentation, where training started from) is a small table of its own.
    const inner = document.createElement('table');
    inner.className = 'nested';
    for (const [k, v] of Object.entries(value)) row(inner, k, v, k === 'command' || k === 'sha256' || k === 'file');
    td.append(inner);
  } else if (mono) {
    const code = document.createElement('code');
    code.textContent = show(value);
    td.append(code);
  } else {
    td.textContent = show(value);
  }
  tr.append(th, td);
  table.append(tr);
}

interface MemberAbout {
  command: string;
  input?: string;
  validationAccuracy?: number;
  testAccuracy?: number;
  sha256?: string;
}

const isMembers = (value: unknown): value is MemberAbout[] =>
  Array.isArray(value) && value.length > 0 && value.every((m) => typeof m === 'object' && m !== null && 'command' in m);

function show(value: unknown): string {
  if (Array.isArray(value)) return value.join(', ');
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
      if (v > 0) {
        // A cell opens its test digits below the table.
        td.tabIndex = 0;
        td.setAttribute('role', 'button');
        td.setAttribute('aria-label', `${v} test digit${v > 1 ? 's' : ''} ${t} read as ${p}: show them`);
        td.addEventListener('click', () => showCell(t, p, v));
        td.addEventListener('keydown', (e) => {
          if (e.key === 'Enter' || e.key === ' ') {
            e.preventDefault();
            showCell(t, p, v);
          }
        });
      }
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

/** The test digits of one cell, under the matrix. */
function showCell(truth: number, predicted: number, count: number): void {
  const figure = document.createElement('figure');
  figure.className = 'cell-digits';
  const img = document.createElement('img');
  img.src = `/api/model/confusion/${truth}/${predicted}.png`;
  const caption = document.createElement('figcaption');
  caption.className = 'hint';
  const which = truth === predicted ? `read right, the least sure first` : `read as ${predicted}, the most confident first`;
  caption.textContent = `${count > 60 ? `60 of the ${count}` : `The ${count}`} test digit${count > 1 ? 's' : ''} ${truth} ${which}: captioned true>read and the model's confidence.`;
  img.alt = caption.textContent;
  figure.append(img, caption);
  $('cell').replaceChildren(figure);
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
  if (response.headers.get(OFFLINE_COPY_HEADER)) {
    $('stale').hidden = false;
    $('stale').textContent = 'Offline: these are the figures from your last visit, and may be out of date.';
  }
  const m = (await response.json()) as ModelAnswer;
  // A command the model's own (trained with --calibrate --detector) is said once, under "reproduce with".
  const commandRow = (name: string, command: string) =>
    command === m.command ? row($('metrics'), name, 'the same command, under "reproduce with"') : row($('metrics'), name, command, true);
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
  for (const [k, v] of Object.entries(m.hyperparameters ?? {})) row($('hyper'), k, v);
  for (const [file, hash] of Object.entries(m.data ?? {})) row($('data'), file, hash, true);
  if (m.confidence) {
    const c = m.confidence;
    if (c.topWeight) {
      row(
        $('metrics'),
        'refuses below',
        `${pct(c.digitBelow ?? 0)} on one score: the digit detector's "a digit" and the calibrated confidence, their log-odds added (the confidence's weighted ${c.topWeight}); temperature ${c.temperature.toFixed(3)}`,
      );
    } else row($('metrics'), 'refuses below', `${pct(c.refuseBelow)} calibrated confidence (temperature ${c.temperature.toFixed(3)})`);
    if (c.detector) {
      const d = c.detector;
      const rule = c.topWeight ? 'its "a digit" is part of that rule' : `also refuses below ${pct(c.digitBelow ?? 0)} "a digit"`;
      row(
        $('metrics'),
        'digit detector',
        `${rule}: an MLP ${(d.hyperparameters.sizes as number[]).join('-')}, seed ${d.seed}, ${Number(d.trainSeconds).toFixed(0)} s, trained on ${d.trainedOn}`,
      );
      commandRow('detector made by', d.command);
    }
    if (c.command) commandRow('refusal fitted by', c.command);
  }
  if (m.pictures.length === 0) $('pictures').append('This model has no pictures to show.');
  for (const p of m.pictures) $('pictures').append(pictureFigure(p));
}

/** One picture: its title, how many tiles and in what order (when there is a choice), the image, what it shows. */
function pictureFigure(p: PictureAbout): HTMLElement {
  const figure = document.createElement('figure');
  const title = document.createElement('h3');
  title.textContent = p.title;
  const img = document.createElement('img');
  img.alt = `${p.title}: ${p.caption}`;
  const caption = document.createElement('figcaption');
  caption.className = 'hint';
  caption.textContent = p.caption;
  const controls = document.createElement('div');
  controls.className = 'picture-controls';
  const select = (label: string, options: [string, string][], value: string) => {
    const l = document.createElement('label');
    const s = document.createElement('select');
    for (const [v, text] of options) s.add(new Option(text, v, false, v === value));
    l.append(`${label} `, s);
    controls.append(l);
    return s;
  };
  const counts = [12, 24, 48, 96, 192].filter((c) => c < p.available);
  const count = counts.length
    ? select(
        'Show',
        [...counts.map((c): [string, string] => [String(c), String(c)]), [String(p.available), `all ${p.available}`]],
        String(Math.min(48, p.available)),
      )
    : null;
  const order =
    p.orders.length > 1
      ? select(
          'Order',
          p.orders.map((o): [string, string] => [o.name, o.label]),
          p.orders[0]!.name,
        )
      : null;
  const load = () => {
    const q = new URLSearchParams({ ...(count && { count: count.value }), ...(order && { order: order.value }) });
    img.src = `/api/model/${p.name}.png${q.size ? `?${q}` : ''}`;
  };
  count?.addEventListener('change', load);
  order?.addEventListener('change', load);
  load();
  figure.append(title, ...(count || order ? [controls] : []), img, caption);
  return figure;
}

const isTensor = (v: unknown): v is TensorSummary => typeof v === 'object' && v !== null && '$tensor' in v;

/** A small bar chart of a tensor's histogram. */
function histogram(counts: number[]): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', `0 0 ${counts.length} 10`);
  svg.setAttribute('class', 'histogram');
  svg.setAttribute('aria-hidden', 'true');
  const top = Math.max(1, ...counts);
  counts.forEach((c, i) => {
    const h = c ? Math.max(0.6, (10 * Math.sqrt(c)) / Math.sqrt(top)) : 0;
    const bar = document.createElementNS(ns, 'rect');
    bar.setAttribute('x', String(i + 0.1));
    bar.setAttribute('width', '0.8');
    bar.setAttribute('y', String(10 - h));
    bar.setAttribute('height', String(h));
    svg.append(bar);
  });
  return svg;
}

/** Up to this many items of a long list, then "… n more". */
const LIST_LIMIT = 100;

/** One value of the model file: a leaf, a tensor's summary, or a collapsible object or list. */
function treeNode(key: string, value: unknown, depth: number): HTMLElement {
  const name = document.createElement('span');
  name.className = 'key';
  name.textContent = key;
  if (isTensor(value)) {
    const d = document.createElement('details');
    const summary = document.createElement('summary');
    const about = document.createElement('span');
    about.className = 'tensor';
    about.textContent = ` ${value.$tensor} [${value.shape.join('×')}] · min ${value.min} · max ${value.max} · mean ${value.mean} `;
    summary.append(name, about, histogram(value.histogram));
    const first = document.createElement('code');
    first.textContent = `first values: ${value.first.join(', ')}${value.shape.reduce((a, b) => a * b, 1) > value.first.length ? ', …' : ''}`;
    d.append(summary, first);
    return d;
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Array.isArray(value) ? value.map((v, i): [string, unknown] => [String(i), v]) : Object.entries(value);
    // A short list of plain values reads best on one line.
    if (Array.isArray(value) && value.length <= 16 && value.every((v) => typeof v !== 'object' || v === null)) return leaf(name, `[${value.join(', ')}]`);
    const d = document.createElement('details');
    d.open = depth < 1;
    const summary = document.createElement('summary');
    const size = document.createElement('span');
    size.className = 'hint';
    size.textContent = Array.isArray(value) ? ` [${value.length} items]` : ` {${entries.length} keys}`;
    summary.append(name, size);
    d.append(summary);
    // Children are made when first opened: a committee's file has thousands of values.
    const fill = () => {
      if (d.childElementCount > 1) return;
      for (const [k, v] of entries.slice(0, LIST_LIMIT)) d.append(treeNode(k, v, depth + 1));
      if (entries.length > LIST_LIMIT) d.append(leaf(document.createElement('span'), `… ${entries.length - LIST_LIMIT} more`));
    };
    if (d.open) fill();
    else d.addEventListener('toggle', fill);
    return d;
  }
  return leaf(name, typeof value === 'string' ? JSON.stringify(value) : String(value));
}

function leaf(name: HTMLElement, text: string): HTMLElement {
  const div = document.createElement('div');
  div.className = 'leaf';
  const v = document.createElement('span');
  v.textContent = text;
  div.append(name, name.textContent ? ': ' : '', v);
  return div;
}

async function fileTree(): Promise<void> {
  const response = await fetch('/api/model/tree');
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  $('tree').replaceChildren(treeNode('model', await response.json(), 0));
}

fileTree().catch((e: unknown) => {
  $('tree').textContent = `Cannot load the model file: ${e instanceof Error ? e.message : String(e)}`;
});
feedback().catch((e: unknown) => row($('feedback'), 'corrections', `cannot load: ${e instanceof Error ? e.message : String(e)}`));
main().catch((e: unknown) => {
  $('summary').textContent = `Cannot load the model: ${e instanceof Error ? e.message : String(e)}`;
});
registerOffline();
