import type Koa from 'koa';

/** The HTTP status of each kind of image problem (ImageError['code']). */
export const IMAGE_ERROR_STATUS = { unsupported: 415, 'too-large': 413, undecodable: 400, empty: 400 } as const;

/** The image bytes in a JSON body's "image": a data URL or plain base64; a clear 400/415 otherwise. */
export function imageFromJson(ctx: Koa.Context, image: unknown): Uint8Array {
  if (typeof image !== 'string') ctx.throw(400, 'the JSON body needs "image": a data URL or base64 string of a PNG, JPEG or BMP');
  const match = /^data:([\w/+.-]*)(;[\w=-]+)*?;base64,/.exec(image);
  const b64 = (match ? image.slice(match[0].length) : image).replace(/\s+/g, '');
  if (match?.[1] && !/^image\/(png|jpeg|jpg|bmp|x-ms-bmp)$/.test(match[1])) ctx.throw(415, `unsupported type ${match[1]}: send a PNG, JPEG or BMP`);
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(b64)) ctx.throw(400, '"image" is not valid base64');
  return nonEmpty(ctx, Buffer.from(b64, 'base64'));
}

export function nonEmpty(ctx: Koa.Context, bytes: Uint8Array): Uint8Array {
  if (bytes.length === 0) ctx.throw(400, 'the image is empty');
  return bytes;
}
