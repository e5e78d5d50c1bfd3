import type { DomainEvent } from './event.js';
import type { Policy } from './policy.js';

/**
 * emmett's Decider: the whole behaviour of one stream kind in pure functions. One per kind, in its own folder
 * (core/account/, core/challenge/ …), all of them registered in streams.ts (docs/design.md, "Streams").
 */
export interface Decider<C, S, E extends DomainEvent> {
  readonly decide: (command: C, state: S, policy: Policy) => readonly E[];
  /** `at` is when the event was recorded (the log's own timestamp): a fold over a time window needs it. Never throws. */
  readonly evolve: (state: S, event: E, at: number) => S;
  readonly initialState: () => S;
  /**
   * A projection row as an older version stored it, read as the current shape: the defaults of fields added
   * since live here, not at every read. Returns the row itself when nothing is missing.
   */
  readonly upcastState: (stored: S) => S;
  /** The event types whose shape changed: see EventUpcasters. */
  readonly upcasters: EventUpcasters<E>;
}

/**
 * Per event type, the steps from each old schema version to the next: `[v1 → v2, v2 → v3, …]`. A type's current
 * version is one more than its number of steps; events are written at it and read back through the steps, so an
 * old log still replays (docs/style.md §4).
 */
export type EventUpcasters<E extends DomainEvent> = {
  readonly [T in E['type']]?: readonly ((data: Record<string, unknown>) => object)[];
};
