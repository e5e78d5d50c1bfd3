import { existsSync } from 'node:fs';
import type { AuditLog, ChainStatus } from '../../core/ports/audit-log.js';
import type { Digest } from '../../core/ports/digest.js';
import type { Config } from '../config.js';
import { NodeDigest } from '../crypto/node-digest.js';
import { readHmacKey } from '../crypto/read-hmac-key.js';
import { databasePath } from '../open-log-store.js';
import { openPgPool } from '../postgres/open-pg-pool.js';
import { exportPostgresLog } from '../postgres/export-postgres-log.js';
import { PostgresAuditLog } from '../postgres/postgres-audit-log.js';
import { verifyPostgresLog } from '../postgres/verify-postgres-log.js';
import { type Checkpoint } from '../event-log/checkpoint.js';
import { checkpointPath, readCheckpoint } from '../event-log/checkpoint-file.js';
import { type ExportOptions, exportLog } from '../sqlite/export-log.js';
import { openDatabase } from '../sqlite/open-database.js';
import { SqliteAuditLog } from '../sqlite/sqlite-audit-log.js';
import type { VerifyResult } from '../sqlite/verify-chain.js';
import { verifyLog } from '../sqlite/verify-log.js';
import { chainLine } from './audit-table.js';
import { progressReporter } from './progress.js';

export interface AuditSession {
  readonly log: AuditLog;
  readonly chain: ChainStatus;
  /** The last seq of the log as the session opened it (the progress lines' total). */
  readonly lastSeq: number;
  /** `latchkey audit export`'s lines, from the log's own store. */
  exportTo(options: ExportOptions, write: (chunk: string) => void | Promise<void>): Promise<number>;
  /** The newest signed checkpoint of the log's head (docs/security.md §34), null when there is none. */
  checkpoint(): Checkpoint | null;
  /** The server's HMAC, for unknown-user streams; null when the data dir has no secret (none is made). */
  digest(): Digest | null;
  close(): Promise<void>;
}

export interface SessionOptions {
  readonly label: string;
  readonly json: boolean;
  readonly progress: boolean;
  readonly requireVerified: boolean;
  /** Where the chain line goes: stdout, first line of the answer, or stderr when stdout is a data stream (export). */
  readonly chainTo: 'stdout' | 'stderr';
}

/** The log itself: the data dir's SQLite file, or LATCHKEY_DATABASE_URL's PostgreSQL (docs/design.md "PostgreSQL"). */
interface OpenedLog {
  readonly log: AuditLog;
  readonly lastSeq: number;
  exportTo: AuditSession['exportTo'];
  checkpoint(): Checkpoint | null;
  close(): Promise<void>;
}

/** The data dir's signed checkpoint of the log's head (a node's, on PostgreSQL), null when there is none or it is unreadable. */
const dataDirCheckpoint = (config: Config): Checkpoint | null => {
  const c = readCheckpoint(checkpointPath(databasePath(config)));
  return c instanceof Error ? null : c;
};

/** The data dir's SQLite log, read-only, its chain checked with `latchkey verify`'s threads. */
const sqliteLog = async (config: Config, onProgress: ((done: number, total?: number) => void) | undefined) => {
  const path = databasePath(config);
  if (!existsSync(path)) throw new Error(`no event log at ${path} (LATCHKEY_DATA_DIR)`);
  const chain = await verifyLog(path, onProgress ? { onProgress } : {});
  return {
    chain,
    open: (): OpenedLog => {
      const db = openDatabase(path, { readonly: true, fileMustExist: true });
      const log = new SqliteAuditLog(db, async () => chain);
      return {
        log,
        lastSeq: log.rows(),
        exportTo: (options, write) => exportLog(db, options, write),
        checkpoint: () => dataDirCheckpoint(config),
        close: async () => log.close(),
      };
    },
  };
};

/**
 * The cluster's PostgreSQL log, on a small pool of its own: every question reads committed rows only (the nodes go on
 * appending), its chain checked once at the start as `latchkey verify` checks it, which the answers then carry.
 * `checkpoint`: the node's own signed checkpoint (its data dir's), which an export carries as on SQLite.
 */
const postgresLog = async (url: string, checkpoint: () => Checkpoint | null, onProgress: ((done: number, total?: number) => void) | undefined) => {
  const pool = openPgPool(url, { max: 2, application: 'latchkey-audit-cli' });
  try {
    const chain: VerifyResult = await verifyPostgresLog(pool, onProgress);
    const lastSeq = (await pool.query<{ n: number }>('SELECT coalesce(max(seq), 0)::int8 AS n FROM events')).rows[0]!.n;
    return {
      chain,
      open: (): OpenedLog => {
        const log = new PostgresAuditLog(pool, async () => chain);
        return { log, lastSeq, exportTo: (options, write) => exportPostgresLog(pool, options, write), checkpoint, close: () => log.close() };
      },
      abandon: () => pool.end(),
    };
  } catch (err) {
    await pool.end();
    throw err;
  }
};

/**
 * The log, opened read-only (audit never writes the log or the projections), and its hash chain checked first with
 * `latchkey verify`'s check: every answer says on its first line whether the log is the one that was written. Null
 * (after one line on stderr) when `--require-verified` and the chain is broken.
 */
export const openAuditSession = async (config: Config, options: SessionOptions): Promise<AuditSession | null> => {
  const onProgress = options.progress ? auditProgress(`${options.label}: verify`) : undefined;
  const source = config.databaseUrl === undefined ? { ...(await sqliteLog(config, onProgress)), abandon: async () => {} } : await postgresLog(config.databaseUrl, () => dataDirCheckpoint(config), onProgress);
  const { chain } = source;
  (options.chainTo === 'stdout' ? process.stdout : process.stderr).write(chainLine(chain, options.json && options.chainTo === 'stdout'));
  if (!chain.ok && options.requireVerified) {
    process.stderr.write(`${options.label}: refused (--require-verified): the hash chain is broken at seq ${chain.firstBadSeq}\n`);
    await source.abandon();
    return null;
  }
  const opened = source.open();
  return {
    ...opened,
    chain,
    digest: () => {
      const key = readHmacKey(config.dataDir, config.secretKey);
      return key === null ? null : new NodeDigest(key);
    },
  };
};

/** progressReporter, silent for the first second of this run (it counts from the process's start). */
export const auditProgress = (label: string) => {
  const report = progressReporter(label);
  const started = performance.now();
  return (done: number, total?: number) => {
    if (performance.now() - started >= 1000) report(done, total);
  };
};

/** How long a query took, on stderr with the progress lines: `… N events in S s (R events/s)`. */
export const reportRate = (label: string, events: number, startedMs: number): void => {
  const seconds = (performance.now() - startedMs) / 1000;
  process.stderr.write(`${label}: ${events} events in ${seconds.toFixed(2)} s (${Math.round(events / Math.max(seconds, 1e-9))} events/s)\n`);
};
