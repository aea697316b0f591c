import { readFileSync } from 'node:fs';
import { createServer, maxHeaderSize, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import Koa from 'koa';
import compress from 'koa-compress';
import conditional from 'koa-conditional-get';
import etag from '@koa/etag';
import serve from 'koa-static';
import type { DigitModel } from '../core/models/model.js';
import type { Predictor } from './predictor.js';
import { type ConnectionLimits, DEFAULT_CONNECTION_LIMITS, DEFAULT_LIMITS, type Limits } from './limits.js';
import { feedbackRouter, type FeedbackOptions } from './feedback.js';
import { apiRouter } from './routes.js';
import { WEB_BUILD } from './web-build.js';

export interface AppOptions {
  model: DigitModel;
  predictor: Predictor;
  limits?: Partial<Limits>;
  /** Where corrections go (POST /api/feedback); without one the app takes none. */
  feedback?: FeedbackOptions;
  /** Behind a reverse proxy (nginx): a client's address is the last X-Forwarded-For entry, the one the proxy added. */
  trustProxy?: boolean;
}

const WEB_DIR = fileURLToPath(new URL('../../web', import.meta.url));
const NOT_FOUND_PAGE = readFileSync(`${WEB_DIR}/404.html`, 'utf8');

/**
 * All script comes from files under web/, so the policy needs no 'unsafe-inline'. 'wasm-unsafe-eval' lets
 * the page compile the MLP's WebAssembly kernels (src/core/math/kernels.wat); it allows no JavaScript eval.
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "object-src 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Builds the app; the caller decides where to listen (tests use port 0). */
export function createApp(options: AppOptions): Koa {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const app = new Koa({ proxy: options.trustProxy ?? false, maxIpsCount: 1 });
  // Outermost, so it compresses what the rest answers (error pages too); then 304s for unchanged files.
  // koa-compress's default brotli quality (4) is fast on the compact model; quality 11 saved 1% more at 100× the time (docs/figures.md).
  app.use(compress({ threshold: 1024 }));
  app.use(conditional());
  app.use(etag());
  app.use(errorHandler);
  app.use(async (ctx, next) => {
    ctx.set('Content-Security-Policy', CSP);
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('X-Frame-Options', 'DENY');
    ctx.set('Referrer-Policy', 'no-referrer');
    await next();
  });
  const api = apiRouter(options.model, options.predictor, limits);
  app.use(api.routes());
  app.use(api.allowedMethods());
  if (options.feedback) {
    const feedback = feedbackRouter(options.model, options.predictor, limits, options.feedback);
    app.use(feedback.routes());
    app.use(feedback.allowedMethods());
  }
  // From web/ only the pages, their style sheet and icon: not the pages' TypeScript sources or their tsconfig.
  const pages = serve(WEB_DIR, { extensions: ['html'], maxage: 0 });
  app.use((ctx, next) => (/^\/[\w-]*(\.(html|css|svg))?$/.test(ctx.path) ? pages(ctx, next) : next()));
  app.use(serve(WEB_BUILD, { maxage: 0 }));
  // A client that goes away mid-answer (a page closed while the model downloads) is not a server error.
  app.on('error', (err: { code?: string }) => {
    if (err.code !== 'ERR_STREAM_PREMATURE_CLOSE' && err.code !== 'ECONNRESET' && err.code !== 'EPIPE') console.error(err);
  });
  return app;
}

/**
 * Serves `app` on host:port. A request Node refuses before Koa sees it (headers over Node's limit, malformed
 * HTTP) is answered in JSON as every other error; a client already gone is let go without a word. Connections
 * are capped in all and per address, and a client that holds one without sending its request is dropped after
 * `headersMs`, so idle connections cannot take every file descriptor.
 */
export function listen(app: Koa, port: number, host: string, connections: Partial<ConnectionLimits> = {}): Server {
  const c = { ...DEFAULT_CONNECTION_LIMITS, ...connections };
  const server = createServer(
    // Node checks the header and request timeouts every connectionsCheckingInterval: often, so they are kept.
    { headersTimeout: c.headersMs, requestTimeout: c.requestMs, keepAliveTimeout: c.keepAliveMs, connectionsCheckingInterval: 1000 },
    app.callback(),
  );
  server.maxConnections = c.total;
  if (!app.proxy) capPerAddress(server, c.perAddress);
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex & { remoteAddress?: string }) => {
    // One line per such client, never a stack: a slow or careless client is not the server's error.
    console.warn(`client ${socket.remoteAddress ?? '(gone)'}: ${err.code ?? err.message}, answered 400 or let go`);
    if (err.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
    const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
    const body = JSON.stringify({
      error: tooLarge ? `request headers too large: at most ${maxHeaderSize} bytes` : `malformed HTTP request (${err.code ?? err.message})`,
    });
    answerRaw(socket, tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request', body);
  });
  return server.listen(port, host);
}

/**
 * A JSON answer written straight to a socket Koa never got (or should not get), then the socket closed once
 * written: a request Koa had begun would otherwise keep it open.
 */
function answerRaw(socket: Duplex, status: string, body: string, headers = ''): void {
  socket.end(
    `HTTP/1.1 ${status}\r\n${headers}Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    () => socket.destroy(),
  );
}

/** Past `most` open connections from one address, a new one is answered 503 with Retry-After and closed. */
function capPerAddress(server: Server, most: number): void {
  const open = new Map<string, number>();
  const body = JSON.stringify({ error: `too many connections from one address: at most ${most} at once; retry in a few seconds` });
  server.on('connection', (socket) => {
    const address = socket.remoteAddress ?? '';
    const n = (open.get(address) ?? 0) + 1;
    if (n > most) {
      answerRaw(socket, '503 Service Unavailable', body, 'Retry-After: 5\r\n');
      return;
    }
    open.set(address, n);
    socket.once('close', () => {
      const left = open.get(address)! - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
  });
}

/**
 * The single error handler: known client errors become JSON {error} with their status; anything else is
 * logged and answered as a plain 500 without a stack trace.
 */
async function errorHandler(ctx: Koa.Context, next: Koa.Next): Promise<void> {
  try {
    await next();
    if (ctx.status === 404 && ctx.body === undefined) {
      ctx.status = 404;
      // A person who follows a bad link gets a page; the API and programs keep JSON.
      const person = !ctx.path.startsWith('/api/') && ctx.method === 'GET' && ctx.accepts('json', 'html') === 'html';
      ctx.body = person ? NOT_FOUND_PAGE : { error: `not found: ${ctx.method} ${ctx.path}` };
      if (person) ctx.type = 'html';
    } else if (ctx.status >= 400 && ctx.body === undefined) {
      // The router's 405 and 501 come without a body, and Koa would answer its status text as text/plain.
      const allow = ctx.response.get('Allow');
      ctx.body = { error: `${ctx.message.toLowerCase()}: ${ctx.method} ${ctx.path}${allow ? ` (allowed: ${allow})` : ''}` };
    }
  } catch (e) {
    const err = e as { status?: number; statusCode?: number; expose?: boolean; message?: string; code?: string; name?: string };
    const status = clientStatus(err);
    if (status) {
      // A client that sends the whole body before it reads (curl, Python, most HTTP libraries) would be
      // reset by a close with its body unread, and never see this answer: read the rest first, within bounds.
      if (!ctx.req.complete) {
        await drain(ctx.req);
        ctx.set('Connection', 'close');
      }
      ctx.status = status;
      ctx.body = { error: clientMessage(err, status) };
    } else {
      console.error(e);
      ctx.status = 500;
      ctx.body = { error: 'internal error' };
    }
  }
}

/** How much of a refused body is read and dropped, at most, so that its client can read the answer. */
export const DRAIN_LIMIT = { bytes: 64 * 1024 * 1024, ms: 10_000 };

/** Reads and discards the rest of a request body; gives up past DRAIN_LIMIT (the client is then cut off). */
function drain(req: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    let bytes = 0;
    const done = () => {
      clearTimeout(timer);
      req.off('data', count);
      req.off('end', done);
      req.off('close', done);
      resolve();
    };
    const count = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > DRAIN_LIMIT.bytes) {
        done();
        req.pause();
      }
    };
    const timer = setTimeout(() => {
      done();
      req.pause();
    }, DRAIN_LIMIT.ms);
    req.on('data', count);
    req.once('end', done);
    req.once('close', done);
    req.resume();
  });
}

const MULTER_STATUS: Record<string, number> = {
  LIMIT_FILE_SIZE: 413,
  LIMIT_FILE_COUNT: 413,
  LIMIT_PART_COUNT: 413,
  LIMIT_FIELD_COUNT: 413,
  LIMIT_FIELD_VALUE: 413,
  LIMIT_FIELD_KEY: 413,
  LIMIT_UNEXPECTED_FILE: 400,
};

function clientStatus(err: { status?: number; statusCode?: number; expose?: boolean; code?: string; name?: string }): number | null {
  if (err.name === 'MulterError' && err.code) return MULTER_STATUS[err.code] ?? 400;
  const status = err.status ?? err.statusCode;
  if (status && status >= 400 && status < 500) return status;
  // A 5xx thrown on purpose with a message for the client (507: the feedback store is full) is an answer, not a bug.
  if (status && status >= 500 && err.expose === true) return status;
  return null;
}

function clientMessage(err: { message?: string; code?: string; name?: string }, status: number): string {
  if (err.name === 'MulterError') {
    if (err.code === 'LIMIT_UNEXPECTED_FILE') return 'unexpected file field: send images in the field "image"';
    return `upload over a limit: ${err.message ?? err.code}`;
  }
  if (status === 413) return `request body too large: ${err.message ?? ''}`.trim();
  if (err.name === 'SyntaxError') return `invalid JSON body: ${err.message ?? ''}`.trim();
  return err.message ?? 'bad request';
}
