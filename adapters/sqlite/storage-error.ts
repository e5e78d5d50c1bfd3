import Database from 'better-sqlite3';
import { DomainError, isDomainError } from '../../core/errors.js';

/**
 * What a failed store call means to the caller. A clash on UNIQUE(stream, version) or on an event id is another
 * writer that got there first: 'stream_moved', retried by `transact`. A clash on a username: 'username_taken'.
 * Everything else (disk full, SQLITE_BUSY past busy_timeout, a read-only file, a closed connection) fails closed
 * as 'unavailable' → 503 (docs/security.md §32): never a success without a committed event. The SQLite error is
 * kept as `cause` for the server log; SQLite messages name columns, never values.
 */
export const storageError = (err: unknown): DomainError => {
  if (isDomainError(err)) return err;
  if (err instanceof Database.SqliteError && (err.code === 'SQLITE_CONSTRAINT_UNIQUE' || err.code === 'SQLITE_CONSTRAINT_PRIMARYKEY')) {
    if (err.message.includes('usernames.')) return withCause(new DomainError('username_taken', 'username is taken'), err);
    if (err.message.includes('events.')) return withCause(new DomainError('stream_moved', 'the stream moved'), err);
  }
  // Migration 3 refuses an insert onto an existing event (REPLACE would delete it) before UNIQUE is checked.
  if (err instanceof Database.SqliteError && err.code === 'SQLITE_CONSTRAINT_TRIGGER' && err.message === 'events are append-only: the event exists') {
    return withCause(new DomainError('stream_moved', 'the stream moved'), err);
  }
  return withCause(new DomainError('unavailable', 'storage unavailable'), err);
};

const withCause = (e: DomainError, cause: unknown): DomainError => {
  e.cause = cause;
  return e;
};
