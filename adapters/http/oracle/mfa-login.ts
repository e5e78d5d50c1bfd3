import type { Context } from 'koa';
import type { AppContext } from '../app-context.js';
import { FieldError } from '../failure.js';
import { rawField, stringField } from '../fields.js';
import { bodyOf } from '../parse-body.js';
import { requestMeta } from '../request-meta.js';
import { invalidCredentials, renderOracleFailure } from './render-oracle-failure.js';
import { oracleTokenTtlMs, renderOracleToken } from './render-oracle-token.js';

/**
 * A code as received, or absent. A missing `totp_code` is not a 400: the one-step call goes to the engine, which
 * counts it as a failure (docs/security.md §13). A repeated key arrives as an array (koa-body/qs): that is bad input.
 */
const totpCode = (body: Record<string, unknown>): string | undefined => {
  const v = rawField(body, 'totp_code');
  if (v === undefined || typeof v === 'string') return v;
  throw new FieldError('totp_code', 'totp_code must be a single string');
};

/** POST /ccadmin/v1/mfalogin `grant_type=password&username&password&totp_code`: password and code in one step. */
export const mfaLogin = (app: AppContext) => async (ctx: Context) => {
  const body = bodyOf(ctx);
  if (stringField(body, 'grant_type', 64) !== 'password') throw new FieldError('grant_type', 'grant_type must be password');
  const username = stringField(body, 'username', 1024);
  const password = stringField(body, 'password', 64 * 1024);
  const result = await app.latchkey.login(
    { username, password, otp: totpCode(body), secondFactor: 'now', tokenTtlMs: oracleTokenTtlMs },
    requestMeta(ctx, app, 'oracle'),
  );
  app.metrics.inc('latchkey_logins_total', { dialect: 'oracle', result: result.kind });
  switch (result.kind) {
    case 'authenticated':
      return renderOracleToken(ctx, result.token);
    // With secondFactor 'now' the engine never leaves a step pending; were it to, Oracle has no second step: refuse.
    case 'mfa_required':
    case 'rejected':
      return renderOracleFailure(ctx, invalidCredentials);
    default: {
      const _exhaustive: never = result;
      return _exhaustive;
    }
  }
};
