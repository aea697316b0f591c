import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { type AppOptions, createApp, listen } from '../../src/server/app.js';
import type { ConnectionLimits } from '../../src/server/limits.js';
import type { FeedbackOptions } from '../../src/server/feedback.js';
import type { Limits } from '../../src/server/limits.js';
import { servingPredictor } from '../../src/server/predictor.js';
import { BEST_MODEL_PATH, loadModel } from '../../src/io/model-file.js';
import type { DigitModel } from '../../src/core/models/model.js';
import { buildWeb } from '../../src/server/web-build.js';

/** The pages' bundles, built once per process (as npm start does). */
let built: Promise<unknown> | undefined;

/**
 * Starts the real app on port 0 with the serving predictor; call close() in a finally. Images over
 * 50,000 pixels (a 280×280 board drawing) go to its thread and smaller ones are predicted inline, so the
 * tests cross both paths.
 */
export async function startServer(
  limits: Partial<Limits> = {},
  maxPixels?: number,
  inMemory?: DigitModel,
  feedback?: FeedbackOptions,
  app: Pick<AppOptions, 'trustProxy'> & { connections?: Partial<ConnectionLimits> } = {},
): Promise<{ url: string; close: () => Promise<void> }> {
  await (built ??= buildWeb());
  const model = inMemory ?? loadModel();
  // A model given here exists only in memory, and the thread would load the file: predict all inline then.
  const predictor = servingPredictor(model, BEST_MODEL_PATH, { inlineMaxPixels: inMemory ? Infinity : 50_000, ...(maxPixels && { maxPixels }) });
  const server: Server = listen(
    createApp({ model, predictor, limits, ...(feedback && { feedback }), trustProxy: app.trustProxy ?? false }),
    0,
    '127.0.0.1',
    app.connections,
  );
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // A browser may hold a connection open (a service worker's fetch): end it, so close cannot wait forever.
      server.closeAllConnections();
      await closed;
      await predictor.close();
    },
  };
}
