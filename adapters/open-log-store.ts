import { type KeyObject, createPublicKey } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Policy } from '../core/policy.js';
import type { EventStore } from '../core/ports/event-store.js';
import type { Throttle } from '../core/ports/throttle.js';
import type { Config } from './config.js';
import { openPgPool } from './postgres/open-pg-pool.js';
import { openPostgresEventStore } from './postgres/postgres-event-store.js';
import { PostgresThrottle } from './postgres/postgres-throttle.js';
import { keyId } from './crypto/key-id.js';
import { assertLogReachesCheckpoint } from './event-log/assert-log-reaches-checkpoint.js';
import { checkpointPath } from './event-log/checkpoint-file.js';
import type { Checkpoint } from './event-log/checkpoint.js';
import type { HeadCheck } from './event-log/head-check.js';
import { checkHead } from './sqlite/check-head.js';
import { checkPostgresHead } from './postgres/check-postgres-head.js';
import { PostgresCheckpoints } from './postgres/postgres-checkpoints.js';
import { createEventWriterPool } from './sqlite/event-writer-pool.js';
import { type Appender, openSqliteEventStore } from './sqlite/sqlite-event-store.js';
import { InMemoryThrottle } from './throttle/in-memory-throttle.js';
import type { VerifyResult } from './sqlite/verify-chain.js';
import { type VerifyLogOptions, verifyLog } from './sqlite/verify-log.js';
import { verifyPostgresLog } from './postgres/verify-postgres-log.js';
import { migratePostgres } from './postgres/migrate-postgres.js';
import { type ImportResult, importSqliteLog } from './postgres/import-sqlite-log.js';
import { replayPostgresLog } from './postgres/replay-postgres-log.js';
import { type ReplayLogOptions, replayLog } from './sqlite/replay-log.js';
import type { ReplayResult } from './event-log/replay-judge.js';

/** Each append's time until the writer thread's commit is durable (or it failed), in seconds (/metrics). */
const timedAppends =
  (append: Appender, observe: (seconds: number) => void): Appender =>
  async (request) => {
    const started = performance.now();
    try {
      return await append(request);
    } finally {
      observe((performance.now() - started) / 1000);
    }
  };

export const databasePath = (config: Config): string => join(config.dataDir, 'latchkey.db');

/** The log the engine runs on, and what goes with it; nothing past this file learns which database it is. */
export interface LogStore {
  readonly store: EventStore;
  /** The last seq appended (the `latchkey_events_last_seq` gauge). */
  lastSeq(): number;
  /** The failure budgets: in memory on one node, in the shared database for a cluster (docs/security.md §21). */
  throttle(policy: Policy['throttle'], options: { readonly maxWaiters: number }): Throttle;
  /** Threads that must keep their priority when hashing is lowered (the SQLite writer thread). */
  keepPriority(): Promise<number[]>;
  /**
   * Refuses a log that does not reach this data dir's signed checkpoint, then signs its head (docs/security.md §34):
   * the SQLite file's, or on PostgreSQL the cluster's log as this node last saw it; a no-op without a signing key.
   */
  anchorHead(): Promise<void>;
  close(): Promise<void>;
}

/**
 * LATCHKEY_DATABASE_URL (postgres://…) selects the PostgreSQL store shared by several nodes (docs/design.md
 * "PostgreSQL"); absent, the embedded SQLite log of the data dir (the default).
 */
export const openLogStore = async (config: Config, signingKey?: KeyObject, observeCommit?: (seconds: number) => void): Promise<LogStore> => {
  const path = databasePath(config);
  const publicKey = signingKey === undefined ? null : createPublicKey(signingKey);
  const kid = publicKey === null ? '' : await keyId(publicKey);
  if (config.databaseUrl !== undefined) {
    // This node's checkpoints go to its own data dir: one the database's admin could roll back with the log proves nothing.
    let checkpoints: PostgresCheckpoints | null = null;
    const store = await openPostgresEventStore(config.databaseUrl, { lockTimeoutMs: config.busyTimeoutMs, gatherMs: config.commitGatherMs, observeCommit, onCommitted: (seq, hash) => checkpoints?.committed(seq, hash) });
    if (signingKey !== undefined) checkpoints = new PostgresCheckpoints(store.pool, { path: checkpointPath(path), key: signingKey, kid, intervalMs: config.checkpointIntervalMs });
    const throttlePool = openPgPool(config.databaseUrl, { max: 4, synchronousCommit: 'off', application: 'latchkey-throttle', genericPlans: true });
    return {
      store,
      lastSeq: () => store.lastSeq(),
      throttle: (policy, { maxWaiters }) => new PostgresThrottle(throttlePool, policy, { maxWaiters }),
      keepPriority: async () => [],
      anchorHead: async () => checkpoints?.anchor(),
      close: async () => {
        await checkpoints?.close();
        await Promise.all([store.close(), throttlePool.end()]);
      },
    };
  }
  // The loop's connection migrates and serves reads; the writer thread's own connection makes every append.
  const checkpoint =
    signingKey === undefined || publicKey === null
      ? undefined
      : { path: checkpointPath(path), keyPem: signingKey.export({ format: 'pem', type: 'pkcs8' }).toString(), kid, intervalMs: config.checkpointIntervalMs };
  const writer = createEventWriterPool({ path, busyTimeoutMs: config.busyTimeoutMs, maxPages: config.maxDatabasePages, checkpoint });
  try {
    const store = openSqliteEventStore(path, { busyTimeoutMs: config.busyTimeoutMs, appender: observeCommit === undefined ? writer.append : timedAppends(writer.append, observeCommit) });
    const lastSeq = store.db.prepare('SELECT coalesce(max(seq), 0) FROM events').pluck();
    return {
      store,
      lastSeq: () => lastSeq.get() as number,
      throttle: (policy, { maxWaiters }) => new InMemoryThrottle(policy, { maxWaiters }),
      keepPriority: async () => {
        const id = await writer.threadId();
        return id === null ? [] : [id];
      },
      anchorHead: async () => {
        if (checkpoint === undefined || publicKey === null) return;
        await assertLogReachesCheckpoint(checkpoint.path, (c) => checkHead(store.db, c, publicKey));
        await writer.checkpoint();
      },
      close: async () => {
        await writer.close();
        store.close();
      },
    };
  } catch (err) {
    await writer.close();
    throw err;
  }
};

/** `latchkey verify` on the configured log: the SQLite file's chain, or the PostgreSQL log's (the nodes' merged chain). */
export const verifyConfiguredLog = async (config: Config, options: VerifyLogOptions = {}): Promise<VerifyResult> => {
  if (config.databaseUrl === undefined) return verifyLog(databasePath(config), options);
  const pool = openPgPool(config.databaseUrl, { max: 1 });
  try {
    return await verifyPostgresLog(pool, options.onProgress);
  } finally {
    await pool.end();
  }
};

/** The configured log's head against signed checkpoints (`latchkey verify`), read-only. */
export interface HeadChecker {
  check(checkpoint: Checkpoint, publicKey: KeyObject): Promise<HeadCheck>;
  close(): Promise<void>;
}

/** The SQLite file of the data dir, or the cluster's PostgreSQL log (whichever node's checkpoint is checked). */
export const openHeadChecker = (config: Config): HeadChecker => {
  if (config.databaseUrl === undefined) {
    const db = new Database(databasePath(config), { readonly: true, fileMustExist: true });
    return {
      check: async (checkpoint, publicKey) => checkHead(db, checkpoint, publicKey),
      close: async () => {
        db.close();
      },
    };
  }
  const pool = openPgPool(config.databaseUrl, { max: 1, application: 'latchkey-verify' });
  return { check: (checkpoint, publicKey) => checkPostgresHead(pool, checkpoint, publicKey), close: () => pool.end() };
};

/** `latchkey migrate`: brings the configured log's schema to this build's (every start does it too). */
export const migrateConfiguredLog = async (config: Config): Promise<number> => {
  if (config.databaseUrl === undefined) {
    const log = await openLogStore(config);
    await log.close();
    return 0;
  }
  const pool = openPgPool(config.databaseUrl, { max: 1 });
  try {
    return await migratePostgres(pool);
  } finally {
    await pool.end();
  }
};

/** `latchkey import-sqlite FILE`: a single node's SQLite log into the (empty) PostgreSQL log of LATCHKEY_DATABASE_URL. */
export const importIntoConfiguredLog = async (config: Config, path: string): Promise<ImportResult> => {
  if (config.databaseUrl === undefined) throw new Error('import-sqlite needs LATCHKEY_DATABASE_URL (postgres://…)');
  const pool = openPgPool(config.databaseUrl, { max: 2 });
  try {
    return await importSqliteLog(path, pool);
  } finally {
    await pool.end();
  }
};

/** `latchkey replay [--apply]` on the configured log (on PostgreSQL in one thread: `--threads` is for the SQLite file). */
export const replayConfiguredLog = async (config: Config, options: ReplayLogOptions = {}): Promise<ReplayResult> => {
  if (config.databaseUrl === undefined) return replayLog(databasePath(config), options);
  const pool = openPgPool(config.databaseUrl, { max: 1, lockTimeoutMs: config.busyTimeoutMs });
  try {
    return await replayPostgresLog(pool, { apply: options.apply ?? false, onProgress: options.onProgress });
  } finally {
    await pool.end();
  }
};
