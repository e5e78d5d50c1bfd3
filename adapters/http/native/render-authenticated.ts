import type { Context } from 'koa';
import type { LoginResult } from '../../../core/app/login/login-result.js';

export const renderAuthenticated = (ctx: Context, result: Extract<LoginResult, { kind: 'authenticated' }>): void => {
  ctx.set('Cache-Control', 'no-store');
  ctx.body = {
    status: 'authenticated',
    access_token: result.token.accessToken,
    token_type: 'Bearer',
    expires_in: result.token.expiresIn,
    aal: result.token.aal,
    ...(result.deviceToken === null ? {} : { device_token: result.deviceToken }),
  };
};
