import { timingSafeEqual, createHash } from 'node:crypto';
import type { Context, Next } from 'koa';
import type { AppContext } from '../app-context.js';
import { bearerToken } from '../bearer-token.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** The admin bearer is the configured key, compared in constant time (on digests, so lengths never leak). */
export const requireAdmin = (app: AppContext) => {
  const expected = digest(app.adminKey);
  return async (ctx: Context, next: Next) => {
    const token = bearerToken(ctx);
    if (token === null || !timingSafeEqual(digest(token), expected)) {
      ctx.status = 401;
      ctx.set('WWW-Authenticate', 'Bearer realm="latchkey-admin"');
      ctx.body = { error: 'invalid_token', message: 'Admin authentication required.' };
      return;
    }
    await next();
  };
};
