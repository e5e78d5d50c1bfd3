import { DomainError } from './errors.js';
import type { StreamWrite } from './ports/event-store.js';
import { type LatchkeyEvent, type StreamKind, evolve, initialState, streamId, upcastState } from './streams.js';

export interface ProjectionRow {
  readonly kind: StreamKind;
  version: number;
  state: unknown;
  /** Folded at least one event since it was loaded: it must be written back. */
  changed: boolean;
}

/** Where rows not yet in the buffer come from: the live tables for an append, nothing for a replay from event 0. */
export interface ProjectionSource {
  /** The stored row, its state parsed but not upcast. */
  projection(stream: string): { readonly version: number; readonly state: unknown } | undefined;
  usernameOwner(username: string): string | undefined;
  /**
   * A claimed name that looks like `username` (the same UTS #39 skeleton: docs/security.md §36), if any. Absent in
   * replay, where names claimed before the rule may look alike and must still fold.
   */
  lookalikeOf?(username: string): string | undefined;
}

/**
 * The one fold from events to projection rows, shared by every store's appends and by replay, so that a replay can
 * only disagree with the live tables if the log or the tables were changed behind the store's back. It buffers the
 * rows it touches; the caller writes `rows` and `claimedUsernames` out at the end (a store inside the append's
 * transaction, replay into its comparison). O(1) per event.
 */
export class Projector {
  readonly rows = new Map<string, ProjectionRow>();
  readonly claimedUsernames = new Map<string, string>();
  readonly #source: ProjectionSource | undefined;

  constructor(source?: ProjectionSource) {
    this.#source = source;
  }

  row(kind: StreamKind, stream: string): ProjectionRow {
    let row = this.rows.get(stream);
    if (row === undefined) {
      const stored = this.#source?.projection(stream);
      row = stored
        ? { kind, version: stored.version, state: upcastState(kind, stored.state), changed: false }
        : { kind, version: 0, state: initialState(kind), changed: false };
      this.rows.set(stream, row);
    }
    return row;
  }

  /** Folds one event, recorded at `at`, into its stream's row and returns the stream version the event gets. */
  apply(kind: StreamKind, stream: string, event: LatchkeyEvent, at: number): number {
    return this.fold(this.row(kind, stream), event, at);
  }

  /** `apply` for a caller that already holds the stream's row (replay looks it up once per event, not twice). */
  fold(row: ProjectionRow, event: LatchkeyEvent, at: number): number {
    if (row.kind === 'account' && event.type === 'AccountRegistered') this.#claim(event.data.username, event.data.accountId);
    row.state = evolve(row.kind, row.state as never, event, at);
    row.version += 1;
    row.changed = true;
    return row.version;
  }

  /**
   * The writes of one append, in order: each stream's expected version is checked before its events are folded, and
   * `record` gets every event with its stream and new version. A stale version throws DomainError('stream_moved');
   * the caller then discards everything (its transaction rolls back, or nothing staged is kept).
   */
  applyWrites(writes: readonly StreamWrite[], at: number, record: (stream: string, version: number, event: LatchkeyEvent) => void): void {
    for (const write of writes) {
      const stream = streamId(write.kind, write.id);
      const current = this.row(write.kind, stream).version;
      if (write.expectedVersion !== 'any' && write.expectedVersion !== current) throw new DomainError('stream_moved', 'the stream moved');
      for (const event of write.events) record(stream, this.apply(write.kind, stream, event, at), event);
    }
  }

  /**
   * One account per canonical username (docs/api.md: 409 if taken), and none that looks like another (409
   * `username_lookalike`), also when two registrations race.
   */
  #claim(username: string, accountId: string): void {
    const owner = this.claimedUsernames.get(username) ?? this.#source?.usernameOwner(username);
    if (owner !== undefined && owner !== accountId) throw new DomainError('username_taken', 'username is taken');
    if (owner === undefined && this.#source?.lookalikeOf?.(username) !== undefined) throw new DomainError('username_lookalike', 'username looks like an existing one');
    if (owner === undefined) this.claimedUsernames.set(username, accountId);
  }
}
