import * as assert from 'uvu/assert';
import { StoreFullError, type Correction, type FeedbackStore } from '../../src/feedback/store.js';

/** A correction with a recognisable input: every byte `fill`. */
export function correction(fill: number, label: number | null, predicted: number | null = 3): Correction {
  const probabilities = Array.from({ length: 10 }, (_, d) => (d === predicted ? 0.91 : 0.01));
  return {
    input: new Uint8Array(784).fill(fill),
    label,
    predicted,
    probabilities,
    model: 'mlp:test',
    clientHash: 'c'.repeat(32),
    createdAt: new Date().toISOString(),
  };
}

/** What every store must do, SQLite or PostgreSQL: given an empty store with a cap of 5 rows. */
export async function storeContract(store: FeedbackStore): Promise<void> {
  assert.is(await store.count(), 0);
  const ids = [];
  for (const [fill, label] of [
    [10, 7],
    [20, null],
    [30, 7],
  ] as const)
    ids.push(await store.add(correction(fill, label)));
  assert.ok(ids[0]! < ids[1]! && ids[1]! < ids[2]!, 'ids grow');
  assert.is(await store.count(), 3);
  const rows = await store.list();
  assert.equal(
    rows.map((r) => [r.label, r.input[0], r.input.length, r.predicted]),
    [
      [7, 10, 784, 3],
      [null, 20, 784, 3],
      [7, 30, 784, 3],
    ],
  );
  assert.ok(rows.every((r) => r.probabilities.length === 10 && r.model === 'mlp:test' && !Number.isNaN(Date.parse(r.createdAt))));
  assert.equal(
    (await store.list(1, 2)).map((r) => r.input[0]),
    [30],
  );
  assert.equal(await store.confusions(), [
    { predicted: 3, label: 7, n: 2 },
    { predicted: 3, label: null, n: 1 },
  ]);
  assert.equal(await store.tally(), { corrections: 3, confirmations: 0 });
  // A row the schema forbids is refused whole: a 28×28 of the wrong size, a label out of range.
  await assertRejects(store.add({ ...correction(1, 2), input: new Uint8Array(783) }));
  await assertRejects(store.add(correction(1, 12)));
  assert.is(await store.count(), 3);
  // The cap: 5 rows, then a clear error naming it. Confirmations (the model's own answer, a digit or "not a
  // digit") take rows but are not corrections.
  await store.add(correction(40, 3));
  await store.add(correction(50, null, null));
  assert.equal(await store.tally(), { corrections: 3, confirmations: 2 });
  assert.equal(await store.confusions(), [
    { predicted: 3, label: 7, n: 2 },
    { predicted: 3, label: null, n: 1 },
  ]);
  const full = await store.add(correction(60, 1)).then(
    () => null,
    (e: unknown) => e,
  );
  assert.ok(full instanceof StoreFullError && /full \(5 corrections\)/.test(full.message), String(full));
  assert.is(await store.count(), 5);
  // Rows per client since a time (the rate limit): all five are client c's, none another's, none from the future.
  assert.is(await store.countSince('c'.repeat(32), new Date(Date.now() - 60_000)), 5);
  assert.is(await store.countSince('d'.repeat(32), new Date(Date.now() - 60_000)), 0);
  assert.is(await store.countSince('c'.repeat(32), new Date(Date.now() + 60_000)), 0);
  assert.match(await store.salt(), /^[0-9a-f]{32}$/);
  assert.is(await store.clear(), 5);
  assert.is(await store.count(), 0);
}

async function assertRejects(p: Promise<unknown>): Promise<void> {
  const outcome = await p.then(
    () => 'stored',
    () => 'refused',
  );
  assert.is(outcome, 'refused');
}
