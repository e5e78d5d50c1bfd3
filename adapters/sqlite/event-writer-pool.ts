import { Piscina } from 'piscina';
import { DomainError, type ErrorCode } from '../../core/errors.js';
import { workerExecArgv } from '../worker-exec-argv.js';
import type { EventWriterData } from './event-writer-thread.js';
import type { AppendOutcome } from './sqlite-event-appender.js';
import type { Appender } from './sqlite-event-store.js';

export interface EventWriter {
  /** For SqliteEventStore: a refused append rejects with the DomainError the writer thread's outcome names. */
  readonly append: Appender;
  /** The writer's OS thread id (Linux; null elsewhere): it must keep its priority when hashing is lowered. */
  threadId(): Promise<number | null>;
  /** Writes the signed checkpoint of the log's head now (when the data has a checkpoint: EventWriterData). */
  checkpoint(): Promise<void>;
  /** The last checkpoint, then the thread ends. */
  close(): Promise<void>;
}

const filename = new URL('./event-writer-thread.js', import.meta.url).href;

const failureMessages: Partial<Record<ErrorCode, string>> = { stream_moved: 'the stream moved', username_taken: 'username is taken', username_lookalike: 'username looks like an existing one' };

/**
 * The log's writer thread: one worker holding its own connection, so each durable commit waits there and the event
 * loop goes on serving (docs/security.md: an answer still comes only after its events are committed). Every append is
 * in flight at once (the worker batches them); the server's request concurrency is what bounds them. No task timing
 * histograms (recordTiming): they cost the event loop a record per append and nothing reads them.
 */
export const createEventWriterPool = (data: EventWriterData): EventWriter => {
  const pool = new Piscina({ filename, execArgv: [...workerExecArgv], workerData: data, minThreads: 1, maxThreads: 1, concurrentTasksPerWorker: 4096, idleTimeout: Number.POSITIVE_INFINITY, recordTiming: false });
  return {
    append: async (request) => {
      const outcome = (await pool.run(request, { name: 'append' })) as AppendOutcome;
      if (!outcome.ok) throw new DomainError(outcome.code, failureMessages[outcome.code] ?? 'storage unavailable');
      return outcome.events;
    },
    threadId: () => pool.run(null, { name: 'threadId' }) as Promise<number | null>,
    checkpoint: async () => {
      await pool.run(null, { name: 'checkpointNow' });
    },
    close: async () => {
      // A checkpoint that could not be written only lags the log; shutting down goes on.
      await pool.run(null, { name: 'checkpointNow' }).catch(() => undefined);
      await pool.destroy();
    },
  };
};
