import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BEST_MODEL_PATH } from '../../src/models/registry.js';
import { poolPredictor } from '../../src/server/predictor.js';

const test = suite('prediction pool');

test('close() lets every task already asked for finish, queued ones included', async () => {
  const predictor = poolPredictor(BEST_MODEL_PATH, 25_000_000, 2);
  const png = readFileSync('data/samples/paint-png-3-0.png');
  // Two threads and 40 tasks: most are still queued when close() is called, as when clients hang up.
  const tasks = Array.from({ length: 40 }, () => predictor.predict(png));
  await predictor.close();
  const results = await Promise.allSettled(tasks);
  const failed = results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason));
  assert.equal(failed, [], 'no task fails because the pool closed');
  for (const r of results) assert.is(r.status === 'fulfilled' && r.value.ok && r.value.digit, 3);
});

test.run();
