import { suite } from '../helpers/suite.js';
import { inkOnPaper } from '../../src/core/image/rgba.js';
import * as assert from 'uvu/assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type FeedbackStore } from '../../src/feedback/store.js';
import { decodeImage } from '../../src/codecs/decode.js';
import { predictDecoded } from '../../src/core/image/pipeline.js';
import { loadModel } from '../../src/io/model-file.js';
import { encodePng } from '../../src/codecs/png.js';
import { digitInk, numberPng } from '../helpers/images.js';
import { startServer } from '../../benchmarks/drive/server.js';

const test = suite('feedback API');
const seven = encodePng(inkOnPaper(digitInk(7, 200, 200), 200, 200, [0, 0, 0], [255, 255, 255]));
const blank = encodePng(inkOnPaper(new Float32Array(64 * 64), 64, 64, [0, 0, 0], [255, 255, 255]));
const dataUrl = (b: Uint8Array) => `data:image/png;base64,${Buffer.from(b).toString('base64')}`;
let store: FeedbackStore;
let server: Awaited<ReturnType<typeof startServer>>;

test.before(async () => {
  store = await openStore({ databaseUrl: '', path: join(mkdtempSync(join(tmpdir(), 'feedback-api-')), 'f.db'), maxRows: 8 });
  // Behind a trusted proxy, so that X-Forwarded-For can stand for other client addresses.
  server = await startServer({}, undefined, undefined, { store, perMinute: 6 }, { trustProxy: true });
});
test.after(async () => {
  await server.close();
  await store.close();
});

const post = (body: unknown, address = '198.51.100.1', url = server.url) =>
  fetch(`${url}/api/feedback`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': address }, body: JSON.stringify(body) });

test('a correction stores the 28×28 the server computed, its own prediction and probabilities; the answer has no input', async () => {
  const r = await post({ image: dataUrl(seven), label: 1, input: Array(784).fill(1) });
  assert.is(r.status, 201);
  const body = (await r.json()) as Record<string, unknown>;
  assert.equal(Object.keys(body).sort(), ['confirmation', 'count', 'id', 'label', 'predicted']);
  assert.is(body.label, 1);
  assert.is(body.confirmation, false);
  const [row] = await store.list();
  const p = predictDecoded(await decodeImage(seven), loadModel());
  assert.is(row!.predicted, p.digit);
  assert.equal(row!.probabilities, p.probabilities);
  // The server's own 28×28, not the one the client sent (all ones).
  assert.equal(
    Array.from(row!.input),
    Array.from(p.input!, (v) => Math.round(255 * v)),
  );
  assert.match(row!.model, /^committee:[0-9a-f]{16}$|^mlp:[0-9a-f]{16}$/);
  assert.match(row!.clientHash, /^[0-9a-f]{32}$/);
  assert.not.match(row!.clientHash, /127\.0\.0\.1/);
});

test('"not a digit" and number mode: piece n of the number is the one stored', async () => {
  assert.is((await post({ image: dataUrl(seven), label: 'not a digit' })).status, 201);
  const r = await post({ image: dataUrl(numberPng('42')), label: 9, mode: 'number', piece: 1 });
  assert.is(r.status, 201);
  const rows = await store.list();
  assert.is(rows[rows.length - 2]!.label, null);
  assert.is(rows[rows.length - 1]!.predicted, 2, 'piece 1 of 42 is the 2');
});

test('bad corrections are clear 4xx errors and store nothing', async () => {
  const before = await store.count();
  const cases: [unknown, number, RegExp][] = [
    [{ image: dataUrl(seven), label: 10 }, 400, /"label" is the right digit, 0 to 9, or "not a digit"; got 10/],
    [{ image: dataUrl(seven) }, 400, /got nothing/],
    [{ image: dataUrl(seven), label: 3, mode: 'number', piece: 5 }, 400, /has 1 digits \(pieces 0 to 0\); there is no piece 5/],
    [{ image: dataUrl(seven), label: 3, mode: 'letters' }, 400, /"mode" is "digit" or "number"/],
    [{ image: dataUrl(blank), label: 3 }, 400, /nothing to learn from: no digit found/],
    [{ image: 'not base64!', label: 3 }, 400, /not valid base64/],
    [{ image: dataUrl(Buffer.from('hello')), label: 3 }, 415, /unsupported format/],
  ];
  for (const [body, status, message] of cases) {
    const r = await post(body, 'test-bad');
    assert.is(r.status, status, JSON.stringify(body).slice(0, 80));
    assert.match(((await r.json()) as { error: string }).error, message);
  }
  const wrongType = await fetch(`${server.url}/api/feedback`, { method: 'POST', body: 'label=3' });
  assert.is(wrongType.status, 415);
  assert.is(await store.count(), before);
});

test('a client over its rate limit gets 429; others are not held up; a full store answers 507', async () => {
  // 3 of this client's 6 a minute went in above; 3 more pass, the 7th is refused.
  // Picking 7 for a 7 the model read as 7 is a confirmation: stored, not counted among the 3 corrections.
  const confirmed = await post({ image: dataUrl(seven), label: 7 });
  assert.equal(await confirmed.json(), { id: 4, label: 7, predicted: 7, confirmation: true, count: 3 });
  const statuses = [confirmed.status];
  for (let i = 0; i < 3; i++) statuses.push((await post({ image: dataUrl(seven), label: 7 })).status);
  assert.equal(statuses, [201, 201, 201, 429]);
  const limited = await post({ image: dataUrl(seven), label: 7 });
  assert.match(((await limited.json()) as { error: string }).error, /at most 6 a minute from one client/);
  // Another client: the store now holds 6 of its 8, then it is full.
  assert.equal(
    [(await post({ image: dataUrl(seven), label: 7 }, '198.51.100.2')).status, (await post({ image: dataUrl(seven), label: 7 }, '198.51.100.2')).status],
    [201, 201],
  );
  const full = await post({ image: dataUrl(seven), label: 7 }, '198.51.100.2');
  assert.is(full.status, 507);
  assert.match(((await full.json()) as { error: string }).error, /the feedback store is full \(8 corrections\)/);
  assert.is(await store.count(), 8);
});

test('the limit is per address: another User-Agent is the same client, and X-Forwarded-For counts only from a trusted proxy', async () => {
  const own = await openStore({ databaseUrl: '', path: join(mkdtempSync(join(tmpdir(), 'feedback-limit-')), 'f.db') });
  const direct = await startServer({}, undefined, undefined, { store: own, perMinute: 3 });
  try {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await fetch(`${direct.url}/api/feedback`, {
        method: 'POST',
        // Each request claims another browser and another forwarded address: neither is trusted here.
        headers: { 'Content-Type': 'application/json', 'User-Agent': `agent-${i}`, 'X-Forwarded-For': `203.0.113.${i}` },
        body: JSON.stringify({ image: dataUrl(seven), label: 1 }),
      });
      statuses.push(r.status);
    }
    assert.equal(statuses, [201, 201, 201, 429, 429]);
    assert.is(await own.count(), 3);
  } finally {
    await direct.close();
    await own.close();
  }
});

test('a store that fails is a 503 saying the correction was not saved, not a 500', async () => {
  const broken = await openStore({ databaseUrl: '', path: ':memory:' });
  await broken.close();
  const other = await startServer({}, undefined, undefined, { store: broken });
  try {
    const r = await fetch(`${other.url}/api/feedback`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ image: dataUrl(seven), label: 1 }),
    });
    assert.is(r.status, 503);
    assert.match(((await r.json()) as { error: string }).error, /unavailable right now: your correction was not saved/);
  } finally {
    await other.close();
  }
});

test('corrections are never served back: a summary of counts only', async () => {
  const summary = (await (await fetch(`${server.url}/api/feedback/summary`)).json()) as {
    count: number;
    confirmations: number;
    store: string;
    confusions: { predicted: number | null; label: number | null; n: number }[];
  };
  // 8 rows: 3 corrections, and 5 times 7 picked for the 7 the model read (confirmations, never "7 → 7").
  assert.is(summary.count, 3);
  assert.is(summary.confirmations, 5);
  assert.is(summary.store, 'sqlite');
  assert.is(
    summary.confusions.reduce((a, c) => a + c.n, 0),
    3,
  );
  assert.ok(
    summary.confusions.every((c) => c.predicted !== c.label),
    JSON.stringify(summary.confusions),
  );
  assert.not.match(JSON.stringify(summary), /input|base64/);
  for (const path of ['/api/feedback', '/api/feedback/1', '/data/feedback/feedback.db'])
    assert.is((await fetch(`${server.url}${path}`)).status, path === '/api/feedback' ? 405 : 404, path);
});

test.run();
