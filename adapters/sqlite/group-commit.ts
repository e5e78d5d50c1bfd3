import Database from 'better-sqlite3';

interface Pending<R, T> {
  readonly request: R;
  readonly resolve: (value: T) => void;
  readonly reject: (error: unknown) => void;
}

type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/** The longest wait between two tries for a write lock another connection holds. */
const maxRetryDelayMs = 32;

/**
 * Group commit on the event loop: the writes asked for in one turn of the loop run at its end, each in its own
 * savepoint (a stale expected version refuses that one alone), all in one IMMEDIATE transaction — so one durable
 * commit (one fsync under synchronous=FULL) serves them all, and the loop is blocked once per turn, not per event.
 * Nothing resolves before the commit returns; if the commit fails, every write in it failed.
 *
 * While another connection holds the write lock (the CLI, a replay), the batch waits on timers, never in SQLite's
 * busy handler: the loop goes on answering. Past `busyTimeoutMs` every write in it fails with SQLite's SQLITE_BUSY.
 * The connection itself should have busy_timeout 0. Errors reach the caller as SQLite raised them.
 */
export class GroupCommit<R, T> {
  private pending: Pending<R, T>[] = [];
  private readonly batch: Database.Transaction<(items: readonly Pending<R, T>[]) => Outcome<T>[]>;

  constructor(
    db: Database.Database,
    write: (request: R) => T,
    private readonly busyTimeoutMs: number,
  ) {
    this.batch = db.transaction((items: readonly Pending<R, T>[]) =>
      items.map((item): Outcome<T> => {
        try {
          return { ok: true, value: write(item.request) };
        } catch (error) {
          return { ok: false, error };
        }
      }),
    );
  }

  run(request: R): Promise<T> {
    return new Promise((resolve, reject) => {
      if (this.pending.length === 0) setImmediate(this.flush);
      this.pending.push({ request, resolve, reject });
    });
  }

  /** Commits what is pending now (also at close: a write already asked for is not lost to a shutdown). */
  readonly flush = (): void => {
    const items = this.pending;
    if (items.length === 0) return;
    this.pending = [];
    this.commit(items, performance.now() + this.busyTimeoutMs, 1);
  };

  private commit(items: readonly Pending<R, T>[], deadline: number, delayMs: number): void {
    let outcomes: Outcome<T>[];
    try {
      outcomes = this.batch.immediate(items);
    } catch (err) {
      const remainingMs = deadline - performance.now();
      if (err instanceof Database.SqliteError && err.code === 'SQLITE_BUSY' && remainingMs > 0) {
        setTimeout(() => this.commit(items, deadline, Math.min(2 * delayMs, maxRetryDelayMs)), Math.min(delayMs, remainingMs));
        return;
      }
      for (const item of items) item.reject(err);
      return;
    }
    outcomes.forEach((outcome, i) => (outcome.ok ? items[i]!.resolve(outcome.value) : items[i]!.reject(outcome.error)));
  }
}
