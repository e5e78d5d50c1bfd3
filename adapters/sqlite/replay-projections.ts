import type Database from 'better-sqlite3';
import { isDomainError } from '../../core/errors.js';
import { Projector } from '../../core/projector.js';
import { type LatchkeyEvent, type StreamKind, eventSchema, parseStreamId, upcastEvent, upcastState } from '../../core/streams.js';
import { uts39UsernameLooks } from '../unicode/uts39-username-looks.js';
import { openDatabase } from './open-database.js';

export type ReplayProgress = (done: number, total?: number) => void;

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

export interface ReplayResult {
  readonly events: number;
  readonly streams: number;
  readonly equal: boolean;
  /** The first few disagreements, for a human; `equal` is the verdict. */
  readonly differences: readonly string[];
  readonly applied: boolean;
  /** How many disagreements there were in all (`differences` keeps the first few). */
  readonly differenceCount: number;
  /** Usernames the rebuild claimed, for a caller merging partitions (one account per name across all of them). */
  readonly claimedUsernames: ReadonlyMap<string, string>;
}

export const maxDifferences = 20;
const progressEvery = 1 << 16;
const pageRows = 4096;

/**
 * `latchkey replay` (docs/design.md "Replay"): rebuilds every projection from event 0 with the very Projector the live
 * appends use, and compares the result row by row with the live tables. Fast on purpose (>= 150k events/s): raw
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

/**
 * An event as the fold sees it, its data parsed on first use: about half the events of a login (PasswordAccepted,
 * LoginSucceeded, ChallengeCompleted, SessionRevoked) change a state without reading their data, and JSON.parse is
 * the largest cost of a replay after reading the row.
 */
export class StoredEventBody {
  readonly type: string;
  readonly #text: string;
  readonly #schema: number;
  #data: object | undefined;
  constructor(type: string, text: string, schema: number) {
    this.type = type;
    this.#text = text;
    this.#schema = schema;
  }
  /** Read as the current version of its type (the stream model's upcasters), as the live store reads it. */
  get data(): object {
    if (this.#data === undefined) {
      const data = JSON.parse(this.#text) as object;
      this.#data = this.#schema === eventSchema(this.type) ? data : upcastEvent(this.type, this.#schema, data);
    }
    return this.#data;
  }
}

/**
 * A live row that differs from its rebuilt state as text may only be older: an older version wrote it without a field
 * added since. Read as the store reads it (upcast), it must then equal the rebuilt state, key order aside.
 */
const sameAfterUpcast = (kind: StreamKind, live: string, rebuilt: unknown): boolean => sameValue(upcastState(kind, JSON.parse(live)), rebuilt);

const sameValue = (a: unknown, b: unknown): boolean => {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
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
  const differences: string[] = [];
  let differenceCount = 0;
  const differ = (text: string) => {
    if (differenceCount++ < maxDifferences) differences.push(text);
  };

  const total = (db.prepare('SELECT max(seq) FROM events').pluck().get() as number | null) ?? 0;
  const projector = new Projector();
  let events = 0;
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
      const seq = event[0];
      const stream = event[1];
      const version = event[2];
      const type = event[3];
      const data = event[4];
      const at = event[5];
      const schema = event[6];
      events++;
      if ((events & (progressEvery - 1)) === 0) onProgress?.(events, total);
      let row = projector.rows.get(stream);
      if (row === undefined) {
        const kind = parseStreamId(stream)?.kind;
        if (kind === undefined) {
          differ(`event ${seq}: stream ${stream} is of no known kind`);
          continue;
        }
        row = projector.row(kind, stream);
      }
      try {
        const folded = projector.fold(row, new StoredEventBody(type, data, schema) as unknown as LatchkeyEvent, at);
        if (folded !== version) differ(`event ${seq}: ${stream} version ${version} where the fold is at ${folded}`);
      } catch (err) {
        if (!isDomainError(err)) throw err;
        differ(`event ${seq}: ${stream} ${type} refused by the projector (${err.code})`);
      }
    }
  }
  onProgress?.(events, total);

  // Every rebuilt row starts unmatched (`changed`, as the fold left it); a live row that equals it clears the mark.
  const compare = (stream: string, kind: string, version: number, state: string): void => {
    const rebuilt = projector.rows.get(stream);
    if (rebuilt === undefined) {
      differ(`${stream}: in the live projections at version ${version} but not in the log`);
      return;
    }
    rebuilt.changed = false;
    if (rebuilt.version !== version) differ(`${stream}: live at version ${version}, rebuilt at version ${rebuilt.version}`);
    else if (rebuilt.kind !== kind || (JSON.stringify(rebuilt.state) !== state && !sameAfterUpcast(rebuilt.kind, state, rebuilt.state))) differ(`${stream}: state differs at version ${version}`);
  };
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
      compare(row[0], row[1], row[2], row[3]);
    }
  }
  projector.rows.forEach((row, stream) => {
    if (row.changed) differ(`${stream}: missing from the live projections (rebuilt at version ${row.version})`);
  });

  const liveNames = new Map(db.prepare(`SELECT username, account_id FROM usernames WHERE ${inPartition('account_id', partition)}`).raw().all() as [string, string][]);
  for (const [username, accountId] of liveNames) {
    if (projector.claimedUsernames.get(username) !== accountId) differ(`username ${JSON.stringify(username)} → ${accountId} only in the live table`);
  }
  for (const [username, accountId] of projector.claimedUsernames) {
    if (liveNames.get(username) !== accountId) differ(`username ${JSON.stringify(username)} → ${accountId} only in the rebuilt table`);
  }
  // The skeletons are a function of the names (docs/security.md §36): each claimed name has its own, and no other.
  const liveSkeletons = new Map(
    db.prepare(`SELECT s.username, s.skeleton FROM username_skeletons s JOIN usernames u USING (username) WHERE ${inPartition('u.account_id', partition)}`).raw().all() as [string, string][],
  );
  for (const username of projector.claimedUsernames.keys()) {
    if (liveSkeletons.get(username) !== uts39UsernameLooks.skeleton(username)) differ(`username ${JSON.stringify(username)}: its skeleton differs from the live table's`);
  }

  if (differenceCount > maxDifferences) differences.push(`… and ${differenceCount - maxDifferences} more`);
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
  return { events, streams: projector.rows.size, equal: differenceCount === 0, differences, applied: apply, differenceCount, claimedUsernames: projector.claimedUsernames };
};
