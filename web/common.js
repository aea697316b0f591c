// Shared by the pages: probability bars and the JSON API call.

/** Renders ten probability bars into a <ul>, the top class in bold. */
export function renderBars(list, probabilities) {
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
    fill.style.width = `${(100 * p).toFixed(1)}%`;
    track.append(fill);
    const value = document.createElement('span');
    value.textContent = `${(100 * p).toFixed(1)}%`;
    li.append(label, track, value);
    list.append(li);
  });
}

/** POSTs to /api/predict and returns [status, body]; network failures become a readable error. */
export async function predict(body, headers = {}) {
  let response;
  try {
    response = await fetch('/api/predict', { method: 'POST', body, headers });
  } catch {
    return [0, { error: 'cannot reach the server' }];
  }
  let json;
  try {
    json = await response.json();
  } catch {
    json = { error: `unexpected answer (HTTP ${response.status})` };
  }
  return [response.status, json];
}
