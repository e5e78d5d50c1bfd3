import { decideAccount } from '../account/decide.js';
import { decideChallenge } from '../challenge/decide.js';
import { challengeUsability } from '../challenge/state.js';
import { decideDevice } from '../device/decide.js';
import type { EventMeta } from '../event.js';
import { newBearerSecret, parseBearerSecret } from './bearer-secret.js';
import type { Deps } from './deps.js';
import { signToken, stageSession } from './issued-token.js';
import type { ContinueResult } from './login-result.js';
import { otpOutcome } from './otp-outcome.js';
import { userView } from './user-view.js';
import { transact } from './transact.js';

export interface ContinueInput {
  readonly mfaToken: unknown;
  readonly otp: unknown;
  readonly rememberDevice?: boolean;
  readonly tokenTtlMs?: number;
}

/** The second step: the challenge token decides the account, never a name in the body (SECURITY.md 10). */
export const continueLogin = async (deps: Deps, input: ContinueInput, meta: EventMeta): Promise<ContinueResult> => {
  const bearer = parseBearerSecret(deps, input.mfaToken);
  if (bearer === null) return { kind: 'invalid_token', reason: 'unknown' };
  const { state: challenge } = await deps.store.load('challenge', bearer.id);
  if (challenge.status === 'none' || (challenge.status === 'pending' && !deps.digest.same(challenge.tokenHash, bearer.hash))) {
    return { kind: 'invalid_token', reason: 'unknown' };
  }
  const { state: before } = await deps.store.load('account', challenge.accountId);
  if (before.status !== 'registered') return { kind: 'invalid_token', reason: 'unknown' };
  const otp = challenge.status === 'pending' ? await otpOutcome(deps, before.account, input.otp, deps.clock.now()) : { kind: 'absent' as const };
  const device = input.rememberDevice === true ? newBearerSecret(deps) : null;
  const ttlMs = input.tokenTtlMs ?? deps.policy.session.ttlMs;

  const outcome = await transact(deps, meta, async (tx) => {
    const ch = await tx.load('challenge', bearer.id);
    const acct = await tx.load('account', challenge.accountId);
    if (acct.status !== 'registered') return { kind: 'invalid_token', reason: 'unknown' } as const;
    const epoch = acct.account.epoch;
    const usability = challengeUsability(ch, epoch, tx.now);
    if (usability !== 'usable') {
      await tx.decide('challenge', bearer.id, decideChallenge(deps.policy), { type: 'Close', accountEpoch: epoch, now: tx.now });
      return { kind: 'invalid_token', reason: usability === 'unknown' ? 'unknown' : usability } as const;
    }
    const events = await tx.decide('account', acct.account.id, decideAccount(deps.policy), { type: 'CheckSecondFactor', otp, now: tx.now });
    const success = events.find((e) => e.type === 'LoginSucceeded');
    if (success) {
      const pending = await stageSession(deps, tx, { accountId: acct.account.id, ...success.data, dialect: meta.dialect, ttlMs });
      await tx.decide('challenge', bearer.id, decideChallenge(deps.policy), {
        type: 'RecordAttempt',
        result: 'accepted',
        sessionId: pending.sessionId,
        accountEpoch: epoch,
        now: tx.now,
      });
      if (device) {
        await tx.decide('device', device.id, decideDevice, {
          type: 'Remember',
          selector: device.id,
          accountId: acct.account.id,
          validatorHash: device.hash,
          epoch: acct.account.credentials ?? 0,
          ttlMs: deps.policy.device.ttlMs,
          now: tx.now,
        });
      }
      return { kind: 'authenticated', pending } as const;
    }
    if (!events.some((e) => e.type === 'OtpRejected')) return { kind: 'invalid_token', reason: 'credentials_changed' } as const;
    const attempt = await tx.decide('challenge', bearer.id, decideChallenge(deps.policy), {
      type: 'RecordAttempt',
      result: 'rejected',
      sessionId: null,
      accountEpoch: epoch,
      now: tx.now,
    });
    const rejected = attempt.find((e) => e.type === 'ChallengeOtpRejected');
    const attempts = rejected?.type === 'ChallengeOtpRejected' ? rejected.data.attempts : deps.policy.challenge.maxAttempts;
    return { kind: 'invalid_otp', attemptsRemaining: Math.max(0, deps.policy.challenge.maxAttempts - attempts) } as const;
  });

  if (outcome.kind !== 'authenticated') return outcome;
  const token = await signToken(deps, outcome.pending);
  const { state: after } = await deps.store.load('account', challenge.accountId);
  const user = userView(after.status === 'registered' ? after.account : before.account);
  return { kind: 'authenticated', user, token, deviceToken: device?.token ?? null };
};
