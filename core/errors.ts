/** Stable machine codes; the adapters map them to statuses in one table each. Messages stay vague. */
export type ErrorCode =
  | 'invalid_request'
  | 'invalid_credentials'
  | 'invalid_token'
  | 'username_taken'
  /** The name looks like an existing account's (same UTS #39 skeleton: docs/security.md §36). */
  | 'username_lookalike'
  /** The name mixes scripts beyond UTS #39's Highly Restrictive level (docs/security.md §36). */
  | 'username_mixed_scripts'
  | 'unknown_user'
  | 'factor_not_enrolled'
  | 'factor_already_active'
  /** The factor cannot work on this server (e-mail codes without an SMTP server): said plainly, never retried. */
  | 'factor_unavailable'
  | 'weak_password'
  | 'unsupported_hash'
  /** The append lost a race: a stream it read moved before it could commit (retried by `transact`). */
  | 'stream_moved'
  /** The crypto outcome was computed against a credential that changed meanwhile: it decides nothing. */
  | 'stale_check'
  /** A freshly minted id (session, challenge, device, API key) already exists. */
  | 'id_collision'
  | 'overloaded'
  | 'throttled'
  | 'unavailable';

/**
 * An answer the engine gives (wrong password, busy, throttled), not a bug: it carries no stack trace. Under a burst
 * most answers are DomainErrors thrown from deep in koa's async middleware chain, and capturing that chain for
 * each one showed up in the server's profile; nothing ever reads it.
 */
export class DomainError extends Error {
  override readonly name = 'DomainError';
  readonly code: ErrorCode;
  readonly retryAfterSeconds?: number;

  constructor(code: ErrorCode, message: string = code, retryAfterSeconds?: number) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      super(message);
    } finally {
      Error.stackTraceLimit = limit;
    }
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;
