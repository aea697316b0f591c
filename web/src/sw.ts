// The service worker: after a first visit the pages, their scripts and the compact model load with no
// network. Network first, so a running server always gives the current files; the cache is the fallback.
import { COMPACT_MODEL_PATH, OFFLINE_COPY_HEADER } from '../../src/core/api.js';

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
/** What the model page reads too, so that it shows the last figures offline. */
const MODEL_PAGE_API = ['/api/model', '/api/model/tree', '/api/feedback/summary'];
const KEEP = new Set([...OFFLINE_FILES, COMPACT_MODEL_PATH, ...MODEL_PAGE_API]);
/** Kept when fetched: the listed files and the model's pictures, whatever their names. */
const kept = (path: string) => KEEP.has(path) || /^\/api\/model\/[\w-]+\.png$/.test(path);

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
  if (e.request.method !== 'GET' || url.origin !== worker.location.origin || !kept(url.pathname)) return;
  e.respondWith(
    fetch(e.request)
      .then(async (response) => {
        if (response.ok) await (await caches.open(CACHE)).put(e.request, response.clone());
        return response;
      })
      .catch(async () => {
        const cached = await caches.match(e.request, { ignoreSearch: true });
        if (!cached) return Response.error();
        const headers = new Headers(cached.headers);
        headers.set(OFFLINE_COPY_HEADER, '1');
        return new Response(cached.body, { status: cached.status, statusText: cached.statusText, headers });
      }),
  );
});
