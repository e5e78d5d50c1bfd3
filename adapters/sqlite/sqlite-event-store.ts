import type Database from 'better-sqlite3';
import { DomainError, type ErrorCode } from '../../core/errors.js';
import { type StoredEvent, eventSchemaVersion } from '../../core/event.js';
import type { AppendRequest, EventStore, Loaded } from '../../core/ports/event-store.js';
import { type StreamKind, type StreamStates, streamFolds, streamId } from '../../core/streams.js';
import { chainHash, genesisHash } from './chain-hash.js';
import type { EventTuple } from './event-tuple.js';
import { type OpenDatabaseOptions, openDatabase } from './open-database.js';
import { type ProjectionSource, Projector } from './projector.js';
import { storageError } from './storage-error.js';
import { eventColumns, storedEventFromRow } from './stored-event-from-row.js';

/** What one append came to, as plain data (it crosses from the writer thread). */
export type AppendOutcome = { readonly ok: true; readonly events: StoredEvent[] } | { readonly ok: false; readonly code: ErrorCode };

export interface SqliteEventStoreOptions extends Omit<OpenDatabaseOptions, 'fileMustExist'> {
  /**
   * Where appends run. Default: on this connection, in this thread. The server passes the writer thread
   * (event-writer-pool.ts), so a durable commit never blocks the event loop.
   */
  readonly appender?: (request: AppendRequest) => Promise<AppendOutcome>;
}

const failureMessages: Partial<Record<ErrorCode, string>> = { concurrency: 'the stream moved', username_taken: 'username is taken' };

/**
 * The event log and its projections in one SQLite file (DESIGN.md "Event rows"). Every method is synchronous
 * underneath: `append` is one IMMEDIATE transaction (version checks, event rows, hash chain, projections) with no
 * await inside it (STYLE.md §7), so the transaction is over before any other request runs. Statements are
 * prepared once (better-sqlite3 docs/performance.md).
 */
export class SqliteEventStore implements EventStore {
  private readonly lastEvent: Database.Statement<[], [number, Buffer]>;
  private readonly eventById: Database.Statement<[string], EventTuple>;
  private readonly insertEvent: Database.Statement<[...EventTuple, Buffer]>;
  private readonly projectionByStream: Database.Statement<[string], { version: number; state: string }>;
  private readonly upsertProjection: Database.Statement<[string, string, number, string]>;
  private readonly ownerOf: Database.Statement<[string], { account_id: string }>;
  private readonly insertUsername: Database.Statement<[string, string]>;
  private readonly eventsAfter: Database.Statement<[number, number], EventTuple>;
  private readonly streamEventsAfter: Database.Statement<[string, number, number], EventTuple>;
  private readonly source: ProjectionSource;
  private readonly appendTransaction: Database.Transaction<(request: AppendRequest) => StoredEvent[]>;

  constructor(
    readonly db: Database.Database,
    private readonly appender?: (request: AppendRequest) => Promise<AppendOutcome>,
  ) {
    this.lastEvent = db.prepare<[], [number, Buffer]>('SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1').raw();
    this.eventById = db.prepare<[string], EventTuple>(`SELECT ${eventColumns} FROM events WHERE id = ?`).raw();
    this.insertEvent = db.prepare('INSERT INTO events (seq, id, stream, version, type, schema, data, meta, at, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    this.projectionByStream = db.prepare('SELECT version, state FROM projections WHERE stream = ?');
    this.upsertProjection = db.prepare(
      'INSERT INTO projections (stream, kind, version, state) VALUES (?, ?, ?, ?) ON CONFLICT (stream) DO UPDATE SET kind = excluded.kind, version = excluded.version, state = excluded.state',
    );
    this.ownerOf = db.prepare('SELECT account_id FROM usernames WHERE username = ?');
    this.insertUsername = db.prepare('INSERT INTO usernames (username, account_id) VALUES (?, ?)');
    this.eventsAfter = db.prepare<[number, number], EventTuple>(`SELECT ${eventColumns} FROM events WHERE seq > ? ORDER BY seq LIMIT ?`).raw();
    // Within a stream, version order is seq order; ordering by version walks the UNIQUE(stream, version) index.
    this.streamEventsAfter = db
      .prepare<[string, number, number], EventTuple>(`SELECT ${eventColumns} FROM events WHERE stream = ? AND seq > ? ORDER BY version LIMIT ?`)
      .raw();
    this.source = {
      projection: (stream) => {
        const row = this.projectionByStream.get(stream);
        return row && { version: row.version, state: JSON.parse(row.state) as unknown };
      },
      usernameOwner: (username) => this.ownerOf.get(username)?.account_id,
    };
    this.appendTransaction = db.transaction((request: AppendRequest) => this.appendNow(request));
  }

  async load<K extends StreamKind>(kind: K, id: string): Promise<Loaded<StreamStates[K]>> {
    try {
      const row = this.projectionByStream.get(streamId(kind, id));
      if (row === undefined) return { version: 0, state: streamFolds[kind].initialState() };
      return { version: row.version, state: JSON.parse(row.state) as StreamStates[K] };
    } catch (err) {
      throw storageError(err);
    }
  }

  async accountIdByUsername(username: string): Promise<string | null> {
    try {
      return this.ownerOf.get(username)?.account_id ?? null;
    } catch (err) {
      throw storageError(err);
    }
  }

  async append(request: AppendRequest): Promise<readonly StoredEvent[]> {
    if (this.appender !== undefined) {
      const outcome = await this.appender(request);
      if (!outcome.ok) throw new DomainError(outcome.code, failureMessages[outcome.code] ?? 'storage unavailable');
      return outcome.events;
    }
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
      const row: EventTuple = [seq, `${request.commandId}:${stored.length}`, stream, version, event.type, eventSchemaVersion, JSON.stringify(event.data), meta, request.at];
      hash = chainHash(hash, row);
      this.insertEvent.run(...row, hash);
      stored.push({ seq, id: row[1], stream, version, type: event.type, schema: eventSchemaVersion, data: event.data, meta: request.meta, at: request.at });
    });
    for (const [stream, row] of projector.rows) if (row.changed) this.upsertProjection.run(stream, row.kind, row.version, JSON.stringify(row.state));
    for (const [username, accountId] of projector.claimedUsernames) this.insertUsername.run(username, accountId);
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

export const openSqliteEventStore = (path: string, { appender, ...options }: SqliteEventStoreOptions = {}): SqliteEventStore =>
  new SqliteEventStore(openDatabase(path, options), appender);
