import { availableParallelism } from 'node:os';
import { logShares } from './log-shares.js';
import { runLogChecks } from './run-log-checks.js';
import { type SeqRange, type VerifyProgress, type VerifyResult, verifyChain } from './verify-chain.js';

export interface VerifyLogOptions {
  /** Worker threads; by default one per core for a log of 100,000 rows or more, none below. */
  readonly threads?: number;
  readonly onProgress?: VerifyProgress;
}

/**
 * `latchkey verify` on a log file: `verifyChain` over contiguous seq ranges, one per thread. The ranges are cut at
 * the seq bounds read at the start; rows appended after that are left to the next run, as a single-threaded
 * verify that started at the same moment would.
 */
export const verifyLog = async (path: string, options: VerifyLogOptions = {}): Promise<VerifyResult> => {
  const { threads, first, last } = logShares(path, options.threads, availableParallelism());
  if (threads === 1) return verifyChain(path, options.onProgress, { from: Number.MIN_SAFE_INTEGER, to: last });
  const width = Math.ceil((last - first + 1) / threads);
  const ranges: SeqRange[] = Array.from({ length: threads }, (_, i) => ({ from: first + i * width, to: Math.min(last, first + (i + 1) * width - 1) }));
  const results = await runLogChecks<SeqRange, VerifyResult>('verifyRange', path, ranges, (done) => options.onProgress?.(done, last));
  let events = 0;
  for (const result of results) {
    events += result.events;
    if (!result.ok) return { ok: false, events, firstBadSeq: result.firstBadSeq! };
  }
  options.onProgress?.(events, last);
  return { ok: true, events };
};
