import type { OtpOutcome } from '../../account/commands.js';
import type { Account } from '../../account/state.js';
import { type ChallengeState, challengeUsability } from '../../challenge/state.js';
import type { Dialect } from '../../event.js';
import { accountAsStaged } from '../kernel/account-as-staged.js';
import type { Deps } from '../kernel/deps.js';
import type { Tx } from '../kernel/tx.js';
import { userView } from '../kernel/user-view.js';
import type { ContinueResult } from '../login/login-result.js';
import { type PendingToken, signToken, stageSession } from '../sessions/issued-token.js';
import type { PresentedChallenge } from './presented-challenge.js';

export type StepOutcome =
  /** `account`: as this transaction leaves it (the session's user, with any factor the step added). */
  | { readonly kind: 'authenticated'; readonly pending: PendingToken; readonly account: Account }
  | Exclude<ContinueResult, { kind: 'authenticated' }>;

export interface StepOptions {
  readonly dialect: Dialect;
  readonly ttlMs: number;
  /** The code to judge, from the account and challenge as they are inside the transaction (slow crypto already done). */
  readonly otp: (account: Account, challenge: ChallengeState) => OtpOutcome;
  /** What else a success appends in the same transaction (a remembered device, a confirmed factor). */
  readonly onSuccess?: (account: Account, tx: Tx) => Promise<void>;
}

/**
 * One attempt at a second step, inside a transaction: the account judges the code (lockout, replay, failure
 * count), the challenge records the attempt against its cap, and a success stages a fresh session (docs/security.md
 * §14). A challenge that expired, was exhausted or whose account's credentials changed is closed instead.
 */
export const attemptSecondStep = async (deps: Deps, tx: Tx, presented: PresentedChallenge, options: StepOptions): Promise<StepOutcome> => {
  const challenge = await tx.load('challenge', presented.id);
  const acct = await tx.load('account', presented.state.accountId);
  if (acct.status !== 'registered') return { kind: 'invalid_token', reason: 'unknown' };
  const account = acct.account;
  const usability = challengeUsability(challenge, account.epoch, tx.now);
  if (usability !== 'usable') {
    await tx.decide('challenge', presented.id, { type: 'Close', accountEpoch: account.epoch, now: tx.now });
    return { kind: 'invalid_token', reason: usability === 'unknown' ? 'unknown' : usability };
  }
  const events = await tx.decide('account', account.id, { type: 'CheckSecondFactor', otp: options.otp(account, challenge), now: tx.now });
  const success = events.find((e) => e.type === 'LoginSucceeded');
  if (success) {
    const pending = stageSession(deps, tx, { accountId: account.id, ...success.data, dialect: options.dialect, ttlMs: options.ttlMs });
    await tx.decide('challenge', presented.id, {
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
  const attempt = await tx.decide('challenge', presented.id, {
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
