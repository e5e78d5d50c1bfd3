import type { Context } from 'koa';
import type { Failure } from '../failure.js';
import { envelope } from './envelope.js';

/**
 * The page answers 200/400/401/403/429/500. "Factor not enrolled" or "unavailable" (e-mail codes on a server without
 * SMTP) is bad input for this endpoint, not a conflict: 400, whatever the account, so it tells nothing about it.
 */
const statusOf = (failure: Failure): number => (failure.code === 'factor_not_enrolled' || failure.code === 'factor_unavailable' ? 400 : failure.status);

/** Errors in the envelope: `errorCode` is the HTTP status (int32), `errorTitle` the stable machine code. */
export const renderMykaarmaFailure = (ctx: Context, failure: Failure): void => {
  const status = statusOf(failure);
  ctx.status = status;
  ctx.body = envelope(ctx, [{ errorCode: status, errorTitle: failure.code.toUpperCase(), errorMessage: failure.message }]);
};

/**
 * One failure for unknown user, wrong password, wrong code, locked, and a bad or foreign sessionToken
 * (OWASP ASVS v5 6.3.8): the bodies differ only in `apiRequestId`, which the envelope requires per request.
 */
export const invalidCredentials: Failure = { status: 401, code: 'invalid_credentials', message: 'Invalid username, password or code.' };
