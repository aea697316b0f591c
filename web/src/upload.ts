// The upload form: images go to the server (photos need its decoders), one compact card per image; with
// "Read whole numbers" each image is read as a number, its digits boxed.
import type { Answer, NumberAnswer, PredictAnswer, PredictNumberAnswer, UploadAnswer } from '../../src/core/api.js';
import {
  byId,
  correctionPicker,
  drawBoxes,
  fileDataUrl,
  numberVerdict,
  postPredict,
  registerOffline,
  renderBars,
  renderPieces,
  topThree,
  verdict,
} from './common.js';

const form = byId<HTMLFormElement>('form');
const input = byId<HTMLInputElement>('files');
const status = byId('status');
const list = byId('uploads');
const numbers = byId<HTMLInputElement>('numbers');

type Result = UploadAnswer['results'][number];

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, ...children: (string | Node)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  e.className = className;
  e.append(...children);
  return e;
}

/** A card: the upload, what the model saw, the digit, its confidence and the top three; all ten bars on demand. */
function resultCard(file: File, result: Result): HTMLElement {
  if ('error' in result) return el('article', 'card upload-result failed', `${file.name}: ${result.error}`);
  if ('digits' in result) return numberCard(file, result);
  const a: Answer = result;
  const thumb = el('img', 'thumb');
  thumb.alt = `uploaded ${file.name}`;
  thumb.src = URL.createObjectURL(file);
  const { digit, words } = verdict(a);
  const text = el('div', 'text', el('div', 'hint name', file.name));
  let seen: HTMLElement;
  if (a.input === undefined) {
    // No ink: nothing was seen, so an empty frame rather than a picture.
    seen = el('div', 'pixelated none', 'blank');
    seen.setAttribute('aria-label', 'no digit');
    text.append(el('div', 'words', ...words));
  } else {
    const img = el('img', 'pixelated');
    img.alt = `the 28×28 image the model saw for ${file.name}`;
    img.src = a.input;
    seen = img;
    const ul = el('ul', 'bars');
    ul.setAttribute('aria-label', `class probabilities for ${file.name}`);
    renderBars(ul, a.probabilities);
    const details = el('details', 'all', el('summary', '', 'all ten'), ul);
    text.append(
      el('div', 'line', el('span', 'digit prediction', digit), el('span', 'words', ...words)),
      el('div', 'hint top3', `top 3: ${topThree(a.probabilities)}`),
      details,
      correctionPicker(file.name, () => fileDataUrl(file)),
    );
  }
  return el('article', 'card upload-result', thumb, seen, text);
}

/** A number's card: the upload with a box round each digit, the number, and each piece as the model saw it. */
function numberCard(file: File, a: NumberAnswer): HTMLElement {
  const url = URL.createObjectURL(file);
  const figure = el('div', 'number-figure');
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('class', 'boxes');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', `uploaded ${file.name} with a box round each digit read`);
  const picture = document.createElementNS('http://www.w3.org/2000/svg', 'image');
  picture.setAttribute('href', url);
  // The boxes are in the image's own pixels: size the drawing once its size is known.
  const probe = new Image();
  probe.onload = () => {
    const { naturalWidth: w, naturalHeight: h } = probe;
    drawBoxes(svg, a.digits, w, h, a.reason === undefined);
    picture.setAttribute('width', String(w));
    picture.setAttribute('height', String(h));
    svg.prepend(picture);
  };
  probe.src = url;
  figure.append(svg);
  const { number, words } = numberVerdict(a);
  const list = el('ol', 'pieces');
  list.setAttribute('aria-label', `the digits read in ${file.name}, left to right`);
  renderPieces(list, a.digits, (i) => correctionPicker(`digit ${i + 1} of ${file.name}`, () => fileDataUrl(file), { mode: 'number', piece: i }, 'Wrong?'));
  const text = el(
    'div',
    'text',
    el('div', 'hint name', file.name),
    el('div', 'line', el('span', 'digit prediction', number), el('span', 'words', words)),
    list,
  );
  return el('article', 'card upload-result number-result', figure, text);
}

/** Requests sent: an answer to one that is no longer the latest is dropped, not added to the latest's cards. */
let sent = 0;

async function send(files: File[]): Promise<void> {
  const request = ++sent;
  if (files.length === 0) {
    status.textContent = 'Choose at least one image.';
    return;
  }
  const data = new FormData();
  for (const f of files) data.append('image', f, f.name);
  status.classList.remove('error');
  status.textContent = `Predicting ${files.length} image${files.length > 1 ? 's' : ''}…`;
  list.replaceChildren();
  // One file is answered on its own, several as {results}; a refused request as {error}.
  const r = await postPredict<PredictAnswer | PredictNumberAnswer | UploadAnswer>(data, {}, numbers.checked ? 'number' : 'digit');
  // Choosing files sends them at once; a press of Predict meanwhile sends them again.
  if (request !== sent) return;
  let results: Result[];
  if (r.status === 0) {
    status.classList.add('error');
    status.textContent =
      'Reading an upload needs the server, and it cannot be reached (are you offline?). The drawing board works offline: draw the digit there.';
    return;
  }
  if ('results' in r.body) results = r.body.results;
  else if ('digit' in r.body || 'digits' in r.body) results = [{ file: files[0]!.name, ...r.body }];
  else if (files.length === 1) results = [{ file: files[0]!.name, error: r.body.error }];
  else {
    status.classList.add('error');
    status.textContent = 'error' in r.body ? r.body.error : 'upload failed';
    return;
  }
  const ok = results.filter((x) => !('error' in x)).length;
  status.textContent = `${ok} of ${files.length} predicted.`;
  for (const [i, f] of files.entries()) list.append(resultCard(f, results[i]!));
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  void send([...(input.files ?? [])]);
});
input.addEventListener('change', () => void send([...(input.files ?? [])]));
numbers.addEventListener('change', () => {
  if (input.files?.length) void send([...input.files]);
});
for (const type of ['dragenter', 'dragover'] as const) {
  form.addEventListener(type, (e) => {
    e.preventDefault();
    form.classList.add('over');
  });
}
for (const type of ['dragleave', 'drop'] as const) form.addEventListener(type, () => form.classList.remove('over'));
form.addEventListener('drop', (e) => {
  e.preventDefault();
  void send([...(e.dataTransfer?.files ?? [])]);
});
registerOffline();
