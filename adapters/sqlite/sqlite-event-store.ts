import type Database from 'better-sqlite3';
import type { StoredEvent } from '../../core/event.js';
import type { AppendRequest, ChallengeAndAccount, EventStore, Loaded, NamedAccount } from '../../core/ports/event-store.js';
import type { ProjectionSource } from '../../core/projector.js';
import { type StreamKind, type StreamStates, initialState, streamId, upcastState } from '../../core/streams.js';
import type { EventTuple } from '../event-log/event-tuple.js';
import { type OpenDatabaseOptions, openDatabase } from './open-database.js';
import { sqliteProjectionSource } from './projection-source.js';
import { SqliteEventAppender } from './sqlite-event-appender.js';
import { storageError } from './storage-error.js';
import { eventColumns, storedEventFromRow } from '../event-log/stored-event-from-row.js';
import { challengeAndAccountByLoads } from '../event-log/challenge-and-account-by-loads.js';

/** Where the store's appends run; a failure rejects with a DomainError (storage-error.ts). */
export type Appender = (request: AppendRequest) => Promise<readonly StoredEvent[]>;

/** Appends on `db` itself, in this thread (tests and tools; the server uses the writer thread). */
export const sameThreadAppender = (db: Database.Database): Appender => {
  const appender = new SqliteEventAppender(db);
  return async (request) => appender.append(request);
};

export interface SqliteEventStoreOptions extends Omit<OpenDatabaseOptions, 'fileMustExist'> {
  /**
   * Where appends run. Default: on this connection, in this thread. The server passes the writer thread
   * (event-writer-pool.ts), so a durable commit never blocks the event loop.
   */
  readonly appender?: Appender;
}

/**
 * The event log and its projections in one SQLite file (docs/design.md "Event rows"), as the event loop sees them:
 * reads on this connection, appends handed to `appender` (sqlite-event-appender.ts does the writing). Reads are
 * synchronous underneath; statements are prepared once (better-sqlite3 docs/performance.md).
 */
export class SqliteEventStore implements EventStore {
  private readonly projections: ProjectionSource;
  private readonly eventsAfter: Database.Statement<[number, number], EventTuple>;
  private readonly streamEventsAfter: Database.Statement<[string, number, number], EventTuple>;

  readonly db: Database.Database;
  private readonly appender: Appender;

  constructor(db: Database.Database, appender: Appender = sameThreadAppender(db)) {
    this.db = db;
    this.appender = appender;
    this.projections = sqliteProjectionSource(db);
    this.eventsAfter = db.prepare<[number, number], EventTuple>(`SELECT ${eventColumns} FROM events WHERE seq > ? ORDER BY seq LIMIT ?`).raw();
    // Within a stream, version order is seq order; ordering by version walks the UNIQUE(stream, version) index.
    this.streamEventsAfter = db
      .prepare<[string, number, number], EventTuple>(`SELECT ${eventColumns} FROM events WHERE stream = ? AND seq > ? ORDER BY version LIMIT ?`)
      .raw();
  }

  async load<K extends StreamKind>(kind: K, id: string): Promise<Loaded<StreamStates[K]>> {
    try {
      const row = this.projections.projection(streamId(kind, id));
      if (row === undefined) return { version: 0, state: initialState(kind) };
      return { version: row.version, state: upcastState(kind, row.state) };
    } catch (err) {
      throw storageError(err);
    }
  }

  async accountIdByUsername(username: string): Promise<string | null> {
    try {
      return this.projections.usernameOwner(username) ?? null;
    } catch (err) {
      throw storageError(err);
    }
  }

  async accountByUsername(username: string): Promise<NamedAccount | null> {
    const id = await this.accountIdByUsername(username);
    return id === null ? null : { id, loaded: await this.load('account', id) };
  }

  challengeAndAccount(challengeId: string): Promise<ChallengeAndAccount> {
    return challengeAndAccountByLoads((kind, id) => this.load(kind, id), challengeId);
  }

  append(request: AppendRequest): Promise<readonly StoredEvent[]> {
    return this.appender(request);
  }

  async read(query: { readonly after: number; readonly limit: number; readonly stream?: string }): Promise<readonly StoredEvent[]> {
    try {
      const limit = Math.max(0, Math.floor(query.limit));
      const after = Math.floor(query.after);
      const rows = query.stream === undefined ? this.eventsAfter.all(after, limit) : this.streamEventsAfter.all(query.stream, after, limit);
      return rows.map(storedEventFromRow);
    } catch (err) {
      throw storageError(err);
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

export const openSqliteEventStore = (path: string, { appender, ...options }: SqliteEventStoreOptions = {}): SqliteEventStore =>
  new SqliteEventStore(openDatabase(path, options), appender);
