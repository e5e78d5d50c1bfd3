import type { Account } from '../../account/state.js';
import type { ChallengeState } from '../../challenge/state.js';
import { parseBearerSecret } from '../kernel/bearer-secret.js';
import type { Deps } from '../kernel/deps.js';
import type { Snapshot } from '../kernel/tx.js';

/** A second-step token as presented, with what it points at before any crypto runs. */
export interface PresentedChallenge {
  readonly id: string;
  readonly state: Exclude<ChallengeState, { status: 'none' }>;
  readonly account: Account;
  /** The challenge and account as read here, for the step's transaction to start from (see transact). */
  readonly reads: readonly Snapshot[];
}

/**
 * The challenge behind a bearer token, or null for the generic invalid-token answer. The token decides the account,
 * never a name in the body (docs/security.md §10); its hash is compared in constant time.
 */
export const presentedChallenge = async (deps: Deps, token: unknown): Promise<PresentedChallenge | null> => {
  const bearer = parseBearerSecret(deps, token);
  if (bearer === null) return null;
  const { challenge, account } = await deps.store.challengeAndAccount(bearer.id);
  const { state } = challenge;
  if (state.status === 'none' || (state.status === 'pending' && !deps.digest.same(state.tokenHash, bearer.hash))) return null;
  if (account === null || account.state.status !== 'registered') return null;
  const reads = [
    { kind: 'challenge', id: bearer.id, loaded: challenge },
    { kind: 'account', id: state.accountId, loaded: account },
  ] as const;
  return { id: bearer.id, state, account: account.state.account, reads };
};
