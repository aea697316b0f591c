import type { AddressInfo } from 'node:net';
import { createApp, DEFAULT_LIMITS } from '../server/app.js';
import { poolPredictor } from '../server/predictor.js';
import { BEST_MODEL_PATH, loadModel } from '../models/registry.js';
import { intOption, runCli } from './run.js';

const usage = `npm start [-- --model PATH]

  Serves the drawing board (/), the upload form (/upload), the model inspector (/model) and the JSON API
  (/api/predict, /api/model, /healthz) on HOST:PORT (default 127.0.0.1:3000), predicting with
  ${BEST_MODEL_PATH} in a pool of worker threads (THREADS, default one per core).`;

runCli(usage, { model: { type: 'string' } }, async ({ values }) => {
  const modelPath = values.model ?? process.env.MODEL ?? BEST_MODEL_PATH;
  const model = loadModel(modelPath);
  const host = process.env.HOST ?? '127.0.0.1';
  const port = intOption(process.env.PORT, 'PORT', 3000);
  const threads = process.env.THREADS ? intOption(process.env.THREADS, 'THREADS', 2) : undefined;
  const predictor = poolPredictor(modelPath, DEFAULT_LIMITS.maxPixels, threads);
  const server = createApp({ model, predictor }).listen(port, host, () => {
    const actual = (server.address() as AddressInfo).port;
    console.log(`serving ${model.metadata.description}`);
    console.log(`  test accuracy ${((model.metadata.metrics.test?.accuracy ?? NaN) * 100).toFixed(2)}% (${modelPath})`);
    console.log(`  http://${host}:${actual}/  (Ctrl-C to stop)`);
  });
  server.on('error', (e) => {
    console.error(`error: cannot listen on ${host}:${port}: ${e.message}`);
    process.exit(1);
  });
  // Finish the requests in flight, then stop the prediction threads.
  const stop = () => {
    server.close(() => void predictor.close().then(() => process.exit(0)));
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
});
