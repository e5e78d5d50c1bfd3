import type { Digest } from '../core/ports/digest.js';
import type { Policy } from '../core/policy.js';
import type { Config } from './config.js';
import { NodeDigest } from './crypto/node-digest.js';
import { readHmacKey } from './crypto/read-hmac-key.js';
import { databasePath } from './open-log-store.js';
import { IncrementalChain } from './sqlite/incremental-chain.js';
import { openDatabase } from './sqlite/open-database.js';
import { SqliteAuditLog } from './sqlite/sqlite-audit-log.js';
import type { AuditLog } from '../core/ports/audit-log.js';
import { openPgPool } from './postgres/open-pg-pool.js';
import { PostgresAuditLog } from './postgres/postgres-audit-log.js';

/** What `/v1/admin/audit/*` reads: the log on a read-only connection of its own, and the server's HMAC and policy. */
export interface AuditService {
  readonly log: AuditLog;
  readonly digest: Digest | null;
  /** The policy the server runs: what-if's "actual". */
  readonly policy: Policy;
  close(): void | Promise<void>;
}

/**
 * Opened once the engine has opened (and migrated) the log. The chain is checked incrementally: each call checks the
 * rows appended since the last one (adapters/sqlite/incremental-chain.ts).
 */
export const openAuditService = (config: Config): AuditService => {
  const key = readHmacKey(config.dataDir, config.secretKey);
  const digest = key === null ? null : new NodeDigest(key);
  if (config.databaseUrl !== undefined) {
    const log = new PostgresAuditLog(openPgPool(config.databaseUrl, { max: 2, application: 'latchkey-audit' }));
    return { log, digest, policy: config.policy, close: () => log.close() };
  }
  const db = openDatabase(databasePath(config), { readonly: true, fileMustExist: true, busyTimeoutMs: config.busyTimeoutMs });
  const chain = new IncrementalChain(db);
  const log = new SqliteAuditLog(db, () => chain.check(), { yieldBetweenPages: true });
  return { log, digest, policy: config.policy, close: () => log.close() };
};
