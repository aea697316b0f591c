import * as assert from 'uvu/assert';
import { suite, timed } from './helpers/suite.js';

const test = suite('every test has a timeout');

test('a body that never settles fails, naming itself and the time it had', async () => {
  const start = performance.now();
  try {
    await timed('hangs', () => new Promise(() => {}), 50)({});
    assert.unreachable('a hanging body passed');
  } catch (e) {
    assert.instance(e, Error);
    assert.is((e as Error).message, '"hangs" timed out after 50 ms');
  }
  assert.ok(performance.now() - start < 5000);
});

test("a body's own result and failure pass through, synchronous or not", async () => {
  assert.is(await timed('sync', () => 7, 50)({}), 7);
  assert.is(await timed('async', async () => 8, 50)({}), 8);
  try {
    await timed(
      'throws',
      () => {
        throw new RangeError('its own');
      },
      50,
    )({});
    assert.unreachable();
  } catch (e) {
    assert.instance(e, RangeError);
  }
});

test.run();
