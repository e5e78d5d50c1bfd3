import type { Decider } from '../decider.js';
import type { SessionCommand } from './commands.js';
import { decideSession } from './decide.js';
import type { SessionEvent } from './events.js';
import { evolveSession } from './evolve.js';
import { type SessionState, initialSessionState, upcastSessionState } from './state.js';

export const sessionDecider: Decider<SessionCommand, SessionState, SessionEvent> = {
  decide: decideSession,
  evolve: evolveSession,
  initialState: initialSessionState,
  upcastState: upcastSessionState,
  upcasters: {},
};
