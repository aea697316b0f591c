import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { createApp, listen } from '../server/app.js';
import { INLINE_MAX_PIXELS, servingPredictor } from '../server/predictor.js';
import { BEST_MODEL_PATH, loadModel } from '../io/model-file.js';
import { buildWeb } from '../server/web-build.js';
import { envInt, runCli } from './run.js';
import { DEFAULT_FEEDBACK_DB, DEFAULT_MAX_ROWS, openStore, type FeedbackStore } from '../feedback/store.js';
import { DEFAULT_PER_MINUTE } from '../server/feedback.js';

const usage = `npm start [-- --model PATH]

  Serves the drawing board (/), the upload form (/upload), the model inspector (/model) and the JSON API
  (/api/predict, /api/model, /healthz) on HOST:PORT (default 127.0.0.1:3000), predicting with
  ${BEST_MODEL_PATH} (or MODEL).

  WORKERS server processes share the port (default one per core); each predicts board-sized images
  itself and hands photos over ${(INLINE_MAX_PIXELS / 1e6).toFixed(1)} megapixels to a thread of its own. A worker that does not
  answer the primary's health check for WATCHDOG_MS (default 15000) is replaced.

  Corrections (POST /api/feedback) go to SQLite at FEEDBACK_DB (default ${DEFAULT_FEEDBACK_DB}), or to
  PostgreSQL when DATABASE_URL=postgres://… is set; FEEDBACK_PER_MINUTE (default ${DEFAULT_PER_MINUTE}) per client
  address, counted in the store, FEEDBACK_MAX_ROWS (default ${DEFAULT_MAX_ROWS.toLocaleString('en')}) in all.
  Behind a reverse proxy, TRUST_PROXY=1 takes a client's address from the X-Forwarded-For entry it adds.`;

runCli(usage, { model: { type: 'string' } }, async ({ values }) => {
  const modelPath = values.model ?? process.env.MODEL ?? BEST_MODEL_PATH;
  const host = process.env.HOST ?? '127.0.0.1';
  const port = envInt('PORT', 3000);
  if (cluster.isPrimary) {
    // Load once here first, so a bad model is one clear error rather than one per worker; the feedback
    // store is opened (and migrated) here first for the same reason.
    const model = loadModel(modelPath);
    await (await openFeedbackStore()).close();
    await buildWeb();
    const workers = envInt('WORKERS', availableParallelism());
    if (workers < 1) throw new RangeError(`WORKERS must be at least 1, got ${workers}`);
    primary(workers, () => {
      console.log(`serving ${model.metadata.description}`);
      console.log(
        `  test accuracy ${((model.metadata.metrics.test?.accuracy ?? NaN) * 100).toFixed(2)}% (${modelPath}), ${workers} worker process${workers > 1 ? 'es' : ''}`,
      );
    });
  } else {
    await worker(modelPath, host, port);
  }
});

/** The corrections store: PostgreSQL when DATABASE_URL is set, else SQLite at FEEDBACK_DB (default data/feedback/feedback.db). */
function openFeedbackStore(): Promise<FeedbackStore> {
  return openStore({ path: process.env.FEEDBACK_DB ?? DEFAULT_FEEDBACK_DB, maxRows: envInt('FEEDBACK_MAX_ROWS', DEFAULT_MAX_ROWS) }).catch((e: Error) => {
    throw new RangeError(
      `cannot open the feedback store (${process.env.DATABASE_URL ? 'DATABASE_URL' : (process.env.FEEDBACK_DB ?? DEFAULT_FEEDBACK_DB)}): ${e.message}`,
    );
  });
}

/** Forks the server processes, reports the address once, replaces a worker that dies, and stops them all on a signal. */
function primary(workers: number, banner: () => void): void {
  let stopping = false;
  let announced = false;
  // Each worker accepts its own connections from the shared socket. With Node's default round-robin the
  // primary accepts and hands each connection over, and one in the hand-over when its worker is killed is
  // held by the primary for ever: its client hung until its own timeout (issue 29). Now the kernel closes a
  // dead worker's connections, so their clients learn at once and may retry. UV_TCP_SINGLE_ACCEPT makes
  // libuv take one connection per wake-up, so a burst is shared out rather than taken whole by the first
  // process awake.
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  const fork = () => cluster.fork({ UV_TCP_SINGLE_ACCEPT: '1' });
  for (let i = 0; i < workers; i++) fork();
  cluster.on('listening', (_worker, address) => {
    if (announced) return;
    announced = true;
    banner();
    console.log(`  http://${address.address ?? '127.0.0.1'}:${address.port}/  (Ctrl-C to stop)`);
  });
  cluster.on('exit', (w, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    if (code === 1 && !announced) {
      // It never started listening (port taken, model unreadable): the worker has said why, and so would its replacements.
      for (const other of Object.values(cluster.workers ?? {})) other?.process.kill();
      process.exit(1);
    }
    console.error(`worker ${w.process.pid} died (${signal ?? `exit code ${code}`}); starting another`);
    fork();
  });
  const stop = () => {
    if (stopping) return;
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
    setTimeout(() => process.exit(0), 6000).unref();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  watch(envInt('WATCHDOG_MS', DEFAULT_WATCHDOG_MS), () => stopping);
}

/** A worker that has not answered a health check for this long (its event loop stuck, or the process stopped) is replaced. */
const DEFAULT_WATCHDOG_MS = 15_000;

/**
 * The primary's health check: every second each listening worker is asked, over the cluster's IPC channel,
 * to answer; the answer comes from the worker's event loop, so a loop held by a request, or a process stopped,
 * does not answer. One silent for `stallMs` is killed, and the exit handler starts another.
 */
function watch(stallMs: number, stopping: () => boolean): void {
  const answered = new Map<number, number>();
  cluster.on('listening', (w) => answered.set(w.id, Date.now()));
  cluster.on('message', (w, m: { pong?: boolean }) => {
    if (m?.pong) answered.set(w.id, Date.now());
  });
  cluster.on('exit', (w) => answered.delete(w.id));
  setInterval(
    () => {
      if (stopping()) return;
      for (const w of Object.values(cluster.workers ?? {})) {
        const last = w && answered.get(w.id);
        if (!w || last === undefined) continue;
        if (Date.now() - last > stallMs) {
          console.error(`worker ${w.process.pid} has not answered its health check for ${Math.round((Date.now() - last) / 1000)} s; replacing it`);
          answered.delete(w.id);
          w.process.kill('SIGKILL');
        } else w.send({ ping: true });
      }
    },
    Math.min(1000, stallMs / 3),
  ).unref();
}

async function worker(modelPath: string, host: string, port: number): Promise<void> {
  const model = loadModel(modelPath);
  const predictor = servingPredictor(model, modelPath);
  const store = await openFeedbackStore();
  const feedback = { store, perMinute: envInt('FEEDBACK_PER_MINUTE', DEFAULT_PER_MINUTE) };
  const server = listen(createApp({ model, predictor, feedback, trustProxy: process.env.TRUST_PROXY === '1' }), port, host);
  server.on('error', (e) => {
    console.error(`error: cannot listen on ${host}:${port}: ${e.message}`);
    process.exit(1);
  });
  // Finish the requests in flight, then stop the prediction thread. Ctrl-C reaches every process in the group.
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    server.close(() => void Promise.all([predictor.close(), store.close()]).then(() => process.exit(0)));
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // The primary's health check (watch): answered from this event loop, so only a loop that turns answers.
  process.on('message', (m: { ping?: boolean }) => {
    if (m?.ping) process.send?.({ pong: true });
  });
}
