import { challengeUsability } from '../../challenge/state.js';
import type { Deps } from '../kernel/deps.js';
import { type UserView, userView } from '../kernel/user-view.js';
import { presentedChallenge } from './presented-challenge.js';

/** The account behind a usable second-step token, for dialects that ask about it (Appgate's 412, its OTP seeding). */
export const pendingChallenge = async (deps: Deps, token: unknown): Promise<{ user: UserView; hasTotp: boolean } | null> => {
  const presented = await presentedChallenge(deps, token);
  if (presented === null || challengeUsability(presented.state, presented.account.epoch, deps.clock.now()) !== 'usable') return null;
  return { user: userView(presented.account), hasTotp: presented.account.totp.status === 'active' };
};
