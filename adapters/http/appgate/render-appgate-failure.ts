import { STATUS_CODES } from 'node:http';
import type { Context } from 'koa';
import type { Failure } from '../failure.js';

/** Appgate's error `id` is the lower-case reason phrase of the status ("not acceptable", "unauthorized"…). */
export const errorId = (status: number): string => (STATUS_CODES[status] ?? 'error').toLowerCase();

/**
 * Every failure in the product's error model `{id, message}`: a missing or ill-typed field of a
 * well-formed body is a 422 with `errors:[{field, message}]`, unparseable JSON a 400 (the page's wording).
 */
export const renderAppgateFailure = (ctx: Context, failure: Failure): void => {
  switch (failure.code) {
    case 'invalid_request':
      ctx.status = 422;
      ctx.body = {
        id: errorId(422),
        message: 'Request validation error. Check "errors" array for details.',
        errors: [{ field: failure.field ?? 'body', message: failure.message }],
      };
      return;
    case 'malformed_body':
      ctx.status = 400;
      ctx.body = { id: errorId(400), message: 'JSON error. Check the JSON format.' };
      return;
    default:
      ctx.status = failure.status;
      ctx.body = { id: errorId(failure.status), message: failure.message };
  }
};

/** One body for unknown user, wrong password, locked and disabled (OWASP ASVS v5 6.3.8): byte-identical by construction. */
export const loginFailed = { id: 'unauthorized', message: 'Login Failed.', failureType: 'Login' } as const;

/** A wrong, missing, malformed or replayed code on a live second-step token. */
export const mfaFailed = { id: 'unauthorized', message: 'Invalid one-time password.', failureType: 'Mfa' } as const;

/**
 * POST /admin/login for a user whose MFA is due (the spec: MFA is not supported by the Login call): the spec's
 * AuthenticationError, its `reason` saying what to do instead.
 */
export const mfaNotSupported = {
  id: 'unauthorized',
  message: 'Login Failed.',
  reason: 'Multi-Factor Authentication is not supported by the Login call: use authentication, otp and authorization, or exempt the user from Admin MFA.',
  failureType: 'Mfa',
} as const;

/** No token, a dead one, or the wrong kind (a partial token where a full one is needed, and the reverse). */
export const invalidToken = { id: 'unauthorized', message: 'The token is not valid for this call.', failureType: 'Token' } as const;

export const refuse = (ctx: Context, body: typeof loginFailed | typeof mfaFailed | typeof mfaNotSupported | typeof invalidToken): void => {
  ctx.status = 401;
  if (body === invalidToken) ctx.set('WWW-Authenticate', 'Bearer error="invalid_token"');
  ctx.body = body;
};
