import type { Context } from 'koa';
import type { AppContext } from '../app-context.js';
import { bearerToken } from '../bearer-token.js';
import type { AppgateSettings } from './appgate-settings.js';
import { loginResponse } from './login-response.js';
import { errorId, invalidToken, refuse } from './render-appgate-failure.js';

/**
 * GET /admin/authorization. A full token is answered with itself (no rotation: the call is a check that
 * clients repeat, and a refresh would revoke the token they hold); a live partial token with the product's
 * 412 `otpRequired`; anything else 401.
 */
export const authorization = (app: AppContext, settings: AppgateSettings) => async (ctx: Context) => {
  const token = bearerToken(ctx);
  const session = await app.latchkey.authenticate(token);
  if (session !== null) {
    ctx.body = loginResponse(settings, session.user, { token: token!, expiresAtMs: session.exp * 1000, needTwoFactorAuth: false });
    return;
  }
  const pending = await app.latchkey.pendingChallenge(token);
  if (pending !== null) {
    ctx.status = 412;
    ctx.body = { id: errorId(412), message: 'One-time password is required.', otpRequired: true, username: pending.user.username };
    return;
  }
  refuse(ctx, invalidToken);
};
