import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createApp, type Limits } from '../../src/server/app.js';
import { poolPredictor } from '../../src/server/predictor.js';
import { BEST_MODEL_PATH, loadModel } from '../../src/models/registry.js';

/** Starts the real app (worker pool included) on port 0; call close() in a finally. */
export async function startServer(limits: Partial<Limits> = {}): Promise<{ url: string; close: () => Promise<void> }> {
  const maxPixels = limits.maxPixels ?? 25_000_000;
  const predictor = poolPredictor(BEST_MODEL_PATH, maxPixels, 2);
  const server: Server = createApp({ model: loadModel(), predictor, limits }).listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await predictor.close();
    },
  };
}
