import type { Context } from 'koa';
import type { AppContext } from '../app-context.js';
import { bearerToken } from '../bearer-token.js';
import { requestMeta } from '../request-meta.js';
import { invalidToken, refuse } from './render-appgate-failure.js';

/** POST /admin/authentication/logout: revokes the session behind a full token; a partial one is refused. */
export const logout = (app: AppContext) => async (ctx: Context) => {
  if (!(await app.latchkey.logout(bearerToken(ctx), requestMeta(ctx, app, 'appgate')))) return refuse(ctx, invalidToken);
  ctx.status = 204;
};
