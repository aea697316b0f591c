import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from '../helpers/cli.js';
import { startCli } from '../helpers/serve.js';

const test = suite('npm start');

const feedbackDb = join(mkdtempSync(join(tmpdir(), 'serve-')), 'feedback.db');
const start = (env: Record<string, string>) => startCli({ FEEDBACK_DB: feedbackDb, ...env });

test('two worker processes share the port, answer, and all stop cleanly on SIGTERM', async () => {
  const server = start({ WORKERS: '2' });
  try {
    const url = await server.url;
    assert.match(server.output(), /2 worker processes/);
    const png = readFileSync('data/samples/paint-png-4-0.png').toString('base64');
    // Several connections, so both processes get some.
    const answers = await Promise.all(
      Array.from({ length: 6 }, () =>
        fetch(`${url}/api/predict`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Connection: 'close' },
          body: JSON.stringify({ image: png }),
        }).then((r) => r.json() as Promise<{ digit: number }>),
      ),
    );
    assert.equal(
      answers.map((a) => a.digit),
      [4, 4, 4, 4, 4, 4],
    );
  } finally {
    server.child.kill('SIGTERM');
  }
  assert.is(await server.exited, 0, server.output());
  assert.not.match(server.output(), /Error|died/);
});

test('a model file that does not load is one clear error before any worker starts', () => {
  const r = runCli('src/cli/serve.ts', ['--model', 'package.json']);
  assert.is(r.code, 1);
  assert.match(r.stderr, /^error: .*package\.json/m);
  assert.not.match(r.stderr, /worker/);
});

test('bad PORT and WORKERS values are refused with their names', () => {
  const workers = runCli('src/cli/serve.ts', [], { WORKERS: 'many' });
  assert.is(workers.code, 1);
  assert.match(workers.stderr, /^error: WORKERS must be an integer, got "many"/m);
  const none = runCli('src/cli/serve.ts', [], { WORKERS: '0' });
  assert.is(none.code, 1);
  assert.match(none.stderr, /WORKERS must be at least 1/);
  const port = runCli('src/cli/serve.ts', [], { PORT: 'http' });
  assert.match(port.stderr, /^error: PORT must be an integer/m);
});

test.run();
