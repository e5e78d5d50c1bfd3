import type pg from 'pg';
import type { StoredEvent } from '../../core/event.js';
import type { AppendRequest, ChallengeAndAccount, EventStore, Loaded, NamedAccount } from '../../core/ports/event-store.js';
import { type StreamKind, type StreamStates, initialState, streamId, upcastState } from '../../core/streams.js';
import type { EventTuple } from '../event-log/event-tuple.js';
import { eventColumns, storedEventFromRow } from '../event-log/stored-event-from-row.js';
import { migratePostgres } from './migrate-postgres.js';
import { openPgPool } from './open-pg-pool.js';
import { pgStorageError } from './pg-storage-error.js';
import { PostgresEventWriter, type PostgresEventWriterOptions } from './postgres-event-writer.js';

/** The commit gather window a node uses unless told (docs/performance.md "PostgreSQL": 10 ms measured best here). */
export const defaultGatherMs = 10;

const accountStreamPrefix = streamId('account', '');
// The challenge's row and the account row its state names, in one snapshot.
const challengeAndAccountSql =
  "SELECT c.version, c.state, a.version AS account_version, a.state AS account_state FROM projections c LEFT JOIN projections a ON a.stream = $2 || (c.state::jsonb ->> 'accountId') WHERE c.stream = $1";
const accountByUsernameSql = 'SELECT u.account_id, p.version, p.state FROM usernames u LEFT JOIN projections p ON p.stream = $2 || u.account_id WHERE u.username = $1';

export interface PostgresEventStoreOptions {
  /** How long an append waits for the chain head's lock before failing closed (LATCHKEY_BUSY_TIMEOUT_MS). */
  readonly lockTimeoutMs?: number;
  /** Connections for reads (the writer has one of its own). */
  readonly readConnections?: number;
  /** Each append's commit latency, in seconds (/metrics). */
  readonly observeCommit?: (seconds: number) => void;
  /** The chain head each of this node's COMMITs left, after its batch is answered (its checkpoints). */
  readonly onCommitted?: (seq: number, hash: Buffer) => void;
  /** Under load, how long an append finding the writer idle waits to share its commit (LATCHKEY_COMMIT_GATHER_MS). */
  readonly gatherMs?: number;
}

/**
 * The event log and its projections in PostgreSQL (docs/design.md "PostgreSQL"), shared by every node of a cluster.
 * The statements a login runs are named, so each connection parses and plans them once.
 * No cache: every load reads the committed row, so a node never decides on a state another node's commit has made
 * stale (a revoked session, a locked account, a spent step); a decision that raced a commit anyway is refused by the
 * expected version at append (UNIQUE (stream, version) and the versions read under the chain head's lock).
 */
export class PostgresEventStore implements EventStore {
  readonly pool: pg.Pool;
  readonly #writerPool: pg.Pool;
  readonly #writer: PostgresEventWriter;

  constructor(pool: pg.Pool, writerPool: pg.Pool, writer: PostgresEventWriterOptions = {}) {
    this.pool = pool;
    this.#writerPool = writerPool;
    this.#writer = new PostgresEventWriter(writerPool, writer);
  }

  async load<K extends StreamKind>(kind: K, id: string): Promise<Loaded<StreamStates[K]>> {
    try {
      const stream = streamId(kind, id);
      const r = await this.pool.query<{ version: number; state: string }>({ name: 'load-projection', text: 'SELECT version, state FROM projections WHERE stream = $1', values: [stream] });
      const row = r.rows[0];
      this.#writer.seen(kind, stream, row);
      if (row === undefined) return { version: 0, state: initialState(kind) };
      return { version: row.version, state: upcastState(kind, JSON.parse(row.state)) };
    } catch (err) {
      throw pgStorageError(err);
    }
  }

  async accountIdByUsername(username: string): Promise<string | null> {
    try {
      const r = await this.pool.query<{ account_id: string }>({ name: 'account-by-username', text: 'SELECT account_id FROM usernames WHERE username = $1', values: [username] });
      return r.rows[0]?.account_id ?? null;
    } catch (err) {
      throw pgStorageError(err);
    }
  }

  /** One statement: the name's owner and its account row, read in one snapshot. */
  async accountByUsername(username: string): Promise<NamedAccount | null> {
    try {
      const r = await this.pool.query<{ account_id: string; version: number | null; state: string | null }>({ name: 'account-row-by-username', text: accountByUsernameSql, values: [username, accountStreamPrefix] });
      const row = r.rows[0];
      if (row === undefined) return null;
      const stream = streamId('account', row.account_id);
      const stored = row.version === null ? undefined : { version: row.version, state: row.state! };
      this.#writer.seen('account', stream, stored);
      return { id: row.account_id, loaded: stored === undefined ? { version: 0, state: initialState('account') } : { version: stored.version, state: upcastState('account', JSON.parse(stored.state)) } };
    } catch (err) {
      throw pgStorageError(err);
    }
  }

  /** One statement: the challenge and its account's row. */
  async challengeAndAccount(challengeId: string): Promise<ChallengeAndAccount> {
    try {
      const stream = streamId('challenge', challengeId);
      const r = await this.pool.query<{ version: number; state: string; account_version: number | null; account_state: string | null }>({ name: 'challenge-and-account', text: challengeAndAccountSql, values: [stream, accountStreamPrefix] });
      const row = r.rows[0];
      this.#writer.seen('challenge', stream, row);
      if (row === undefined) return { challenge: { version: 0, state: initialState('challenge') }, account: null };
      const challenge = { version: row.version, state: upcastState('challenge', JSON.parse(row.state)) };
      if (challenge.state.status === 'none' || row.account_version === null) return { challenge, account: null };
      this.#writer.seen('account', streamId('account', challenge.state.accountId), { version: row.account_version, state: row.account_state! });
      return { challenge, account: { version: row.account_version, state: upcastState('account', JSON.parse(row.account_state!)) } };
    } catch (err) {
      throw pgStorageError(err);
    }
  }

  append(request: AppendRequest): Promise<readonly StoredEvent[]> {
    return this.#writer.append(request);
  }

  async read(query: { readonly after: number; readonly limit: number; readonly stream?: string }): Promise<readonly StoredEvent[]> {
    try {
      const limit = Math.max(0, Math.floor(query.limit));
      const after = Math.floor(query.after);
      const r =
        query.stream === undefined
          ? await this.pool.query<EventTuple>({ text: `SELECT ${eventColumns} FROM events WHERE seq > $1 ORDER BY seq LIMIT $2`, values: [after, limit], rowMode: 'array' })
          : await this.pool.query<EventTuple>({
              text: `SELECT ${eventColumns} FROM events WHERE stream = $1 AND seq > $2 ORDER BY version LIMIT $3`,
              values: [query.stream, after, limit],
              rowMode: 'array',
            });
      return r.rows.map(storedEventFromRow);
    } catch (err) {
      throw pgStorageError(err);
    }
  }

  /** The last seq this node appended (a gauge; other nodes' appends show at this node's next one). */
  lastSeq(): number {
    return this.#writer.lastSeq;
  }

  /** Answers the appends still queued (a batch gathering commits at once), then closes the connections. */
  async close(): Promise<void> {
    await this.#writer.idle();
    await Promise.all([this.pool.end(), this.#writerPool.end()]);
  }
}

/**
 * Connects, migrates (under the advisory lock: nodes starting at once do not race) and checks that commits are
 * durable: `synchronous_commit` must read back `on` (a server default of off, or a role setting, would answer logins
 * before their events reach disk).
 */
export const openPostgresEventStore = async (url: string, options: PostgresEventStoreOptions = {}): Promise<PostgresEventStore> => {
  const pool = openPgPool(url, { max: options.readConnections ?? 8, lockTimeoutMs: options.lockTimeoutMs });
  const writerPool = openPgPool(url, { max: 1, lockTimeoutMs: options.lockTimeoutMs, application: 'latchkey-writer', genericPlans: true });
  try {
    await migratePostgres(pool);
    const sync = (await writerPool.query<{ synchronous_commit: string }>('SHOW synchronous_commit')).rows[0]?.synchronous_commit;
    if (sync !== 'on') throw new Error(`PostgreSQL synchronous_commit is ${sync}, expected on`);
    return new PostgresEventStore(pool, writerPool, { observeCommit: options.observeCommit, onCommitted: options.onCommitted, gatherMs: options.gatherMs ?? defaultGatherMs });
  } catch (err) {
    await Promise.all([pool.end(), writerPool.end()]);
    throw err;
  }
};
