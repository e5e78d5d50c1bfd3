/**
 * The one writer of the event log (a piscina worker of its own, started by event-writer-pool.ts): its
 * durable commits (WAL, synchronous=FULL: an fsync each) block this thread, never the server's event loop.
 * Appends that arrive in the same turn of this thread's loop share one transaction and one fsync (group commit).
 * After each batch it asks its CheckpointWriter for a signed checkpoint of the head (docs/security.md §34).
 */
import { createPrivateKey } from 'node:crypto';
import { workerData } from 'piscina';
import type { AppendRequest } from '../../core/ports/event-store.js';
import { CheckpointWriter } from '../event-log/checkpoint-writer.js';
import { uts39UsernameLooks } from '../unicode/uts39-username-looks.js';
import { type AppendOutcome, openSqliteEventAppender } from './sqlite-event-appender.js';

export interface EventWriterData {
  readonly path: string;
  readonly busyTimeoutMs: number;
  readonly maxPages: number;
  /** Where and how to sign checkpoints; none in tools that write no checkpoint. */
  readonly checkpoint?: { readonly path: string; readonly keyPem: string; readonly kid: string; readonly intervalMs: number };
}

export { threadId } from '../../workers/thread-id.js';

const { path, busyTimeoutMs, maxPages, checkpoint } = workerData as EventWriterData;
const appender = openSqliteEventAppender(path, { busyTimeoutMs, maxPages, tempInMemory: true });
const checkpoints =
  checkpoint === undefined
    ? null
    : new CheckpointWriter({ path: checkpoint.path, key: createPrivateKey(checkpoint.keyPem), kid: checkpoint.kid, intervalMs: checkpoint.intervalMs, head: () => appender.head(), hashAt: (seq) => appender.hashAt(seq) });

// The Unicode data behind the look-alike check loads in ~35 ms: here, before the first append, not during a commit.
uts39UsernameLooks.skeleton('latchkey');

let batch: { readonly request: AppendRequest; readonly done: (outcome: AppendOutcome) => void }[] = [];

const flush = (): void => {
  const current = batch;
  batch = [];
  const outcomes = appender.appendMany(current.map((b) => b.request));
  current.forEach((b, i) => b.done(outcomes[i]!));
  checkpoints?.committed();
};

export const append = (request: AppendRequest): Promise<AppendOutcome> =>
  new Promise((done) => {
    if (batch.length === 0) setImmediate(flush);
    batch.push({ request, done });
  });

/** The head checkpointed now, waiting for it: when the engine opens (an old log gets its first) and before it closes. */
export const checkpointNow = async (): Promise<void> => {
  await checkpoints?.flush();
};
