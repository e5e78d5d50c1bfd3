import type { Context } from 'koa';
import type { AppContext } from '../app-context.js';
import { bodyOf } from '../parse-body.js';
import { requestMeta } from '../request-meta.js';
import type { AppgateSettings } from './appgate-settings.js';
import { loginRequest } from './login-request.js';
import { fullLoginResponse } from './login-response.js';
import { loginFailed, mfaNotSupported, refuse } from './render-appgate-failure.js';

/**
 * POST /admin/login, the spec's "Simplified Login": the LoginRequest of POST /admin/authentication, answered
 * with the LoginResponse of a finished login (authentication and authorization in one). The spec: "Multi-Factor
 * Authentication is not supported by Login call, API user must be exempt from Admin MFA". So an exempt user
 * gets a full token; a user whose MFA is due gets the 401 `mfaNotSupported`, never a token, and only once the
 * password was right (before that every failure is the one `loginFailed`). The same engine call as
 * POST /admin/authentication: the same events, lockout and throttle.
 */
export const simplifiedLogin = (app: AppContext, settings: AppgateSettings) => async (ctx: Context) => {
  const result = await app.latchkey.login({ ...loginRequest(bodyOf(ctx)), secondFactor: 'later' }, requestMeta(ctx, app, 'appgate'));
  app.metrics.inc('latchkey_logins_total', { dialect: 'appgate', result: result.kind });
  switch (result.kind) {
    case 'authenticated':
      ctx.body = fullLoginResponse(settings, app.latchkey.now(), result);
      return;
    case 'mfa_required':
      // The partial token is dropped unseen: nobody can present it, and it dies with its TTL.
      return refuse(ctx, mfaNotSupported);
    case 'rejected':
      return refuse(ctx, loginFailed);
    default: {
      const _exhaustive: never = result;
      return _exhaustive;
    }
  }
};
