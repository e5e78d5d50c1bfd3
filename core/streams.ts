import type { AccountCommand } from './account/commands.js';
import type { AddressCommand } from './address/commands.js';
import { addressDecider } from './address/decider.js';
import type { AddressEvent } from './address/events.js';
import type { AddressState } from './address/state.js';
import { accountDecider } from './account/decider.js';
import type { AccountEvent } from './account/events.js';
import type { AccountState } from './account/state.js';
import type { ChallengeCommand } from './challenge/commands.js';
import { challengeDecider } from './challenge/decider.js';
import type { ChallengeEvent } from './challenge/events.js';
import type { ChallengeState } from './challenge/state.js';
import type { Decider } from './decider.js';
import type { DeviceCommand } from './device/commands.js';
import { deviceDecider } from './device/decider.js';
import type { DeviceEvent } from './device/events.js';
import type { DeviceState } from './device/state.js';
import type { Policy } from './policy.js';
import type { ProbeCommand } from './probe/commands.js';
import { probeDecider } from './probe/decider.js';
import type { ProbeEvent } from './probe/events.js';
import type { ProbeState } from './probe/state.js';
import type { SessionCommand } from './session/commands.js';
import { sessionDecider } from './session/decider.js';
import type { SessionEvent } from './session/events.js';
import type { SessionState } from './session/state.js';
import type { ThrottleCommand } from './throttle/commands.js';
import { throttleDecider } from './throttle/decider.js';
import type { ThrottleEvent } from './throttle/events.js';
import type { ThrottleState } from './throttle/state.js';

/**
 * The stream model (docs/design.md, "Streams"): one decider per stream kind, and nothing else decides, folds or
 * upcasts a stream. The application service decides through it (Tx), the projector folds through it, replay and
 * audit read old events through its upcasters. A stream id is `<kind>-<id>`.
 */
export type StreamKind = 'account' | 'challenge' | 'session' | 'device' | 'probe' | 'throttle' | 'address';

export interface StreamStates {
  account: AccountState;
  challenge: ChallengeState;
  session: SessionState;
  device: DeviceState;
  probe: ProbeState;
  throttle: ThrottleState;
  address: AddressState;
}

export interface StreamEvents {
  account: AccountEvent;
  challenge: ChallengeEvent;
  session: SessionEvent;
  device: DeviceEvent;
  probe: ProbeEvent;
  throttle: ThrottleEvent;
  address: AddressEvent;
}

export interface StreamCommands {
  account: AccountCommand;
  challenge: ChallengeCommand;
  session: SessionCommand;
  device: DeviceCommand;
  probe: ProbeCommand;
  throttle: ThrottleCommand;
  address: AddressCommand;
}

export type LatchkeyEvent = StreamEvents[StreamKind];
export type LatchkeyEventType = LatchkeyEvent['type'];

export type StreamDecider<K extends StreamKind> = Decider<StreamCommands[K], StreamStates[K], StreamEvents[K]>;

export const streams: { readonly [K in StreamKind]: StreamDecider<K> } = {
  account: accountDecider,
  challenge: challengeDecider,
  session: sessionDecider,
  device: deviceDecider,
  probe: probeDecider,
  throttle: throttleDecider,
  address: addressDecider,
};

export const streamKinds = Object.keys(streams) as readonly StreamKind[];

export const streamId = (kind: StreamKind, id: string): string => `${kind}-${id}`;

export const parseStreamId = (stream: string): { kind: StreamKind; id: string } | null => {
  const dash = stream.indexOf('-');
  const kind = stream.slice(0, dash);
  return dash > 0 && (streamKinds as readonly string[]).includes(kind) ? { kind: kind as StreamKind, id: stream.slice(dash + 1) } : null;
};

/** The registry seen through one kind chosen at run time (the kinds' types correlate; TypeScript cannot follow). */
const deciderOf = <K extends StreamKind>(kind: K): StreamDecider<K> => streams[kind] as unknown as StreamDecider<K>;

export const initialState = <K extends StreamKind>(kind: K): StreamStates[K] => deciderOf(kind).initialState();

export const decide = <K extends StreamKind>(kind: K, command: StreamCommands[K], state: StreamStates[K], policy: Policy): readonly StreamEvents[K][] =>
  deciderOf(kind).decide(command, state, policy);

/** Folds one event of any kind, recorded at `at`; the caller knows the kind from the stream id. */
export const evolve = <K extends StreamKind>(kind: K, state: StreamStates[K], event: LatchkeyEvent, at: number): StreamStates[K] =>
  deciderOf(kind).evolve(state, event as StreamEvents[K], at);

/** A projection row as stored (parsed JSON), in the current shape. */
export const upcastState = <K extends StreamKind>(kind: K, stored: unknown): StreamStates[K] => deciderOf(kind).upcastState(stored as StreamStates[K]);

type Upcaster = (data: Record<string, unknown>) => object;

const upcastersByType = new Map<string, readonly Upcaster[]>(
  streamKinds.flatMap((kind) => Object.entries(streams[kind].upcasters as Record<string, readonly Upcaster[] | undefined>)).filter((e): e is [string, readonly Upcaster[]] => e[1] !== undefined),
);

/**
 * The schema version an event of this type is written at now. Event types are unique across kinds, but for the
 * delivery facts of a mailed code (core/mail/delivery-events.ts), which mean the same on a challenge and an account.
 */
export const eventSchema = (type: string): number => (upcastersByType.get(type)?.length ?? 0) + 1;

/** An event's data as written at `schema`, read as the current version of its type. */
export const upcastEvent = (type: string, schema: number, data: object): object => {
  const steps = upcastersByType.get(type);
  if (steps === undefined) return data;
  let current = data;
  for (let v = Math.max(1, schema); v <= steps.length; v++) current = steps[v - 1]!(current as Record<string, unknown>);
  return current;
};
