import type { Decider } from '../decider.js';
import type { Policy } from '../policy.js';
import type { AccountCommand } from './commands.js';
import { decideAccount } from './decide.js';
import type { AccountEvent } from './events.js';
import { evolveAccount } from './evolve.js';
import { type AccountState, initialAccountState } from './state.js';

export const accountDecider = (policy: Policy): Decider<AccountCommand, AccountState, AccountEvent> => ({
  decide: decideAccount(policy),
  evolve: evolveAccount,
  initialState: initialAccountState,
});
