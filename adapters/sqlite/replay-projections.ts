import type Database from 'better-sqlite3';
import { type ReplayProgress, type ReplayResult, ReplayJudge } from '../event-log/replay-judge.js';
import { uts39UsernameLooks } from '../unicode/uts39-username-looks.js';
import { openDatabase } from './open-database.js';

/** One of `count` disjoint sets of streams: a stream, its projection row and its account's usernames fall in one. */
export interface StreamPartition {
  readonly index: number;
  readonly count: number;
}

export interface ReplayOptions {
  /** Replace the live projection tables by the rebuilt ones (in one transaction that holds the write lock). */
  readonly apply?: boolean;
  readonly onProgress?: ReplayProgress;
  /** Replay and compare only these streams (a worker's share of `replayLog`); all of them by default. */
  readonly partition?: StreamPartition;
}

const progressEvery = 1 << 16;
const pageRows = 4096;

/**
 * `latchkey replay` (docs/design.md "Replay") on the SQLite file: every projection rebuilt from event 0 and compared
 * row by row with the live tables, judged as on every store (event-log/replay-judge.ts). Fast on purpose (>= 150k events/s): raw
 * rows, one JSON.parse per event, the rebuilt states kept in memory and compared as the JSON text the store writes
 * (one scan of each live table, no temporary tables). The whole run is one transaction, so a server appending
 * meanwhile cannot make it compare two moments.
 */
export const replayProjections = (source: string | Database.Database, options: ReplayOptions = {}): ReplayResult => {
  const { apply = false, onProgress, partition = allStreams } = options;
  if (apply && partition.count !== 1) throw new Error('replay --apply rebuilds every stream: it cannot run on a partition');
  const db = typeof source === 'string' ? openDatabase(source, { fileMustExist: true }) : source;
  try {
    const run = db.transaction(() => replayInTransaction(db, apply, partition, onProgress));
    // Deferred is enough to compare (a read snapshot); applying takes the write lock up front so no append can land
    // between the rebuild and the swap.
    return apply ? run.immediate() : run.deferred();
  } finally {
    if (typeof source === 'string') db.close();
  }
};

const allStreams: StreamPartition = { index: 0, count: 1 };

/**
 * The SQL condition choosing a partition's rows by the next-to-last byte of a stream or account id: random in
 * practice (hex for UUIDs; base64url for probe digests, whose last character carries only four bits), so the shares
 * are even, and one byte costs SQLite half of what two do. An account stream ends with its account id, so its
 * usernames go with it. Bytes rather than characters (the ids are ASCII, so they are the same): to find a negative
 * offset SQLite counts a text's characters, a blob's it does not, which was a third of the condition's cost.
 */
const inPartition = (column: string, { index, count }: StreamPartition): string => {
  if (!(Number.isInteger(count) && count >= 1 && Number.isInteger(index) && index >= 0 && index < count)) throw new Error(`no partition ${index} of ${count}`);
  return count === 1 ? '1' : `unicode(substr(CAST(${column} AS BLOB), -2, 1)) % ${count} = ${index}`;
};

const replayInTransaction = (db: Database.Database, apply: boolean, partition: StreamPartition, onProgress?: ReplayProgress): ReplayResult => {
  const judge = new ReplayJudge();
  const total = (db.prepare('SELECT max(seq) FROM events').pluck().get() as number | null) ?? 0;
  // Pages of rows through .all() rather than .iterate(): one call into SQLite per page instead of one per row.
  const page = db
    .prepare(`SELECT seq, stream, version, type, data, at, schema FROM events WHERE seq > ? AND ${inPartition('stream', partition)} ORDER BY seq LIMIT ${pageRows}`)
    .raw();
  for (let after = Number.MIN_SAFE_INTEGER; ; ) {
    const rows = page.all(after) as [number, string, number, string, string, number, number][];
    if (rows.length === 0) break;
    after = rows[rows.length - 1]![0];
    // Indexed rather than `for (const [seq, …] of rows)`: iterating the page and destructuring each row go through
    // the array iterator, a few percent of a replay (paired runs over a 1,000,000-event log).
    for (let i = 0; i < rows.length; i++) {
      const event = rows[i]!;
      judge.fold(event[0], event[1], event[2], event[3], event[4], event[5], event[6]);
      if ((judge.events & (progressEvery - 1)) === 0) onProgress?.(judge.events, total);
    }
  }
  onProgress?.(judge.events, total);

  // Paged along the table's key (WITHOUT ROWID since migration 4): every stream id sorts after ''.
  const livePage = db
    .prepare(`SELECT stream, kind, version, state FROM projections WHERE stream > ? AND ${inPartition('stream', partition)} ORDER BY stream LIMIT ${pageRows}`)
    .raw();
  for (let after = ''; ; ) {
    const live = livePage.all(after) as [string, string, number, string][];
    if (live.length === 0) break;
    after = live[live.length - 1]![0];
    for (let i = 0; i < live.length; i++) {
      const row = live[i]!;
      judge.compareProjection(row[0], row[1], row[2], row[3]);
    }
  }
  judge.reportMissingProjections();

  judge.compareUsernames(new Map(db.prepare(`SELECT username, account_id FROM usernames WHERE ${inPartition('account_id', partition)}`).raw().all() as [string, string][]));
  // A skeleton goes with its name's account; one whose name is in no live row (never in a table the store wrote) is
  // the first partition's to report.
  const orphans = partition.count > 1 && partition.index === 0 ? ' OR u.account_id IS NULL' : '';
  judge.compareSkeletons(
    new Map(
      db
        .prepare(`SELECT s.username, s.skeleton FROM username_skeletons s LEFT JOIN usernames u USING (username) WHERE ${inPartition('u.account_id', partition)}${orphans}`)
        .raw()
        .all() as [string, string][],
    ),
  );

  const { projector } = judge;
  if (apply) {
    db.exec('DELETE FROM main.projections; DELETE FROM main.usernames; DELETE FROM main.username_skeletons;');
    const insertProjection = db.prepare('INSERT INTO main.projections (stream, kind, version, state) VALUES (?, ?, ?, ?)');
    for (const [stream, row] of projector.rows) insertProjection.run(stream, row.kind, row.version, JSON.stringify(row.state));
    const insertUsername = db.prepare('INSERT INTO main.usernames (username, account_id) VALUES (?, ?)');
    const insertSkeleton = db.prepare('INSERT INTO main.username_skeletons (username, skeleton) VALUES (?, ?)');
    for (const [username, accountId] of projector.claimedUsernames) {
      insertUsername.run(username, accountId);
      insertSkeleton.run(username, uts39UsernameLooks.skeleton(username));
    }
  }
  return judge.result(apply);
};
