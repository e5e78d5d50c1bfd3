import type { Policy } from '../../policy.js';
import type { EventStore, Loaded, StreamWrite } from '../../ports/event-store.js';
import { type StreamCommands, type StreamEvents, type StreamKind, type StreamStates, decide, evolve, initialState, streamId } from '../../streams.js';

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
 * One attempt at a command over one or more streams: remembers the version of every stream it read, so the append
 * can insist nothing moved underneath (expected version), decides each command with its stream's decider from the
 * registry (core/streams.ts) and folds what it decided into the state the next command of this attempt sees.
 */
export class Tx {
  readonly now: number;
  readonly #store: EventStore;
  readonly #policy: Policy;
  readonly #entries = new Map<string, Entry>();

  /**
   * `known`: reads already made for this command. They are as safe as fresh ones: the append still insists on
   * their versions, and a retry after a conflict starts from a new Tx that reads again.
   */
  constructor(store: EventStore, policy: Policy, now: number, known: readonly Snapshot[] = []) {
    this.#store = store;
    this.#policy = policy;
    this.now = now;
    for (const { kind, id, loaded } of known) this.#entries.set(streamId(kind, id), { kind, id, version: loaded.version, state: loaded.state, events: [] });
  }

  async load<K extends StreamKind>(kind: K, id: string): Promise<StreamStates[K]> {
    const key = streamId(kind, id);
    const cached = this.#entries.get(key);
    if (cached) return cached.state as StreamStates[K];
    const { version, state } = await this.#store.load(kind, id);
    this.#entries.set(key, { kind, id, version, state, events: [] });
    return state;
  }

  /** Decides `command` on the stream as this transaction sees it, and stages the events. */
  async decide<K extends StreamKind>(kind: K, id: string, command: StreamCommands[K]): Promise<readonly StreamEvents[K][]> {
    await this.load(kind, id);
    return this.#decideOn(this.#entries.get(streamId(kind, id))!, command);
  }

  /**
   * `decide` on a stream whose id this command has just minted (a session, a challenge, a device): there is nothing
   * to read. Its expected version 0 still guards the append.
   */
  decideNew<K extends StreamKind>(kind: K, id: string, command: StreamCommands[K]): readonly StreamEvents[K][] {
    const key = streamId(kind, id);
    if (this.#entries.has(key)) throw new Error(`${key} is not new to this transaction`);
    const entry: Entry = { kind, id, version: 0, state: initialState(kind), events: [] };
    this.#entries.set(key, entry);
    return this.#decideOn(entry, command);
  }

  writes(): StreamWrite[] {
    return [...this.#entries.values()]
      .filter((e) => e.events.length > 0)
      .map((e) => ({ kind: e.kind, id: e.id, expectedVersion: e.version, events: e.events }) as StreamWrite);
  }

  #decideOn<K extends StreamKind>(entry: Entry, command: StreamCommands[K]): readonly StreamEvents[K][] {
    const kind = entry.kind as K;
    const events = decide(kind, command, entry.state as StreamStates[K], this.#policy);
    for (const event of events) entry.state = evolve(kind, entry.state as StreamStates[K], event, this.now);
    entry.events.push(...events);
    return events;
  }
}
