import type { KeyObject } from 'node:crypto';
import type Database from 'better-sqlite3';
import { checkHead, headCheckLine } from './check-head.js';
import { readCheckpoint } from './checkpoint-file.js';

/**
 * At start, before anything is appended: a log that does not reach its signed checkpoint (truncated, an older copy
 * put back, a rewritten chain) is not served. Appending to it would bury the evidence, since the next checkpoint
 * would sign the new head. After restoring a backup on purpose, move the checkpoint file aside (docs/security.md §34).
 */
export const assertLogReachesCheckpoint = (db: Database.Database, path: string, publicKey: KeyObject): void => {
  const checkpoint = readCheckpoint(path);
  if (checkpoint === null) return;
  if (checkpoint instanceof Error) throw new Error(`${path}: ${checkpoint.message}; refusing to append to the log (docs/security.md §34)`);
  const check = checkHead(db, checkpoint, publicKey);
  if (check.ok) return;
  // After a rotation of signing-key.pem the old checkpoint no longer verifies: the operator moves it aside.
  const hint = check.problem === 'bad_signature' ? ` (if signing-key.pem was replaced, move ${path} aside)` : '';
  throw new Error(`${headCheckLine(check).trim()}${hint}; refusing to append to the log (docs/security.md §34)`);
};
