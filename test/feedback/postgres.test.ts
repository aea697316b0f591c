import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import { openStore } from '../../src/feedback/store.js';
import { correction, storeContract } from '../helpers/feedback-contract.js';
import { needs } from '../helpers/needs.js';
import { NO_POSTGRES, postgresBin, startPostgres } from '../helpers/postgres.js';

const NAME = 'feedback store: PostgreSQL';
const test = needs(suite(NAME), NAME, NO_POSTGRES);
let server: Awaited<ReturnType<typeof startPostgres>> | null = null;

test.before(async () => {
  const bin = postgresBin();
  if (bin) server = await startPostgres(bin);
});
test.after(() => server?.stop());

test('the PostgreSQL adapter keeps the same contract as SQLite, against a real server', async () => {
  const store = await openStore({ databaseUrl: server!.url, maxRows: 5 });
  try {
    assert.is(store.kind, 'postgresql');
    await storeContract(store);
  } finally {
    await store.close();
  }
});

test('instances that start together migrate once, and parallel inserts from several pools all land', async () => {
  const stores = await Promise.all([1, 2, 3].map(() => openStore({ databaseUrl: server!.url, maxRows: 1000 })));
  try {
    await Promise.all(stores.flatMap((s, k) => Array.from({ length: 40 }, (_, i) => s.add(correction(k * 40 + i, i % 10)))));
    assert.is(await stores[0]!.count(), 120);
    const fills = (await stores[1]!.list()).map((r) => r.input[0]).sort((a, b) => a! - b!);
    assert.equal(
      fills,
      Array.from({ length: 120 }, (_, i) => i),
    );
  } finally {
    await stores[0]!.clear();
    await Promise.all(stores.map((s) => s.close()));
  }
});

test.run();
