import type { Context } from 'koa';
import type { AppContext } from '../app-context.js';
import { bearerToken } from '../bearer-token.js';
import { requestMeta } from '../request-meta.js';

const invalidToken = (ctx: Context) => {
  ctx.status = 401;
  ctx.set('WWW-Authenticate', 'Bearer error="invalid_token"');
  ctx.body = { error: 'invalid_token', message: 'The access token is not valid.' };
};

/** POST /v1/token/refresh: a new token for the same session; the presented one is revoked. */
export const refreshToken = (app: AppContext) => async (ctx: Context) => {
  const token = await app.latchkey.refresh(bearerToken(ctx), requestMeta(ctx, app, 'native'));
  if (token === null) return invalidToken(ctx);
  ctx.set('Cache-Control', 'no-store');
  ctx.body = { access_token: token.accessToken, token_type: 'Bearer', expires_in: token.expiresIn, aal: token.aal };
};

/** POST /v1/logout: revokes the session behind the token. */
export const logout = (app: AppContext) => async (ctx: Context) => {
  if (!(await app.latchkey.logout(bearerToken(ctx), requestMeta(ctx, app, 'native')))) return invalidToken(ctx);
  ctx.status = 204;
};

/** GET /v1/session: who the token belongs to. */
export const session = (app: AppContext) => async (ctx: Context) => {
  const s = await app.latchkey.authenticate(bearerToken(ctx));
  if (s === null) return invalidToken(ctx);
  ctx.body = { sub: s.user.id, username: s.user.username, aal: s.aal, exp: s.exp };
};

/** GET /.well-known/jwks.json */
export const jwks = (app: AppContext) => async (ctx: Context) => {
  ctx.set('Cache-Control', 'public, max-age=300');
  ctx.body = app.latchkey.jwks();
};
