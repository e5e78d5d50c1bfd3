import type { EventMeta, StoredEvent } from '../event.js';
import type { StreamEvents, StreamKind, StreamStates } from '../streams.js';

export type ExpectedVersion = number | 'any';

export type StreamWrite = {
  [K in StreamKind]: { readonly kind: K; readonly id: string; readonly expectedVersion: ExpectedVersion; readonly events: readonly StreamEvents[K][] };
}[StreamKind];

export interface Loaded<S> {
  readonly version: number;
  readonly state: S;
}

/** The account a username names, with its stream as `load` reads it. */
export interface NamedAccount {
  readonly id: string;
  readonly loaded: Loaded<StreamStates['account']>;
}

/** A challenge and the account its state names (null: no challenge, or its account has no row), read together. */
export interface ChallengeAndAccount {
  readonly challenge: Loaded<StreamStates['challenge']>;
  readonly account: Loaded<StreamStates['account']> | null;
}

export interface AppendRequest {
  /** Event ids are `<commandId>:<n>`: appending the same command twice is a no-op that returns the first result. */
  readonly commandId: string;
  readonly writes: readonly StreamWrite[];
  readonly meta: EventMeta;
  readonly at: number;
}

/**
 * The log and the projections folded from it. `append` is atomic over all its writes and updates the
 * projections in the same transaction; a stale `expectedVersion` rejects with DomainError('stream_moved').
 */
export interface EventStore {
  load<K extends StreamKind>(kind: K, id: string): Promise<Loaded<StreamStates[K]>>;
  accountIdByUsername(username: string): Promise<string | null>;
  /** The account a username names and its stream as `load` gives it, read together (one read where the store can). */
  accountByUsername(username: string): Promise<NamedAccount | null>;
  /** A challenge and its account as two `load`s give them, read together (one read where the store can). */
  challengeAndAccount(challengeId: string): Promise<ChallengeAndAccount>;
  append(request: AppendRequest): Promise<readonly StoredEvent[]>;
  read(query: { readonly after: number; readonly limit: number; readonly stream?: string }): Promise<readonly StoredEvent[]>;
}
