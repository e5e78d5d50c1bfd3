import type pg from 'pg';
import type { Projector } from '../../core/projector.js';
import { type ReplayProgress, type ReplayResult, ReplayJudge } from '../event-log/replay-judge.js';
import { uts39UsernameLooks } from '../unicode/uts39-username-looks.js';
import { eventPages } from './event-pages.js';

const pageRows = 20_000;
const insertRows = 5000;
/** What the fold reads of a row (not its id, meta or hash: less to send and to parse). */
const foldColumns = 'seq, stream, version, type, schema, data, at';
type FoldColumns = [seq: number, stream: string, version: number, type: string, schema: number, data: string, at: number];

/**
 * `latchkey replay` on the PostgreSQL log: every projection rebuilt from event 0 with the Projector the live appends
 * use, in one REPEATABLE READ snapshot (the nodes go on appending; their rows are the next run's), and compared with
 * the live `projections`, `usernames` and `username_skeletons`, judged as on the SQLite file (event-log/replay-judge.ts:
 * a row an older version stored is equal if it reads, upcast, as the rebuilt state). Each event's data is parsed only
 * if the fold reads it, and the next page is on its way while this one is folded (event-pages.ts). With `apply`, the
 * live tables are then replaced by the rebuilt ones in the same transaction, as `replay --apply` does on the file.
 */
export const replayPostgresLog = async (pool: pg.Pool, options: { readonly apply?: boolean; readonly onProgress?: ReplayProgress } = {}): Promise<ReplayResult> => {
  const { apply = false, onProgress } = options;
  const client = await pool.connect();
  try {
    // Applying holds the chain head from before the first read to the COMMIT: no node's append lands between the
    // rebuild and the swap (they wait on the lock, then answer 503 past LATCHKEY_BUSY_TIMEOUT_MS). Each read then
    // sees every committed row (READ COMMITTED), and none can be committed meanwhile.
    await client.query(apply ? 'BEGIN; SELECT 1 FROM chain_head FOR UPDATE' : 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const judge = new ReplayJudge();
    for await (const rows of eventPages<FoldColumns>(client, foldColumns, pageRows)) {
      for (let i = 0; i < rows.length; i++) {
        const event = rows[i]!;
        judge.fold(event[0], event[1], event[2], event[3], event[5], event[6], event[4]);
      }
      onProgress?.(judge.events);
    }
    const live = (await client.query<[string, string, number, string]>({ text: 'SELECT stream, kind, version, state FROM projections', rowMode: 'array' })).rows;
    for (const [stream, kind, version, state] of live) judge.compareProjection(stream, kind, version, state);
    judge.reportMissingProjections();
    judge.compareUsernames(new Map((await client.query<[string, string]>({ text: 'SELECT username, account_id FROM usernames', rowMode: 'array' })).rows));
    judge.compareSkeletons(new Map((await client.query<[string, string]>({ text: 'SELECT username, skeleton FROM username_skeletons', rowMode: 'array' })).rows));
    if (apply) await swapIn(client, judge.projector);
    return judge.result(apply);
  } finally {
    await client.query('ROLLBACK').catch(() => {});
    client.release();
  }
};

/** The live projections, usernames and their skeletons replaced by the rebuilt ones, then COMMIT. */
const swapIn = async (client: pg.PoolClient, projector: Projector): Promise<void> => {
  await client.query('DELETE FROM projections; DELETE FROM usernames; DELETE FROM username_skeletons');
  const rows = [...projector.rows];
  for (let i = 0; i < rows.length; i += insertRows) {
    const part = rows.slice(i, i + insertRows);
    await client.query('INSERT INTO projections (stream, kind, version, state) SELECT * FROM unnest($1::text[], $2::text[], $3::integer[], $4::text[])', [
      part.map(([stream]) => stream),
      part.map(([, r]) => r.kind),
      part.map(([, r]) => r.version),
      part.map(([, r]) => JSON.stringify(r.state)),
    ]);
  }
  const names = [...projector.claimedUsernames];
  for (let i = 0; i < names.length; i += insertRows) {
    const part = names.slice(i, i + insertRows);
    await client.query('INSERT INTO usernames (username, account_id) SELECT * FROM unnest($1::text[], $2::text[])', [part.map(([u]) => u), part.map(([, a]) => a)]);
    await client.query('INSERT INTO username_skeletons (username, skeleton) SELECT * FROM unnest($1::text[], $2::text[])', [part.map(([u]) => u), part.map(([u]) => uts39UsernameLooks.skeleton(u))]);
  }
  await client.query('COMMIT');
};
