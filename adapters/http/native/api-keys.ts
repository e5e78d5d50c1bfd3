import type { Context, Middleware, Next } from 'koa';
import type { AppContext } from '../app-context.js';
import { optionalString } from '../fields.js';
import { bodyOf, parseBody } from '../parse-body.js';
import { requestMeta } from '../request-meta.js';

const meta = (ctx: Context, app: AppContext) => requestMeta(ctx, app, 'admin');
const username = (ctx: Context): string => String(ctx.params.username ?? '');

/** The body `{name?}` is optional: a POST without one issues an unnamed key; one that has a body must be JSON. */
export const optionalJsonBody = (): Middleware => {
  const json = parseBody('json');
  return async (ctx: Context, next: Next) => {
    const hasBody = (ctx.request.length ?? 0) > 0 || ctx.get('transfer-encoding') !== '';
    if (hasBody) return json(ctx, next);
    (ctx.request as unknown as { body: Record<string, unknown> }).body = {};
    await next();
  };
};

/** POST /v1/admin/users/:username/api-keys `{name?}` → 201 `{id, key}`: the key is shown once, stored as a SHA-256. */
export const issueApiKey = (app: AppContext) => async (ctx: Context) => {
  const name = optionalString(bodyOf(ctx), 'name', 256) ?? null;
  const issued = await app.latchkey.issueApiKey(username(ctx), name, meta(ctx, app));
  ctx.status = 201;
  ctx.set('Cache-Control', 'no-store');
  ctx.body = { id: issued.id, key: issued.key };
};

/** DELETE /v1/admin/users/:username/api-keys/:id → 204; 404 when the account has no such key. */
export const revokeApiKey = (app: AppContext) => async (ctx: Context) => {
  const revoked = await app.latchkey.revokeApiKey(username(ctx), String(ctx.params.id ?? ''), meta(ctx, app));
  if (!revoked) {
    ctx.status = 404;
    ctx.body = { error: 'not_found', message: 'No such API key.' };
    return;
  }
  ctx.status = 204;
};
