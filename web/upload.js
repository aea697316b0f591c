import { predict, renderBars } from './common.js';

const form = document.getElementById('form');
const input = document.getElementById('files');
const status = document.getElementById('status');
const list = document.getElementById('uploads');

function resultCard(file, result) {
  const card = document.createElement('article');
  card.className = 'card upload-result';
  if (result.error) {
    card.classList.add('failed');
    card.textContent = `${file.name}: ${result.error}`;
    return card;
  }
  const thumb = document.createElement('img');
  thumb.className = 'thumb';
  thumb.alt = `uploaded ${file.name}`;
  thumb.src = URL.createObjectURL(file);
  const seen = document.createElement('img');
  seen.className = 'pixelated';
  const text = document.createElement('div');
  const name = document.createElement('div');
  name.className = 'hint';
  name.textContent = file.name;
  if (result.digit === null && result.guess === undefined) {
    seen.alt = 'no digit';
    text.append(name, `No digit found: ${result.reason.replace(/^no digit found: /, '')}`);
    card.append(thumb, seen, text);
    return card;
  }
  seen.alt = `the 28×28 image the model saw for ${file.name}`;
  seen.src = result.input;
  const digit = document.createElement('span');
  digit.className = 'digit prediction';
  digit.textContent = result.digit === null ? '?' : String(result.digit);
  const conf = document.createElement('span');
  if (result.digit === null) {
    const guess = document.createElement('small');
    guess.className = 'hint';
    guess.textContent = ` (best guess ${result.guess}, ${(100 * result.confidence).toFixed(1)}%)`;
    conf.append("  This doesn't look like a digit", guess);
  } else {
    conf.textContent = `  ${(100 * result.confidence).toFixed(1)}% sure`;
  }
  const bars = document.createElement('ul');
  bars.className = 'bars';
  bars.setAttribute('aria-label', `class probabilities for ${file.name}`);
  renderBars(bars, result.probabilities);
  text.append(name, digit, conf, bars);
  card.append(thumb, seen, text);
  return card;
}

async function send(files) {
  if (files.length === 0) {
    status.textContent = 'Choose at least one image.';
    return;
  }
  const data = new FormData();
  for (const f of files) data.append('image', f, f.name);
  status.classList.remove('error');
  status.textContent = `Predicting ${files.length} image${files.length > 1 ? 's' : ''}…`;
  list.replaceChildren();
  const [code, body] = await predict(data);
  if (code !== 200 && files.length > 1) {
    status.classList.add('error');
    status.textContent = body.error ?? 'upload failed';
    return;
  }
  const results = files.length === 1 ? [code === 200 ? body : { error: body.error ?? 'failed' }] : body.results;
  status.textContent = `${results.filter((r) => !r.error).length} of ${files.length} predicted.`;
  files.forEach((f, i) => list.append(resultCard(f, results[i])));
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  void send([...input.files]);
});
input.addEventListener('change', () => void send([...input.files]));
for (const type of ['dragenter', 'dragover']) form.addEventListener(type, (e) => { e.preventDefault(); form.classList.add('over'); });
for (const type of ['dragleave', 'drop']) form.addEventListener(type, () => form.classList.remove('over'));
form.addEventListener('drop', (e) => {
  e.preventDefault();
  void send([...e.dataTransfer.files]);
});
