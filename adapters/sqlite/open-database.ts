import Database from 'better-sqlite3';
import { migrate } from './migrate.js';

export interface OpenDatabaseOptions {
  /** How long a writer waits for another connection's lock before the request fails closed (503). */
  readonly busyTimeoutMs?: number;
  /** Opens the file read-only: every write then fails as DomainError('unavailable'). */
  readonly readonly?: boolean;
  /** Refuse to create a missing file (the CLI's replay and verify work on an existing log). */
  readonly fileMustExist?: boolean;
  /** A cap on the file's size in pages (LATCHKEY_DB_MAX_PAGES): past it appends fail closed rather than fill the disk. */
  readonly maxPages?: number;
  /**
   * Keeps SQLite's temporary files in memory (`temp_store = MEMORY`), the sub-journal above all: within a savepoint
   * SQLite keeps the original image of every page it changes, and past 64 KiB it spills them to a file it creates and
   * unlinks in /var/tmp. For the log's writer, whose group commits run each append in a savepoint: about one commit
   * in five made such a file under a 16-client login load (strace), each one page images of the log (PHC strings,
   * sealed seeds) written outside the data dir, and a create and an unlink for the file system's journal. The
   * writer's transactions are a batch of small appends, so the memory is bounded; a bulk rewrite (`replay --apply`)
   * keeps the default.
   */
  readonly tempInMemory?: boolean;
}

export const defaultBusyTimeoutMs = 5000;

/**
 * A connection that is durable or none at all: WAL with synchronous=FULL survives power loss, NORMAL only a
 * process crash (sqlite.org/wal.html; docs/security.md: a login answered 200 has its events committed first). Both
 * pragmas are read back, because SQLite answers a request it cannot honour (`:memory:`, some file systems) by
 * quietly keeping the old mode.
 */
export const openDatabase = (path: string, options: OpenDatabaseOptions = {}): Database.Database => {
  const db = new Database(path, { readonly: options.readonly ?? false, fileMustExist: options.fileMustExist ?? false });
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? defaultBusyTimeoutMs))}`);
    if (!options.readonly) db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    if (options.tempInMemory) db.pragma('temp_store = MEMORY');
    const journal = String(db.pragma('journal_mode', { simple: true })).toLowerCase();
    const synchronous = db.pragma('synchronous', { simple: true });
    if (journal !== 'wal') throw new Error(`SQLite journal_mode is ${journal}, expected wal`);
    // synchronous: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA. EXTRA is stricter than FULL, but we never ask for it.
    if (synchronous !== 2) throw new Error(`SQLite synchronous is ${String(synchronous)}, expected 2 (FULL)`);
    if (!options.readonly) migrate(db);
    if (options.maxPages !== undefined && options.maxPages > 0) db.pragma(`max_page_count = ${Math.floor(options.maxPages)}`);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
};
