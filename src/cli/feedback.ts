import { writeFileSync } from 'node:fs';
import { DEFAULT_FEEDBACK_DB, openStore } from '../feedback/store.js';
import { runCli } from './run.js';

const usage = `npm run feedback -- --list [--limit N] | --export FILE | --clear

  The corrections users made on the board and upload pages, in SQLite at FEEDBACK_DB (default
  ${DEFAULT_FEEDBACK_DB}) or PostgreSQL at DATABASE_URL. Each holds the 28×28 the server computed from the
  image, the right label, what the model said, which model, when, and a salted hash of the client: no
  image and no IP address.
  --list      one line per correction, newest last (--limit N: the last N)
  --export    every correction as JSON lines, the 28×28 as base64 of 784 bytes (0..255), to FILE
  --clear     delete every correction`;

runCli(usage, { list: { type: 'boolean' }, limit: { type: 'string' }, export: { type: 'string' }, clear: { type: 'boolean' } }, async ({ values }) => {
  const actions = [values.list, values.export !== undefined, values.clear].filter(Boolean).length;
  if (actions !== 1) throw new RangeError(`give one of --list, --export FILE or --clear\n\n${usage}`);
  const store = await openStore({ path: process.env.FEEDBACK_DB ?? DEFAULT_FEEDBACK_DB });
  try {
    if (values.clear) return console.log(`deleted ${await store.clear()} corrections from the ${store.kind} store`);
    const count = await store.count();
    if (values.export !== undefined) {
      const rows = await store.list();
      writeFileSync(
        values.export,
        rows.map((r) => JSON.stringify({ ...r, input: Buffer.from(r.input).toString('base64') })).join('\n') + (rows.length ? '\n' : ''),
      );
      return console.log(`wrote ${rows.length} corrections to ${values.export}`);
    }
    const limit = values.limit === undefined ? 50 : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`--limit must be a whole number ≥ 1, got ${values.limit}`);
    console.log(`${count} corrections in the ${store.kind} store${count > limit ? ` (the last ${limit})` : ''}`);
    for (const r of await store.list(limit, Math.max(0, count - limit))) {
      const said = r.predicted ?? 'not a digit';
      console.log(
        `#${r.id}  ${r.createdAt}  model said ${said} (${(100 * Math.max(...r.probabilities)).toFixed(0)}%), right: ${r.label ?? 'not a digit'}  client ${r.clientHash.slice(0, 8)}  ${r.model}`,
      );
    }
  } finally {
    await store.close();
  }
});
