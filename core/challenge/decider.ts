import type { Decider } from '../decider.js';
import type { ChallengeCommand } from './commands.js';
import { decideChallenge } from './decide.js';
import type { ChallengeEvent } from './events.js';
import { evolveChallenge } from './evolve.js';
import { type ChallengeState, initialChallengeState, upcastChallengeState } from './state.js';

export const challengeDecider: Decider<ChallengeCommand, ChallengeState, ChallengeEvent> = {
  decide: decideChallenge,
  evolve: evolveChallenge,
  initialState: initialChallengeState,
  upcastState: upcastChallengeState,
  upcasters: {},
};
