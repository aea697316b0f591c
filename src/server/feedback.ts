import { createHash } from 'node:crypto';
import bodyParser from '@koa/bodyparser';
import Router from '@koa/router';
import type Koa from 'koa';
import type { FeedbackAnswer } from '../core/api.js';
import { clientHash, isConfirmation, StoreFullError, type FeedbackStore } from '../feedback/store.js';
import type { DigitModel } from '../core/models/model.js';
import type { Limits } from './limits.js';
import type { Predictor } from './predictor.js';
import { IMAGE_ERROR_STATUS, imageFromJson } from './request.js';

/**
 * Corrections one client address may store per minute, unless FEEDBACK_PER_MINUTE says otherwise. Counted in
 * the store, so the limit holds across server processes and instances that share it.
 */
export const DEFAULT_PER_MINUTE = 30;

export interface FeedbackOptions {
  store: FeedbackStore;
  perMinute?: number;
}

/**
 * POST /api/feedback {image, label: 0–9 or "not a digit", mode?: "digit" | "number", piece?: n}: the server
 * reads the image itself (the predictor, as for /api/predict; in number mode, piece n of the number) and
 * stores the 28×28 it computed, the label, its own prediction and probabilities. GET /api/feedback/summary
 * gives counts only: corrections are never served back.
 */
export function feedbackRouter(model: DigitModel, predictor: Predictor, limits: Limits, options: FeedbackOptions): Router {
  const { store, perMinute = DEFAULT_PER_MINUTE } = options;
  const router = new Router();
  const json = bodyParser({ enableTypes: ['json'], jsonLimit: limits.jsonBytes, encoding: 'utf-8' });
  let modelId: string | undefined;
  let salt: Promise<string> | undefined;

  router.post(
    '/api/feedback',
    async (ctx, next) => {
      if (!ctx.is('application/json')) ctx.throw(415, 'send JSON {"image": "<data URL or base64>", "label": 0–9 or "not a digit"}');
      return json(ctx, next);
    },
    async (ctx) => {
      const body = (ctx.request.body ?? {}) as { image?: unknown; label?: unknown; mode?: unknown; piece?: unknown };
      const label = labelOf(ctx, body.label);
      const mode = body.mode ?? 'digit';
      if (mode !== 'digit' && mode !== 'number') return ctx.throw(400, `"mode" is "digit" or "number", not ${JSON.stringify(mode)}`);
      const piece = mode === 'number' ? pieceOf(ctx, body.piece) : 0;
      const bytes = imageFromJson(ctx, body.image);
      // The address only: anything the client sends (a User-Agent) it can change per request. Behind a proxy
      // trusted with TRUST_PROXY, ctx.ip is the address that proxy saw (X-Forwarded-For).
      const client = clientHash(await stored(ctx, () => (salt ??= store.salt())), ctx.ip);
      const lastMinute = await stored(ctx, () => store.countSince(client, new Date(Date.now() - 60_000)));
      if (lastMinute >= perMinute) ctx.throw(429, `too many corrections: at most ${perMinute} a minute from one client; try again in a minute`);
      // The predictor reads it as it would for /api/predict: a photo goes to its thread, not this event loop.
      const r = await predictor.see(bytes, mode, piece);
      if (!r.ok) return ctx.throw(IMAGE_ERROR_STATUS[r.code], r.error);
      const { seen } = r;
      modelId ??= `${model.metadata.kind}:${createHash('sha256').update(JSON.stringify(model.toJSON())).digest('hex').slice(0, 16)}`;
      const id = await stored(ctx, () => store.add({ ...seen, label, model: modelId!, clientHash: client, createdAt: new Date().toISOString() }));
      ctx.status = 201;
      const { corrections } = await stored(ctx, () => store.tally());
      ctx.body = {
        id,
        label,
        predicted: seen.predicted,
        confirmation: isConfirmation({ label, predicted: seen.predicted }),
        count: corrections,
      } satisfies FeedbackAnswer;
    },
  );

  router.get('/api/feedback/summary', async (ctx) => {
    const { corrections, confirmations } = await store.tally();
    ctx.body = { store: store.kind, count: corrections, confirmations, confusions: await store.confusions(), learned: model.metadata.feedback ?? null };
  });
  return router;
}

/** A store call whose failure is the client's answer: 507 when full, 503 when the database is down (details logged). */
async function stored<T>(ctx: Koa.Context, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (e instanceof StoreFullError) return ctx.throw(507, e.message, { expose: true });
    console.error('feedback store:', e);
    return ctx.throw(503, 'the feedback store is unavailable right now: your correction was not saved; please try again later', { expose: true });
  }
}

function labelOf(ctx: Koa.Context, label: unknown): number | null {
  if (label === 'not a digit' || label === null) return null;
  if (typeof label === 'number' && Number.isInteger(label) && label >= 0 && label <= 9) return label;
  if (typeof label === 'string' && /^[0-9]$/.test(label)) return Number(label);
  return ctx.throw(400, `"label" is the right digit, 0 to 9, or "not a digit"; got ${JSON.stringify(label) ?? 'nothing'}`);
}

function pieceOf(ctx: Koa.Context, piece: unknown): number {
  if (typeof piece === 'number' && Number.isInteger(piece) && piece >= 0) return piece;
  return ctx.throw(400, `in number mode "piece" is which digit, counting from 0 on the left; got ${JSON.stringify(piece) ?? 'nothing'}`);
}
