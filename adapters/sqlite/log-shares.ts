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
 * How many threads `replayLog` and `verifyLog` use on a log: the one asked for, or one per core once the log is big
 * enough to be worth it. seq is the rowid, so min and max cost a lookup each.
 */
export const logShares = (path: string, threads: number | undefined, cores: number): LogShares => {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const [first, last] = db.prepare('SELECT coalesce(min(seq), 0), coalesce(max(seq), 0) FROM events').raw().get() as [number, number];
    const rows = last - first + 1;
    const chosen = threads ?? (rows >= 2 * minRowsPerThread ? Math.min(cores, Math.floor(rows / minRowsPerThread)) : 1);
    return { threads: Math.max(1, Math.min(chosen, rows)), first, last };
  } finally {
    db.close();
  }
};
