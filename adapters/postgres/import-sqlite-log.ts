import { uts39UsernameLooks } from '../unicode/uts39-username-looks.js';
import Database from 'better-sqlite3';
import type pg from 'pg';
import type { EventTuple } from '../event-log/event-tuple.js';
import { eventColumns } from '../event-log/stored-event-from-row.js';
import { verifyLog } from '../sqlite/verify-log.js';
import { migratePostgres } from './migrate-postgres.js';
import { verifyPostgresChain } from './verify-postgres-log.js';

export interface ImportResult {
  readonly events: number;
  readonly projections: number;
}

const pageRows = 5000;

/**
 * `latchkey import-sqlite FILE`: moves a single node's log into an empty PostgreSQL log, rows as they are (seq, ids,
 * data and meta text, hashes), so the chain is the same chain: it is verified on the file before, and recomputed in
 * PostgreSQL after, inside the one transaction that imports it (a broken chain imports nothing). The projections
 * and usernames are copied with it (`latchkey replay` can rebuild them from the log).
 */
export const importSqliteLog = async (path: string, pool: pg.Pool): Promise<ImportResult> => {
  const before = await verifyLog(path);
  if (!before.ok) throw new Error(`the SQLite log's hash chain is broken at seq ${before.firstBadSeq}: nothing imported`);
  await migratePostgres(pool);
  const db = new Database(path, { readonly: true, fileMustExist: true });
  const client = await pool.connect();
  try {
    await client.query('BEGIN; LOCK TABLE chain_head IN EXCLUSIVE MODE');
    const present = (await client.query<{ n: number }>('SELECT count(*)::int8 AS n FROM events')).rows[0]!.n;
    if (present > 0) throw new Error(`the PostgreSQL log already holds ${present} events: import-sqlite only fills an empty one`);
    let events = 0;
    let last: [number, Buffer] = [0, Buffer.alloc(32)];
    const rows = db.prepare(`SELECT ${eventColumns}, hash FROM events ORDER BY seq`).raw().iterate() as IterableIterator<[...EventTuple, Buffer]>;
    let page: [...EventTuple, Buffer][] = [];
    const flush = async () => {
      if (page.length === 0) return;
      const col = (i: number) => page.map((r) => r[i]);
      await client.query(
        `INSERT INTO events (seq, id, stream, version, type, schema, data, meta, at, hash)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::integer[], $5::text[], $6::integer[], $7::text[], $8::text[], $9::bigint[], $10::bytea[])`,
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(col),
      );
      const tail = page[page.length - 1]!;
      last = [tail[0], tail[9]];
      events += page.length;
      page = [];
    };
    for (const row of rows) {
      page.push(row);
      if (page.length === pageRows) await flush();
    }
    await flush();
    await client.query('UPDATE chain_head SET seq = $1, hash = $2', last);
    const projections = db.prepare('SELECT stream, kind, version, state FROM projections').raw().all() as [string, string, number, string][];
    for (let i = 0; i < projections.length; i += pageRows) {
      const part = projections.slice(i, i + pageRows);
      await client.query('INSERT INTO projections (stream, kind, version, state) SELECT * FROM unnest($1::text[], $2::text[], $3::integer[], $4::text[])', [0, 1, 2, 3].map((c) => part.map((r) => r[c])));
    }
    const names = db.prepare('SELECT username, account_id FROM usernames').raw().all() as [string, string][];
    await client.query('INSERT INTO usernames (username, account_id) SELECT * FROM unnest($1::text[], $2::text[])', [names.map((n) => n[0]), names.map((n) => n[1])]);
    await client.query('INSERT INTO username_skeletons (username, skeleton) SELECT * FROM unnest($1::text[], $2::text[])', [names.map((n) => n[0]), names.map((n) => uts39UsernameLooks.skeleton(n[0]))]);
    const after = await verifyPostgresChain(client);
    if (!after.ok || after.events !== events) throw new Error(`the imported chain does not verify (at seq ${after.firstBadSeq}): nothing imported`);
    await client.query('COMMIT');
    return { events, projections: projections.length };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
    db.close();
  }
};
