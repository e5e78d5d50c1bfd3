import type { KeyObject } from 'node:crypto';
import type pg from 'pg';
import type { Checkpoint } from '../event-log/checkpoint.js';
import { type HeadCheck, checkpointSeqs, judgeHead } from '../event-log/head-check.js';

/**
 * The PostgreSQL log against a node's signed checkpoint of its head (docs/security.md §34; event-log/head-check.ts):
 * two reads of committed rows, the log's last seq and the hashes at the checkpoint's head and anchors. Nodes that go
 * on appending meanwhile only move the last seq on; a stored row's hash never changes (append-only).
 */
export const checkPostgresHead = async (db: pg.Pool | pg.ClientBase, checkpoint: Checkpoint, publicKey: KeyObject): Promise<HeadCheck> => {
  const logHead = (await db.query<{ n: number }>('SELECT coalesce(max(seq), 0)::int8 AS n FROM events')).rows[0]!.n;
  const rows = await db.query<{ seq: number; hash: string }>("SELECT seq, encode(hash, 'hex') AS hash FROM events WHERE seq = ANY($1::bigint[])", [checkpointSeqs(checkpoint)]);
  const hashes = new Map(rows.rows.map((r) => [r.seq, r.hash]));
  return judgeHead(checkpoint, publicKey, logHead, (seq) => hashes.get(seq));
};

/** The stored hash (hex) of the row at `seq`, undefined when there is none: the checkpoint writer's fork check. */
export const postgresHashAt = async (db: pg.Pool, seq: number): Promise<string | undefined> => {
  const r = await db.query<{ hash: string }>({ name: 'checkpoint-hash-at', text: "SELECT encode(hash, 'hex') AS hash FROM events WHERE seq = $1", values: [seq] });
  return r.rows[0]?.hash;
};

/** The chain head as committed (seq 0 and 32 zero bytes on an empty log): a node's checkpoint when it opens. */
export const postgresChainHead = async (db: pg.Pool): Promise<{ seq: number; hash: string }> => {
  const r = await db.query<{ seq: number; hash: string }>("SELECT seq, encode(hash, 'hex') AS hash FROM chain_head");
  return r.rows[0]!;
};
