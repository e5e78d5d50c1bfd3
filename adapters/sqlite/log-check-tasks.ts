/**
 * The tasks of `latchkey replay` and `latchkey verify` on a multi-core machine (run-log-checks.ts):
 * each worker opens the log on its own read connection and checks its share, posting progress on `port`.
 */
import type { MessagePort } from 'node:worker_threads';
import type { ReplayResult } from '../event-log/replay-judge.js';
import { type StreamPartition, replayProjections } from './replay-projections.js';
import { type SeqRange, type VerifyResult, verifyChain } from './verify-chain.js';

export interface LogCheckTask<Share> {
  readonly path: string;
  readonly share: Share;
  readonly port: MessagePort;
}

export const replayPartition = ({ path, share, port }: LogCheckTask<StreamPartition>): ReplayResult => {
  try {
    return replayProjections(path, { partition: share, onProgress: (done) => port.postMessage(done) });
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
