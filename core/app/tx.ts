import type { EventStore, Loaded, StreamWrite } from '../ports/event-store.js';
import { type StreamEvents, type StreamKind, type StreamStates, streamFolds, streamId } from '../streams.js';

interface Entry {
  readonly kind: StreamKind;
  readonly id: string;
  readonly version: number;
  state: unknown;
  readonly events: unknown[];
}

/** A stream as read a moment before the transaction, to stand as the transaction's own first read of it. */
export interface Snapshot {
  readonly kind: StreamKind;
  readonly id: string;
  readonly loaded: Loaded<unknown>;
}

/**
 * One attempt at a command over one or more streams: remembers the version of every stream it read,
 * so the append can insist nothing moved underneath (expected version), and folds staged events in.
 */
export class Tx {
  private readonly entries = new Map<string, Entry>();

  /**
   * `known`: reads already made for this command. They are as safe as fresh ones: the append still insists on
   * their versions, and a retry after a conflict starts from a new Tx that reads again.
   */
  constructor(
    private readonly store: EventStore,
    readonly now: number,
    known: readonly Snapshot[] = [],
  ) {
    for (const { kind, id, loaded } of known) this.entries.set(streamId(kind, id), { kind, id, version: loaded.version, state: loaded.state, events: [] });
  }

  async load<K extends StreamKind>(kind: K, id: string): Promise<StreamStates[K]> {
    const key = streamId(kind, id);
    const cached = this.entries.get(key);
    if (cached) return cached.state as StreamStates[K];
    const { version, state } = await this.store.load(kind, id);
    this.entries.set(key, { kind, id, version, state, events: [] });
    return state;
  }

  async decide<K extends StreamKind, C>(
    kind: K,
    id: string,
    decide: (command: C, state: StreamStates[K]) => readonly StreamEvents[K][],
    command: C,
  ): Promise<readonly StreamEvents[K][]> {
    const events = decide(command, await this.load(kind, id));
    this.stage(kind, id, events);
    return events;
  }

  /**
   * `decide` on a stream whose id this command has just minted (a session, a challenge, a device): there is nothing
   * to read. Its expected version 0 still guards the append.
   */
  decideNew<K extends StreamKind, C>(
    kind: K,
    id: string,
    decide: (command: C, state: StreamStates[K]) => readonly StreamEvents[K][],
    command: C,
  ): readonly StreamEvents[K][] {
    const key = streamId(kind, id);
    if (this.entries.has(key)) throw new Error(`${key} is not new to this transaction`);
    const state = streamFolds[kind].initialState();
    this.entries.set(key, { kind, id, version: 0, state, events: [] });
    const events = decide(command, state);
    this.stage(kind, id, events);
    return events;
  }

  stage<K extends StreamKind>(kind: K, id: string, events: readonly StreamEvents[K][]): void {
    const entry = this.entries.get(streamId(kind, id))!;
    const evolve = streamFolds[kind].evolve;
    for (const event of events) entry.state = evolve(entry.state as StreamStates[K], event, this.now);
    entry.events.push(...events);
  }

  writes(): StreamWrite[] {
    return [...this.entries.values()]
      .filter((e) => e.events.length > 0)
      .map((e) => ({ kind: e.kind, id: e.id, expectedVersion: e.version, events: e.events }) as StreamWrite);
  }
}
