// The drawing board: predicts as you draw, in the page, with the core the server runs (src/core.ts) and the
// served model in compact form. When that model cannot load, it asks the server instead.
import { COMPACT_MODEL_PATH, parseModel, predictDecoded, toAnswer, type Answer, type DigitModel, type PredictAnswer } from './core.js';
import { byId, postPredict, registerOffline, renderBars, verdict } from './common.js';

const canvas = byId<HTMLCanvasElement>('board');
const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
const result = byId('result');
const prediction = byId('prediction');
const confidence = byId('confidence');
const bars = byId('bars');
const seen = byId('seen');
const seenImage = byId<HTMLImageElement>('seen-image');
const engine = byId('engine');
const predictButton = byId<HTMLButtonElement>('predict');

// A round brush about 1/14 of the board: a digit filling it ends near MNIST's stroke width after preprocessing.
const BRUSH = 20;
/** Live predictions while a stroke is drawn come at most this often. */
const LIVE_MS = 100;
const WELCOME = 'Draw a digit: the model reads it as you draw.';

type Point = [number, number];
const strokes: Point[][] = [];
let current: Point[] | null = null;
/** Bumped on every change to the drawing; an answer for an older drawing is never shown. */
let version = 0;
let lastLive = 0;
let model: DigitModel | null = null;

function redraw(): void {
  ctx.fillStyle = 'white';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.strokeStyle = 'black';
  ctx.fillStyle = 'black';
  ctx.lineWidth = BRUSH;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  for (const s of strokes) {
    const [x0, y0] = s[0]!;
    ctx.beginPath();
    if (s.length === 1) {
      ctx.arc(x0, y0, BRUSH / 2, 0, 2 * Math.PI);
      ctx.fill();
      continue;
    }
    ctx.moveTo(x0, y0);
    for (const [x, y] of s.slice(1)) ctx.lineTo(x, y);
    ctx.stroke();
  }
}

function point(e: PointerEvent): Point {
  const r = canvas.getBoundingClientRect();
  return [((e.clientX - r.left) * canvas.width) / r.width, ((e.clientY - r.top) * canvas.height) / r.height];
}

/** The panel with no answer in it: a message, no digit, no bars, no picture. */
function showMessage(text: string, isError = false): void {
  prediction.textContent = '';
  confidence.textContent = text;
  confidence.classList.toggle('error', isError);
  bars.replaceChildren();
  seen.hidden = true;
  seenImage.removeAttribute('src');
  result.classList.remove('stale');
}

function showAnswer(a: Answer): void {
  const { digit, words } = verdict(a);
  prediction.textContent = digit;
  confidence.classList.remove('error');
  confidence.replaceChildren(...words);
  result.classList.remove('stale');
  if (a.input === undefined) {
    bars.replaceChildren();
    seen.hidden = true;
    return;
  }
  seenImage.src = a.input;
  seen.hidden = false;
  renderBars(bars, a.probabilities);
}

/** The 28×28 the model saw, as a PNG data URL drawn on a small canvas. */
const seenCanvas = document.createElement('canvas');
seenCanvas.width = seenCanvas.height = 28;
function picture(input: Float32Array): string {
  const c = seenCanvas.getContext('2d')!;
  const img = c.createImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    const v = Math.round(255 * Math.min(1, Math.max(0, input[i]!)));
    img.data.set([v, v, v, 255], i * 4);
  }
  c.putImageData(img, 0, 0);
  return seenCanvas.toDataURL('image/png');
}

/** Canvas pixels → the core's preprocessing → the model: the path `npm run bench -- --only browser` times. */
function predictHere(m: DigitModel): Answer {
  const start = performance.now();
  const { width, height, data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
  const p = predictDecoded({ width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) }, m);
  performance.measure('predict', { start, end: performance.now() });
  return toAnswer(p, picture);
}

async function predictOnServer(): Promise<void> {
  const asked = version;
  predictButton.disabled = true;
  const r = await postPredict<PredictAnswer>(JSON.stringify({ image: canvas.toDataURL('image/png') }), { 'Content-Type': 'application/json' });
  predictButton.disabled = false;
  if (asked !== version) return; // the drawing changed meanwhile; its own prediction follows
  if (r.status !== 200 || 'error' in r.body) return showMessage('error' in r.body ? r.body.error : 'prediction failed', true);
  showAnswer(r.body);
}

/** Predicts the drawing now: in the page when the model is here, else on the server. */
function predictNow(explicit = false): void {
  if (strokes.length === 0) return showMessage(explicit ? 'Draw a digit first.' : WELCOME);
  if (model) return showAnswer(predictHere(model));
  result.classList.add('stale');
  if (explicit || current === null) void predictOnServer();
}

function changed(): void {
  version++;
  redraw();
}

canvas.addEventListener('pointerdown', (e) => {
  canvas.setPointerCapture(e.pointerId);
  current = [point(e)];
  strokes.push(current);
  changed();
});
canvas.addEventListener('pointermove', (e) => {
  if (!current) return;
  current.push(point(e));
  changed();
  // Throttled live prediction during the stroke, only where it costs no round trip.
  if (model && e.timeStamp - lastLive >= LIVE_MS) {
    lastLive = e.timeStamp;
    predictNow();
  }
});
for (const end of ['pointerup', 'pointercancel'] as const) {
  canvas.addEventListener(end, () => {
    if (!current) return;
    current = null;
    predictNow();
  });
}

function undo(): void {
  strokes.pop();
  changed();
  predictNow();
}
function clear(): void {
  strokes.length = 0;
  changed();
  predictNow();
}

byId('undo').addEventListener('click', undo);
byId('clear').addEventListener('click', clear);
predictButton.addEventListener('click', () => predictNow(true));
document.addEventListener('keydown', (e) => {
  if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'z') {
    e.preventDefault();
    undo();
  } else if (e.key === 'Escape') {
    clear();
  } else if (e.key === 'Enter' && !(e.target instanceof HTMLButtonElement || e.target instanceof HTMLAnchorElement || e.target instanceof HTMLInputElement)) {
    predictNow(true);
  }
});

/** Fetches the compact model; without it (no compact form, a damaged file, no network) the server predicts. */
async function loadModel(): Promise<void> {
  try {
    const response = await fetch(COMPACT_MODEL_PATH);
    if (!response.ok) throw new Error(((await response.json()) as { error?: string }).error ?? `HTTP ${response.status}`);
    const text = await response.text();
    model = parseModel(text, 'the compact model');
    engine.textContent = `Predicting in your browser (${(text.length / 1e6).toFixed(2)} MB model, works offline).`;
    predictNow();
  } catch (e) {
    console.warn('predicting on the server:', e);
    engine.textContent = 'Predicting on the server: press Predict, or lift the pen.';
  }
}

redraw();
showMessage(WELCOME);
registerOffline();
void loadModel();
