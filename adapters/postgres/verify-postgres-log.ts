import type pg from 'pg';
import { chainHashHex, genesisHash } from '../event-log/chain-hash.js';
import type { EventTuple } from '../event-log/event-tuple.js';
import { eventColumns } from '../event-log/stored-event-from-row.js';
import { eventPages } from './event-pages.js';
import type { VerifyProgress, VerifyResult } from '../sqlite/verify-chain.js';

const pageRows = 20_000;

/**
 * `latchkey verify` on the PostgreSQL log (docs/design.md "Event rows", "PostgreSQL"): the same chain as SQLite's,
 * recomputed from 32 zero bytes in seq order, in pages of one REPEATABLE READ snapshot (the next on its way while this one is hashed) (nodes appending meanwhile
 * are left to the next run). The chain head must name the last row and its hash: a truncated tail breaks there.
 */
export const verifyPostgresLog = async (pool: pg.Pool, onProgress?: VerifyProgress): Promise<VerifyResult> => {
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    return await verifyPostgresChain(client, onProgress);
  } finally {
    await client.query('ROLLBACK').catch(() => {});
    client.release();
  }
};

/** The check itself, on a connection whose transaction the caller holds (verify's snapshot, import's own rows). */
export const verifyPostgresChain = async (client: pg.ClientBase, onProgress?: VerifyProgress): Promise<VerifyResult> => {
  {
    const total = (await client.query<{ n: number }>('SELECT coalesce(max(seq), 0)::int8 AS n FROM events')).rows[0]!.n;
    let previous = genesisHash.toString('hex');
    let after = 0;
    let events = 0;
    for await (const rows of eventPages<[...EventTuple, string]>(client, `${eventColumns}, encode(hash, 'hex')`, pageRows)) {
      for (const row of rows) {
        const stored = row.pop();
        const expected = chainHashHex(previous, row as unknown as EventTuple);
        if (expected !== stored) return { ok: false, events, firstBadSeq: row[0] as number };
        previous = expected;
        after = row[0] as number;
        events++;
      }
      onProgress?.(events, total);
    }
    const head = (await client.query<{ seq: number; hash: string }>(`SELECT seq, encode(hash, 'hex') AS hash FROM chain_head`)).rows[0];
    if (head === undefined || head.seq < after || (head.seq === after && head.hash !== previous)) return { ok: false, events, firstBadSeq: after };
    if (head.seq > after) return { ok: false, events, firstBadSeq: after + 1 };
    return { ok: true, events };
  }
};
