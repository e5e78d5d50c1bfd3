import type { Decider } from '../decider.js';
import type { ProbeCommand } from './commands.js';
import { decideProbe } from './decide.js';
import type { ProbeEvent } from './events.js';
import { evolveProbe } from './evolve.js';
import { type ProbeState, initialProbeState } from './state.js';

export const probeDecider: Decider<ProbeCommand, ProbeState, ProbeEvent> = {
  decide: decideProbe,
  evolve: evolveProbe,
  initialState: initialProbeState,
  upcastState: (stored) => stored,
  upcasters: {},
};
