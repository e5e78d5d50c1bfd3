import type { Context } from 'koa';
import type { AppContext } from '../app-context.js';
import { optionalBoolean, rawField, stringField } from '../fields.js';
import { bodyOf } from '../parse-body.js';
import { requestMeta } from '../request-meta.js';
import { renderAuthenticated } from './render-authenticated.js';

/** POST /v1/login/mfa `{mfa_token, otp | email_code, remember_device?}`: the token decides the account. */
export const loginMfa = (app: AppContext) => async (ctx: Context) => {
  const body = bodyOf(ctx);
  const mfaToken = stringField(body, 'mfa_token');
  const rememberDevice = optionalBoolean(body, 'remember_device') ?? false;
  const result = await app.latchkey.continueLogin({ mfaToken, otp: rawField(body, 'otp'), emailCode: rawField(body, 'email_code'), rememberDevice }, requestMeta(ctx, app, 'native'));
  app.metrics.inc('latchkey_second_steps_total', { dialect: 'native', result: result.kind });
  switch (result.kind) {
    case 'authenticated':
      return renderAuthenticated(ctx, result);
    case 'invalid_otp':
      ctx.status = 401;
      ctx.body = { error: 'invalid_otp', message: 'Invalid code.', attempts_remaining: result.attemptsRemaining };
      return;
    case 'invalid_token':
      ctx.status = 401;
      ctx.body = { error: 'invalid_mfa_token', message: 'The second-step token is not valid.' };
      return;
    default: {
      const _exhaustive: never = result;
      return _exhaustive;
    }
  }
};
