import { predict, renderBars } from './common.js';

const canvas = document.getElementById('board');
const ctx = canvas.getContext('2d');
const prediction = document.getElementById('prediction');
const confidence = document.getElementById('confidence');
const bars = document.getElementById('bars');
const seen = document.getElementById('seen');
const seenImage = document.getElementById('seen-image');
const predictButton = document.getElementById('predict');

// A round brush about 1/14 of the board: a digit filling it ends near MNIST's stroke width after preprocessing.
const BRUSH = 20;
const strokes = [];
let current = null;

function paper() {
  ctx.fillStyle = 'white';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
}

function redraw() {
  paper();
  ctx.strokeStyle = 'black';
  ctx.fillStyle = 'black';
  ctx.lineWidth = BRUSH;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  for (const s of strokes) {
    if (s.length === 1) {
      ctx.beginPath();
      ctx.arc(s[0][0], s[0][1], BRUSH / 2, 0, 2 * Math.PI);
      ctx.fill();
      continue;
    }
    ctx.beginPath();
    ctx.moveTo(s[0][0], s[0][1]);
    for (const [x, y] of s.slice(1)) ctx.lineTo(x, y);
    ctx.stroke();
  }
}

function point(e) {
  const r = canvas.getBoundingClientRect();
  return [((e.clientX - r.left) * canvas.width) / r.width, ((e.clientY - r.top) * canvas.height) / r.height];
}

canvas.addEventListener('pointerdown', (e) => {
  canvas.setPointerCapture(e.pointerId);
  current = [point(e)];
  strokes.push(current);
  redraw();
});
canvas.addEventListener('pointermove', (e) => {
  if (!current) return;
  current.push(point(e));
  redraw();
});
for (const end of ['pointerup', 'pointercancel']) canvas.addEventListener(end, () => (current = null));

function showMessage(text, isError = false) {
  prediction.textContent = '';
  confidence.textContent = text;
  confidence.classList.toggle('error', isError);
  bars.replaceChildren();
  seen.hidden = true;
}

document.getElementById('undo').addEventListener('click', () => {
  strokes.pop();
  redraw();
});
document.getElementById('clear').addEventListener('click', () => {
  strokes.length = 0;
  redraw();
  showMessage('Draw a digit, then press Predict.');
});
document.addEventListener('keydown', (e) => {
  if ((e.ctrlKey || e.metaKey) && e.key === 'z') {
    strokes.pop();
    redraw();
  }
});

predictButton.addEventListener('click', async () => {
  if (strokes.length === 0) {
    showMessage('Draw a digit first.');
    return;
  }
  predictButton.disabled = true;
  confidence.textContent = 'Thinking…';
  const [status, body] = await predict(JSON.stringify({ image: canvas.toDataURL('image/png') }), { 'Content-Type': 'application/json' });
  predictButton.disabled = false;
  if (status !== 200) return showMessage(body.error ?? 'prediction failed', true);
  if (body.digit === null && body.guess === undefined) return showMessage(`No digit found: ${body.reason.replace(/^no digit found: /, '')}. Draw a bigger, darker digit.`);
  confidence.classList.remove('error');
  if (body.digit === null) {
    // Ink, but not a digit to the model: say so, with its best guess in small type.
    prediction.textContent = '?';
    const guess = document.createElement('small');
    guess.className = 'hint guess';
    guess.textContent = `best guess ${body.guess}, ${(100 * body.confidence).toFixed(1)}%`;
    confidence.replaceChildren("This doesn't look like a digit", document.createElement('br'), guess);
  } else {
    prediction.textContent = String(body.digit);
    confidence.textContent = `${(100 * body.confidence).toFixed(1)}% sure`;
  }
  seenImage.src = body.input;
  seen.hidden = false;
  renderBars(bars, body.probabilities);
});

redraw();
