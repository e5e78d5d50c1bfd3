import type { Context, Middleware, Next } from 'koa';
import { koaBody } from 'koa-body';
import { DomainError } from '../../core/errors.js';

/** API.md: bodies over 16 KiB are refused (413) before parsing. */
export const bodyLimitBytes = 16 * 1024;

const mediaTypes = { json: 'application/json', form: 'application/x-www-form-urlencoded' } as const;

const parser = koaBody({
  json: true,
  urlencoded: true,
  text: false,
  multipart: false,
  jsonStrict: true,
  jsonLimit: bodyLimitBytes,
  formLimit: bodyLimitBytes,
  patchKoa: true,
});

/** Wrong or missing content type → 415; then koa-body: malformed → 400, too large → 413, bad charset → 415. */
export const parseBody = (kind: keyof typeof mediaTypes): Middleware => {
  const expected = mediaTypes[kind];
  return async (ctx: Context, next: Next) => {
    if (ctx.request.type !== expected) {
      const length = Number(ctx.get('content-length') || 0);
      if (length > bodyLimitBytes) ctx.throw(413);
      ctx.throw(415);
    }
    await parser(ctx, async () => {});
    const body = (ctx.request as { body?: unknown }).body;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new DomainError('invalid_request', 'the body must be an object');
    await next();
  };
};

export const bodyOf = (ctx: Context): Record<string, unknown> => (ctx.request as unknown as { body: Record<string, unknown> }).body;
