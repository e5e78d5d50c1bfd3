import { randomInt } from 'node:crypto';
import type pg from 'pg';
import { DomainError } from '../../core/errors.js';
import type { Policy } from '../../core/policy.js';
import type { Throttle, ThrottleScope } from '../../core/ports/throttle.js';
import { type Bucket, bucketIsFull, returnToken, takeToken } from '../../core/throttle/token-bucket.js';
import { pgStorageError } from './pg-storage-error.js';
import { type StoredBucket, ThrottleWrites } from './throttle-writes.js';

export interface PostgresThrottleOptions {
  /** Attempts of one key waiting on this node for a held token (past it, 503 overloaded, as InMemoryThrottle). */
  readonly maxWaiters?: number;
  /** How long a held token counts as held: a node that died holding one cannot make the others wait past it. */
  readonly holdMs?: number;
  /** How often a waiting attempt looks again at a budget held by another node. */
  readonly pollMs?: number;
}

// Named: each connection parses and plans it once (the writes are throttle-writes.ts's).
const selectSql = { name: 'throttle-select', text: 'SELECT tokens, at, held, held_until, rev FROM throttle_buckets WHERE scope = $1 AND key = $2' };
/** Rows this node last wrote, kept for their next compare-and-set; past this many, forgotten (read again). */
const maxKnown = 50_000;

/**
 * The failure budgets of docs/security.md §21 for a whole cluster: the token buckets of core/throttle/ (the same pure
 * functions as InMemoryThrottle, so the same semantics), their state in PostgreSQL's `throttle_buckets`, shared by
 * every node, so N nodes give an attacker one budget, not N. Each change is a compare-and-set on the row's `rev`
 * (read, fold in JS, `UPDATE … WHERE rev = seen`; lost races read again): no transaction, on a pool with
 * synchronous_commit off over an UNLOGGED table (a short-window rate, docs/design.md "PostgreSQL"). On one node the
 * changes to one key run one at a time, from the row as this node last wrote it: one statement a change (writes to
 * different keys at the same moment share one: throttle-writes.ts), and a race lost only to another node (64 logins at once behind one address made 20 lost races a login before). A row is
 * inserted at a random `rev`, so a row deleted and made again elsewhere never passes for the one this node knew.
 * Held tokens are counted in the row with a lease (`held_until`); an attempt finding the budget empty while tokens
 * are held waits for them: woken by this node's own settles at once, and looking again every `pollMs` for other
 * nodes'. A take that cannot reach the database fails closed (503); a settle that cannot is dropped: the token it
 * holds stays spent until its lease ends, which errs on the side of the budget.
 */
export class PostgresThrottle implements Throttle {
  readonly #pool: pg.Pool;
  readonly #writes: ThrottleWrites;
  readonly #policy: Policy['throttle'];
  readonly #maxWaiters: number;
  readonly #holdMs: number;
  readonly #pollMs: number;
  readonly #waiters = new Map<string, (() => void)[]>();
  /** Per key, the tail of this node's changes to it: each starts when the one before has ended. */
  readonly #lanes = new Map<string, Promise<unknown>>(); // resolves to the error its change failed with, if any
  /** Per key, the row as this node last read or wrote it (absent: a take tries the insert first, a settle reads it). */
  readonly #known = new Map<string, StoredBucket>();
  /** The latest time any call gave: a waiter looks again at that time, not at the time it started waiting. */
  #now = 0;

  constructor(pool: pg.Pool, policy: Policy['throttle'], options: PostgresThrottleOptions = {}) {
    this.#pool = pool;
    this.#writes = new ThrottleWrites(pool);
    this.#policy = policy;
    this.#maxWaiters = options.maxWaiters ?? 256;
    this.#holdMs = options.holdMs ?? 30_000;
    this.#pollMs = options.pollMs ?? 50;
  }

  async take(scope: ThrottleScope, key: string, now: number): Promise<number> {
    this.#now = Math.max(this.#now, now);
    const started = performance.now();
    for (;;) {
      // A waiter's time moves on by itself too, so a lease held by a dead node ends for it even on a quiet node.
      const { wait, held } = await this.#tryTake(scope, key, Math.max(now + Math.floor(performance.now() - started), this.#now));
      if (wait === 0 || held === 0) return wait;
      await this.#waitForSettle(scope, key);
    }
  }

  async refund(scope: ThrottleScope, key: string, now: number): Promise<void> {
    await this.#settle(scope, key, now, true);
  }

  async spend(scope: ThrottleScope, key: string, now: number): Promise<void> {
    await this.#settle(scope, key, now, false);
  }

  /**
   * Runs `change` after this node's earlier changes to the key have ended. One that failed (the database gone) fails
   * those queued behind it at once with its error, so a lost database answers a hot key's queue with 503s together
   * rather than one connection timeout after another.
   */
  #inLane<T>(id: string, change: () => Promise<T>): Promise<T> {
    const run = (this.#lanes.get(id) ?? Promise.resolve(undefined)).then((failed) => (failed === undefined ? change() : Promise.reject(failed)));
    const tail = run.then(
      () => undefined,
      (err: unknown) => err ?? new Error('throttle change failed'),
    );
    this.#lanes.set(id, tail);
    void tail.then(() => {
      if (this.#lanes.get(id) === tail) this.#lanes.delete(id);
    });
    return run;
  }

  /** The row this node last saw, or the stored one. */
  async #row(id: string, scope: ThrottleScope, key: string): Promise<StoredBucket | undefined> {
    const known = this.#known.get(id);
    if (known !== undefined) return known;
    return (await this.#pool.query<StoredBucket>({ ...selectSql, values: [scope, key] })).rows[0];
  }

  #tryTake(scope: ThrottleScope, key: string, now: number): Promise<{ wait: number; held: number }> {
    const id = `${scope}\0${key}`;
    return this.#inLane(id, async () => {
      try {
        // A key this node knows nothing of is most likely absent (a full bucket is deleted): the insert is tried
        // first, one statement, and its clash with a row that exists reads that row.
        let unknown = !this.#known.has(id);
        for (;;) {
          const cached = unknown || this.#known.has(id);
          const row = unknown ? undefined : await this.#row(id, scope, key);
          unknown = false;
          const held = row !== undefined && now < row.held_until ? row.held : 0;
          const result = takeToken(row && { tokens: row.tokens, at: row.at }, now, this.#policyOf(scope));
          if (!result.ok && cached) {
            // A write is checked by its compare-and-set; a refusal is not: it is read from the database (another
            // node may have given tokens back since).
            this.#known.delete(id);
            continue;
          }
          if (!result.ok) return { wait: result.retryAfterSeconds, held };
          if (await this.#write(id, scope, key, row, result.bucket, held + 1, now + this.#holdMs)) return { wait: 0, held: held + 1 };
        }
      } catch (err) {
        this.#known.delete(id);
        throw pgStorageError(err);
      }
    });
  }

  async #settle(scope: ThrottleScope, key: string, now: number, giveBack: boolean): Promise<void> {
    this.#now = Math.max(this.#now, now);
    const id = `${scope}\0${key}`;
    await this.#inLane(id, async () => {
      try {
        for (;;) {
          const row = await this.#row(id, scope, key);
          if (row === undefined && !giveBack) break;
          const held = Math.max(0, (row !== undefined && now < row.held_until ? row.held : 0) - 1);
          const bucket = giveBack ? returnToken(row && { tokens: row.tokens, at: row.at }, now, this.#policyOf(scope)) : { tokens: row!.tokens, at: row!.at };
          if (row !== undefined && held === 0 && bucketIsFull(bucket, now, this.#policyOf(scope))) {
            // A full bucket carries no information (InMemoryThrottle forgets it too): the table stays the size of the attack.
            this.#known.delete(id);
            if (await this.#writes.write({ op: 'delete', scope, key, seen: row.rev })) break;
            continue;
          }
          if (row === undefined && bucketIsFull(bucket, now, this.#policyOf(scope))) break;
          if (await this.#write(id, scope, key, row, bucket, held, row?.held_until ?? now)) break;
        }
      } catch {
        // Dropped (see the class comment): the attempt was judged already; the budget can only be lower for it.
        this.#known.delete(id);
      }
    });
    for (const wake of this.#waiters.get(id)?.splice(0) ?? []) wake();
  }

  /**
   * Compare-and-set on `rev`; false when another node changed the row first (then the next try reads it afresh).
   * The row as written is kept for this node's next change to the key.
   */
  async #write(id: string, scope: ThrottleScope, key: string, row: StoredBucket | undefined, bucket: Bucket, held: number, heldUntil: number): Promise<boolean> {
    const rev = row === undefined ? randomInt(2 ** 47) : row.rev + 1;
    const fields = { tokens: bucket.tokens, at: bucket.at, held, held_until: heldUntil };
    const took = await this.#writes.write(row === undefined ? { op: 'insert', scope, key, row: { ...fields, rev } } : { op: 'update', scope, key, row: fields, seen: row.rev });
    if (!took) {
      this.#known.delete(id);
      return false;
    }
    if (this.#known.size >= maxKnown && !this.#known.has(id)) this.#known.clear();
    this.#known.set(id, { tokens: bucket.tokens, at: bucket.at, held, held_until: heldUntil, rev });
    return true;
  }

  #waitForSettle(scope: ThrottleScope, key: string): Promise<void> {
    const id = `${scope}\0${key}`;
    const list = this.#waiters.get(id) ?? [];
    if (list.length >= this.#maxWaiters) return Promise.reject(new DomainError('overloaded', 'the server is busy', 1));
    this.#waiters.set(id, list);
    return new Promise<void>((resolve) => {
      const timer = setTimeout(wake, this.#pollMs);
      function wake() {
        clearTimeout(timer);
        const i = list.indexOf(wake);
        if (i >= 0) list.splice(i, 1);
        resolve();
      }
      list.push(wake);
    }).finally(() => {
      if (list.length === 0 && this.#waiters.get(id) === list) this.#waiters.delete(id);
    });
  }

  #policyOf(scope: ThrottleScope) {
    return scope === 'ip' ? this.#policy.perIp : this.#policy.perAccount;
  }
}
