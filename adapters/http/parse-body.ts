import type { Context, Middleware, Next } from 'koa';
import { koaBody } from 'koa-body';
import { DomainError } from '../../core/errors.js';

/** docs/api.md: bodies over 16 KiB are refused (413) before parsing. */
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

/**
 * co-body decodes every body as UTF-8 whatever charset it declares: any other charset is refused rather than
 * misread (RFC 8259 §8.1: JSON is UTF-8; docs/api.md: bad charset → 415, docs/security.md §26).
 */
const utf8 = (charset: string): boolean => charset === '' || /^utf-?8$/i.test(charset);

/** Wrong or missing content type, or a charset other than UTF-8 → 415; then koa-body: malformed → 400, too large → 413. */
export const parseBody = (kind: keyof typeof mediaTypes): Middleware => {
  const expected = mediaTypes[kind];
  return async (ctx: Context, next: Next) => {
    if (ctx.request.type !== expected || !utf8(ctx.request.charset)) {
      const length = Number(ctx.get('content-length') || 0);
      if (length > bodyLimitBytes) ctx.throw(413);
      ctx.throw(415);
    }
    try {
      await parser(ctx, async () => {});
    } catch (err) {
      // A body that does not inflate (Content-Encoding gzip/deflate/br over garbage) is malformed input, not a fault:
      // 400. zlib's codes start with Z_, brotli's decoder errors with ERR__ERROR_ (node's BROTLI_DECODER_ERROR_*).
      const code = (err as { code?: unknown } | null)?.code;
      if (typeof code === 'string' && (code.startsWith('Z_') || code.startsWith('ERR__ERROR_'))) ctx.throw(400);
      throw err;
    }
    const body = (ctx.request as { body?: unknown }).body;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new DomainError('invalid_request', 'the body must be an object');
    await next();
  };
};

export const bodyOf = (ctx: Context): Record<string, unknown> => (ctx.request as unknown as { body: Record<string, unknown> }).body;
