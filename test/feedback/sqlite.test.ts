import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS, openStore } from '../../src/feedback/store.js';
import { correction, storeContract } from '../helpers/feedback-contract.js';

const test = suite('feedback store: SQLite');
const dir = mkdtempSync(join(tmpdir(), 'feedback-'));

test('stores, lists, counts, caps and clears corrections', async () => {
  const store = await openStore({ databaseUrl: '', path: join(dir, 'contract.db'), maxRows: 5 });
  try {
    assert.is(store.kind, 'sqlite');
    await storeContract(store);
  } finally {
    await store.close();
  }
});

test('a new file is migrated to the latest schema in WAL mode; reopening keeps the rows and migrates nothing twice', async () => {
  const path = join(dir, 'migrate.db');
  const first = await openStore({ databaseUrl: '', path });
  await first.add(correction(5, 4));
  const salt = await first.salt();
  await first.close();
  const db = new Database(path, { readonly: true });
  assert.is(db.pragma('user_version', { simple: true }), MIGRATIONS[MIGRATIONS.length - 1]!.version);
  assert.is(db.pragma('journal_mode', { simple: true }), 'wal');
  assert.ok(
    (db.prepare("SELECT name FROM sqlite_master WHERE name = 'corrections_by_client'").get() as object | undefined) !== undefined,
    'the index of migration 2',
  );
  db.close();
  const again = await openStore({ databaseUrl: '', path });
  assert.is(await again.count(), 1);
  assert.is(await again.salt(), salt, 'the salt is kept');
  await again.close();
});

test('DATABASE_URL must be a postgres URL, and says so without echoing a password', async () => {
  const e = await openStore({ databaseUrl: 'mysql://user:secret@host/db' }).then(
    () => null,
    (x: Error) => x,
  );
  assert.match(String(e?.message), /postgres:\/\/ or postgresql:\/\//);
  assert.not.match(String(e?.message), /secret/);
});

test.run();
