import type { Context } from 'koa';
import type { IssuedToken } from '../../../core/app/sessions/issued-token.js';

/** The product's token lifetime (docs/dialects/oracle.md: `"expires_in":930`); refresh restarts the same clock. */
export const oracleTokenTtlMs = 930_000;

/** The page's mfalogin_response: `{access_token, token_type:"bearer", expires_in}`. */
export const renderOracleToken = (ctx: Context, token: IssuedToken): void => {
  ctx.set('Cache-Control', 'no-store');
  ctx.body = { access_token: token.accessToken, token_type: 'bearer', expires_in: token.expiresIn };
};
