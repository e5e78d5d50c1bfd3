import type { StoredEvent } from '../../core/event.js';
import type { AppendRequest, ChallengeAndAccount, EventStore, Loaded, NamedAccount } from '../../core/ports/event-store.js';
import type { UsernameLooks } from '../../core/ports/username-looks.js';
import { type ProjectionSource, Projector } from '../../core/projector.js';
import { type StreamKind, type StreamStates, eventSchema, initialState, streamId, upcastState } from '../../core/streams.js';
import { challengeAndAccountByLoads } from '../event-log/challenge-and-account-by-loads.js';

/**
 * The EventStore port in memory (docs/style.md §12), for fast tests of the application service. Same contract as the
 * SQLite store (one contract test runs against both): atomic appends over several streams, expected versions,
 * idempotent command ids, one account per username, projections folded by the same Projector. With `looks`, no name
 * that looks like a claimed one (docs/security.md §36).
 */
export class InMemoryEventStore implements EventStore {
  private readonly events: StoredEvent[] = [];
  private readonly byId = new Map<string, StoredEvent>();
  private readonly projections = new Map<string, { version: number; state: string }>();
  private readonly usernames = new Map<string, string>();
  /** Skeleton → the claimed names with it (several when they were claimed before the rule). */
  private readonly skeletons = new Map<string, Set<string>>();
  private readonly looks: UsernameLooks | undefined;
  private readonly source: ProjectionSource = {
    projection: (stream) => {
      const row = this.projections.get(stream);
      return row && { version: row.version, state: JSON.parse(row.state) as unknown };
    },
    usernameOwner: (username) => this.usernames.get(username),
    lookalikeOf: (username) => (this.looks === undefined ? undefined : [...(this.skeletons.get(this.looks.skeleton(username)) ?? [])].find((n) => n !== username)),
  };

  constructor(looks?: UsernameLooks) {
    this.looks = looks;
  }

  async load<K extends StreamKind>(kind: K, id: string): Promise<Loaded<StreamStates[K]>> {
    const row = this.projections.get(streamId(kind, id));
    // States round-trip through JSON as they do in SQLite, so no caller can hold a live reference.
    return row === undefined ? { version: 0, state: initialState(kind) } : { version: row.version, state: upcastState(kind, JSON.parse(row.state)) };
  }

  async accountIdByUsername(username: string): Promise<string | null> {
    return this.usernames.get(username) ?? null;
  }

  async accountByUsername(username: string): Promise<NamedAccount | null> {
    const id = this.usernames.get(username);
    return id === undefined ? null : { id, loaded: await this.load('account', id) };
  }

  challengeAndAccount(challengeId: string): Promise<ChallengeAndAccount> {
    return challengeAndAccountByLoads((kind, id) => this.load(kind, id), challengeId);
  }

  async append(request: AppendRequest): Promise<readonly StoredEvent[]> {
    const previous: StoredEvent[] = [];
    for (let e = this.byId.get(`${request.commandId}:0`); e !== undefined; e = this.byId.get(`${request.commandId}:${previous.length}`)) previous.push(e);
    if (previous.length > 0) return previous;
    // Everything is computed first and committed only when no check failed: all or nothing.
    const projector = new Projector(this.source);
    const staged: StoredEvent[] = [];
    let seq = this.events.length;
    projector.applyWrites(request.writes, request.at, (stream, version, event) => {
      const data = JSON.parse(JSON.stringify(event.data)) as object;
      staged.push({ seq: ++seq, id: `${request.commandId}:${staged.length}`, stream, version, type: event.type, schema: eventSchema(event.type), data, meta: request.meta, at: request.at });
    });
    for (const e of staged) {
      this.events.push(e);
      this.byId.set(e.id, e);
    }
    for (const [stream, row] of projector.rows) if (row.changed) this.projections.set(stream, { version: row.version, state: JSON.stringify(row.state) });
    for (const [username, accountId] of projector.claimedUsernames) {
      this.usernames.set(username, accountId);
      const skeleton = this.looks?.skeleton(username);
      if (skeleton !== undefined) this.skeletons.set(skeleton, (this.skeletons.get(skeleton) ?? new Set()).add(username));
    }
    return staged;
  }

  async read(query: { readonly after: number; readonly limit: number; readonly stream?: string }): Promise<readonly StoredEvent[]> {
    const limit = Math.max(0, Math.floor(query.limit));
    const out: StoredEvent[] = [];
    for (let i = Math.max(0, Math.floor(query.after)); i < this.events.length && out.length < limit; i++) {
      const e = this.events[i]!;
      if (query.stream === undefined || e.stream === query.stream) out.push(e);
    }
    return out;
  }
}
