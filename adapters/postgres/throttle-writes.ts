import type pg from 'pg';

/** A bucket's row as stored in `throttle_buckets` (postgres-throttle.ts). */
export interface StoredBucket {
  readonly tokens: number;
  readonly at: number;
  readonly held: number;
  readonly held_until: number;
  readonly rev: number;
}

/** One compare-and-set: a row inserted unless one exists, or updated / deleted only while its `rev` is `seen`. */
export type BucketWrite =
  | { readonly op: 'insert'; readonly scope: string; readonly key: string; readonly row: StoredBucket }
  | { readonly op: 'update'; readonly scope: string; readonly key: string; readonly row: Omit<StoredBucket, 'rev'>; readonly seen: number }
  | { readonly op: 'delete'; readonly scope: string; readonly key: string; readonly seen: number };

interface Queued {
  readonly write: BucketWrite;
  readonly resolve: (done: boolean) => void;
  readonly reject: (err: unknown) => void;
}

// Named: each connection parses and plans them once.
const insertSql = { name: 'throttle-insert', text: 'INSERT INTO throttle_buckets (scope, key, tokens, at, held, held_until, rev) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING' };
const updateSql = { name: 'throttle-update', text: 'UPDATE throttle_buckets SET tokens = $3, at = $4, held = $5, held_until = $6, rev = rev + 1 WHERE scope = $1 AND key = $2 AND rev = $7' };
const deleteSql = { name: 'throttle-delete', text: 'DELETE FROM throttle_buckets WHERE scope = $1 AND key = $2 AND rev = $3' };
/** Several writes (each key at most once) as one statement; it answers the keys whose write took. */
const batchSql = {
  name: 'throttle-batch',
  text: `
    WITH w AS (
      SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::bigint[], $6::integer[], $7::bigint[], $8::bigint[])
        AS w(op, scope, key, tokens, at, held, held_until, rev)
    ), u AS (
      UPDATE throttle_buckets t SET tokens = w.tokens, at = w.at, held = w.held, held_until = w.held_until, rev = t.rev + 1
      FROM w WHERE w.op = 'update' AND t.scope = w.scope AND t.key = w.key AND t.rev = w.rev RETURNING t.scope, t.key
    ), d AS (
      DELETE FROM throttle_buckets t USING w WHERE w.op = 'delete' AND t.scope = w.scope AND t.key = w.key AND t.rev = w.rev RETURNING t.scope, t.key
    ), i AS (
      INSERT INTO throttle_buckets (scope, key, tokens, at, held, held_until, rev)
      SELECT w.scope, w.key, w.tokens, w.at, w.held, w.held_until, w.rev FROM w WHERE w.op = 'insert' ON CONFLICT DO NOTHING RETURNING scope, key
    )
    SELECT scope, key FROM u UNION ALL SELECT scope, key FROM d UNION ALL SELECT scope, key FROM i`,
};

const single = (pool: pg.Pool, w: BucketWrite): Promise<pg.QueryResult> => {
  switch (w.op) {
    case 'insert':
      return pool.query({ ...insertSql, values: [w.scope, w.key, w.row.tokens, w.row.at, w.row.held, w.row.held_until, w.row.rev] });
    case 'update':
      return pool.query({ ...updateSql, values: [w.scope, w.key, w.row.tokens, w.row.at, w.row.held, w.row.held_until, w.seen] });
    case 'delete':
      return pool.query({ ...deleteSql, values: [w.scope, w.key, w.seen] });
  }
};

/**
 * The throttle's compare-and-set writes, coalesced: those asked for while the current turn's promises run (a
 * login's two settles, other logins' changes at the same moment) go to PostgreSQL as one statement, one round
 * trip; a write alone goes as its own simple statement. Each answers whether it took (false: another node changed
 * the row first). The caller sends each key at most one write at a time (PostgresThrottle's lanes).
 */
export class ThrottleWrites {
  readonly #pool: pg.Pool;
  #queue: Queued[] = [];
  #scheduled = false;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  write(write: BucketWrite): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ write, resolve, reject });
      if (this.#scheduled) return;
      this.#scheduled = true;
      // After the promise jobs of this turn have run: the writes they ask for join this one.
      process.nextTick(() => void this.#flush());
    });
  }

  async #flush(): Promise<void> {
    this.#scheduled = false;
    const batch = this.#queue.splice(0);
    try {
      if (batch.length === 1) {
        const only = batch[0]!;
        only.resolve((await single(this.#pool, only.write)).rowCount === 1);
        return;
      }
      const ws = batch.map((q) => q.write);
      const row = (w: BucketWrite) => (w.op === 'delete' ? null : w.row);
      const r = await this.#pool.query<{ scope: string; key: string }>({
        ...batchSql,
        values: [
          ws.map((w) => w.op),
          ws.map((w) => w.scope),
          ws.map((w) => w.key),
          ws.map((w) => row(w)?.tokens ?? null),
          ws.map((w) => row(w)?.at ?? null),
          ws.map((w) => row(w)?.held ?? null),
          ws.map((w) => row(w)?.held_until ?? null),
          ws.map((w) => (w.op === 'insert' ? w.row.rev : w.seen)),
        ],
      });
      const took = new Set(r.rows.map((x) => `${x.scope}\0${x.key}`));
      for (const q of batch) q.resolve(took.has(`${q.write.scope}\0${q.write.key}`));
    } catch (err) {
      for (const q of batch) q.reject(err);
    }
  }
}
