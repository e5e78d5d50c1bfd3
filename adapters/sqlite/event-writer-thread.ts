/**
 * The one writer of the event log (a piscina worker of its own, started by event-writer-pool.ts): its
 * durable commits (WAL, synchronous=FULL: an fsync each) block this thread, never the server's event loop.
 * Appends that arrive in the same turn of this thread's loop share one transaction and one fsync (group commit).
 */
import { workerData } from 'piscina';
import type { AppendRequest } from '../../core/ports/event-store.js';
import { type AppendOutcome, openSqliteEventAppender } from './sqlite-event-appender.js';

export interface EventWriterData {
  readonly path: string;
  readonly busyTimeoutMs: number;
  readonly maxPages: number;
}

export { threadId } from './thread-id.js';

const { path, busyTimeoutMs, maxPages } = workerData as EventWriterData;
const appender = openSqliteEventAppender(path, { busyTimeoutMs, maxPages, tempInMemory: true });

let batch: { readonly request: AppendRequest; readonly done: (outcome: AppendOutcome) => void }[] = [];

const flush = (): void => {
  const current = batch;
  batch = [];
  const outcomes = appender.appendMany(current.map((b) => b.request));
  current.forEach((b, i) => b.done(outcomes[i]!));
};

export const append = (request: AppendRequest): Promise<AppendOutcome> =>
  new Promise((done) => {
    if (batch.length === 0) setImmediate(flush);
    batch.push({ request, done });
  });
