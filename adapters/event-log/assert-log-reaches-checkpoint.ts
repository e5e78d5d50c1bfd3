import type { Checkpoint } from './checkpoint.js';
import { readCheckpoint } from './checkpoint-file.js';
import { type HeadCheck, headCheckLine } from './head-check.js';

/**
 * At start, before anything is appended: a log that does not reach the signed checkpoint at `path` (truncated, an
 * older copy put back, a rewritten chain) is not served. Appending to it would bury the evidence, since the next
 * checkpoint would sign the new head. `check` is the store's (sqlite/check-head.ts, postgres/check-postgres-head.ts).
 * After restoring a backup on purpose, move the checkpoint file aside (docs/security.md §34).
 */
export const assertLogReachesCheckpoint = async (path: string, check: (checkpoint: Checkpoint) => HeadCheck | Promise<HeadCheck>): Promise<void> => {
  const checkpoint = readCheckpoint(path);
  if (checkpoint === null) return;
  if (checkpoint instanceof Error) throw new Error(`${path}: ${checkpoint.message}; refusing to append to the log (docs/security.md §34)`);
  const result = await check(checkpoint);
  if (result.ok) return;
  // After a rotation of signing-key.pem the old checkpoint no longer verifies: the operator moves it aside.
  const hint = result.problem === 'bad_signature' ? ` (if signing-key.pem was replaced, move ${path} aside)` : '';
  throw new Error(`${headCheckLine(result).trim()}${hint}; refusing to append to the log (docs/security.md §34)`);
};
