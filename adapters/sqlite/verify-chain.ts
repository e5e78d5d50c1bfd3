import Database from 'better-sqlite3';
import { chainHashHex, genesisHash } from '../event-log/chain-hash.js';
import type { EventTuple } from '../event-log/event-tuple.js';
import { eventColumns } from '../event-log/stored-event-from-row.js';

export type VerifyProgress = (done: number, total?: number) => void;

export interface VerifyResult {
  readonly ok: boolean;
  /** Rows whose hash checked out (all of them when ok; those before `firstBadSeq` otherwise). */
  readonly events: number;
  /** The first row whose stored hash is not SHA-256(previous hash || its canonical bytes). */
  readonly firstBadSeq?: number;
}

/** Rows `from` to `to`, both included (seq values; gaps are allowed and are the chain's business). */
export interface SeqRange {
  readonly from: number;
  readonly to: number;
}

const progressEvery = 1 << 16;

/**
 * `latchkey verify` (docs/design.md "Event rows"): recomputes the hash chain from 32 zero bytes. A changed byte in any
 * hashed column breaks the row it is in; a deleted or inserted row breaks the row after it (its predecessor's
 * hash changed). A truncated tail leaves no row to break: compare the last hash with one kept elsewhere for that.
 * A path is opened read-only; the single SELECT reads one snapshot even while a server appends.
 *
 * With a `range`, only those rows are checked, chaining from the stored hash of the row before `from`: a row is
 * right when its stored hash is SHA-256(its predecessor's stored hash || its bytes), so ranges can be checked apart
 * (in parallel: `verifyLog`) and the first bad row of the first failing range is the first bad row of the whole.
 */
export const verifyChain = (source: string | Database.Database, onProgress?: VerifyProgress, range?: SeqRange): VerifyResult => {
  const db = typeof source === 'string' ? new Database(source, { readonly: true, fileMustExist: true }) : source;
  try {
    const total = (db.prepare('SELECT max(seq) FROM events').pluck().get() as number | null) ?? 0;
    const from = range?.from ?? Number.MIN_SAFE_INTEGER;
    const to = range?.to ?? Number.MAX_SAFE_INTEGER;
    const before = db.prepare('SELECT lower(hex(hash)) FROM events WHERE seq < ? ORDER BY seq DESC LIMIT 1').pluck().get(from) as string | undefined;
    const rows = db
      .prepare(`SELECT ${eventColumns}, lower(hex(hash)) FROM events WHERE seq BETWEEN ? AND ? ORDER BY seq`)
      .raw()
      .iterate(from, to) as IterableIterator<[...EventTuple, string]>;
    let previous = before ?? genesisHash.toString('hex');
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
