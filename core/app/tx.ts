import type { EventStore, StreamWrite } from '../ports/event-store.js';
import { type StreamEvents, type StreamKind, type StreamStates, streamFolds, streamId } from '../streams.js';

interface Entry {
  readonly kind: StreamKind;
  readonly id: string;
  readonly version: number;
  state: unknown;
  readonly events: unknown[];
}

/**
 * One attempt at a command over one or more streams: remembers the version of every stream it read,
 * so the append can insist nothing moved underneath (expected version), and folds staged events in.
 */
export class Tx {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly store: EventStore,
    readonly now: number,
  ) {}

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
