import Database from 'better-sqlite3';

export interface LogShares {
  /** Worker threads to use: 1 means check in this thread. */
  readonly threads: number;
  /** The lowest and highest seq in the log (0 and 0 when it is empty). */
  readonly first: number;
  readonly last: number;
}

/** Below this many rows per thread, starting workers costs more than it saves. */
export const minRowsPerThread = 50_000;

/**
 * The first and last seq. seq is the rowid, so each bound is one lookup at an end of the table — as two subqueries:
 * SQLite's min/max optimisation applies only to a query with a single min() or max(), and `SELECT min(seq),
 * max(seq)` scans every row (121 ms on a log of 1,000,000 events, before any worker started).
 */
export const seqBoundsSql = 'SELECT coalesce((SELECT min(seq) FROM events), 0), coalesce((SELECT max(seq) FROM events), 0)';

/**
 * How many threads `replayLog` and `verifyLog` use on a log: the one asked for, or one per core once the log is big
 * enough to be worth it.
 */
export const logShares = (path: string, threads: number | undefined, cores: number): LogShares => {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const [first, last] = db.prepare(seqBoundsSql).raw().get() as [number, number];
    const rows = last - first + 1;
    const chosen = threads ?? (rows >= 2 * minRowsPerThread ? Math.min(cores, Math.floor(rows / minRowsPerThread)) : 1);
    return { threads: Math.max(1, Math.min(chosen, rows)), first, last };
  } finally {
    db.close();
  }
};
