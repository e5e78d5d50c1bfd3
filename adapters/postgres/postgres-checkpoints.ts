import { type KeyObject, createPublicKey } from 'node:crypto';
import type pg from 'pg';
import { assertLogReachesCheckpoint } from '../event-log/assert-log-reaches-checkpoint.js';
import { genesisHash } from '../event-log/chain-hash.js';
import type { LogPoint } from '../event-log/checkpoint.js';
import { CheckpointWriter } from '../event-log/checkpoint-writer.js';
import { checkPostgresHead, postgresChainHead, postgresHashAt } from './check-postgres-head.js';

export interface PostgresCheckpointsOptions {
  /** This node's own checkpoint file, in its data dir (never only in the database it anchors). */
  readonly path: string;
  readonly key: KeyObject;
  readonly kid: string;
  readonly intervalMs: number;
}

/**
 * One node's signed checkpoints of the PostgreSQL log's head (docs/security.md §34). The node's writer reports each
 * head it committed (`committed`, after the COMMIT answered its batch: a field set and at most one timer armed);
 * the CheckpointWriter signs the newest at most once per interval, off the batch, into the node's data dir. The head
 * a node commits is the cluster's (its batch chained onto every node's rows, under the chain head's lock), so each
 * node's checkpoints anchor the one merged chain, and `verify` checks any node's against it.
 */
export class PostgresCheckpoints {
  readonly #pool: pg.Pool;
  readonly #path: string;
  readonly #publicKey: KeyObject;
  readonly #writer: CheckpointWriter;
  #seq = 0;
  #hash: Buffer = genesisHash;
  #anchored = false;

  /** `pool`: the node's read connections (the fork check before each write, the checks at start). */
  constructor(pool: pg.Pool, options: PostgresCheckpointsOptions) {
    this.#pool = pool;
    this.#path = options.path;
    this.#publicKey = createPublicKey(options.key);
    this.#writer = new CheckpointWriter({ ...options, head: () => this.#head(), hashAt: (seq) => postgresHashAt(pool, seq) });
  }

  /** The writer's hook: the chain head its last COMMIT left. */
  readonly committed = (seq: number, hash: Buffer): void => {
    this.#seq = seq;
    this.#hash = hash;
    this.#writer.committed();
  };

  /**
   * At start, before anything is appended: refuses a database that does not reach this node's newest checkpoint
   * (rolled back, truncated, forked), then signs the head as it is (a node's first checkpoint).
   */
  async anchor(): Promise<void> {
    await assertLogReachesCheckpoint(this.#path, (checkpoint) => checkPostgresHead(this.#pool, checkpoint, this.#publicKey));
    const head = await postgresChainHead(this.#pool);
    if (head.seq > this.#seq) {
      this.#seq = head.seq;
      this.#hash = Buffer.from(head.hash, 'hex');
    }
    this.#anchored = true;
    await this.#writer.flush();
  }

  /**
   * The last checkpoint, before the node's connections close (none from a node that refused its log at start); one
   * that cannot be written only lags the log.
   */
  async close(): Promise<void> {
    if (this.#anchored) await this.#writer.flush().catch(() => undefined);
  }

  #head(): LogPoint {
    return { seq: this.#seq, hash: this.#hash.toString('hex') };
  }
}
