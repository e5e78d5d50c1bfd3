import type Database from 'better-sqlite3';
import type { ErrorCode } from '../../core/errors.js';
import type { StoredEvent } from '../../core/event.js';
import type { AppendRequest } from '../../core/ports/event-store.js';
import { chainHash, genesisHash } from '../event-log/chain-hash.js';
import type { EventTuple } from '../event-log/event-tuple.js';
import type { LogPoint } from '../event-log/checkpoint.js';
import { hasTable } from './has-table.js';
import { type OpenDatabaseOptions, openDatabase } from './open-database.js';
import { sqliteProjectionSource } from './projection-source.js';
import { type ProjectionSource, Projector } from '../../core/projector.js';
import { eventSchema } from '../../core/streams.js';
import { uts39UsernameLooks } from '../unicode/uts39-username-looks.js';
import { storageError } from './storage-error.js';
import { eventColumns, storedEventFromRow } from '../event-log/stored-event-from-row.js';

/** What one append came to, as plain data (it crosses from the writer thread). */
export type AppendOutcome = { readonly ok: true; readonly events: StoredEvent[] } | { readonly ok: false; readonly code: ErrorCode };

/**
 * The writing side of the event log (docs/design.md "Event rows"): in the server, the writer thread's
 * (event-writer-thread.ts); in tests and tools, the store's own connection (sqlite-event-store.ts). Every method
 * is synchronous: an append is one transaction (version checks, event rows, hash chain, projections) with no
 * await inside it (docs/style.md §7). Statements are prepared once (better-sqlite3 docs/performance.md).
 */
export class SqliteEventAppender {
  private readonly lastEvent: Database.Statement<[], [number, Buffer]>;
  private readonly eventById: Database.Statement<[string], EventTuple>;
  private readonly hashOfSeq: Database.Statement<[number], Buffer>;
  private readonly insertEvent: Database.Statement<[...EventTuple, Buffer]>;
  private readonly upsertProjection: Database.Statement<[string, string, number, string]>;
  private readonly insertUsername: Database.Statement<[string, string]>;
  /** Null on a schema older than migration 6 (the migration tests' old databases): no skeletons to keep there. */
  private readonly insertSkeleton: Database.Statement<[string, string]> | null;
  private readonly source: ProjectionSource;
  private readonly appendTransaction: Database.Transaction<(request: AppendRequest) => StoredEvent[]>;

  readonly db: Database.Database;

  constructor(db: Database.Database) {
    this.db = db;
    this.lastEvent = db.prepare<[], [number, Buffer]>('SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1').raw();
    this.eventById = db.prepare<[string], EventTuple>(`SELECT ${eventColumns} FROM events WHERE id = ?`).raw();
    this.hashOfSeq = db.prepare<[number], Buffer>('SELECT hash FROM events WHERE seq = ?').pluck();
    this.insertEvent = db.prepare('INSERT INTO events (seq, id, stream, version, type, schema, data, meta, at, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    this.upsertProjection = db.prepare(
      'INSERT INTO projections (stream, kind, version, state) VALUES (?, ?, ?, ?) ON CONFLICT (stream) DO UPDATE SET kind = excluded.kind, version = excluded.version, state = excluded.state',
    );
    this.insertUsername = db.prepare('INSERT INTO usernames (username, account_id) VALUES (?, ?)');
    this.insertSkeleton = hasTable(db, 'username_skeletons') ? db.prepare('INSERT INTO username_skeletons (username, skeleton) VALUES (?, ?)') : null;
    this.source = sqliteProjectionSource(db);
    this.appendTransaction = db.transaction((request: AppendRequest) => this.appendNow(request));
  }

  /** One request, one durable commit; a failure throws as storageError says. */
  append(request: AppendRequest): StoredEvent[] {
    try {
      // IMMEDIATE: take the write lock before reading versions, so busy_timeout applies and no reader can be
      // upgraded into a deadlock by another process (the CLI writing while the server runs).
      return this.appendTransaction.immediate(request);
    } catch (err) {
      throw storageError(err);
    }
  }

  /**
   * Group commit: every request in its own savepoint (a stale expected version refuses that one alone), all of
   * them in one IMMEDIATE transaction, so one durable commit (one fsync under synchronous=FULL) serves them all.
   * Nothing is reported before the commit returns; if the commit fails, every request in it failed.
   */
  appendMany(requests: readonly AppendRequest[]): AppendOutcome[] {
    const run = this.db.transaction((): AppendOutcome[] =>
      requests.map((request) => {
        try {
          return { ok: true, events: this.appendTransaction(request) };
        } catch (err) {
          return { ok: false, code: storageError(err).code };
        }
      }),
    );
    try {
      return run.immediate();
    } catch (err) {
      const code = storageError(err).code;
      return requests.map(() => ({ ok: false, code }));
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** The stored hash of the row at `seq`, hex, for the writer's checkpoint. */
  hashAt(seq: number): string | undefined {
    return (this.hashOfSeq.get(seq) as Buffer | undefined)?.toString('hex');
  }

  /** The last committed row (seq 0 and the genesis hash on an empty log), for the writer's checkpoint. */
  head(): LogPoint {
    const tail = this.lastEvent.get();
    return { seq: tail?.[0] ?? 0, hash: (tail?.[1] ?? genesisHash).toString('hex') };
  }

  /** The body of the append transaction: any throw rolls back every row written so far. */
  private appendNow(request: AppendRequest): StoredEvent[] {
    const previous = this.eventsOfCommand(request.commandId);
    if (previous.length > 0) return previous;
    const tail = this.lastEvent.get();
    let seq = tail?.[0] ?? 0;
    let hash: Buffer = tail?.[1] ?? genesisHash;
    const meta = JSON.stringify(request.meta);
    const projector = new Projector(this.source);
    const stored: StoredEvent[] = [];
    projector.applyWrites(request.writes, request.at, (stream, version, event) => {
      seq += 1;
      const schema = eventSchema(event.type);
      const row: EventTuple = [seq, `${request.commandId}:${stored.length}`, stream, version, event.type, schema, JSON.stringify(event.data), meta, request.at];
      hash = chainHash(hash, row);
      this.insertEvent.run(...row, hash);
      stored.push({ seq, id: row[1], stream, version, type: event.type, schema, data: event.data, meta: request.meta, at: request.at });
    });
    for (const [stream, row] of projector.rows) if (row.changed) this.upsertProjection.run(stream, row.kind, row.version, JSON.stringify(row.state));
    for (const [username, accountId] of projector.claimedUsernames) {
      this.insertUsername.run(username, accountId);
      this.insertSkeleton?.run(username, uts39UsernameLooks.skeleton(username));
    }
    return stored;
  }

  /** Idempotency: event ids are `<commandId>:<n>`, so a command already appended is found by its ids. */
  private eventsOfCommand(commandId: string): StoredEvent[] {
    const events: StoredEvent[] = [];
    for (let row = this.eventById.get(`${commandId}:0`); row !== undefined; row = this.eventById.get(`${commandId}:${events.length}`)) {
      events.push(storedEventFromRow(row));
    }
    return events;
  }
}

export const openSqliteEventAppender = (path: string, options: Omit<OpenDatabaseOptions, 'fileMustExist'> = {}): SqliteEventAppender =>
  new SqliteEventAppender(openDatabase(path, options));
