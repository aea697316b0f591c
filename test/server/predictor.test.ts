import { readFileSync } from 'node:fs';
import { inkOnPaper } from '../../src/core/image/rgba.js';
import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import { BEST_MODEL_PATH, loadModel } from '../../src/io/model-file.js';
import { encodePng } from '../../src/codecs/png.js';
import { poolPredictor, servingPredictor, type Predictor } from '../../src/server/predictor.js';
import { digitInk } from '../helpers/images.js';

const test = suite('prediction pool');

/** A pool that answers nothing and notes what it was sent: the byte length, negative for `see`. */
function standInPool(sent: number[]): Predictor {
  return {
    predict: async (bytes) => {
      sent.push(bytes.length);
      return { ok: false, code: 'undecodable', error: 'pool stand-in' };
    },
    see: async (bytes) => {
      sent.push(-bytes.length);
      return { ok: false, code: 'undecodable', error: 'pool stand-in' };
    },
    close: async () => {},
  };
}

test('close() lets every task already asked for finish, queued ones included', async () => {
  const predictor = poolPredictor(BEST_MODEL_PATH, { threads: 2 });
  const png = readFileSync('data/samples/paint-png-3-0.png');
  // Two threads and 40 tasks: most are still queued when close() is called, as when clients hang up.
  const tasks = Array.from({ length: 40 }, () => predictor.predict(png));
  await predictor.close();
  const results = await Promise.allSettled(tasks);
  const failed = results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason));
  assert.equal(failed, [], 'no task fails because the pool closed');
  for (const r of results) assert.is(r.status === 'fulfilled' && r.value.ok && 'digit' in r.value.answer && r.value.answer.digit, 3);
});

test('the serving predictor sends images over the inline limit to the pool and keeps small ones, for predictions and corrections alike', async () => {
  const sent: number[] = [];
  const pool = standInPool(sent);
  const predictor = servingPredictor(loadModel(), BEST_MODEL_PATH, { inlineMaxPixels: 100 * 100, pool });
  const small = encodePng(inkOnPaper(digitInk(2, 100, 100, { size: 80, brush: 5 }), 100, 100, [0, 0, 0], [255, 255, 255]));
  const big = encodePng(inkOnPaper(digitInk(2, 101, 100, { size: 80, brush: 5 }), 101, 100, [0, 0, 0], [255, 255, 255]));
  const inline = await predictor.predict(small);
  assert.is(inline.ok && 'digit' in inline.answer && inline.answer.digit, 2);
  assert.equal(sent, []);
  const handed = await predictor.predict(big);
  assert.equal(sent, [big.length]);
  assert.is(!handed.ok && handed.error, 'pool stand-in');
  // No readable header: predicted inline, where the decoder says what is wrong.
  const junk = await predictor.predict(Uint8Array.from([1, 2, 3]));
  assert.is(!junk.ok && junk.code, 'unsupported');
  assert.is(sent.length, 1);
  // What a correction stores takes the same road: the small image here, the big one to the pool.
  const seen = await predictor.see(small, 'digit', 0);
  assert.ok(seen.ok && seen.seen.input.length === 784 && seen.seen.predicted === 2);
  assert.is((await predictor.see(big, 'digit', 0)).ok, false);
  assert.equal(sent, [big.length, -big.length]);
  await predictor.close();
});

test('a strip far wider than tall goes to the pool though its pixels are few: its work grows with its pieces', async () => {
  const sent: number[] = [];
  const pool = standInPool(sent);
  const predictor = servingPredictor(loadModel(), BEST_MODEL_PATH, { pool });
  // 1,000×54 (54,000 pixels, far under the inline limit), 18.5 times wider than tall.
  const strip = encodePng(inkOnPaper(new Float32Array(1000 * 54).fill(0), 1000, 54, [0, 0, 0], [255, 255, 255]));
  const board = encodePng(inkOnPaper(digitInk(4, 280, 280), 280, 280, [0, 0, 0], [255, 255, 255]));
  await predictor.predict(strip, 'number');
  assert.equal(sent, [strip.length]);
  const inline = await predictor.predict(board);
  assert.is(inline.ok && 'digit' in inline.answer && inline.answer.digit, 4);
  assert.equal(sent, [strip.length]);
  await predictor.close();
});

test.run();
