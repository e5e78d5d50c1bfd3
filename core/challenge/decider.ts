import type { Decider } from '../decider.js';
import type { Policy } from '../policy.js';
import type { ChallengeCommand } from './commands.js';
import { decideChallenge } from './decide.js';
import type { ChallengeEvent } from './events.js';
import { evolveChallenge } from './evolve.js';
import { type ChallengeState, initialChallengeState } from './state.js';

export const challengeDecider = (policy: Policy): Decider<ChallengeCommand, ChallengeState, ChallengeEvent> => ({
  decide: decideChallenge(policy),
  evolve: evolveChallenge,
  initialState: initialChallengeState,
});
