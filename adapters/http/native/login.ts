import type { Context } from 'koa';
import type { AppContext } from '../app-context.js';
import { bodyOf } from '../parse-body.js';
import { rawField, stringField } from '../fields.js';
import { requestMeta } from '../request-meta.js';
import { invalidCredentials } from './render-native-failure.js';
import { renderAuthenticated } from './render-authenticated.js';

/** POST /v1/login `{username, password, otp?, device_token?}`: one step with a code, or the first of two. */
export const login = (app: AppContext) => async (ctx: Context) => {
  const body = bodyOf(ctx);
  const username = stringField(body, 'username', 1024);
  const password = stringField(body, 'password', 64 * 1024);
  const result = await app.latchkey.login(
    { username, password, otp: rawField(body, 'otp'), deviceToken: rawField(body, 'device_token'), secondFactor: 'later' },
    requestMeta(ctx, app, 'native'),
  );
  app.metrics.inc('latchkey_logins_total', { dialect: 'native', result: result.kind });
  switch (result.kind) {
    case 'authenticated':
      return renderAuthenticated(ctx, result);
    case 'mfa_required':
      ctx.body = { status: 'mfa_required', mfa_token: result.mfaToken, mfa_methods: result.methods, expires_in: result.expiresIn };
      return;
    case 'rejected':
      ctx.status = 401;
      ctx.body = invalidCredentials;
      return;
    default: {
      const _exhaustive: never = result;
      return _exhaustive;
    }
  }
};
