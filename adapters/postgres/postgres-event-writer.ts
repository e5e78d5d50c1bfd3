import type pg from 'pg';
import { DomainError, isDomainError } from '../../core/errors.js';
import type { StoredEvent } from '../../core/event.js';
import type { AppendRequest } from '../../core/ports/event-store.js';
import { type ProjectionSource, Projector } from '../../core/projector.js';
import { uts39UsernameLooks } from '../unicode/uts39-username-looks.js';
import { type StreamKind, eventSchema, streamId } from '../../core/streams.js';
import { chainHash } from '../event-log/chain-hash.js';
import type { EventTuple } from '../event-log/event-tuple.js';
import { eventColumns, storedEventFromRow } from '../event-log/stored-event-from-row.js';
import { pgStorageError } from './pg-storage-error.js';

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

const maxBatch = 256;

const prefetchSql = `
  SELECT 'p' AS what, stream AS k, version, state AS v FROM projections WHERE stream = ANY($1::text[])
  UNION ALL SELECT 'u', username, 0, account_id FROM usernames WHERE username = ANY($2::text[])
  UNION ALL SELECT 'e', id, 0, '' FROM events WHERE id = ANY($3::text[])
  UNION ALL SELECT 's', skeleton, 0, username FROM username_skeletons WHERE skeleton = ANY($4::text[])`;

const writeSql = `
  WITH e AS (
    INSERT INTO events (seq, id, stream, version, type, schema, data, meta, at, hash)
    SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::integer[], $5::text[], $6::integer[], $7::text[], $8::text[], $9::bigint[], $10::bytea[])
  ), p AS (
    INSERT INTO projections (stream, kind, version, state) SELECT * FROM unnest($11::text[], $12::text[], $13::integer[], $14::text[])
    ON CONFLICT (stream) DO UPDATE SET kind = excluded.kind, version = excluded.version, state = excluded.state
  ), u AS (
    INSERT INTO usernames (username, account_id) SELECT * FROM unnest($15::text[], $16::text[])
  ), s AS (
    INSERT INTO username_skeletons (username, skeleton) SELECT * FROM unnest($15::text[], $17::text[])
  )
  SELECT 1`;

/**
 * The appending side of the PostgreSQL log (docs/design.md "PostgreSQL"), one per node, on one connection of its
 * own (its two parameterised statements named: parsed and planned once per connection). Group commit: the appends that arrive while a commit is in flight wait, then share the next transaction and
 * its one WAL flush (synchronous_commit = on). A transaction is four round trips, however many appends it holds:
 * BEGIN and lock the chain head (FOR UPDATE: the nodes' appends queue there, so seq order is commit order and each
 * hash chains from the one committed before it); read every projection row, username and command id the batch
 * names; fold each append through the Projector (a stale expected version refuses that append alone, before it has
 * written anything); write every event, projection and username of the batch in one statement; move the head and
 * COMMIT. Nothing is answered before the COMMIT returns; if anything in the transaction fails, every append in it
 * fails (a unique clash as 'stream_moved', retried; a lost database as 'unavailable', 503).
 */
export class PostgresEventWriter {
  readonly #pool: pg.Pool;
  #queue: Pending[] = [];
  #running = false;
  #lastSeq = 0;
  #lastHash: Buffer | null = null;
  readonly #observeCommit: (seconds: number) => void;
  readonly #onCommitted: (seq: number, hash: Buffer) => void;

  /**
   * `observeCommit`: each append's time until its COMMIT returned (or it failed), in seconds (/metrics).
   * `onCommitted`: the chain head a COMMIT left, once its batch is answered (the node's checkpoints, docs/security.md §34).
   */
  constructor(pool: pg.Pool, observeCommit: (seconds: number) => void = () => {}, onCommitted: (seq: number, hash: Buffer) => void = () => {}) {
    this.#pool = pool;
    this.#observeCommit = observeCommit;
    this.#onCommitted = onCommitted;
  }

  /** The last seq this node committed or saw at the head (the `latchkey_events_last_seq` gauge). */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  append(request: AppendRequest): Promise<readonly StoredEvent[]> {
    const started = performance.now();
    const settled = () => this.#observeCommit((performance.now() - started) / 1000);
    return new Promise((resolve, reject) => {
      this.#queue.push({ request, resolve: (events) => (settled(), resolve(events)), reject: (err) => (settled(), reject(err)) });
      if (!this.#running) void this.#drain();
    });
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
    let broken: unknown;
    try {
      const outcomes = await this.#inTransaction(client, batch);
      batch.forEach((p, i) => {
        const outcome = outcomes[i]!;
        if (outcome instanceof DomainError) p.reject(outcome);
        else p.resolve(outcome);
      });
      if (this.#lastHash !== null) this.#onCommitted(this.#lastSeq, this.#lastHash);
    } catch (err) {
      broken = err;
      await client.query('ROLLBACK').then(
        () => (broken = undefined),
        () => {},
      );
      for (const p of batch) p.reject(pgStorageError(err));
    } finally {
      // A connection whose ROLLBACK failed is dropped, not reused.
      client.release(broken instanceof Error ? broken : undefined);
    }
  }

  async #inTransaction(client: pg.PoolClient, batch: readonly Pending[]): Promise<(readonly StoredEvent[] | DomainError)[]> {
    const [, head] = (await client.query('BEGIN; SELECT seq, hash FROM chain_head FOR UPDATE')) as unknown as [unknown, pg.QueryResult<{ seq: number; hash: Buffer }>];
    let seq = head.rows[0]!.seq;
    let hash = head.rows[0]!.hash;
    const rows = new Map<string, Row | undefined>();
    const owners = new Map<string, string | undefined>();
    // Skeleton → the claimed names that have it (docs/security.md §36), from the log's table and this batch.
    const lookalikes = new Map<string, Set<string>>();
    const existing = await this.#prefetch(client, batch, rows, owners, lookalikes);
    const columns = { seq: [] as number[], id: [] as string[], stream: [] as string[], version: [] as number[], type: [] as string[], schema: [] as number[], data: [] as string[], meta: [] as string[], at: [] as number[], hash: [] as Buffer[] };
    const newUsernames = new Map<string, string>();
    const dirty = new Set<string>();
    const byCommand = new Map<string, readonly StoredEvent[]>();
    const source: ProjectionSource = {
      projection: (stream) => {
        const row = rows.get(stream);
        return row && { version: row.version, state: JSON.parse(row.state) as unknown };
      },
      usernameOwner: (username) => newUsernames.get(username) ?? owners.get(username),
      lookalikeOf: (username) => [...(lookalikes.get(uts39UsernameLooks.skeleton(username)) ?? [])].find((n) => n !== username),
    };
    const outcomes: (readonly StoredEvent[] | DomainError)[] = [];
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
      const staged: { row: EventTuple; hash: Buffer; event: StoredEvent }[] = [];
      let nextSeq = seq;
      let nextHash = hash;
      try {
        projector.applyWrites(request.writes, request.at, (stream, version, event) => {
          nextSeq += 1;
          const schema = eventSchema(event.type);
          const row: EventTuple = [nextSeq, `${request.commandId}:${staged.length}`, stream, version, event.type, schema, JSON.stringify(event.data), meta, request.at];
          nextHash = chainHash(nextHash, row);
          // chainHash returns a fresh Buffer per call (one-shot hash), kept as the row's stored hash.
          staged.push({ row, hash: nextHash, event: { seq: nextSeq, id: row[1], stream, version, type: event.type, schema, data: event.data, meta: request.meta, at: request.at } });
        });
      } catch (err) {
        if (!isDomainError(err)) throw err;
        outcomes.push(err);
        continue;
      }
      seq = nextSeq;
      hash = nextHash;
      for (const s of staged) {
        const [rs, id, stream, version, type, schema, data, , at] = s.row;
        columns.seq.push(rs);
        columns.id.push(id);
        columns.stream.push(stream);
        columns.version.push(version);
        columns.type.push(type);
        columns.schema.push(schema);
        columns.data.push(data);
        columns.meta.push(meta);
        columns.at.push(at);
        columns.hash.push(s.hash);
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
      const events = staged.map((s) => s.event);
      byCommand.set(request.commandId, events);
      outcomes.push(events);
    }
    if (columns.seq.length > 0) {
      const changed = [...dirty].map((stream) => [stream, rows.get(stream)!] as const);
      await client.query({ name: 'writer-write', text: writeSql, values: [
        columns.seq, columns.id, columns.stream, columns.version, columns.type, columns.schema, columns.data, columns.meta, columns.at, columns.hash,
        changed.map(([s]) => s), changed.map(([, r]) => r.kind), changed.map(([, r]) => r.version), changed.map(([, r]) => r.state),
        [...newUsernames.keys()], [...newUsernames.values()], [...newUsernames.keys()].map((u) => uts39UsernameLooks.skeleton(u)),
      ] });
      await client.query(`UPDATE chain_head SET seq = ${seq}, hash = '\\x${hash.toString('hex')}'; COMMIT`);
    } else {
      await client.query('COMMIT');
    }
    this.#lastSeq = seq;
    this.#lastHash = hash;
    return outcomes;
  }

  /** Every projection row and username the batch may fold onto, and which of its commands are already in the log. */
  async #prefetch(client: pg.PoolClient, batch: readonly Pending[], rows: Map<string, Row | undefined>, owners: Map<string, string | undefined>, lookalikes: Map<string, Set<string>>): Promise<Set<string>> {
    const streams = new Set<string>();
    const usernames = new Set<string>();
    for (const { request } of batch) {
      for (const write of request.writes) {
        streams.add(streamId(write.kind, write.id));
        for (const event of write.events) if (event.type === 'AccountRegistered') usernames.add(event.data.username);
      }
    }
    const firstIds = batch.map((p) => `${p.request.commandId}:0`);
    const skeletons = [...usernames].map((u) => uts39UsernameLooks.skeleton(u));
    const result = await client.query<{ what: 'p' | 'u' | 'e' | 's'; k: string; version: number; v: string }>({ name: 'writer-prefetch', text: prefetchSql, values: [[...streams], [...usernames], firstIds, skeletons] });
    const existing = new Set<string>();
    const kinds = new Map<string, StreamKind>();
    for (const { request } of batch) for (const write of request.writes) kinds.set(streamId(write.kind, write.id), write.kind);
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
