import { isDomainError } from '../../errors.js';

/** A session that moved on between the check and the append is an invalid token; anything else propagates. */
export const invalidTokenAs =
  <T>(value: T) =>
  (e: unknown): T => {
    if (isDomainError(e) && e.code === 'invalid_token') return value;
    throw e;
  };
