/**
 * The tasks of `latchkey replay` and `latchkey verify` on a multi-core machine (adapters/sqlite/run-log-checks.ts):
 * each worker opens the log on its own read connection and checks its share, posting progress on `port`.
 */
import type { MessagePort } from 'node:worker_threads';
import { type ReplayResult, type StreamPartition, replayProjections } from '../adapters/sqlite/replay-projections.js';
import { type SeqRange, type VerifyResult, verifyChain } from '../adapters/sqlite/verify-chain.js';

export interface LogCheckTask<Share> {
  readonly path: string;
  readonly share: Share;
  readonly port: MessagePort;
}

/** A replay result as it crosses the thread boundary (a Map does too, but an array of pairs is cheaper to clone). */
export type PartitionReplay = Omit<ReplayResult, 'claimedUsernames'> & { readonly claimedUsernames: readonly [string, string][] };

export const replayPartition = ({ path, share, port }: LogCheckTask<StreamPartition>): PartitionReplay => {
  try {
    const result = replayProjections(path, { partition: share, onProgress: (done) => port.postMessage(done) });
    return { ...result, claimedUsernames: [...result.claimedUsernames] };
  } finally {
    port.close();
  }
};

export const verifyRange = ({ path, share, port }: LogCheckTask<SeqRange>): VerifyResult => {
  try {
    return verifyChain(path, (done) => port.postMessage(done), share);
  } finally {
    port.close();
  }
};
