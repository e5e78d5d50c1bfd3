import type { Context } from 'koa';
import type { AppContext } from '../app-context.js';
import { bearerToken } from '../bearer-token.js';
import { requestMeta } from '../request-meta.js';
import { invalidToken, renderOracleFailure } from './render-oracle-failure.js';
import { oracleTokenTtlMs, renderOracleToken } from './render-oracle-token.js';

/** POST /ccadmin/v1/refresh: a new token for the same session (930 s again); the presented one is revoked. */
export const refresh = (app: AppContext) => async (ctx: Context) => {
  const token = await app.latchkey.refresh(bearerToken(ctx), requestMeta(ctx, app, 'oracle'), oracleTokenTtlMs);
  if (token === null) return renderOracleFailure(ctx, invalidToken);
  return renderOracleToken(ctx, token);
};

/** POST /ccadmin/v1/logout → `{"result":true}`: the session behind the token is revoked. */
export const logout = (app: AppContext) => async (ctx: Context) => {
  if (!(await app.latchkey.logout(bearerToken(ctx), requestMeta(ctx, app, 'oracle')))) return renderOracleFailure(ctx, invalidToken);
  ctx.body = { result: true };
};

/** POST /ccadmin/v1/verify → `{"success":true}` for a full, live access token (never a partial one). */
export const verify = (app: AppContext) => async (ctx: Context) => {
  if ((await app.latchkey.authenticate(bearerToken(ctx))) === null) return renderOracleFailure(ctx, invalidToken);
  ctx.body = { success: true };
};
