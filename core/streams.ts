import type { AccountEvent } from './account/events.js';
import { evolveAccount } from './account/evolve.js';
import { type AccountState, initialAccountState } from './account/state.js';
import type { ChallengeEvent } from './challenge/events.js';
import { evolveChallenge } from './challenge/evolve.js';
import { type ChallengeState, initialChallengeState } from './challenge/state.js';
import type { DeviceEvent } from './device/events.js';
import { evolveDevice } from './device/evolve.js';
import { type DeviceState, initialDeviceState } from './device/state.js';
import type { ProbeEvent } from './probe/events.js';
import { evolveProbe } from './probe/evolve.js';
import { type ProbeState, initialProbeState } from './probe/state.js';
import type { SessionEvent } from './session/events.js';
import { evolveSession } from './session/evolve.js';
import { type SessionState, initialSessionState } from './session/state.js';

/** The stream types of DESIGN.md, "Consistency boundaries". A stream id is `<kind>-<id>`. */
export type StreamKind = 'account' | 'challenge' | 'session' | 'device' | 'probe';

export interface StreamStates {
  account: AccountState;
  challenge: ChallengeState;
  session: SessionState;
  device: DeviceState;
  probe: ProbeState;
}

export interface StreamEvents {
  account: AccountEvent;
  challenge: ChallengeEvent;
  session: SessionEvent;
  device: DeviceEvent;
  probe: ProbeEvent;
}

export type LatchkeyEvent = StreamEvents[StreamKind];

interface Fold<K extends StreamKind> {
  readonly initialState: () => StreamStates[K];
  readonly evolve: (state: StreamStates[K], event: StreamEvents[K], at: number) => StreamStates[K];
}

export const streamFolds: { readonly [K in StreamKind]: Fold<K> } = {
  account: { initialState: initialAccountState, evolve: evolveAccount },
  challenge: { initialState: initialChallengeState, evolve: evolveChallenge },
  session: { initialState: initialSessionState, evolve: evolveSession },
  device: { initialState: initialDeviceState, evolve: evolveDevice },
  probe: { initialState: initialProbeState, evolve: evolveProbe },
};

export const streamKinds: readonly StreamKind[] = ['account', 'challenge', 'session', 'device', 'probe'];

export const streamId = (kind: StreamKind, id: string): string => `${kind}-${id}`;

export const parseStreamId = (stream: string): { kind: StreamKind; id: string } | null => {
  const dash = stream.indexOf('-');
  const kind = stream.slice(0, dash);
  return dash > 0 && (streamKinds as readonly string[]).includes(kind) ? { kind: kind as StreamKind, id: stream.slice(dash + 1) } : null;
};

/** Fold one event of any stream kind, recorded at `at`; the caller knows the kind from the stream id. */
export const evolveAny = <K extends StreamKind>(kind: K, state: StreamStates[K], event: LatchkeyEvent, at: number): StreamStates[K] =>
  (streamFolds[kind].evolve as (s: StreamStates[K], e: LatchkeyEvent, at: number) => StreamStates[K])(state, event, at);
