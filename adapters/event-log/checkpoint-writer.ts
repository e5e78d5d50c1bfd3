import type { KeyObject } from 'node:crypto';
import { type Checkpoint, type LogPoint, signCheckpoint, thinAnchors } from './checkpoint.js';
import { readCheckpoint, writeCheckpoint, writeCheckpointSync } from './checkpoint-file.js';

export interface CheckpointWriterOptions {
  readonly path: string;
  readonly key: KeyObject;
  readonly kid: string;
  /** At most one checkpoint per interval; 0: after every commit batch (still one write at a time). */
  readonly intervalMs: number;
  /** The log's last committed row: read between transactions (SQLite), or the one the last commit left (PostgreSQL). */
  readonly head: () => LogPoint;
  /** The stored hash of the row at `seq` (hex), or undefined when there is none: from the file, or a query. */
  readonly hashAt: (seq: number) => string | undefined | Promise<string | undefined>;
  readonly now?: () => number;
}

/**
 * A log writer's checkpoints (docs/security.md §34): the SQLite writer thread's, a PostgreSQL node's. After a commit
 * batch, `committed()` asks for one; it is signed from a timer at most once per interval and written one at a time
 * (a flush waits for the write in flight; a commit meanwhile asks for none) on libuv's pool, so a commit never waits
 * for it. The head is the one a commit left, so a checkpoint can lag the log (a crash before the next write) and
 * never lead it. Monotonic: a head that is not past the checkpoint on disk (this writer's or another process's) is
 * not written. Nor is one over a log that no longer holds the newest checkpoint's row: signing it would bury the
 * evidence of a fork.
 */
export class CheckpointWriter {
  readonly #o: CheckpointWriterOptions;
  readonly #now: () => number;
  #last: Checkpoint | null;
  #lastWriteAt = Number.NEGATIVE_INFINITY;
  #timer: NodeJS.Timeout | null = null;
  #writing: Promise<void> | null = null;
  /** Failed writes since the last good one (a full disk): the next commit tries again. */
  failures = 0;

  constructor(options: CheckpointWriterOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    const onDisk = readCheckpoint(options.path);
    this.#last = onDisk instanceof Error ? null : onDisk;
  }

  committed(): void {
    if (this.#timer !== null || this.#writing !== null) return;
    const wait = Math.max(0, this.#lastWriteAt + this.#o.intervalMs - this.#now());
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#writing = this.#writeHead().finally(() => {
        this.#writing = null;
      });
    }, wait);
  }

  /** The head, written now in this thread (after any write in flight): the last checkpoint before the writer closes. */
  async flush(): Promise<void> {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#writing;
    const flushing = this.#next().then((next) => {
      if (next !== null) writeCheckpointSync(this.#o.path, next);
    });
    this.#writing = flushing.then(
      () => undefined,
      () => undefined,
    );
    try {
      await flushing;
    } finally {
      this.#writing = null;
    }
  }

  async #next(): Promise<Checkpoint | null> {
    const head = this.#o.head();
    const onDisk = readCheckpoint(this.#o.path);
    const newest = onDisk instanceof Error || onDisk === null || (this.#last !== null && this.#last.seq >= onDisk.seq) ? this.#last : onDisk;
    if (newest !== null && head.seq <= newest.seq) return null;
    if (newest !== null && newest.seq > 0 && (await this.#o.hashAt(newest.seq)) !== newest.hash) throw new Error('the log no longer holds the last checkpoint');
    const at = this.#now();
    const next = signCheckpoint(this.#o.key, this.#o.kid, head, at, thinAnchors(newest, head.seq));
    this.#last = next;
    this.#lastWriteAt = at;
    return next;
  }

  async #writeHead(): Promise<void> {
    try {
      const next = await this.#next();
      if (next !== null) await writeCheckpoint(this.#o.path, next);
      this.failures = 0;
    } catch {
      this.failures++;
    }
  }
}
