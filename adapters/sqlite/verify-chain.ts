import Database from 'better-sqlite3';
import { chainHashHex, genesisHash } from './chain-hash.js';
import type { EventTuple } from './event-tuple.js';
import { eventColumns } from './stored-event-from-row.js';

export type VerifyProgress = (done: number, total?: number) => void;

export interface VerifyResult {
  readonly ok: boolean;
  /** Rows whose hash checked out (all of them when ok; those before `firstBadSeq` otherwise). */
  readonly events: number;
  /** The first row whose stored hash is not SHA-256(previous hash || its canonical bytes). */
  readonly firstBadSeq?: number;
}

const progressEvery = 1 << 16;

/**
 * `latchkey verify` (DESIGN.md "Event rows"): recomputes the hash chain from 32 zero bytes. A changed byte in any
 * hashed column breaks the row it is in; a deleted or inserted row breaks the row after it (its predecessor's
 * hash changed). A truncated tail leaves no row to break: compare the last hash with one kept elsewhere for that.
 * A path is opened read-only; the single SELECT reads one snapshot even while a server appends.
 */
export const verifyChain = (source: string | Database.Database, onProgress?: VerifyProgress): VerifyResult => {
  const db = typeof source === 'string' ? new Database(source, { readonly: true, fileMustExist: true }) : source;
  try {
    const total = (db.prepare('SELECT max(seq) FROM events').pluck().get() as number | null) ?? 0;
    const rows = db.prepare(`SELECT ${eventColumns}, lower(hex(hash)) FROM events ORDER BY seq`).raw().iterate() as IterableIterator<[...EventTuple, string]>;
    let previous = genesisHash.toString('hex');
    let events = 0;
    for (const row of rows) {
      const stored = row.pop();
      const expected = chainHashHex(previous, row as unknown as EventTuple);
      if (expected !== stored) {
        return { ok: false, events, firstBadSeq: row[0] as number };
      }
      previous = expected;
      events++;
      if ((events & (progressEvery - 1)) === 0) onProgress?.(events, total);
    }
    onProgress?.(events, total);
    return { ok: true, events };
  } finally {
    if (typeof source === 'string') db.close();
  }
};
