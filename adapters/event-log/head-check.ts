import type { KeyObject } from 'node:crypto';
import { type Checkpoint, type LogPoint, checkpointSignatureOk } from './checkpoint.js';

export type HeadCheck =
  /** The log holds the checkpoint's row with its hash; rows after it (`logHead` > `checkpointSeq`) are not yet anchored. */
  | { readonly ok: true; readonly checkpointSeq: number; readonly logHead: number }
  | {
      readonly ok: false;
      /** `missing_tail`: the log ends before the checkpoint (truncated, or an older copy); `forked`: its row differs. */
      readonly problem: 'missing_tail' | 'forked' | 'bad_signature';
      readonly checkpointSeq: number;
      readonly logHead: number;
      /** The last row the checkpoint still vouches for (the newest of its head and anchors the log agrees with); 0 if none. */
      readonly lastGoodSeq: number;
    };

/** The seqs whose stored hashes `judgeHead` compares: the checkpoint's head and its anchors. */
export const checkpointSeqs = (checkpoint: Checkpoint): number[] => [checkpoint.seq, ...checkpoint.anchors.map((a) => a.seq)];

/**
 * A log against a signed checkpoint of its head (docs/security.md §34), whichever store holds it: `logHead` is the
 * log's last seq, `hashAt` the stored hash (hex) of a row of `checkpointSeqs`, undefined when the log has no such
 * row. The hash chain proves each row's predecessor; the checkpoint proves where the log had got to, so a deleted
 * tail, an older copy put back or a rewritten chain is seen. A checkpoint that lags the log is fine (a crash
 * between a commit and the next checkpoint, or, on PostgreSQL, other nodes' commits since).
 */
export const judgeHead = (checkpoint: Checkpoint, publicKey: KeyObject, logHead: number, hashAt: (seq: number) => string | undefined): HeadCheck => {
  const agrees = (p: LogPoint) => p.seq === 0 || hashAt(p.seq) === p.hash;
  const checkpointSeq = checkpoint.seq;
  if (!checkpointSignatureOk(checkpoint, publicKey)) return { ok: false, problem: 'bad_signature', checkpointSeq, logHead, lastGoodSeq: 0 };
  if (agrees(checkpoint)) return { ok: true, checkpointSeq, logHead };
  const lastGoodSeq = checkpoint.anchors.filter(agrees).reduce((max, a) => Math.max(max, a.seq), 0);
  return { ok: false, problem: logHead < checkpointSeq ? 'missing_tail' : 'forked', checkpointSeq, logHead, lastGoodSeq };
};

/** One line for an operator, naming the last good seq. */
export const headCheckLine = (check: HeadCheck): string => {
  if (check.ok) {
    const after = check.logHead - check.checkpointSeq;
    return `checkpoint ok: the log holds the signed head at seq ${check.checkpointSeq}${after > 0 ? ` (${after} later events not yet checkpointed)` : ''}\n`;
  }
  switch (check.problem) {
    case 'bad_signature':
      return 'checkpoint INVALID: its signature does not verify with this data dir\'s signing key\n';
    case 'missing_tail':
      return `log TRUNCATED or ROLLED BACK: it ends at seq ${check.logHead}, the signed checkpoint is at seq ${check.checkpointSeq}; last good seq ${check.lastGoodSeq}\n`;
    case 'forked':
      return `log FORKED: the row at seq ${check.checkpointSeq} differs from the signed checkpoint's; last good seq ${check.lastGoodSeq}\n`;
    default: {
      const _exhaustive: never = check.problem;
      return _exhaustive;
    }
  }
};
