import type { ChildProcess } from 'node:child_process';
import { inkOnPaper } from '../../src/core/image/rgba.js';
import { existsSync } from 'node:fs';
import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import { openStore } from '../../src/feedback/store.js';
import { encodePng } from '../../src/codecs/png.js';
import { digitInk } from '../helpers/images.js';
import { needs } from '../helpers/needs.js';
import { NO_POSTGRES, postgresBin, startPostgres } from '../helpers/postgres.js';
import { startCli } from '../helpers/serve.js';
import { KEEPALIVE, NGINX, startNginx } from '../../benchmarks/drive/nginx.js';

/* Scale-out with real parts (docs/deploy.md): Debian's nginx in front of two npm start instances that share one PostgreSQL. */

const NAME = 'two instances behind nginx, one PostgreSQL';
const missing = NO_POSTGRES ?? (existsSync(NGINX) ? null : `no nginx at ${NGINX} (apt-get install -y nginx-light; .ci/run does)`);
const test = needs(suite(NAME), NAME, missing);

const image = `data:image/png;base64,${Buffer.from(encodePng(inkOnPaper(digitInk(7, 120, 120, { size: 90, brush: 5 }), 120, 120, [0, 0, 0], [255, 255, 255]))).toString('base64')}`;
let postgres: Awaited<ReturnType<typeof startPostgres>>;
let nginx: ChildProcess;
let proxy: string;
const instances: ReturnType<typeof startCli>[] = [];
const CONCURRENT = 10;

const send = (label: number) =>
  fetch(`${proxy}/api/feedback`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Connection: 'close' },
    body: JSON.stringify({ image, label }),
  });

test.before(async () => {
  if (missing) return;
  postgres = await startPostgres(postgresBin()!);
  const env = { WORKERS: '1', DATABASE_URL: postgres.url, TRUST_PROXY: '1', FEEDBACK_PER_MINUTE: '100000' };
  instances.push(startCli(env), startCli(env));
  const urls = await Promise.all(instances.map((i) => i.url));
  ({ child: nginx, url: proxy } = await startNginx(urls));
});

test.after(async () => {
  nginx?.kill('SIGTERM');
  for (const i of instances) {
    try {
      i.killGroup('SIGTERM');
    } catch {}
  }
  await Promise.all(instances.map((i) => i.exited));
  postgres?.stop();
});

test('corrections sent through nginx land once each in the shared store, from both instances', async () => {
  const answers = await Promise.all(Array.from({ length: 120 }, (_, i) => send(i % 10)));
  assert.equal(
    answers.filter((r) => r.status !== 201).map((r) => r.status),
    [],
  );
  const upstreams = new Set(answers.map((r) => r.headers.get('x-upstream')));
  assert.is(upstreams.size, 2, `answered by ${[...upstreams].join(', ')}`);
  const ids = await Promise.all(answers.map(async (r) => ((await r.json()) as { id: number }).id));
  assert.is(new Set(ids).size, 120, 'one row each');
  const store = await openStore({ databaseUrl: postgres.url });
  try {
    assert.is(await store.count(), 120);
  } finally {
    await store.close();
  }
});

test('killing one instance under load loses no acknowledged correction; reads go on through the other', async () => {
  const store = await openStore({ databaseUrl: postgres.url });
  const before = await store.count();
  const acknowledged: number[] = [];
  let failed = 0;
  let started = 0;
  // A steady load of CONCURRENT requests at a time, the instance killed as the 61st starts.
  const client = async () => {
    while (started < 200) {
      if (started++ === 60) instances[0]!.killGroup('SIGKILL');
      const r = await send(started % 10).catch(() => null);
      if (r?.status === 201) acknowledged.push(((await r.json()) as { id: number }).id);
      else failed++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENT }, client));
  try {
    const rows = await store.list(1e6, before);
    const stored = new Set(rows.map((r) => r.id));
    assert.equal(
      acknowledged.filter((id) => !stored.has(id)),
      [],
      'every acknowledged correction is stored',
    );
    // Only requests in flight at the kill may fail, or sent on one of nginx's idle connections to the killed instance
    // before its first failure marks it down (nginx does not resend a POST once sent).
    assert.ok(failed <= CONCURRENT + KEEPALIVE, `${failed} of 200 failed`);
    // The page and the API still answer, through the instance left.
    for (let i = 0; i < 5; i++) assert.is((await fetch(`${proxy}/healthz`)).status, 200);
  } finally {
    await store.close();
  }
});

test.run();
