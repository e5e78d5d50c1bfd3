import type pg from 'pg';
import type { StoredEvent } from '../../core/event.js';
import type { AuditLog, ChainStatus, LogPage, TimeRange } from '../../core/ports/audit-log.js';
import { streamId } from '../../core/streams.js';
import type { EventTuple } from '../event-log/event-tuple.js';
import { eventColumns, storedEventFromRow } from '../event-log/stored-event-from-row.js';
import { pgStorageError } from './pg-storage-error.js';
import { verifyPostgresLog } from './verify-postgres-log.js';

/** The list migration 1's `events_owner` index covers: a query must name the same list to use it. */
const ownerTypes = "('AccountRegistered', 'SessionIssued', 'ChallengeIssued', 'DeviceRemembered')";

const bounds = (range: TimeRange): [number, number] => [range.since ?? Number.MIN_SAFE_INTEGER, range.until ?? Number.MAX_SAFE_INTEGER];

/**
 * The AuditLog port over the PostgreSQL log, for the server's `/v1/admin/audit/*` on a cluster and the `latchkey
 * audit` CLI: the same questions as SqliteAuditLog answers, through the same partial indexes. The server's chain is
 * checked in full on each call (no incremental check yet: every node would need its own position in it); the CLI
 * passes the status of the check it ran once at its start.
 */
export class PostgresAuditLog implements AuditLog {
  readonly #pool: pg.Pool;
  readonly #chain: () => Promise<ChainStatus>;

  constructor(pool: pg.Pool, chain?: () => Promise<ChainStatus>) {
    this.#pool = pool;
    this.#chain = chain ?? (() => verifyPostgresLog(pool));
  }

  async accountByUsername(username: string): Promise<string | null> {
    const r = await this.#query<{ id: string }>(
      `SELECT data::jsonb ->> 'accountId' AS id FROM events WHERE type = 'AccountRegistered' AND data::jsonb ->> 'username' = $1 ORDER BY seq LIMIT 1`,
      [username],
    );
    return r[0]?.id ?? null;
  }

  async ownedStreams(accountId: string): Promise<readonly string[]> {
    const r = await this.#query<{ stream: string }>(`SELECT DISTINCT stream FROM events WHERE type IN ${ownerTypes} AND data::jsonb ->> 'accountId' = $1`, [accountId]);
    return [...new Set([streamId('account', accountId), ...r.map((x) => x.stream)])];
  }

  streamEvents(streams: readonly string[], page: LogPage): Promise<readonly StoredEvent[]> {
    return this.#events(`SELECT ${eventColumns} FROM events WHERE stream = ANY($1::text[]) AND seq > $2 AND at >= $3 AND at < $4 ORDER BY seq LIMIT $5`, [
      streams,
      page.after,
      ...bounds(page.range),
      page.limit,
    ]);
  }

  scan(page: LogPage & { readonly types?: readonly string[] }): Promise<readonly StoredEvent[]> {
    return page.types === undefined
      ? this.#events(`SELECT ${eventColumns} FROM events WHERE seq > $1 AND at >= $2 AND at < $3 ORDER BY seq LIMIT $4`, [page.after, ...bounds(page.range), page.limit])
      : this.#events(`SELECT ${eventColumns} FROM events WHERE seq > $1 AND type = ANY($2::text[]) AND at >= $3 AND at < $4 ORDER BY seq LIMIT $5`, [
          page.after,
          page.types,
          ...bounds(page.range),
          page.limit,
        ]);
  }

  async usernames(accountIds: readonly string[]): Promise<ReadonlyMap<string, string>> {
    const r = await this.#query<{ stream: string; username: string }>(
      `SELECT DISTINCT ON (stream) stream, data::jsonb ->> 'username' AS username FROM events WHERE stream = ANY($1::text[]) AND type = 'AccountRegistered' ORDER BY stream, version`,
      [accountIds.map((id) => streamId('account', id))],
    );
    return new Map(r.map((x) => [x.stream.slice('account-'.length), x.username]));
  }

  chainStatus(): Promise<ChainStatus> {
    return this.#chain().catch((err: unknown) => {
      throw pgStorageError(err);
    });
  }

  close(): Promise<void> {
    return this.#pool.end();
  }

  async #query<T extends object>(text: string, values: unknown[]): Promise<T[]> {
    try {
      return (await this.#pool.query<T>(text, values)).rows;
    } catch (err) {
      throw pgStorageError(err);
    }
  }

  async #events(text: string, values: unknown[]): Promise<StoredEvent[]> {
    try {
      return (await this.#pool.query<EventTuple>({ text, values, rowMode: 'array' })).rows.map(storedEventFromRow);
    } catch (err) {
      throw pgStorageError(err);
    }
  }
}
