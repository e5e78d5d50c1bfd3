import { challengeUsability } from '../challenge/state.js';
import { parseBearerSecret } from './bearer-secret.js';
import type { Deps } from './deps.js';
import { type UserView, userView } from './user-view.js';

/** The account behind a usable second-step token, for dialects that ask about it (Appgate's 412, its OTP seeding). */
export const pendingChallenge = async (deps: Deps, token: unknown): Promise<{ user: UserView; hasTotp: boolean } | null> => {
  const bearer = parseBearerSecret(deps, token);
  if (bearer === null) return null;
  const { state: challenge } = await deps.store.load('challenge', bearer.id);
  if (challenge.status !== 'pending' || !deps.digest.same(challenge.tokenHash, bearer.hash)) return null;
  const { state: account } = await deps.store.load('account', challenge.accountId);
  if (account.status !== 'registered' || challengeUsability(challenge, account.account.epoch, deps.clock.now()) !== 'usable') return null;
  return { user: userView(account.account), hasTotp: account.account.totp.status === 'active' };
};
