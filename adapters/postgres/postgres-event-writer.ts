import pg from 'pg';
import { DomainError, isDomainError } from '../../core/errors.js';
import type { StoredEvent } from '../../core/event.js';
import type { AppendRequest } from '../../core/ports/event-store.js';
import { type ProjectionSource, Projector } from '../../core/projector.js';
import { type StreamKind, eventSchema, streamId } from '../../core/streams.js';
import { chainTail } from '../event-log/chain-hash.js';
import type { EventTuple } from '../event-log/event-tuple.js';
import { eventColumns, storedEventFromRow } from '../event-log/stored-event-from-row.js';
import { uts39UsernameLooks } from '../unicode/uts39-username-looks.js';
import { pgStorageError } from './pg-storage-error.js';

const { DatabaseError } = pg;

interface Pending {
  readonly request: AppendRequest;
  readonly resolve: (events: readonly StoredEvent[]) => void;
  readonly reject: (err: unknown) => void;
}

/** A projection row as the batch sees it: the stored one, or what an earlier append of the batch made it. */
interface Row {
  readonly kind: StreamKind;
  readonly version: number;
  readonly state: string;
}

interface PrefetchRow {
  readonly what: 'p' | 'u' | 'e' | 's';
  readonly k: string;
  readonly version: number;
  readonly v: string;
}

/** An append's events as folded, before `latchkey_append` has given them their seq numbers. */
type Unnumbered = readonly Omit<StoredEvent, 'seq'>[];

/** What folding a batch gives: each append's outcome, which of them are new to the log, and the statement's values. */
interface Folded {
  readonly outcomes: readonly (Unnumbered | readonly StoredEvent[] | DomainError)[];
  readonly fresh: ReadonlySet<Unnumbered>;
  readonly values: unknown[] | null;
}

/** What a node's writer is told at start (postgres-event-store.ts). */
export interface PostgresEventWriterOptions {
  /** Each append's time until its commit returned (or it failed), in seconds (/metrics). */
  readonly observeCommit?: (seconds: number) => void;
  /** The chain head a commit left, once its batch is answered (the node's checkpoints, docs/security.md §34). */
  readonly onCommitted?: (seq: number, hash: Buffer) => void;
  /** Under load, how long an append that finds the writer idle waits for others to share its commit (0: never). */
  readonly gatherMs?: number;
}

const maxBatch = 256;
/** Rows this node's loads saw, kept for the writer's fold (oldest dropped past this many). */
const maxSeen = 4096;
/** Reads and folds of one batch before its appends fail as 'stream_moved' (each round lost to another node's commit). */
const maxRounds = 8;

// The rows a batch folds onto and its command ids already in the log; the names and their skeletons only when it
// claims some. Each key probes its index alone (LATERAL … LIMIT 1 is not flattened into a join, which a generic plan
// would make a scan of the whole table).
const probe = (what: string, param: string, table: string, key: string, columns: string) =>
  `SELECT '${what}' AS what, q.k, r.version, r.v FROM unnest(${param}::text[]) AS q(k) CROSS JOIN LATERAL (SELECT ${columns} FROM ${table} WHERE ${key} = q.k LIMIT 1) r`;
const prefetchSql = [probe('p', '$1', 'projections', 'stream', 'version, state AS v'), probe('e', '$2', 'events', 'id', "0 AS version, '' AS v")].join(' UNION ALL ');
const prefetchNamesSql = [prefetchSql, probe('u', '$3', 'usernames', 'username', '0 AS version, account_id AS v'), probe('s', '$4', 'username_skeletons', 'skeleton', '0 AS version, username AS v')].join(' UNION ALL ');
const appendSql = `SELECT first_seq, head_hash FROM latchkey_append(${Array.from({ length: 18 }, (_, i) => `$${i + 1}`).join(', ')})`;

/** Another node's commit moved what the batch read (latchkey_append's LKSTL), or took one of its unique keys first. */
const moved = (err: unknown): boolean => err instanceof DatabaseError && (err.code === 'LKSTL' || err.code === '23505');

/**
 * The appending side of the PostgreSQL log (docs/design.md "PostgreSQL"), one per node, on one connection of its
 * own (its statements named: parsed and planned once per connection). Group commit: the appends that arrive while
 * a commit is in flight wait, then share the next one and its one WAL flush (synchronous_commit = on); under load,
 * one that finds the writer idle waits `gatherMs` for the appends right behind it (docs/design.md). A commit is
 * one or two round trips however many appends it holds, and no transaction stays open across the network: take the
 * rows the batch extends from this node's loads (`seen`) or else read every projection row, username and command id
 * the batch names (one statement, no lock); fold each append through the Projector (a stale expected version refuses that append alone, before it has written anything); then one call of
 * `latchkey_append` (pg-migrations.ts, step 2), a transaction of its own, which under the chain head's row lock
 * checks that nothing the fold read has moved, gives the seq numbers, chains the hashes and writes every event,
 * projection and username. When another node's commit moved a row in between (or took a unique key), the batch is
 * read and folded again. Nothing is answered before that statement has committed; a lost database fails every
 * append of the batch as 'unavailable' (503).
 */
export class PostgresEventWriter {
  readonly #pool: pg.Pool;
  #queue: Pending[] = [];
  #running = false;
  #lastSeq = 0;
  #lastHash: Buffer | null = null;
  /** The projection rows this node's loads read last (null: absent), the fold's first guess at what a batch extends. */
  readonly #seen = new Map<string, Row | null>();
  readonly #observeCommit: (seconds: number) => void;
  readonly #onCommitted: (seq: number, hash: Buffer) => void;
  readonly #gatherMs: number;
  /** The mean time between appends (ms, a moving average): under load, an idle writer waits for company. */
  #meanGapMs = Infinity;
  #lastArrival = -Infinity;
  /** Set while the first append of a batch waits for others (gatherMs). */
  #gathering: NodeJS.Timeout | undefined;
  /** The drain under way, if any (close waits for it). */
  #draining: Promise<void> = Promise.resolve();

  constructor(pool: pg.Pool, options: PostgresEventWriterOptions = {}) {
    this.#pool = pool;
    this.#observeCommit = options.observeCommit ?? (() => {});
    this.#onCommitted = options.onCommitted ?? (() => {});
    this.#gatherMs = Math.max(0, options.gatherMs ?? 0);
  }

  /** The last seq this node committed (the `latchkey_events_last_seq` gauge). */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  /**
   * A projection row as a load of this node just read it (state: the stored JSON; undefined: no row). The command
   * that read it usually appends to it next: the first fold of its batch starts from this row instead of reading it
   * again, and `latchkey_append` still checks its version under the chain head's lock (a row another node has
   * moved since fails that round, and the next reads every row).
   */
  seen(kind: StreamKind, stream: string, row: { readonly version: number; readonly state: string } | undefined): void {
    this.#seen.delete(stream);
    this.#seen.set(stream, row === undefined ? null : { kind, version: row.version, state: row.state });
    if (this.#seen.size > maxSeen) this.#seen.delete(this.#seen.keys().next().value!);
  }

  append(request: AppendRequest): Promise<readonly StoredEvent[]> {
    const started = performance.now();
    const settled = () => this.#observeCommit((performance.now() - started) / 1000);
    // A gap counts up to ten windows: one quiet spell that long ends the gathering (the mean is past two windows).
    const gap = Math.min(started - this.#lastArrival, 10 * this.#gatherMs);
    this.#meanGapMs = this.#meanGapMs === Infinity ? gap : this.#meanGapMs * 0.8 + gap * 0.2;
    this.#lastArrival = started;
    return new Promise((resolve, reject) => {
      this.#queue.push({ request, resolve: (events) => (settled(), resolve(events)), reject: (err) => (settled(), reject(err)) });
      if (this.#running) return;
      if (this.#gathering !== undefined) {
        if (this.#queue.length >= maxBatch) this.#startDrain();
      } else if (this.#meanGapMs < 2 * this.#gatherMs) {
        // Appends arrive less than two windows apart: the first waits one window for the next to share its commit
        // (its WAL flush, the function call and the round trip: measured in docs/performance.md "PostgreSQL").
        this.#gathering = setTimeout(() => this.#startDrain(), this.#gatherMs);
      } else this.#startDrain();
    });
  }

  /** Commits what is queued now (a batch still gathering, at once), and resolves once every append has its answer. */
  async idle(): Promise<void> {
    if (this.#gathering !== undefined) this.#startDrain();
    await this.#draining;
  }

  #startDrain(): void {
    clearTimeout(this.#gathering);
    this.#gathering = undefined;
    this.#draining = this.#drain();
  }

  async #drain(): Promise<void> {
    this.#running = true;
    try {
      while (this.#queue.length > 0) await this.#commit(this.#queue.splice(0, maxBatch));
    } finally {
      this.#running = false;
    }
  }

  async #commit(batch: readonly Pending[]): Promise<void> {
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (err) {
      for (const p of batch) p.reject(pgStorageError(err));
      return;
    }
    let broken: Error | undefined;
    try {
      for (let round = 1; ; round++) {
        try {
          const outcomes = await this.#write(client, await this.#fold(client, batch, round === 1));
          batch.forEach((p, i) => {
            const outcome = outcomes[i]!;
            if (outcome instanceof DomainError) p.reject(outcome);
            else p.resolve(outcome);
          });
          if (this.#lastHash !== null) this.#onCommitted(this.#lastSeq, this.#lastHash);
          return;
        } catch (err) {
          if (moved(err) && round < maxRounds) continue;
          // A statement PostgreSQL refused leaves the connection usable (each is its own transaction, none is left
          // open); any other failure (the connection lost, a protocol error) drops it.
          if (!(err instanceof DatabaseError)) broken = err instanceof Error ? err : new Error(String(err));
          for (const p of batch) p.reject(pgStorageError(err));
          return;
        }
      }
    } finally {
      client.release(broken);
    }
  }

  /** The batch folded onto the rows as they are now: each append's outcome, and what `latchkey_append` must write. */
  async #fold(client: pg.PoolClient, batch: readonly Pending[], firstRound: boolean): Promise<Folded> {
    const rows = new Map<string, Row | undefined>();
    const owners = new Map<string, string | undefined>();
    // Skeleton → the claimed names that have it (docs/security.md §36), from the log's table and this batch.
    const lookalikes = new Map<string, Set<string>>();
    const existing = (firstRound && this.#fromSeen(batch, rows)) || (await this.#prefetch(client, batch, rows, owners, lookalikes));
    // The version of every row the fold starts from (0: absent), checked again under the chain head's lock.
    const read = [...rows].map(([stream, row]) => [stream, row?.version ?? 0] as const);
    const columns = { id: [] as string[], stream: [] as string[], version: [] as number[], type: [] as string[], schema: [] as number[], data: [] as string[], meta: [] as string[], at: [] as number[], tail: [] as Buffer[] };
    const newUsernames = new Map<string, string>();
    const dirty = new Set<string>();
    const byCommand = new Map<string, Unnumbered | readonly StoredEvent[]>();
    const fresh = new Set<Unnumbered>();
    const source: ProjectionSource = {
      projection: (stream) => {
        const row = rows.get(stream);
        return row && { version: row.version, state: JSON.parse(row.state) as unknown };
      },
      usernameOwner: (username) => newUsernames.get(username) ?? owners.get(username),
      lookalikeOf: (username) => [...(lookalikes.get(uts39UsernameLooks.skeleton(username)) ?? [])].find((n) => n !== username),
    };
    const outcomes: (Unnumbered | readonly StoredEvent[] | DomainError)[] = [];
    for (const { request } of batch) {
      const earlier = byCommand.get(request.commandId);
      if (earlier !== undefined) {
        outcomes.push(earlier);
        continue;
      }
      if (existing.has(request.commandId)) {
        const events = await this.#eventsOfCommand(client, request.commandId);
        byCommand.set(request.commandId, events);
        outcomes.push(events);
        continue;
      }
      const meta = JSON.stringify(request.meta);
      const projector = new Projector(source);
      const staged: Omit<StoredEvent, 'seq'>[] = [];
      const tuples: EventTuple[] = [];
      try {
        projector.applyWrites(request.writes, request.at, (stream, version, event) => {
          const schema = eventSchema(event.type);
          const id = `${request.commandId}:${staged.length}`;
          // seq 0 here: chainTail leaves the seq out (latchkey_append gives it).
          tuples.push([0, id, stream, version, event.type, schema, JSON.stringify(event.data), meta, request.at]);
          staged.push({ id, stream, version, type: event.type, schema, data: event.data, meta: request.meta, at: request.at });
        });
      } catch (err) {
        if (!isDomainError(err)) throw err;
        outcomes.push(err);
        continue;
      }
      for (const row of tuples) {
        const [, id, stream, version, type, schema, data, , at] = row;
        columns.id.push(id);
        columns.stream.push(stream);
        columns.version.push(version);
        columns.type.push(type);
        columns.schema.push(schema);
        columns.data.push(data);
        columns.meta.push(meta);
        columns.at.push(at);
        columns.tail.push(chainTail(row));
      }
      for (const [stream, row] of projector.rows) {
        if (!row.changed) continue;
        rows.set(stream, { kind: row.kind, version: row.version, state: JSON.stringify(row.state) });
        dirty.add(stream);
      }
      for (const [username, accountId] of projector.claimedUsernames) {
        newUsernames.set(username, accountId);
        const skeleton = uts39UsernameLooks.skeleton(username);
        lookalikes.set(skeleton, (lookalikes.get(skeleton) ?? new Set()).add(username));
      }
      fresh.add(staged);
      byCommand.set(request.commandId, staged);
      outcomes.push(staged);
    }
    if (columns.id.length === 0) return { outcomes, fresh, values: null };
    const changed = [...dirty].map((stream) => [stream, rows.get(stream)!] as const);
    const names = [...newUsernames.keys()];
    const values = [
      columns.id, columns.stream, columns.version, columns.type, columns.schema, columns.data, columns.meta, columns.at, columns.tail,
      read.map(([stream]) => stream), read.map(([, version]) => version),
      changed.map(([stream]) => stream), changed.map(([, r]) => r.kind), changed.map(([, r]) => r.version), changed.map(([, r]) => r.state),
      names, [...newUsernames.values()], names.map((u) => uts39UsernameLooks.skeleton(u)),
    ];
    return { outcomes, fresh, values };
  }

  /** One `latchkey_append`; the new appends' events take their seq numbers from the first it gave, in batch order. */
  async #write(client: pg.PoolClient, { outcomes, fresh, values }: Folded): Promise<(readonly StoredEvent[] | DomainError)[]> {
    if (values === null) return outcomes as (readonly StoredEvent[] | DomainError)[];
    const r = await client.query<{ first_seq: string; head_hash: Buffer }>({ name: 'writer-append', text: appendSql, values });
    let seq = Number(r.rows[0]!.first_seq);
    const numbered = new Map<Unnumbered, readonly StoredEvent[]>();
    for (const staged of fresh) numbered.set(staged, staged.map((e) => ({ ...e, seq: seq++ })));
    this.#lastSeq = seq - 1;
    this.#lastHash = r.rows[0]!.head_hash;
    // A command asked twice in one batch answers both with the same events.
    return outcomes.map((o) => (o instanceof DomainError ? o : (numbered.get(o) ?? (o as readonly StoredEvent[]))));
  }

  /**
   * The batch's rows from what this node's loads saw, when it has every one at the version its append expects (or
   * the append expects the stream new) and the batch claims no name (a claim needs the names table). Its command
   * ids are then not looked up: a command already in the log fails `latchkey_append` (a row it wrote has moved, or
   * the events' unique id), and the next round reads and finds it. Null when a row is missing: the batch is read.
   */
  #fromSeen(batch: readonly Pending[], rows: Map<string, Row | undefined>): Set<string> | null {
    const found = new Map<string, Row | undefined>();
    for (const { request } of batch) {
      for (const write of request.writes) {
        const stream = streamId(write.kind, write.id);
        // A stream the command expects new needs no load: absent is checked under the lock like any version.
        const row = this.#seen.get(stream) ?? (write.expectedVersion === 0 ? null : undefined);
        if (row === undefined || (write.expectedVersion !== 'any' && write.expectedVersion !== (row?.version ?? 0))) return null;
        if (write.events.some((event) => event.type === 'AccountRegistered')) return null;
        found.set(stream, row ?? undefined);
      }
    }
    for (const [stream, row] of found) {
      rows.set(stream, row);
      this.#seen.delete(stream);
    }
    return new Set();
  }

  /** Every projection row and username the batch may fold onto, and which of its commands are already in the log. */
  async #prefetch(client: pg.PoolClient, batch: readonly Pending[], rows: Map<string, Row | undefined>, owners: Map<string, string | undefined>, lookalikes: Map<string, Set<string>>): Promise<Set<string>> {
    const kinds = new Map<string, StreamKind>();
    const usernames = new Set<string>();
    for (const { request } of batch) {
      for (const write of request.writes) {
        kinds.set(streamId(write.kind, write.id), write.kind);
        for (const event of write.events) if (event.type === 'AccountRegistered') usernames.add(event.data.username);
      }
    }
    for (const stream of kinds.keys()) rows.set(stream, undefined);
    const firstIds = batch.map((p) => `${p.request.commandId}:0`);
    const result =
      usernames.size === 0
        ? await client.query<PrefetchRow>({ name: 'writer-prefetch', text: prefetchSql, values: [[...kinds.keys()], firstIds] })
        : await client.query<PrefetchRow>({ name: 'writer-prefetch-names', text: prefetchNamesSql, values: [[...kinds.keys()], firstIds, [...usernames], [...usernames].map((u) => uts39UsernameLooks.skeleton(u))] });
    const existing = new Set<string>();
    for (const r of result.rows) {
      if (r.what === 'p') rows.set(r.k, { kind: kinds.get(r.k)!, version: r.version, state: r.v });
      else if (r.what === 'u') owners.set(r.k, r.v);
      else if (r.what === 's') lookalikes.set(r.k, (lookalikes.get(r.k) ?? new Set()).add(r.v));
      else existing.add(r.k.slice(0, -2));
    }
    return existing;
  }

  /** Idempotency: event ids are `<commandId>:<n>`, so a command already appended is found by its ids. */
  async #eventsOfCommand(client: pg.PoolClient, commandId: string): Promise<StoredEvent[]> {
    const events: StoredEvent[] = [];
    for (;;) {
      const r = await client.query<EventTuple>({ text: `SELECT ${eventColumns} FROM events WHERE id = $1`, values: [`${commandId}:${events.length}`], rowMode: 'array' });
      if (r.rows.length === 0) return events;
      events.push(storedEventFromRow(r.rows[0]!));
    }
  }
}
