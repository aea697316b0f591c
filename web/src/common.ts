// Shared by the pages: probability bars, the answer's words, the JSON API call and offline support.
import type {
  Answer,
  ErrorAnswer,
  FeedbackAnswer,
  FeedbackRequest,
  NumberAnswer,
  PieceAnswer,
  PredictAnswer,
  PredictNumberAnswer,
  UploadAnswer,
} from '../../src/core/api.js';

export const percent = (p: number, digits = 1): string => `${(100 * p).toFixed(digits)}%`;

/** The element with this id, or a clear error naming it when the page lacks it. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el as T;
}

/** Renders ten probability bars into a <ul>, the top class in bold. */
export function renderBars(list: HTMLElement, probabilities: readonly number[]): void {
  list.replaceChildren();
  const top = probabilities.indexOf(Math.max(...probabilities));
  probabilities.forEach((p, digit) => {
    const li = document.createElement('li');
    if (digit === top) li.className = 'top';
    const label = document.createElement('span');
    label.textContent = String(digit);
    const track = document.createElement('span');
    track.className = 'track';
    track.setAttribute('role', 'meter');
    track.setAttribute('aria-label', `probability of ${digit}`);
    track.setAttribute('aria-valuemin', '0');
    track.setAttribute('aria-valuemax', '100');
    track.setAttribute('aria-valuenow', (100 * p).toFixed(1));
    const fill = document.createElement('span');
    fill.className = 'fill';
    fill.style.setProperty('--p', percent(p));
    track.append(fill);
    const value = document.createElement('span');
    value.className = 'value';
    value.textContent = percent(p);
    li.append(label, track, value);
    list.append(li);
  });
}

/** The headline for an answer: the digit (or "?") and a line of words under it. */
export function verdict(a: Answer): { digit: string; words: (string | Node)[] } {
  if (a.digit !== null) {
    if (!a.deblurred) return { digit: String(a.digit), words: [`${percent(a.confidence)} sure`] };
    return {
      digit: String(a.digit),
      words: [
        `${percent(a.confidence)} sure`,
        document.createElement('br'),
        hint(`after undoing a motion blur of about ${a.deblurred.lengthPx} px at ${a.deblurred.angleDegrees}°`),
      ],
    };
  }
  if (a.guess === undefined) return { digit: '', words: [`No digit found: ${a.reason.replace(/^no digit found: /, '')}.`] };
  if (a.number !== undefined) return { digit: '?', words: [`This looks like a number: ${a.number}`] };
  // Ink, but not a digit to the model: say so, with its best guess in small type.
  return {
    digit: '?',
    words: ["This doesn't look like a digit", document.createElement('br'), hint(`best guess ${a.guess}, ${percent(a.confidence)}`, 'guess')],
  };
}

/** A line of small type under an answer. */
function hint(text: string, kind = ''): HTMLElement {
  const small = document.createElement('small');
  small.className = `hint ${kind}`.trim();
  small.textContent = text;
  return small;
}

/** The top three digits with their probabilities, e.g. "7 93.1% · 1 4.0% · 2 1.2%". */
export function topThree(probabilities: readonly number[]): string {
  return probabilities
    .map((p, d) => [d, p] as const)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([d, p]) => `${d} ${percent(p)}`)
    .join(' · ');
}

export type ApiResult<T> = { status: 200; body: T } | { status: number; body: ErrorAnswer };

/** POSTs to /api/predict (?mode=number for numbers); network failures and unreadable answers become a readable error. */
export function postPredict<T extends PredictAnswer | PredictNumberAnswer | UploadAnswer>(
  body: BodyInit,
  headers: Record<string, string> = {},
  mode: 'digit' | 'number' = 'digit',
): Promise<ApiResult<T>> {
  return post<T>(mode === 'number' ? '/api/predict?mode=number' : '/api/predict', body, headers);
}

async function post<T>(path: string, body: BodyInit, headers: Record<string, string>): Promise<ApiResult<T>> {
  let response: Response;
  try {
    response = await fetch(path, { method: 'POST', body, headers });
  } catch {
    return { status: 0, body: { error: 'cannot reach the server' } };
  }
  try {
    const json: unknown = await response.json();
    return { status: response.status, body: json } as ApiResult<T>;
  } catch {
    return { status: response.status, body: { error: `unexpected answer (HTTP ${response.status})` } };
  }
}

/** Lets the pages reload with no network after a first visit (web/src/sw.ts). */
export function registerOffline(): void {
  if ('serviceWorker' in navigator) navigator.serviceWorker.register('/sw.js').catch((e: unknown) => console.warn('offline support unavailable:', e));
}

/** The headline for a number: the digits read, and a line of words under it. */
export function numberVerdict(a: NumberAnswer): { number: string; words: string } {
  // Every reason starts by saying what was not found ("no digit found: …", "no number found: …", "too many pieces…").
  if (a.reason !== undefined) return { number: '', words: `${a.reason[0]!.toUpperCase()}${a.reason.slice(1)}.` };
  const read = a.digits.filter((d) => d.digit !== null);
  const refused = a.digits.length - read.length;
  const least = read.length ? Math.min(...read.map((d) => d.confidence)) : 0;
  // "The least sure 100.0%" reads oddly: when every digit rounds to 100%, say so.
  const surest = percent(least) === percent(1);
  const many = surest ? `${read.length} digits, each ${percent(1)} sure` : `${read.length} digits, the least sure ${percent(least)}`;
  const parts = [read.length > 1 ? many : read.length ? `1 digit, ${percent(least)} sure` : 'No digits'];
  if (refused) parts.push(`${refused} mark${refused > 1 ? 's' : ''} that ${refused > 1 ? "don't" : "doesn't"} look like a digit (red)`);
  return { number: a.number || '?', words: `${parts.join('; ')}.` };
}

/** Each piece of a number: what the model saw, the digit (or "?" with the best guess), how sure, and `extra(i)` (a correction picker). */
export function renderPieces(list: HTMLElement, digits: readonly PieceAnswer[], extra?: (i: number) => HTMLElement): void {
  list.replaceChildren(
    ...digits.map((d, i) => {
      const li = document.createElement('li');
      if (d.digit === null) li.className = 'refused';
      const img = document.createElement('img');
      img.className = 'pixelated';
      img.src = d.input;
      img.alt = `piece ${i + 1} as the model saw it`;
      const label = document.createElement('span');
      label.className = 'piece-digit';
      label.textContent = d.digit === null ? '?' : String(d.digit);
      const sure = document.createElement('span');
      sure.className = 'hint';
      sure.textContent = d.digit === null ? `not a digit (${d.guess}?)` : percent(d.confidence, 0);
      li.append(img, label, sure);
      if (extra) li.append(extra(i));
      return li;
    }),
  );
}

const SVG = 'http://www.w3.org/2000/svg';

/**
 * Boxes over an image `width`×`height`: one rectangle per piece, labelled with its digit; red when refused,
 * grey and dashed when the pieces made no number (`numberRead` false: a face, a letter cut in two).
 */
export function drawBoxes(svg: SVGSVGElement, digits: readonly PieceAnswer[], width: number, height: number, numberRead = true): void {
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  const stroke = Math.max(2, Math.round(Math.max(width, height) / 200));
  svg.replaceChildren(
    ...digits.flatMap((d) => {
      const rect = document.createElementNS(SVG, 'rect');
      const { x, y, w, h } = d.box;
      for (const [k, v] of Object.entries({ x, y, width: w, height: h, 'stroke-width': stroke })) rect.setAttribute(k, String(v));
      const kind = d.digit === null ? 'refused' : numberRead ? 'read' : 'unread';
      rect.setAttribute('class', kind);
      const label = document.createElementNS(SVG, 'text');
      label.setAttribute('x', String(x + stroke));
      label.setAttribute('y', String(Math.max(y - stroke, 6 * stroke)));
      label.setAttribute('font-size', String(6 * stroke));
      label.setAttribute('class', kind);
      label.textContent = d.digit === null ? '?' : String(d.digit);
      return [rect, label];
    }),
  );
}

/**
 * "Wrong? Pick the right digit": a disclosure with ten digit buttons and "not a digit". A pick sends the
 * image (`image()`, a data URL) with the right label to /api/feedback and says what became of it.
 */
export function correctionPicker(
  about: string,
  image: () => Promise<string>,
  where: Pick<FeedbackRequest, 'mode' | 'piece'> = {},
  prompt = 'Wrong? Pick the right digit',
): HTMLDetailsElement {
  const details = document.createElement('details');
  details.className = 'correct';
  const summary = document.createElement('summary');
  summary.textContent = prompt;
  const buttons = document.createElement('div');
  buttons.className = 'choices';
  buttons.setAttribute('role', 'group');
  buttons.setAttribute('aria-label', `the right answer for ${about}`);
  const status = document.createElement('p');
  status.className = 'hint';
  status.setAttribute('aria-live', 'polite');
  const labels: FeedbackRequest['label'][] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 'not a digit'];
  for (const label of labels) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = String(label);
    b.addEventListener('click', async () => {
      for (const other of buttons.querySelectorAll('button')) other.disabled = true;
      status.textContent = 'Saving…';
      const request: FeedbackRequest = { image: await image(), label, ...where };
      const r = await post<FeedbackAnswer>('/api/feedback', JSON.stringify(request), { 'Content-Type': 'application/json' });
      if (r.status === 201 && 'id' in r.body) {
        status.textContent = `Thank you: saved as correction #${r.body.id} (“${label}”). The model learns from corrections at its next fine-tune.`;
        return;
      }
      for (const other of buttons.querySelectorAll('button')) other.disabled = false;
      status.textContent = r.status === 404 ? 'This server does not take corrections.' : `Not saved: ${'error' in r.body ? r.body.error : `HTTP ${r.status}`}`;
      status.classList.add('error');
    });
    buttons.append(b);
  }
  details.append(summary, buttons, status);
  return details;
}

/** A file's bytes as a data URL, for /api/feedback's JSON. */
export function fileDataUrl(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error(`cannot read ${file.name}`));
    reader.readAsDataURL(file);
  });
}
