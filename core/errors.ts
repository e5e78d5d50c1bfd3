/** Stable machine codes; the adapters map them to statuses in one table each. Messages stay vague. */
export type ErrorCode =
  | 'invalid_request'
  | 'invalid_credentials'
  | 'invalid_token'
  | 'username_taken'
  | 'unknown_user'
  | 'factor_not_enrolled'
  | 'factor_already_active'
  | 'weak_password'
  | 'unsupported_hash'
  | 'concurrency'
  | 'overloaded'
  | 'throttled'
  | 'unavailable';

export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly code: ErrorCode,
    message: string = code,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;
