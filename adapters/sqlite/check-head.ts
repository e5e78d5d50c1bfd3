import type { KeyObject } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Checkpoint } from '../event-log/checkpoint.js';
import { type HeadCheck, judgeHead } from '../event-log/head-check.js';

/** The SQLite file's log against a signed checkpoint of its head (docs/security.md §34; event-log/head-check.ts). */
export const checkHead = (db: Database.Database, checkpoint: Checkpoint, publicKey: KeyObject): HeadCheck => {
  const logHead = (db.prepare('SELECT max(seq) FROM events').pluck().get() as number | null) ?? 0;
  const hashAt = db.prepare<[number], string>('SELECT lower(hex(hash)) FROM events WHERE seq = ?').pluck();
  return judgeHead(checkpoint, publicKey, logHead, (seq) => hashAt.get(seq));
};
