import type { Context } from 'koa';
import type { AppContext } from '../app-context.js';
import { FieldError } from '../failure.js';
import { stringField } from '../fields.js';
import { bodyOf } from '../parse-body.js';
import { requestMeta } from '../request-meta.js';
import type { AppgateSettings } from './appgate-settings.js';
import { expiresAt, loginResponse } from './login-response.js';
import { loginFailed, refuse } from './render-appgate-failure.js';

/**
 * POST /admin/authentication `{providerName, username, password, deviceId}`. Only the built-in "local"
 * provider exists; another name is a 422 on `providerName` (it is public configuration, not a secret about
 * a user, and costs no argon2 work). With MFA due, `token` is the partial (second-step) token.
 */
export const authentication = (app: AppContext, settings: AppgateSettings) => async (ctx: Context) => {
  const body = bodyOf(ctx);
  const providerName = stringField(body, 'providerName', 256);
  const username = stringField(body, 'username', 1024);
  const password = stringField(body, 'password', 64 * 1024);
  const deviceId = stringField(body, 'deviceId', 256);
  if (providerName !== 'local') throw new FieldError('providerName', 'unknown identity provider; only "local" is available');
  if (deviceId.length === 0) throw new FieldError('deviceId', 'deviceId must not be empty');
  const result = await app.latchkey.login({ username, password, secondFactor: 'later' }, requestMeta(ctx, app, 'appgate'));
  app.metrics.inc('latchkey_logins_total', { dialect: 'appgate', result: result.kind });
  const now = app.latchkey.now();
  switch (result.kind) {
    case 'authenticated':
      ctx.body = loginResponse(settings, result.user, {
        token: result.token.accessToken,
        expiresAtMs: expiresAt(now, result.token.expiresIn),
        needTwoFactorAuth: false,
      });
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
