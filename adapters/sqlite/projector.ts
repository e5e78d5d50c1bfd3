import { DomainError } from '../../core/errors.js';
import type { StreamWrite } from '../../core/ports/event-store.js';
import { type LatchkeyEvent, type StreamKind, evolveAny, streamFolds, streamId } from '../../core/streams.js';

export interface ProjectionRow {
  readonly kind: StreamKind;
  version: number;
  state: unknown;
  /** Folded at least one event since it was loaded: it must be written back. */
  changed: boolean;
}

/** Where rows not yet in the buffer come from: the live tables for an append, nothing for a replay from event 0. */
export interface ProjectionSource {
  projection(stream: string): { readonly version: number; readonly state: unknown } | undefined;
  usernameOwner(username: string): string | undefined;
}

/**
 * The one fold from events to projection rows, shared by live appends and `replayProjections` so that a replay
 * can only disagree with the live tables if the log or the tables were changed behind the store's back.
 * It buffers the rows it touches in memory; the caller writes `rows` and `claimedUsernames` out at the end
 * (the live store inside the append's transaction, the replay into temporary tables). O(1) per event.
 */
export class Projector {
  private readonly source: ProjectionSource | undefined;
  readonly rows = new Map<string, ProjectionRow>();
  readonly claimedUsernames = new Map<string, string>();

  constructor(source?: ProjectionSource) {
    this.source = source;
  }

  row(kind: StreamKind, stream: string): ProjectionRow {
    let row = this.rows.get(stream);
    if (row === undefined) {
      const stored = this.source?.projection(stream);
      row = stored ? { kind, version: stored.version, state: stored.state, changed: false } : { kind, version: 0, state: streamFolds[kind].initialState(), changed: false };
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
    if (row.kind === 'account' && event.type === 'AccountRegistered') this.claim(event.data.username, event.data.accountId);
    row.state = evolveAny(row.kind, row.state as never, event, at);
    row.version += 1;
    row.changed = true;
    return row.version;
  }

  /**
   * The writes of one append, in order: each stream's expected version is checked before its events are folded, and
   * `record` gets every event with its stream and new version. A stale version throws DomainError('concurrency'); the
   * caller then discards everything (its transaction rolls back, or nothing staged is kept).
   */
  applyWrites(writes: readonly StreamWrite[], at: number, record: (stream: string, version: number, event: LatchkeyEvent) => void): void {
    for (const write of writes) {
      const stream = streamId(write.kind, write.id);
      const current = this.row(write.kind, stream).version;
      if (write.expectedVersion !== 'any' && write.expectedVersion !== current) throw new DomainError('concurrency', 'the stream moved');
      for (const event of write.events) record(stream, this.apply(write.kind, stream, event, at), event);
    }
  }

  /** One account per canonical username (API.md: 409 if taken), also when two registrations race. */
  private claim(username: string, accountId: string): void {
    const owner = this.claimedUsernames.get(username) ?? this.source?.usernameOwner(username);
    if (owner !== undefined && owner !== accountId) throw new DomainError('username_taken', 'username is taken');
    if (owner === undefined) this.claimedUsernames.set(username, accountId);
  }
}
