import type { Context } from 'koa';
import type { Failure } from '../failure.js';

/** The page's `type`: "the URI to the HTTP state code definition" (RFC 7231/7235/6585, as the product links them). */
const typeOf = (status: number): string => {
  switch (status) {
    case 400:
      return 'https://tools.ietf.org/html/rfc7231#section-6.5.1';
    case 401:
      return 'https://tools.ietf.org/html/rfc7235#section-3.1';
    case 404:
      return 'https://tools.ietf.org/html/rfc7231#section-6.5.4';
    case 405:
      return 'https://tools.ietf.org/html/rfc7231#section-6.5.5';
    case 409:
      return 'https://tools.ietf.org/html/rfc7231#section-6.5.8';
    case 413:
      return 'https://tools.ietf.org/html/rfc7231#section-6.5.11';
    case 415:
      return 'https://tools.ietf.org/html/rfc7231#section-6.5.13';
    case 429:
      return 'https://tools.ietf.org/html/rfc6585#section-4';
    case 503:
      return 'https://tools.ietf.org/html/rfc7231#section-6.6.4';
    default:
      return 'https://tools.ietf.org/html/rfc7231#section-6.6.1';
  }
};

/**
 * docs/dialects/oracle.md: "83041" is the product's bad-passcode code; it is used for every credential failure so that
 * unknown user, wrong password, wrong code and locked stay one answer (OWASP ASVS v5 6.3.8). Other errors carry
 * their HTTP status as their numerical code.
 */
export const oracleCredentialsErrorCode = '83041';

/** The page's errorModel: `{errorCode, message, status, type, o:errorPath?}`; `status` is a string. */
export const renderOracleFailure = (ctx: Context, failure: Failure): void => {
  ctx.status = failure.status;
  if (failure.code === 'invalid_token') ctx.set('WWW-Authenticate', 'Bearer error="invalid_token"');
  ctx.body = {
    errorCode: failure.code === 'invalid_credentials' ? oracleCredentialsErrorCode : String(failure.status),
    message: failure.message,
    status: String(failure.status),
    type: typeOf(failure.status),
    ...(failure.field === undefined ? {} : { 'o:errorPath': failure.field }),
  };
};

/** One failure for unknown user, wrong password, wrong or missing code and locked (OWASP ASVS v5 6.3.8). */
export const invalidCredentials: Failure = { status: 401, code: 'invalid_credentials', message: 'Invalid username, password or passcode.' };

/** A missing, partial, revoked or expired bearer where a full access token is needed (docs/security.md §8). */
export const invalidToken: Failure = { status: 401, code: 'invalid_token', message: 'The access token is not valid.' };
