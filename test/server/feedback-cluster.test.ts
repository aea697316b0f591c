import { suite } from '../helpers/suite.js';
import { inkOnPaper } from '../../src/core/image/rgba.js';
import * as assert from 'uvu/assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request } from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { encodePng } from '../../src/codecs/png.js';
import { digitInk } from '../helpers/images.js';
import { startCli } from '../helpers/serve.js';

/* Nothing lost: corrections through every npm start process at once, and a server killed mid-burst. */

const test = suite('feedback under load and crash');
const image = `data:image/png;base64,${Buffer.from(encodePng(inkOnPaper(digitInk(7, 120, 120, { size: 90, brush: 5 }), 120, 120, [0, 0, 0], [255, 255, 255]))).toString('base64')}`;
const send = (url: string, label: number) =>
  fetch(`${url}/api/feedback`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Connection: 'close' },
    body: JSON.stringify({ image, label }),
  });

/**
 * The same correction from a loopback address of its own (127.0.0.x): a burst from one address is what the
 * per-address connection cap (256 a process) is there to refuse.
 */
const sendFrom = (url: string, label: number, localAddress: string) =>
  new Promise<number>((resolve, reject) => {
    const body = JSON.stringify({ image, label });
    const req = request(
      `${url}/api/feedback`,
      { method: 'POST', localAddress, agent: false, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } },
      (r) => {
        r.resume();
        r.on('end', () => resolve(r.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });

/** Every row of a store file, checked cell by cell; the file's own integrity check first. */
function rowsOf(path: string): { id: number; label: number }[] {
  const db = new Database(path, { readonly: true });
  try {
    assert.is(db.pragma('integrity_check', { simple: true }), 'ok');
    const rows = db.prepare('SELECT id, label, input, probabilities, predicted, model, client_hash, created_at FROM corrections ORDER BY id').all() as {
      id: number;
      label: number;
      input: Buffer;
      probabilities: string;
      model: string;
      client_hash: string;
      created_at: string;
    }[];
    for (const r of rows) {
      assert.ok(
        r.input.length === 784 &&
          r.label >= 0 &&
          r.label <= 9 &&
          (JSON.parse(r.probabilities) as number[]).length === 10 &&
          r.model &&
          r.client_hash.length === 32 &&
          !Number.isNaN(Date.parse(r.created_at)),
        `row ${r.id} is whole`,
      );
    }
    return rows;
  } finally {
    db.close();
  }
}

test('500 corrections sent at once from five addresses through both npm start processes make 500 whole rows', async () => {
  const db = join(mkdtempSync(join(tmpdir(), 'cluster-')), 'feedback.db');
  const server = startCli({ WORKERS: '2', FEEDBACK_DB: db, FEEDBACK_PER_MINUTE: '100000' });
  try {
    const url = await server.url;
    const statuses = await Promise.all(Array.from({ length: 500 }, (_, i) => sendFrom(url, i % 10, `127.0.0.${1 + (i % 5)}`)));
    assert.equal(
      statuses.filter((s) => s !== 201),
      [],
      'every correction acknowledged',
    );
  } finally {
    server.killGroup('SIGTERM');
  }
  await server.exited;
  const rows = rowsOf(db);
  assert.is(rows.length, 500);
  const perLabel = Array.from({ length: 10 }, (_, d) => rows.filter((r) => r.label === d).length);
  assert.equal(perLabel, Array(10).fill(50));
});

test('killed with SIGKILL mid-burst, the store opens whole and holds every acknowledged correction', async () => {
  const db = join(mkdtempSync(join(tmpdir(), 'crash-')), 'feedback.db');
  const server = startCli({ WORKERS: '2', FEEDBACK_DB: db, FEEDBACK_PER_MINUTE: '100000' });
  const url = await server.url;
  const acknowledged: number[] = [];
  let killed = false;
  const burst = Array.from({ length: 400 }, (_, i) =>
    send(url, i % 10)
      .then(async (r) => {
        if (r.status === 201) acknowledged.push(((await r.json()) as { id: number }).id);
        // Kill every process of the server at once, with writes in flight.
        if (acknowledged.length === 60 && !killed) {
          killed = true;
          server.killGroup('SIGKILL');
        }
      })
      .catch(() => {}),
  );
  await Promise.all(burst);
  await server.exited;
  assert.ok(killed && acknowledged.length >= 60 && acknowledged.length < 400, `${acknowledged.length} acknowledged before the kill`);
  const ids = new Set(rowsOf(db).map((r) => r.id));
  assert.equal(
    acknowledged.filter((id) => !ids.has(id)),
    [],
    'no acknowledged correction lost',
  );
});

test.run();
