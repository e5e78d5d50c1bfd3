import type { Context } from 'koa';
import type { Failure } from '../failure.js';

/** Native errors: `{error, message}` with a stable machine code (docs/api.md, native). */
export const renderNativeFailure = (ctx: Context, failure: Failure): void => {
  ctx.status = failure.status;
  const error = failure.code === 'malformed_body' ? 'invalid_request' : failure.code;
  ctx.body = { error, message: failure.message };
};

/** One body for unknown user, wrong password, wrong code and locked (OWASP ASVS v5 6.3.8). */
export const invalidCredentials = { error: 'invalid_credentials', message: 'Invalid username, password or code.' } as const;
