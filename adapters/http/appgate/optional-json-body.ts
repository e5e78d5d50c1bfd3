import type { Context, Middleware, Next } from 'koa';
import { parseBody } from '../parse-body.js';

const json = parseBody('json');

/**
 * For calls whose body is optional (`otp/initialize {userPassword?}`): no body at all is an empty object;
 * a body that is sent is parsed like any other (415 / 400 / 413 in the dialect's shape).
 */
export const optionalJsonBody = (): Middleware => async (ctx: Context, next: Next) => {
  const sent = ctx.get('content-type') !== '' || ctx.get('transfer-encoding') !== '' || Number(ctx.get('content-length') || 0) > 0;
  if (sent) return json(ctx, next);
  (ctx.request as { body?: unknown }).body = {};
  return next();
};
