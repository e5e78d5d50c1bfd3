import type { DomainEvent } from './event.js';

/** emmett's Decider: the whole behaviour of one stream type in three pure functions. */
export interface Decider<C, S, E extends DomainEvent> {
  readonly decide: (command: C, state: S) => readonly E[];
  readonly evolve: (state: S, event: E) => S;
  readonly initialState: () => S;
}

export const fold = <S, E>(evolve: (s: S, e: E) => S, initial: S, events: readonly E[]): S => events.reduce(evolve, initial);
