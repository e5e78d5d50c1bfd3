import type { DomainEvent } from './event.js';

/** emmett's Decider: the whole behaviour of one stream type in three pure functions. */
export interface Decider<C, S, E extends DomainEvent> {
  readonly decide: (command: C, state: S) => readonly E[];
  /** `at` is when the event was recorded (the log's own timestamp): a fold over a time window needs it. */
  readonly evolve: (state: S, event: E, at: number) => S;
  readonly initialState: () => S;
}

/** Folds events that were all recorded at `at`. */
export const fold = <S, E>(evolve: (s: S, e: E, at: number) => S, initial: S, events: readonly E[], at: number): S =>
  events.reduce((s, e) => evolve(s, e, at), initial);
