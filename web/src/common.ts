// Shared by the pages: probability bars, the answer's words, the JSON API call and offline support.
import type { Answer, ErrorAnswer, PredictAnswer, UploadAnswer } from '../../src/api.js';

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
  if (a.digit !== null) return { digit: String(a.digit), words: [`${percent(a.confidence)} sure`] };
  if (a.guess === undefined) return { digit: '', words: [`No digit found: ${a.reason.replace(/^no digit found: /, '')}.`] };
  // Ink, but not a digit to the model: say so, with its best guess in small type.
  const guess = document.createElement('small');
  guess.className = 'hint guess';
  guess.textContent = `best guess ${a.guess}, ${percent(a.confidence)}`;
  return { digit: '?', words: ["This doesn't look like a digit", document.createElement('br'), guess] };
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

/** POSTs to /api/predict; network failures and unreadable answers become a readable error. */
export async function postPredict<T extends PredictAnswer | UploadAnswer>(body: BodyInit, headers: Record<string, string> = {}): Promise<ApiResult<T>> {
  let response: Response;
  try {
    response = await fetch('/api/predict', { method: 'POST', body, headers });
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
