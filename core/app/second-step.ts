import type { OtpOutcome } from '../account/commands.js';
import { decideAccount } from '../account/decide.js';
import type { Account } from '../account/state.js';
import { decideChallenge } from '../challenge/decide.js';
import { type ChallengeState, challengeUsability } from '../challenge/state.js';
import type { Dialect } from '../event.js';
import { accountAsStaged } from './account-as-staged.js';
import { parseBearerSecret } from './bearer-secret.js';
import type { Deps } from './deps.js';
import { type PendingToken, signToken, stageSession } from './issued-token.js';
import type { ContinueResult } from './login-result.js';
import type { Snapshot, Tx } from './tx.js';
import { userView } from './user-view.js';

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
 * never a name in the body (SECURITY.md 10); its hash is compared in constant time.
 */
export const presentedChallenge = async (deps: Deps, token: unknown): Promise<PresentedChallenge | null> => {
  const bearer = parseBearerSecret(deps, token);
  if (bearer === null) return null;
  const challenge = await deps.store.load('challenge', bearer.id);
  const { state } = challenge;
  if (state.status === 'none' || (state.status === 'pending' && !deps.digest.same(state.tokenHash, bearer.hash))) return null;
  const account = await deps.store.load('account', state.accountId);
  if (account.state.status !== 'registered') return null;
  const reads = [
    { kind: 'challenge', id: bearer.id, loaded: challenge },
    { kind: 'account', id: state.accountId, loaded: account },
  ] as const;
  return { id: bearer.id, state, account: account.state.account, reads };
};

export type StepOutcome =
  /** `account`: as this transaction leaves it (the session's user, with any factor the step added). */
  | { readonly kind: 'authenticated'; readonly pending: PendingToken; readonly account: Account }
  | Exclude<ContinueResult, { kind: 'authenticated' }>;

export interface StepOptions {
  readonly dialect: Dialect;
  readonly ttlMs: number;
  /** The code to judge, from the account as it is inside the transaction (crypto already done). */
  readonly otp: (account: Account) => OtpOutcome;
  /** What else a success appends in the same transaction (a remembered device, a confirmed factor). */
  readonly onSuccess?: (account: Account, tx: Tx) => Promise<void>;
}

/**
 * One attempt at a second step, inside a transaction: the account judges the code (lockout, replay, failure
 * count), the challenge records the attempt against its cap, and a success stages a fresh session (SECURITY.md
 * 14). A challenge that expired, was exhausted or whose account's credentials changed is closed instead.
 */
export const attemptSecondStep = async (deps: Deps, tx: Tx, presented: PresentedChallenge, options: StepOptions): Promise<StepOutcome> => {
  const challenge = await tx.load('challenge', presented.id);
  const acct = await tx.load('account', presented.state.accountId);
  if (acct.status !== 'registered') return { kind: 'invalid_token', reason: 'unknown' };
  const account = acct.account;
  const usability = challengeUsability(challenge, account.epoch, tx.now);
  const decideOnChallenge = decideChallenge(deps.policy);
  if (usability !== 'usable') {
    await tx.decide('challenge', presented.id, decideOnChallenge, { type: 'Close', accountEpoch: account.epoch, now: tx.now });
    return { kind: 'invalid_token', reason: usability === 'unknown' ? 'unknown' : usability };
  }
  const events = await tx.decide('account', account.id, decideAccount(deps.policy), { type: 'CheckSecondFactor', otp: options.otp(account), now: tx.now });
  const success = events.find((e) => e.type === 'LoginSucceeded');
  if (success) {
    const pending = stageSession(deps, tx, { accountId: account.id, ...success.data, dialect: options.dialect, ttlMs: options.ttlMs });
    await tx.decide('challenge', presented.id, decideOnChallenge, {
      type: 'RecordAttempt',
      result: 'accepted',
      sessionId: pending.sessionId,
      accountEpoch: account.epoch,
      now: tx.now,
    });
    await options.onSuccess?.(account, tx);
    return { kind: 'authenticated', pending, account: await accountAsStaged(tx, account) };
  }
  // Refused without a judgement (the account locked meanwhile): the challenge is no longer usable.
  if (!events.some((e) => e.type === 'OtpRejected')) return { kind: 'invalid_token', reason: 'credentials_changed' };
  const attempt = await tx.decide('challenge', presented.id, decideOnChallenge, {
    type: 'RecordAttempt',
    result: 'rejected',
    sessionId: null,
    accountEpoch: account.epoch,
    now: tx.now,
  });
  const rejected = attempt.find((e) => e.type === 'ChallengeOtpRejected');
  const attempts = rejected?.type === 'ChallengeOtpRejected' ? rejected.data.attempts : deps.policy.challenge.maxAttempts;
  return { kind: 'invalid_otp', attemptsRemaining: Math.max(0, deps.policy.challenge.maxAttempts - attempts) };
};

/** Signed only after the session's event is committed; the user as the step left the account (a factor may be new). */
export const authenticatedResult = async (deps: Deps, outcome: StepOutcome, deviceToken: string | null): Promise<ContinueResult> => {
  if (outcome.kind !== 'authenticated') return outcome;
  const token = await signToken(deps, outcome.pending);
  return { kind: 'authenticated', user: userView(outcome.account), token, deviceToken };
};
