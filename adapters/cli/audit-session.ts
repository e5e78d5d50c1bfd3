import { existsSync } from 'node:fs';
import type { ChainStatus } from '../../core/ports/audit-log.js';
import type { Digest } from '../../core/ports/digest.js';
import type { Config } from '../config.js';
import { NodeDigest } from '../crypto/node-digest.js';
import { readHmacKey } from '../crypto/read-hmac-key.js';
import { databasePath } from '../open-log-store.js';
import { openDatabase } from '../sqlite/open-database.js';
import { SqliteAuditLog } from '../sqlite/sqlite-audit-log.js';
import { verifyLog } from '../sqlite/verify-log.js';
import { chainLine } from './audit-table.js';
import { progressReporter } from './progress.js';

export interface AuditSession {
  readonly log: SqliteAuditLog;
  readonly chain: ChainStatus;
  /** The server's HMAC, for unknown-user streams; null when the data dir has no secret (none is made). */
  digest(): Digest | null;
  close(): void;
}

export interface SessionOptions {
  readonly label: string;
  readonly json: boolean;
  readonly progress: boolean;
  readonly requireVerified: boolean;
  /** Where the chain line goes: stdout, first line of the answer, or stderr when stdout is a data stream (export). */
  readonly chainTo: 'stdout' | 'stderr';
}

/**
 * The log of the data dir, opened read-only (audit never writes the log or the projections), and its hash chain
 * checked first with `latchkey verify`'s threads: every answer says on its first line whether the log is the one
 * that was written. Null (after one line on stderr) when `--require-verified` and the chain is broken.
 */
export const openAuditSession = async (config: Config, options: SessionOptions): Promise<AuditSession | null> => {
  const path = databasePath(config);
  if (!existsSync(path)) throw new Error(`no event log at ${path} (LATCHKEY_DATA_DIR)`);
  const chain = await verifyLog(path, options.progress ? { onProgress: auditProgress(`${options.label}: verify`) } : {});
  (options.chainTo === 'stdout' ? process.stdout : process.stderr).write(chainLine(chain, options.json && options.chainTo === 'stdout'));
  if (!chain.ok && options.requireVerified) {
    process.stderr.write(`${options.label}: refused (--require-verified): the hash chain is broken at seq ${chain.firstBadSeq}\n`);
    return null;
  }
  const db = openDatabase(path, { readonly: true, fileMustExist: true });
  const log = new SqliteAuditLog(db, async () => chain);
  return {
    log,
    chain,
    digest: () => {
      const key = readHmacKey(config.dataDir, config.secretKey);
      return key === null ? null : new NodeDigest(key);
    },
    close: () => log.close(),
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
