import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type Database from 'better-sqlite3';
import type { StoredEvent } from '../../core/event.js';
import type { AuditLog, ChainStatus, LogPage, TimeRange } from '../../core/ports/audit-log.js';
import { streamId } from '../../core/streams.js';
import type { EventTuple } from '../event-log/event-tuple.js';
import { LazyStoredEvent } from './lazy-stored-event.js';
import { seqBoundsSql } from './log-shares.js';
import { storageError } from './storage-error.js';
import { eventColumns } from '../event-log/stored-event-from-row.js';

/**
 * The event types whose data names the account that owns their stream: the partial index `events_owner` of
 * migration 5 covers exactly these, and a query must name the same list for SQLite to use it.
 */
const ownerTypes = "('AccountRegistered', 'SessionIssued', 'ChallengeIssued', 'DeviceRemembered', 'TokenGranted')";

const bounds = (range: TimeRange): [number, number] => [range.since ?? Number.MIN_SAFE_INTEGER, range.until ?? Number.MAX_SAFE_INTEGER];

const lazy = (rows: EventTuple[]): StoredEvent[] => {
  const out = new Array<StoredEvent>(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = new LazyStoredEvent(rows[i]!);
  return out;
};

/**
 * The AuditLog port over the SQLite log (a read-only connection in the CLI). A history reads the streams an account
 * owns through two indexes (migration 5's `events_username` and `events_owner`, then UNIQUE(stream, version)), never
 * a scan; the other queries are one pass in seq order, filtered by SQLite, raw rows, parsed lazily. Statements are
 * prepared once.
 */
export class SqliteAuditLog implements AuditLog {
  readonly #byUsername: Database.Statement<[string], string>;
  readonly #owned: Database.Statement<[string], string>;
  readonly #streamEvents: Database.Statement<[string, number, number, number, number], EventTuple>;
  readonly #scan: Database.Statement<[number, number, number, number], EventTuple>;
  readonly #scanTypes: Database.Statement<[number, string, number, number, number], EventTuple>;
  readonly #username: Database.Statement<[string], string>;
  readonly #chain: () => Promise<ChainStatus>;
  readonly #yieldBetweenPages: boolean;

  /**
   * `yieldBetweenPages`: give the event loop a turn before each page of a scan. For the server, where a scan of a
   * long log (failures, what-if) would otherwise hold every login for its whole length; the CLI has nothing to wait.
   */
  readonly db: Database.Database;

  constructor(db: Database.Database, chain: () => Promise<ChainStatus>, options: { readonly yieldBetweenPages?: boolean } = {}) {
    this.db = db;
    this.#chain = chain;
    this.#yieldBetweenPages = options.yieldBetweenPages ?? false;
    this.#byUsername = db
      .prepare<[string], string>("SELECT json_extract(data, '$.accountId') FROM events WHERE type = 'AccountRegistered' AND json_extract(data, '$.username') = ? ORDER BY seq LIMIT 1")
      .pluck();
    this.#owned = db.prepare<[string], string>(`SELECT DISTINCT stream FROM events WHERE type IN ${ownerTypes} AND json_extract(data, '$.accountId') = ?`).pluck();
    this.#streamEvents = db
      .prepare<[string, number, number, number, number], EventTuple>(
        `SELECT ${eventColumns} FROM events WHERE stream IN (SELECT value FROM json_each(?)) AND seq > ? AND at >= ? AND at < ? ORDER BY seq LIMIT ?`,
      )
      .raw();
    this.#scan = db.prepare<[number, number, number, number], EventTuple>(`SELECT ${eventColumns} FROM events WHERE seq > ? AND at >= ? AND at < ? ORDER BY seq LIMIT ?`).raw();
    this.#scanTypes = db
      .prepare<[number, string, number, number, number], EventTuple>(
        `SELECT ${eventColumns} FROM events WHERE seq > ? AND type IN (SELECT value FROM json_each(?)) AND at >= ? AND at < ? ORDER BY seq LIMIT ?`,
      )
      .raw();
    this.#username = db
      .prepare<[string], string>("SELECT json_extract(data, '$.username') FROM events WHERE stream = ? AND type = 'AccountRegistered' ORDER BY version LIMIT 1")
      .pluck();
  }

  async accountByUsername(username: string): Promise<string | null> {
    return this.#read(() => this.#byUsername.get(username) ?? null);
  }

  async ownedStreams(accountId: string): Promise<readonly string[]> {
    return this.#read(() => [...new Set([streamId('account', accountId), ...this.#owned.all(accountId)])]);
  }

  async streamEvents(streams: readonly string[], page: LogPage): Promise<readonly StoredEvent[]> {
    return this.#read(() => lazy(this.#streamEvents.all(JSON.stringify(streams), page.after, ...bounds(page.range), page.limit)));
  }

  async scan(page: LogPage & { readonly types?: readonly string[] }): Promise<readonly StoredEvent[]> {
    if (this.#yieldBetweenPages) await yieldToLoop();
    return this.#read(() =>
      lazy(
        page.types === undefined
          ? this.#scan.all(page.after, ...bounds(page.range), page.limit)
          : this.#scanTypes.all(page.after, JSON.stringify(page.types), ...bounds(page.range), page.limit),
      ),
    );
  }

  async usernames(accountIds: readonly string[]): Promise<ReadonlyMap<string, string>> {
    return this.#read(() => {
      const names = new Map<string, string>();
      for (const id of accountIds) {
        const name = this.#username.get(streamId('account', id));
        if (name !== undefined) names.set(id, name);
      }
      return names;
    });
  }

  /** Rows in the log now (seq is dense from 1), for a rate over the whole log. */
  rows(): number {
    return this.#read(() => (this.db.prepare(seqBoundsSql).raw().get() as [number, number])[1]);
  }

  chainStatus(): Promise<ChainStatus> {
    return this.#chain();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  #read<T>(run: () => T): T {
    try {
      return run();
    } catch (err) {
      throw storageError(err);
    }
  }
}
