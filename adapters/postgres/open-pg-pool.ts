import pg from 'pg';

export interface PgPoolOptions {
  readonly max?: number;
  /** Commits wait for the WAL flush (`on`, the log) or not (`off`: the throttle's short-window buckets). */
  readonly synchronousCommit?: 'on' | 'off';
  /** How long a statement may wait for a lock (the chain head) before the request fails closed with 503. */
  readonly lockTimeoutMs?: number;
  readonly application?: string;
  /**
   * Named statements always run on their generic plan (`plan_cache_mode`), never planned again per call: for the
   * writer's and the throttle's connections, whose statements probe keys one at a time (postgres-event-writer.ts,
   * throttle-writes.ts).
   */
  readonly genericPlans?: boolean;
}

/** bigint columns (seq, at) as numbers: both stay far below 2^53 (ms since the epoch; one event per seq). */
const types = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') => (oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')),
};

/**
 * A pool of connections to LATCHKEY_DATABASE_URL that fails closed rather than waits: a connection is given up
 * after 3 s, a statement after 15 s, a lock after `lockTimeoutMs`, and each becomes 503 (pg-storage-error.ts). A
 * connection that breaks (the database stopped) is dropped from the pool and its error swallowed here, never
 * thrown at the process: the next request connects again, so a node recovers by itself when the database returns.
 * `synchronous_commit` is set on every connection and read back by the log's store (docs/design.md "PostgreSQL").
 */
export const openPgPool = (url: string, options: PgPoolOptions = {}): pg.Pool => {
  const settings = [`-c synchronous_commit=${options.synchronousCommit ?? 'on'}`, `-c lock_timeout=${Math.max(1, options.lockTimeoutMs ?? 5000)}`, '-c statement_timeout=15000'];
  if (options.genericPlans === true) settings.push('-c plan_cache_mode=force_generic_plan');
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 8,
    connectionTimeoutMillis: 3000,
    idleTimeoutMillis: 30_000,
    options: settings.join(' '),
    application_name: options.application ?? 'latchkey',
    types,
  });
  // A broken connection, idle or checked out, emits 'error'; unheard it would crash the process (fail closed is 503).
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
};
