import * as assert from 'uvu/assert';
import type { Decider } from '../../core/decider.js';
import { type ErrorCode, isDomainError } from '../../core/errors.js';
import type { DomainEvent } from '../../core/event.js';
import { type Policy, defaultPolicy } from '../../core/policy.js';

export interface Then<S, E> {
  /** Asserts the decided events; returns the state after them so a test can look at what they did. */
  then(expected: readonly E[]): S;
  /** docs/style.md §9/§15: commands that make no sense throw a DomainError; assert on its code, never its message. */
  thenThrows(code: ErrorCode): void;
}

/**
 * emmett's DeciderSpecification in miniature (docs/style.md §15): `given(history).when(command).then(events)`.
 * The history is folded with the decider's own `evolve`, so a test states facts, not internal state.
 */
/** A fact of the history with the time it was recorded; a bare event counts as recorded at the command's `now`. */
export interface Timed<E> {
  readonly at: number;
  readonly event: E;
}

export const at = <E>(time: number, event: E): Timed<E> => ({ at: time, event });

/** Folds events that were all recorded at `at`. */
export const fold = <S, E>(evolve: (s: S, e: E, at: number) => S, initial: S, events: readonly E[], at: number): S =>
  events.reduce((s, e) => evolve(s, e, at), initial);

export const specification =
  <C, S, E extends DomainEvent>(decider: Decider<C, S, E>, policy: Policy = defaultPolicy) =>
  (given: readonly (E | Timed<E>)[]) => ({
    when: (command: C): Then<S, E> => {
      const now = (command as { now?: number }).now ?? 0;
      const state = given.reduce((s, g) => ('event' in g ? decider.evolve(s, g.event, g.at) : decider.evolve(s, g, now)), decider.initialState());
      return {
        then: (expected) => {
          const actual = decider.decide(command, state, policy);
          assert.equal(actual, expected);
          return fold(decider.evolve, state, actual, now);
        },
        thenThrows: (code) => {
          let thrown: unknown;
          let decided: readonly E[] | undefined;
          try {
            decided = decider.decide(command, state, policy);
          } catch (e) {
            thrown = e;
          }
          if (decided !== undefined) assert.unreachable(`expected DomainError '${code}', got events ${JSON.stringify(decided.map((e) => e.type))}`);
          assert.ok(isDomainError(thrown), `expected a DomainError, got ${String(thrown)}`);
          if (isDomainError(thrown)) assert.is(thrown.code, code);
        },
      };
    },
  });
