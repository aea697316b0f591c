import bodyParser from '@koa/bodyparser';
import type { Readable } from 'node:stream';
import multer from '@koa/multer';
import Router from '@koa/router';
import type Koa from 'koa';
import { COMPACT_MODEL_PATH, type PredictAnswer, type PredictNumberAnswer, type UploadAnswer } from '../core/api.js';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { CLASSES, labelsOf, PIXELS, toUnit } from '../core/frame.js';
import { loadMnist } from '../data/mnist.js';
import { cellItems, galleryPng } from '../eval/gallery.js';
import { modelTree } from '../eval/model-tree.js';
import { evaluate } from '../eval/metrics.js';
import { modelPictures, tilesPng } from '../eval/visuals.js';
import { compactModel } from '../core/models/compact-form.js';
import type { DigitModel } from '../core/models/model.js';
import { DEFAULT_TILES } from '../core/models/pictures.js';
import type { Limits } from './limits.js';
import type { Predictor } from './predictor.js';
import type { PredictMode, TaskResult } from './predict-task.js';
import { IMAGE_ERROR_STATUS, imageFromJson, nonEmpty } from './request.js';

/** JSON API: parse → the predictor → shape the answer. No image maths here. */
export function apiRouter(model: DigitModel, predictor: Predictor, limits: Limits): Router {
  const router = new Router();
  const json = bodyParser({ enableTypes: ['json'], jsonLimit: limits.jsonBytes, encoding: 'utf-8' });
  // Memory storage that keeps a file up to the limit and reads past the rest of a bigger one, keeping none of
  // it: that file gets an error of its own and the others their answers. It notes the file it is reading, so
  // that an error for the whole upload (a file past FILE_HARD_LIMIT times the limit) can name it.
  const storage: multer.StorageEngine = {
    _handleFile: (req, file, cb) => {
      (req as { uploading?: string }).uploading = file.originalname;
      const { stream } = file as unknown as { stream: Readable };
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= limits.fileBytes) chunks.push(chunk);
        else chunks.length = 0;
      });
      stream.on('error', cb);
      stream.on('end', () => cb(null, { buffer: size <= limits.fileBytes ? Buffer.concat(chunks) : Buffer.alloc(0), size } as unknown as multer.File));
    },
    _removeFile: (_req, file, cb) => {
      (file as { buffer?: Buffer }).buffer = Buffer.alloc(0);
      cb(null as unknown as Error);
    },
  };
  const files = multer({
    storage,
    limits: { fileSize: FILE_HARD_LIMIT * limits.fileBytes, files: limits.files, fields: 10, parts: limits.files + 10 },
  }).array('image', limits.files);
  const tooLarge = (name: string) => `"${name}" is over the limit of ${sizeText(limits.fileBytes)} a file`;
  const modelName = `${model.metadata.kind}: ${model.metadata.description}`;
  const { metadata } = model;
  const visuals = modelVisuals(model);

  router.get('/healthz', (ctx) => {
    ctx.body = { ok: true };
  });

  router.get('/api/model', (ctx) => {
    // The detector's facts, not its weights: the page shows what made it.
    const c = model.confidence;
    ctx.body = { ...metadata, confidence: c && { ...c, detector: c.detector?.about }, input: model.input.describe(), pictures: visuals.list };
  });

  router.get('/api/model/:picture.png', (ctx) => {
    const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
    ctx.body = visuals.png(ctx.params.picture as string, one(ctx.query.count), one(ctx.query.order));
    ctx.type = 'image/png';
  });

  // The test digits of a cell of the confusion matrix, predicted once when first asked for, a slice per turn
  // of the event loop so that other requests go on meanwhile.
  let answers: Promise<{ pixels: Uint8Array; labels: Uint8Array; predictions: Uint8Array; confidences: Float32Array }> | null = null;
  const testAnswers = () =>
    (answers ??= (async () => {
      const test = loadMnist().test;
      const x = toUnit(test.pixels);
      const probabilities = new Float32Array(test.n * CLASSES);
      for (let start = 0; start < test.n; start += 200) {
        await nextTurn();
        const n = Math.min(200, test.n - start);
        probabilities.set(model.predictProba(x.subarray(start * PIXELS, (start + n) * PIXELS), n), start * CLASSES);
      }
      const labels = labelsOf(test);
      const { predictions, confidences } = evaluate(probabilities, labels);
      return { pixels: test.pixels, labels, predictions, confidences };
    })());
  router.get('/api/model/confusion/:truth/:predicted.png', async (ctx) => {
    const [truth, predicted] = [ctx.params.truth, ctx.params.predicted].map(Number) as [number, number];
    if (![truth, predicted].every((d) => Number.isInteger(d) && d >= 0 && d < CLASSES))
      ctx.throw(400, 'a cell is a true digit and a predicted digit, each 0 to 9');
    const a = await testAnswers();
    const items = cellItems(a.pixels, a.labels, a.predictions, a.confidences, truth, predicted);
    if (items.length === 0) ctx.throw(404, `no test digit ${truth} is read as ${predicted}`);
    ctx.type = 'image/png';
    ctx.body = galleryPng(items, 10, 1);
  });

  // The model file as a tree a person reads: its tensors summarised (src/eval/model-tree.ts).
  let tree: string | null = null;
  router.get('/api/model/tree', (ctx) => {
    tree ??= JSON.stringify(modelTree(model.toJSON()));
    ctx.type = 'application/json';
    ctx.body = tree;
  });

  // The whole file: shown in the browser, or saved with ?download.
  let file: string | null = null;
  router.get('/model.json', (ctx) => {
    file ??= JSON.stringify(model.toJSON(), null, 1);
    if (ctx.query.download !== undefined) ctx.attachment('mnist-digit-model.json');
    else ctx.set('Content-Disposition', 'inline');
    ctx.type = 'application/json';
    ctx.body = file;
  });

  // The board's own copy of the model, its weights quantised (compact-form.ts). Compressed and given an ETag by
  // the app's middleware; "no-cache" lets the browser keep it and ask, cheaply, whether it is still current.
  let compact: string | null | undefined;
  router.get(COMPACT_MODEL_PATH, (ctx) => {
    if (compact === undefined) {
      const json = compactModel(model);
      compact = json && JSON.stringify(json);
    }
    if (compact === null) ctx.throw(404, `the served model (${metadata.kind}) has no compact form for the browser; predict with POST /api/predict`);
    ctx.set('Cache-Control', 'no-cache');
    ctx.type = 'application/json';
    ctx.body = compact;
  });

  // A body busboy cannot parse (no boundary, a bad part header, an unterminated form) is the client's error;
  // errors after parsing, from the route itself, pass through as they are.
  let uploading = 0;
  const multipart = async (ctx: Koa.Context, next: Koa.Next) => {
    const declared = Number(ctx.get('content-length')) || limits.files * limits.fileBytes + 64 * 1024;
    if (uploading + declared > limits.uploadBytesInFlight) {
      ctx.set('Retry-After', '2');
      ctx.throw(503, `the server is reading other uploads (at most ${sizeText(limits.uploadBytesInFlight)} at once): try again in a moment`, { expose: true });
    }
    uploading += declared;
    let parsed = false;
    try {
      await files(ctx, () => {
        parsed = true;
        return next();
      });
    } catch (e) {
      const code = (e as { name?: string; code?: string }).name === 'MulterError' ? (e as { code?: string }).code : undefined;
      const file = (ctx.req as { uploading?: string }).uploading;
      if (!parsed && code === 'LIMIT_FILE_SIZE')
        ctx.throw(413, `${file ? `"${file}"` : 'a file'} is far over the limit of ${sizeText(limits.fileBytes)} a file: nothing in this upload was read`);
      const field = (e as { field?: string }).field;
      if (!parsed && (code === 'LIMIT_FILE_COUNT' || (code === 'LIMIT_UNEXPECTED_FILE' && field === 'image')))
        ctx.throw(413, `too many files: at most ${limits.files} in one upload, in the field "image"`);
      if (parsed || code) throw e;
      ctx.throw(400, `malformed multipart body: ${(e as Error).message}`);
    } finally {
      uploading -= declared;
    }
  };

  router.post(
    '/api/predict',
    async (ctx, next) => {
      if (ctx.is('application/json')) return json(ctx, next);
      if (ctx.is('multipart/form-data')) return multipart(ctx, next);
      ctx.throw(415, 'send JSON {"image": "<data URL or base64>"} or multipart/form-data with "image" files');
    },
    async (ctx) => {
      const mode = modeOf(ctx);
      if (ctx.is('application/json')) {
        const body = ctx.request.body as { image?: unknown } | undefined;
        const bytes = imageFromJson(ctx, body?.image);
        respond(ctx, await predictor.predict(bytes, mode), modelName);
        return;
      }
      const uploads = (ctx.request as unknown as { files?: { originalname: string; buffer: Buffer; size: number }[] }).files ?? [];
      if (uploads.length === 0) ctx.throw(400, 'no image files: send them in the multipart field "image"');
      if (uploads.length === 1) {
        if (uploads[0]!.size > limits.fileBytes) ctx.throw(413, tooLarge(uploads[0]!.originalname));
        respond(ctx, await predictor.predict(nonEmpty(ctx, uploads[0]!.buffer), mode), modelName);
        return;
      }
      // One file after another (they share one event loop or one thread anyway), and none once the client
      // has gone: a hung-up upload of twenty photos must not keep the process busy for a minute.
      let gone = false;
      ctx.res.once('close', () => {
        gone = !ctx.res.writableFinished;
      });
      const results: UploadAnswer['results'] = [];
      for (const f of uploads) {
        if (gone) return;
        if (f.size > limits.fileBytes) {
          results.push({ file: f.originalname, error: tooLarge(f.originalname) });
          continue;
        }
        if (f.buffer.length === 0) {
          results.push({ file: f.originalname, error: 'empty file' });
          continue;
        }
        const r = await predictor.predict(f.buffer, mode);
        results.push(r.ok ? { file: f.originalname, ...r.answer, model: modelName } : { file: f.originalname, error: r.error });
      }
      ctx.body = { results } satisfies UploadAnswer;
    },
  );

  return router;
}

/** ?mode=digit (the default) or ?mode=number. */
function modeOf(ctx: Koa.Context): PredictMode {
  const mode = ctx.query.mode ?? 'digit';
  if (mode !== 'digit' && mode !== 'number')
    ctx.throw(400, `unknown mode ${JSON.stringify(mode)}: use ?mode=digit (one digit per image, the default) or ?mode=number`);
  return mode as PredictMode;
}

function respond(ctx: Koa.Context, r: TaskResult, model: string): void {
  if (!r.ok) {
    ctx.status = IMAGE_ERROR_STATUS[r.code];
    ctx.body = { error: r.error };
    return;
  }
  ctx.body = { ...r.answer, model } satisfies PredictAnswer | PredictNumberAnswer;
}

/** The model's pictures as PNGs for the inspector, each rendered on its first request. */
/**
 * The model's pictures as PNGs, drawn when first asked for and kept: `count` tiles (1 to all, default 48) in
 * one of the picture's orders (default its first). A count or order it does not have is a 400 that says
 * what it has.
 */
function modelVisuals(model: DigitModel): { list: object[]; png(name: string, count?: string, order?: string): Buffer } {
  const pictures = modelPictures(model);
  const cache = new Map<string, Buffer>();
  return {
    list: Object.entries(pictures).map(([name, p]) => ({ name, title: p.title, caption: p.caption, style: p.style, available: p.available, orders: p.orders })),
    png(name, countText, orderText) {
      // Own names only: "__proto__", "valueOf" or "toString" are properties of every object, not pictures.
      const p = Object.hasOwn(pictures, name) ? pictures[name] : undefined;
      if (!p) throw new HttpError(404, `this model has no ${name} picture (it has: ${Object.keys(pictures).join(', ') || 'none'})`);
      const count = countText === undefined ? Math.min(DEFAULT_TILES, p.available) : Number(countText);
      if (!Number.isInteger(count) || count < 1 || count > p.available) throw new HttpError(400, `count must be a whole number from 1 to ${p.available}`);
      const order = orderText ?? p.orders[0]!.name;
      if (!p.orders.some((o) => o.name === order)) throw new HttpError(400, `order must be one of ${p.orders.map((o) => o.name).join(', ')}`);
      const key = `${name}/${count}/${order}`;
      if (!cache.has(key)) {
        const { vectors, labels, columns } = p.tiles(count, order);
        cache.set(key, tilesPng(vectors, { style: p.style, ...(labels && { labels }), columns: columns ?? (p.available > 1 ? 12 : 1) }));
      }
      return cache.get(key)!;
    },
  };
}

/** An answer to the client: the app's error handler sends its status and message as JSON. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A file this many times over the size limit fails its whole upload (the others are not read): it would take that long to read past. */
const FILE_HARD_LIMIT = 4;

/** Bytes as a person reads them: 10 MB, 195 kB. */
function sizeText(bytes: number): string {
  return bytes >= 2 ** 20 ? `${Number((bytes / 2 ** 20).toFixed(1))} MB` : `${Math.round(bytes / 1024)} kB`;
}
