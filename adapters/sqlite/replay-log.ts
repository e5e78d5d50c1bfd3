import { availableParallelism } from 'node:os';
import { logShares } from './log-shares.js';
import { Differences, maxDifferences } from '../event-log/differences.js';
import type { ReplayProgress, ReplayResult } from '../event-log/replay-judge.js';
import { type StreamPartition, replayProjections } from './replay-projections.js';
import { runLogChecks } from './run-log-checks.js';

export interface ReplayLogOptions {
  readonly apply?: boolean;
  /** Worker threads; by default one per core for a log of 100,000 rows or more, none below (and none to apply). */
  readonly threads?: number;
  readonly onProgress?: ReplayProgress;
}

/**
 * `latchkey replay` on a log file. Streams fold independently, so the comparison runs as one partition of the
 * streams per thread, each in one read transaction of its own (its events and the live rows it compares them with
 * are of one moment). Usernames are the one thing shared between accounts: each partition compares the names of
 * its own accounts, and a name two partitions claimed is reported here. `--apply` runs in this thread, holding the
 * write lock from the rebuild to the swap.
 */
export const replayLog = async (path: string, options: ReplayLogOptions = {}): Promise<ReplayResult> => {
  const { threads, last } = logShares(path, options.apply ? 1 : options.threads, availableParallelism());
  if (threads === 1) return replayProjections(path, { apply: options.apply ?? false, onProgress: options.onProgress });
  const partitions: StreamPartition[] = Array.from({ length: threads }, (_, index) => ({ index, count: threads }));
  const parts = await runLogChecks<StreamPartition, ReplayResult>('replayPartition', path, partitions, (done) => options.onProgress?.(done, last));

  const differences = new Differences();
  const claimedUsernames = new Map<string, string>();
  for (const part of parts) {
    // A part's `differences` ends with its own "… and N more" line when it had more than it lists: keep its real ones.
    const listed = Math.min(maxDifferences, part.differenceCount);
    for (const text of part.differences.slice(0, listed)) differences.add(text);
    differences.addUnlisted(part.differenceCount - listed);
    for (const [username, accountId] of part.claimedUsernames) {
      const owner = claimedUsernames.get(username);
      if (owner === undefined) claimedUsernames.set(username, accountId);
      else differences.add(`username ${JSON.stringify(username)} claimed by two accounts in the log: ${owner} and ${accountId}`);
    }
  }
  const events = parts.reduce((n, p) => n + p.events, 0);
  options.onProgress?.(events, last);
  return { events, streams: parts.reduce((n, p) => n + p.streams, 0), equal: differences.count === 0, differences: differences.lines(), applied: false, differenceCount: differences.count, claimedUsernames };
};
