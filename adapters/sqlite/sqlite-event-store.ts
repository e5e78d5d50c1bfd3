import type Database from 'better-sqlite3';
import { type StoredEvent, eventSchemaVersion } from '../../core/event.js';
import type { AppendRequest, EventStore, Loaded } from '../../core/ports/event-store.js';
import { type StreamKind, type StreamStates, streamFolds, streamId } from '../../core/streams.js';
import { chainHash, genesisHash } from './chain-hash.js';
import type { EventTuple } from './event-tuple.js';
import { GroupCommit } from './group-commit.js';
import { type OpenDatabaseOptions, defaultBusyTimeoutMs, openDatabase } from './open-database.js';
import { type ProjectionSource, Projector } from './projector.js';
import { storageError } from './storage-error.js';
import { eventColumns, storedEventFromRow } from './stored-event-from-row.js';

export interface SqliteEventStoreOptions extends Omit<OpenDatabaseOptions, 'fileMustExist'> {
  /**
   * Group commit (the server): the appends of one turn of the event loop share one transaction and one durable
   * commit, and a write lock held elsewhere is waited for on timers (group-commit.ts). Default: each append
   * commits at once, waiting in SQLite's busy handler (the CLI).
   */
  readonly groupCommit?: boolean;
}

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
  private readonly groupCommit: GroupCommit<AppendRequest, StoredEvent[]> | undefined;

  /** `groupCommitBusyTimeoutMs`: group commit, waiting up to that long for a write lock (the connection's own busy_timeout should be 0). */
  constructor(readonly db: Database.Database, groupCommitBusyTimeoutMs?: number) {
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
    this.groupCommit = groupCommitBusyTimeoutMs === undefined ? undefined : new GroupCommit(db, this.appendTransaction, groupCommitBusyTimeoutMs);
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
    try {
      if (this.groupCommit !== undefined) return await this.groupCommit.run(request);
      // IMMEDIATE: take the write lock before reading versions, so busy_timeout applies and no reader can be
      // upgraded into a deadlock by another process (the CLI writing while the server runs).
      return this.appendTransaction.immediate(request);
    } catch (err) {
      throw storageError(err);
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

  /** Commits what is pending first: an append already made is not lost to a shutdown. */
  close(): void {
    if (!this.db.open) return;
    this.groupCommit?.flush();
    this.db.close();
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

export const openSqliteEventStore = (path: string, { groupCommit = false, ...options }: SqliteEventStoreOptions = {}): SqliteEventStore =>
  groupCommit
    ? new SqliteEventStore(openDatabase(path, { ...options, busyTimeoutMs: 0 }), options.busyTimeoutMs ?? defaultBusyTimeoutMs)
    : new SqliteEventStore(openDatabase(path, options));
