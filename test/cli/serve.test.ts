import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from '../helpers/cli.js';

const test = suite('npm start');

/** Starts serve.ts as `npm start` does, with PORT=0; resolves with the address it prints. */
function start(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/serve.ts'], { env: { ...process.env, PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const url = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      const m = /http:\/\/[\d.]+:\d+/.exec(out);
      if (m) resolve(m[0]);
    });
    child.once('exit', (code) => reject(new Error(`server exited with code ${code}:\n${out}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, url, exited, output: () => out };
}

test('two worker processes share the port, answer, and all stop cleanly on SIGTERM', async () => {
  const server = start({ WORKERS: '2' });
  try {
    const url = await server.url;
    assert.match(server.output(), /2 worker processes/);
    const png = readFileSync('data/samples/paint-png-4-0.png').toString('base64');
    // Several connections, so both processes get some.
    const answers = await Promise.all(
      Array.from({ length: 6 }, () =>
        fetch(`${url}/api/predict`, { method: 'POST', headers: { 'Content-Type': 'application/json', Connection: 'close' }, body: JSON.stringify({ image: png }) }).then((r) => r.json() as Promise<{ digit: number }>),
      ),
    );
    assert.equal(answers.map((a) => a.digit), [4, 4, 4, 4, 4, 4]);
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
