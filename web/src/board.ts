// The drawing board: predicts as you draw, in the page, with the core the server runs (src/core/index.ts) and the
// served model in compact form. When that model cannot load, it asks the server instead. In Number mode the
// board is twice as wide and every digit on it is read, with a box drawn round each.
import {
  COMPACT_MODEL_PATH,
  compileKernelsAhead,
  parseCompactModel,
  predictDecoded,
  readNumber,
  toAnswer,
  toNumberAnswer,
  type Answer,
  type DigitModel,
  type NumberAnswer,
  type PredictAnswer,
  type PredictNumberAnswer,
} from './core.js';
import { byId, correctionPicker, drawBoxes, numberVerdict, postPredict, registerOffline, renderBars, renderPieces, verdict } from './common.js';

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
const layout = byId('layout');
const heading = byId('heading');
const boxes = byId('boxes') as unknown as SVGSVGElement;
const pieces = byId('pieces');
const switchToNumber = byId<HTMLButtonElement>('as-number');
const correct = byId('correct');
const drawing = async () => canvas.toDataURL('image/png');
const modeInputs = [...document.querySelectorAll<HTMLInputElement>('input[name="mode"]')];

// A round brush about 1/14 of the board: a digit filling it ends near MNIST's stroke width after preprocessing.
const BRUSH = 20;
/** Live predictions while a stroke is drawn come at most this often. */
const LIVE_MS = 100;
const WELCOME = { digit: 'Draw a digit: the model reads it as you draw.', number: 'Write a number, digits side by side: each is read as you draw.' };
/** Board sizes in canvas pixels: a square for one digit, twice as wide for a number. */
const SIZES = { digit: [280, 280], number: [560, 280] } as const;

type Mode = keyof typeof SIZES;
let mode: Mode = location.hash === '#number' ? 'number' : 'digit';

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
  pieces.replaceChildren();
  boxes.replaceChildren();
  correct.replaceChildren();
  switchToNumber.hidden = true;
  result.classList.remove('stale');
}

function showAnswer(a: Answer): void {
  const { digit, words } = verdict(a);
  prediction.textContent = digit;
  confidence.classList.remove('error');
  confidence.replaceChildren(...words);
  result.classList.remove('stale');
  pieces.replaceChildren();
  boxes.replaceChildren();
  // Several digits on the one-digit board: offer to read them as a number.
  switchToNumber.hidden = a.digit !== null || a.number === undefined;
  correct.replaceChildren(...(a.input === undefined ? [] : [correctionPicker('your drawing', drawing)]));
  if (a.input === undefined) {
    bars.replaceChildren();
    seen.hidden = true;
    return;
  }
  seenImage.src = a.input;
  seen.hidden = false;
  renderBars(bars, a.probabilities);
}

function showNumber(a: NumberAnswer): void {
  const { number, words } = numberVerdict(a);
  prediction.textContent = number;
  confidence.classList.remove('error');
  confidence.textContent = words;
  result.classList.remove('stale');
  bars.replaceChildren();
  seen.hidden = true;
  seenImage.removeAttribute('src');
  switchToNumber.hidden = true;
  correct.replaceChildren();
  renderPieces(pieces, a.digits, (i) => correctionPicker(`digit ${i + 1} of your number`, drawing, { mode: 'number', piece: i }, 'Wrong?'));
  drawBoxes(boxes, a.digits, canvas.width, canvas.height, a.reason === undefined);
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

/**
 * Canvas pixels → the core's preprocessing (or segmentation) → the model: the path `npm run bench -- --only
 * browser` times, as the measures "predict" and "predict-number".
 */
function predictHere(m: DigitModel, live: boolean): void {
  const start = performance.now();
  const { width, height, data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
  const img = { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  if (mode === 'number') {
    const reading = readNumber(img, m);
    performance.measure('predict-number', { start, end: performance.now() });
    showNumber(toNumberAnswer(reading, picture));
    return;
  }
  const p = predictDecoded(img, m, { live });
  performance.measure('predict', { start, end: performance.now() });
  showAnswer(toAnswer(p, picture));
}

async function predictOnServer(): Promise<void> {
  const asked = version;
  const askedMode = mode;
  predictButton.disabled = true;
  const r = await postPredict<PredictAnswer | PredictNumberAnswer>(
    JSON.stringify({ image: canvas.toDataURL('image/png') }),
    { 'Content-Type': 'application/json' },
    askedMode,
  );
  predictButton.disabled = false;
  if (asked !== version || askedMode !== mode) return; // the drawing changed meanwhile; its own prediction follows
  if (r.status !== 200 || 'error' in r.body) return showMessage('error' in r.body ? r.body.error : 'prediction failed', true);
  if ('number' in r.body && 'digits' in r.body) showNumber(r.body);
  else showAnswer(r.body as PredictAnswer);
}

/** Predicts the drawing now: in the page when the model is here, else on the server. */
function predictNow(explicit = false): void {
  if (strokes.length === 0) {
    showMessage(explicit ? `Draw a ${mode} first.` : WELCOME[mode]);
    return;
  }
  // While a stroke is under way (`current`), the reading is live: it skips the second looks (number, motion blur); the stroke's end makes them.
  if (model) {
    predictHere(model, current !== null);
    return;
  }
  result.classList.add('stale');
  if (explicit || current === null) void predictOnServer();
}

function changed(): void {
  version++;
  redraw();
}

/** One digit on a square board, or a number on a wide one; the drawing stays when it fits the new board. */
function setMode(next: Mode): void {
  mode = next;
  [canvas.width, canvas.height] = SIZES[mode];
  if (strokes.some((s) => s.some(([x]) => x > canvas.width))) strokes.length = 0;
  layout.classList.toggle('number', mode === 'number');
  heading.textContent = mode === 'number' ? 'Write a number' : 'Draw a digit';
  document.title = `${heading.textContent} · MNIST classic`;
  for (const input of modeInputs) input.checked = input.value === mode;
  canvas.setAttribute('aria-label', `drawing area: ${mode === 'number' ? 'write a number' : 'draw a digit'} here`);
  history.replaceState(null, '', mode === 'number' ? '#number' : location.pathname);
  changed();
  predictNow();
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

for (const input of modeInputs) input.addEventListener('change', () => setMode(input.value as Mode));
switchToNumber.addEventListener('click', () => setMode('number'));
// A link to /#number (or back to /) from this very page switches the board without a reload.
window.addEventListener('hashchange', () => setMode(location.hash === '#number' ? 'number' : 'digit'));
byId('undo').addEventListener('click', undo);
byId('clear').addEventListener('click', clear);
predictButton.addEventListener('click', () => predictNow(true));
document.addEventListener('keydown', (e) => {
  if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'z') {
    e.preventDefault();
    undo();
  } else if (e.key === 'Escape') {
    clear();
  } else if (e.key === 'Enter' && !(e.target instanceof Element && e.target.closest('button, a, input, select, textarea, summary'))) {
    predictNow(true);
  }
});

/** Fetches the compact model; without it (no compact form, a damaged file, no network) the server predicts. */
async function loadModel(): Promise<void> {
  try {
    const response = await fetch(COMPACT_MODEL_PATH);
    if (!response.ok) throw new Error(((await response.json()) as { error?: string }).error ?? `HTTP ${response.status}`);
    const text = await response.text();
    await compileKernelsAhead();
    model = parseCompactModel(text, 'the compact model');
    engine.textContent = `Predicting in your browser (${(text.length / 1e6).toFixed(2)} MB model, works offline).`;
    predictNow();
  } catch (e) {
    console.warn('predicting on the server:', e);
    engine.textContent = 'Predicting on the server: press Predict, or lift the pen.';
  }
}

setMode(mode);
registerOffline();
void loadModel();
