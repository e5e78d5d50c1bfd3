import { DomainError, isDomainError } from '../../core/errors.js';

/**
 * What a failed PostgreSQL call means to the caller, as storageError says for SQLite: a unique clash on the events
 * (another node's append got there first), or a row read moved before the append locked the chain, is 'stream_moved', retried by `transact`; on a username, 'username_taken';
 * everything else (connection refused or lost, a lock or statement timeout, a read-only standby) fails closed as
 * 'unavailable' → 503 with Retry-After. The driver's error is kept as `cause` for the server log; PostgreSQL's
 * messages on a unique clash name the key's values, so they are never rendered.
 */
export const pgStorageError = (err: unknown): DomainError => {
  if (isDomainError(err)) return err;
  const { code, constraint } = (err ?? {}) as { code?: string; constraint?: string };
  if (code === '23505' && constraint === 'usernames_pkey') return withCause(new DomainError('username_taken', 'username is taken'), err);
  // LKSTL: latchkey_append found a row its batch read moved by another node's commit, past the writer's rounds.
  if (code === 'LKSTL' || (code === '23505' && constraint?.startsWith('events_'))) return withCause(new DomainError('stream_moved', 'the stream moved'), err);
  return withCause(new DomainError('unavailable', 'storage unavailable', 1), err);
};

const withCause = (e: DomainError, cause: unknown): DomainError => {
  e.cause = cause;
  return e;
};
