// The service worker: after a first visit the pages, their scripts and the compact model load with no
// network. Network first, so a running server always gives the current files; the cache is the fallback.
import { COMPACT_MODEL_PATH } from '../../src/api.js';

/** The pages and bundles to keep, filled in by the build (src/server/web-build.ts). */
declare const OFFLINE_FILES: string[];

// The service-worker types live in TypeScript's "webworker" library, which cannot share a program with
// "dom"; these are the few members used here.
interface ExtendableEvent extends Event {
  waitUntil(p: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  readonly request: Request;
  respondWith(r: Promise<Response>): void;
}
interface WorkerScope {
  addEventListener(type: 'install' | 'activate', listener: (e: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', listener: (e: FetchEvent) => void): void;
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
  location: Location;
}
const worker = self as unknown as WorkerScope;

const CACHE = 'mnist-offline';
const KEEP = new Set([...OFFLINE_FILES, COMPACT_MODEL_PATH]);

worker.addEventListener('install', (e) => {
  // One by one: a model with no compact form (404) must not stop the pages from being kept.
  e.waitUntil(
    caches
      .open(CACHE)
      .then((c) => Promise.allSettled([...KEEP].map((f) => c.add(f))))
      .then(() => worker.skipWaiting()),
  );
});

worker.addEventListener('activate', (e) => e.waitUntil(worker.clients.claim()));

worker.addEventListener('fetch', (e) => {
  const url = new URL(e.request.url);
  if (e.request.method !== 'GET' || url.origin !== worker.location.origin || !KEEP.has(url.pathname)) return;
  e.respondWith(
    fetch(e.request)
      .then(async (response) => {
        if (response.ok) await (await caches.open(CACHE)).put(e.request, response.clone());
        return response;
      })
      .catch(async () => (await caches.match(e.request, { ignoreSearch: true })) ?? Response.error()),
  );
});
