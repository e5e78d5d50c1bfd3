import type { Context } from 'koa';
import type { AppContext } from '../app-context.js';
import { bodyOf } from '../parse-body.js';
import { requestMeta } from '../request-meta.js';
import type { AppgateSettings } from './appgate-settings.js';
import { loginRequest } from './login-request.js';
import { expiresAt, fullLoginResponse, loginResponse } from './login-response.js';
import { loginFailed, refuse } from './render-appgate-failure.js';

/** POST /admin/authentication, the spec's LoginRequest. With MFA due, `token` is the partial (second-step) token. */
export const authentication = (app: AppContext, settings: AppgateSettings) => async (ctx: Context) => {
  const result = await app.latchkey.login({ ...loginRequest(bodyOf(ctx)), secondFactor: 'later' }, requestMeta(ctx, app, 'appgate'));
  app.metrics.inc('latchkey_logins_total', { dialect: 'appgate', result: result.kind });
  const now = app.latchkey.now();
  switch (result.kind) {
    case 'authenticated':
      ctx.body = fullLoginResponse(settings, now, result);
      return;
    case 'mfa_required':
      ctx.body = loginResponse(settings, result.user, { token: result.mfaToken, expiresAtMs: expiresAt(now, result.expiresIn), needTwoFactorAuth: true });
      return;
    case 'rejected':
      return refuse(ctx, loginFailed);
    default: {
      const _exhaustive: never = result;
      return _exhaustive;
    }
  }
};
