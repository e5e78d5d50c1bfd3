import type { Context } from 'koa';
import type { AppContext } from '../app-context.js';
import { bearerToken } from '../bearer-token.js';
import { optionalString, rawField } from '../fields.js';
import { bodyOf } from '../parse-body.js';
import { requestMeta } from '../request-meta.js';
import type { AppgateSettings } from './appgate-settings.js';
import { fullLoginResponse } from './login-response.js';
import { invalidToken, mfaFailed, refuse } from './render-appgate-failure.js';
import { wireState } from './wire-state.js';

/**
 * POST /admin/authentication/otp (partial token) `{otp, state?, recoveryCode?}` → the full login response.
 * Without `state` the code (TOTP or recovery) completes the second step (continueLogin). With the `state`
 * of a "Secret" initialisation, `otp` is a code of the new seed and `recoveryCode` the factor that proves
 * the user: both are judged, and the enrolment confirmed, in one engine call. Codes go to the engine as
 * received: a malformed one is a counted failure, never a 422 (docs/security.md §5).
 */
export const otp = (app: AppContext, settings: AppgateSettings) => async (ctx: Context) => {
  const body = bodyOf(ctx);
  const state = optionalString(body, 'state', 1024);
  const mfaToken = bearerToken(ctx);
  const meta = requestMeta(ctx, app, 'appgate');
  const result =
    state === undefined || state === ''
      ? await app.latchkey.continueLogin({ mfaToken, otp: rawField(body, 'otp') }, meta)
      : await app.latchkey.confirmChallengeTotp({ mfaToken, state: wireState.decode(state), otp: rawField(body, 'otp'), recoveryCode: rawField(body, 'recoveryCode') }, meta);
  app.metrics.inc('latchkey_second_steps_total', { dialect: 'appgate', result: result.kind });
  switch (result.kind) {
    case 'authenticated':
      ctx.body = fullLoginResponse(settings, app.latchkey.now(), result);
      return;
    case 'invalid_otp':
      return refuse(ctx, mfaFailed);
    case 'invalid_token':
      return refuse(ctx, invalidToken);
    default: {
      const _exhaustive: never = result;
      return _exhaustive;
    }
  }
};
