import { isDomainError } from '../../core/errors.js';
import type { ErrorCode } from '../../core/errors.js';

/** Everything that can go wrong in a request, before a dialect renders it in its own shape. */
export type FailureCode = ErrorCode | 'malformed_body' | 'payload_too_large' | 'unsupported_media_type' | 'not_acceptable' | 'not_found' | 'method_not_allowed' | 'server_error';

export interface Failure {
  readonly status: number;
  readonly code: FailureCode;
  readonly message: string;
  readonly retryAfterSeconds?: number;
  /** The field at fault, for dialects that report it (Appgate 422, Oracle o:errorPath). */
  readonly field?: string;
}

/** The one table from domain codes to HTTP statuses; dialects may override single rows. */
export const statusOf: Readonly<Record<FailureCode, number>> = {
  invalid_request: 400,
  malformed_body: 400,
  invalid_credentials: 401,
  invalid_token: 401,
  not_acceptable: 406,
  unknown_user: 404,
  not_found: 404,
  method_not_allowed: 405,
  username_taken: 409,
  username_lookalike: 409,
  username_mixed_scripts: 400,
  factor_not_enrolled: 409,
  factor_already_active: 409,
  factor_unavailable: 409,
  weak_password: 400,
  unsupported_hash: 400,
  payload_too_large: 413,
  unsupported_media_type: 415,
  throttled: 429,
  server_error: 500,
  stream_moved: 503,
  stale_check: 503,
  id_collision: 503,
  overloaded: 503,
  unavailable: 503,
};

const generic: Partial<Record<FailureCode, string>> = {
  server_error: 'The server could not complete the request.',
  stream_moved: 'The server is busy; try again.',
  stale_check: 'The server is busy; try again.',
  id_collision: 'The server is busy; try again.',
  overloaded: 'The server is busy; try again.',
  unavailable: 'The service is temporarily unavailable.',
  throttled: 'Too many attempts; try again later.',
};

export class FieldError extends Error {
  readonly field: string;

  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}

/** Turns anything thrown into a Failure; unknown errors become a generic server_error (nothing leaks). */
export const failureOf = (err: unknown): Failure => {
  if (err instanceof FieldError) return { status: 400, code: 'invalid_request', message: err.message, field: err.field };
  if (isDomainError(err)) {
    const status = statusOf[err.code];
    const message = generic[err.code] ?? err.message;
    return err.retryAfterSeconds === undefined ? { status, code: err.code, message } : { status, code: err.code, message, retryAfterSeconds: err.retryAfterSeconds };
  }
  const status = typeof (err as { status?: unknown })?.status === 'number' ? (err as { status: number }).status : 500;
  switch (status) {
    case 400:
      return { status, code: 'malformed_body', message: 'The request body could not be parsed.' };
    case 413:
      return { status, code: 'payload_too_large', message: 'The request body is too large.' };
    case 415:
      return { status, code: 'unsupported_media_type', message: 'Unsupported content type or charset.' };
    case 404:
      return { status, code: 'not_found', message: 'Not found.' };
    case 405:
      return { status, code: 'method_not_allowed', message: 'Method not allowed.' };
    default:
      return { status: 500, code: 'server_error', message: generic.server_error! };
  }
};
