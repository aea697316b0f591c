import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { PIXELS } from '../core/frame.js';

/*
 * Corrections users make, in a real database behind one small interface: SQLite through better-sqlite3 by
 * default (one file, WAL mode, safe for several server processes), PostgreSQL through pg when DATABASE_URL
 * names one (several instances behind a load balancer). Each row holds the 28×28 the server computed from
 * the uploaded image (never a 28×28 a client sent), the right label, what the model said, which model, when,
 * and a salted hash of the client: no image, no IP address. The schema is versioned by numbered migrations.
 */

/** A correction as stored. `label` null means "not a digit". */
export interface Correction {
  /** The 28×28 input the model saw, 0..255 (MNIST's own scale). */
  input: Uint8Array;
  label: number | null;
  predicted: number | null;
  probabilities: number[];
  /** The model's identity: kind and the SHA-256 of its file. */
  model: string;
  clientHash: string;
  createdAt: string;
}

export interface StoredCorrection extends Correction {
  id: number;
}

export interface FeedbackStore {
  readonly kind: 'sqlite' | 'postgresql';
  /** Stores one correction atomically; throws StoreFullError when the store holds `maxRows` already. */
  add(c: Correction): Promise<number>;
  /** Rows stored, confirmations included (the cap counts them all). */
  count(): Promise<number>;
  /** Rows one client stored at `since` or later: every process and instance sharing the store sees the same count. */
  countSince(clientHash: string, since: Date): Promise<number>;
  /** Rows that change the model's answer, and confirmations (isConfirmation): kept, but not corrections. */
  tally(): Promise<{ corrections: number; confirmations: number }>;
  /** Oldest first. */
  list(limit?: number, offset?: number): Promise<StoredCorrection[]>;
  /** How many corrections turn each prediction into each label (label null: "not a digit"), most first; confirmations left out. */
  confusions(): Promise<{ predicted: number | null; label: number | null; n: number }[]>;
  /** Deletes every correction; returns how many. */
  clear(): Promise<number>;
  /** The salt that client hashes are made with (kept in the store, so every instance hashes alike). */
  salt(): Promise<string>;
  close(): Promise<void>;
}

export class StoreFullError extends Error {
  constructor(readonly maxRows: number) {
    super(
      `the feedback store is full (${maxRows.toLocaleString('en')} corrections): thank you; an operator can export and clear it (npm run feedback -- --export FILE, then --clear)`,
    );
  }
}

/** Where the embedded store lives unless told otherwise. */
export const DEFAULT_FEEDBACK_DB = 'data/feedback/feedback.db';
export const DEFAULT_MAX_ROWS = 100_000;

interface Migration {
  version: number;
  sqlite: string;
  postgresql: string;
}

/** Numbered schema changes, applied in order, each once; a store records the last one applied. */
export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    sqlite: `
      CREATE TABLE corrections (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        created_at TEXT NOT NULL,
        input BLOB NOT NULL CHECK (length(input) = ${PIXELS}),
        label INTEGER CHECK (label BETWEEN 0 AND 9),
        predicted INTEGER CHECK (predicted BETWEEN 0 AND 9),
        probabilities TEXT NOT NULL,
        model TEXT NOT NULL,
        client_hash TEXT NOT NULL
      );
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
    postgresql: `
      CREATE TABLE corrections (
        id BIGSERIAL PRIMARY KEY,
        created_at TIMESTAMPTZ NOT NULL,
        input BYTEA NOT NULL CHECK (octet_length(input) = ${PIXELS}),
        label SMALLINT CHECK (label BETWEEN 0 AND 9),
        predicted SMALLINT CHECK (predicted BETWEEN 0 AND 9),
        probabilities JSONB NOT NULL,
        model TEXT NOT NULL,
        client_hash TEXT NOT NULL
      );
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  },
  {
    version: 2,
    sqlite: 'CREATE INDEX corrections_by_client ON corrections (client_hash, created_at);',
    postgresql: 'CREATE INDEX corrections_by_client ON corrections (client_hash, created_at);',
  },
];

/** Opens the store DATABASE_URL names (postgres://…), else the SQLite file; migrates it to the latest schema. */
export async function openStore({
  databaseUrl = process.env.DATABASE_URL,
  path = DEFAULT_FEEDBACK_DB,
  maxRows = DEFAULT_MAX_ROWS,
} = {}): Promise<FeedbackStore> {
  if (databaseUrl) {
    if (!/^postgres(ql)?:\/\//.test(databaseUrl))
      throw new RangeError(`DATABASE_URL must be a postgres:// or postgresql:// URL, got ${JSON.stringify(databaseUrl.replace(/:[^:@/]*@/, ':***@'))}`);
    return PostgresStore.open(databaseUrl, maxRows);
  }
  return SqliteStore.open(path, maxRows);
}

/** A client's identity as stored: a salted SHA-256 of what the server knows of it, never the address itself. */
export function clientHash(salt: string, ...parts: string[]): string {
  return createHash('sha256').update(salt).update('\0').update(parts.join('\0')).digest('hex').slice(0, 32);
}

/**
 * A row whose label is the answer the model gave (the same digit, or "not a digit" for a refusal): the user
 * confirmed it. It is kept, as every row is, but is not a correction: not counted, listed or learnt as one.
 */
export function isConfirmation(c: Pick<Correction, 'label' | 'predicted'>): boolean {
  return c.label === c.predicted;
}

// The same SQL for SQLite (3.39 and later) and PostgreSQL; IS DISTINCT FROM treats "not a digit" (null) as a value.
const CONFUSIONS =
  'SELECT predicted, label, count(*) AS n FROM corrections WHERE label IS DISTINCT FROM predicted GROUP BY predicted, label ORDER BY n DESC, predicted, label';
const TALLY =
  'SELECT count(*) FILTER (WHERE label IS DISTINCT FROM predicted) AS corrections, count(*) FILTER (WHERE label IS NOT DISTINCT FROM predicted) AS confirmations FROM corrections';

// Served by the index on (client_hash, created_at); created_at is ISO 8601 text in SQLite, so text order is time order.
const SINCE = 'SELECT count(*) AS n FROM corrections WHERE client_hash = $1 AND created_at >= $2';

function rowToCorrection(r: {
  id: number | string;
  created_at: string | Date;
  input: Uint8Array;
  label: number | null;
  predicted: number | null;
  probabilities: string | number[];
  model: string;
  client_hash: string;
}): StoredCorrection {
  return {
    id: Number(r.id),
    createdAt: r.created_at instanceof Date ? r.created_at.toISOString() : r.created_at,
    input: new Uint8Array(r.input),
    label: r.label,
    predicted: r.predicted,
    probabilities: typeof r.probabilities === 'string' ? (JSON.parse(r.probabilities) as number[]) : r.probabilities,
    model: r.model,
    clientHash: r.client_hash,
  };
}

class SqliteStore implements FeedbackStore {
  readonly kind = 'sqlite';
  private readonly insert;
  private readonly countRows;
  private readonly countFrom;

  private constructor(
    private readonly db: Database.Database,
    private readonly maxRows: number,
  ) {
    this.countRows = db.prepare('SELECT count(*) AS n FROM corrections');
    // Asked on every correction (the rate limit): prepared once. SQLite takes ? where PostgreSQL takes $n.
    this.countFrom = db.prepare(SINCE.replace('$1', '?').replace('$2', '?'));
    const insert = db.prepare('INSERT INTO corrections (created_at, input, label, predicted, probabilities, model, client_hash) VALUES (?, ?, ?, ?, ?, ?, ?)');
    // IMMEDIATE: the count and the insert see no other writer in between, across processes too.
    this.insert = db.transaction((c: Correction) => {
      if ((this.countRows.get() as { n: number }).n >= this.maxRows) throw new StoreFullError(this.maxRows);
      return Number(
        insert.run(c.createdAt, Buffer.from(c.input), c.label, c.predicted, JSON.stringify(c.probabilities), c.model, c.clientHash).lastInsertRowid,
      );
    });
  }

  static open(path: string, maxRows: number): SqliteStore {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    // WAL: readers never wait for the writer; several server processes share the file. NORMAL sync is
    // durable against a killed process (the OS has the WAL); a busy writer is waited for, not an error.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 10000');
    db.transaction(() => {
      const current = db.pragma('user_version', { simple: true }) as number;
      for (const m of MIGRATIONS.filter((x) => x.version > current)) {
        db.exec(m.sqlite);
        db.pragma(`user_version = ${m.version}`);
      }
      db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)').run('salt', randomBytes(16).toString('hex'));
    }).immediate();
    return new SqliteStore(db, maxRows);
  }

  async add(c: Correction): Promise<number> {
    return this.insert.immediate(c);
  }

  async count(): Promise<number> {
    return (this.countRows.get() as { n: number }).n;
  }

  async countSince(clientHash: string, since: Date): Promise<number> {
    return (this.countFrom.get(clientHash, since.toISOString()) as { n: number }).n;
  }

  async tally(): Promise<{ corrections: number; confirmations: number }> {
    return this.db.prepare(TALLY).get() as { corrections: number; confirmations: number };
  }

  async list(limit = 1e9, offset = 0): Promise<StoredCorrection[]> {
    return (this.db.prepare('SELECT * FROM corrections ORDER BY id LIMIT ? OFFSET ?').all(limit, offset) as Parameters<typeof rowToCorrection>[0][]).map(
      rowToCorrection,
    );
  }

  async confusions(): Promise<{ predicted: number | null; label: number | null; n: number }[]> {
    return this.db.prepare(CONFUSIONS).all() as { predicted: number | null; label: number | null; n: number }[];
  }

  async clear(): Promise<number> {
    return this.db.prepare('DELETE FROM corrections').run().changes;
  }

  async salt(): Promise<string> {
    return (this.db.prepare("SELECT value FROM meta WHERE key = 'salt'").get() as { value: string }).value;
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

class PostgresStore implements FeedbackStore {
  readonly kind = 'postgresql';

  private constructor(
    private readonly pool: pg.Pool,
    private readonly maxRows: number,
  ) {}

  static async open(url: string, maxRows: number): Promise<PostgresStore> {
    const pool = new pg.Pool({ connectionString: url, max: 4 });
    // An idle client's error (the server restarting) must not crash the process; the next query reports it.
    pool.on('error', (e) => console.error(`feedback store: ${e.message}`));
    await transaction(pool, async (q) => {
      // One migrator at a time, however many instances start together.
      await q.query('SELECT pg_advisory_xact_lock(20261201)');
      await q.query('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
      const { rows } = await q.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_version');
      const current = rows[0]?.v ?? 0;
      for (const m of MIGRATIONS.filter((x) => x.version > current)) {
        await q.query(m.postgresql);
        await q.query('INSERT INTO schema_version (version) VALUES ($1)', [m.version]);
      }
      await q.query("INSERT INTO meta (key, value) VALUES ('salt', $1) ON CONFLICT (key) DO NOTHING", [randomBytes(16).toString('hex')]);
    });
    return new PostgresStore(pool, maxRows);
  }

  async add(c: Correction): Promise<number> {
    return transaction(this.pool, async (q) => {
      // The count and the insert as one step for every instance: a transaction-scoped lock.
      await q.query('SELECT pg_advisory_xact_lock(20261202)');
      const { rows } = await q.query<{ n: string }>('SELECT count(*) AS n FROM corrections');
      if (Number(rows[0]!.n) >= this.maxRows) throw new StoreFullError(this.maxRows);
      const inserted = await q.query<{ id: string }>(
        'INSERT INTO corrections (created_at, input, label, predicted, probabilities, model, client_hash) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id',
        [c.createdAt, Buffer.from(c.input), c.label, c.predicted, JSON.stringify(c.probabilities), c.model, c.clientHash],
      );
      return Number(inserted.rows[0]!.id);
    });
  }

  async count(): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>('SELECT count(*) AS n FROM corrections');
    return Number(rows[0]!.n);
  }

  async countSince(clientHash: string, since: Date): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>(SINCE, [clientHash, since.toISOString()]);
    return Number(rows[0]!.n);
  }

  async tally(): Promise<{ corrections: number; confirmations: number }> {
    const { rows } = await this.pool.query<{ corrections: string; confirmations: string }>(TALLY);
    return { corrections: Number(rows[0]!.corrections), confirmations: Number(rows[0]!.confirmations) };
  }

  async list(limit = 1e9, offset = 0): Promise<StoredCorrection[]> {
    const { rows } = await this.pool.query('SELECT * FROM corrections ORDER BY id LIMIT $1 OFFSET $2', [Math.min(limit, 2 ** 31 - 1), offset]);
    return rows.map(rowToCorrection);
  }

  async confusions(): Promise<{ predicted: number | null; label: number | null; n: number }[]> {
    const { rows } = await this.pool.query<{ predicted: number | null; label: number | null; n: string }>(CONFUSIONS);
    return rows.map((r) => ({ ...r, n: Number(r.n) }));
  }

  async clear(): Promise<number> {
    return (await this.pool.query('DELETE FROM corrections')).rowCount ?? 0;
  }

  async salt(): Promise<string> {
    const { rows } = await this.pool.query<{ value: string }>("SELECT value FROM meta WHERE key = 'salt'");
    return rows[0]!.value;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

async function transaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    client.release();
  }
}
