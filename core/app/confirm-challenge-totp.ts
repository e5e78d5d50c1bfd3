import type { OtpOutcome } from '../account/commands.js';
import { decideAccount } from '../account/decide.js';
import { decideChallenge } from '../challenge/decide.js';
import { challengeUsability } from '../challenge/state.js';
import type { EventMeta } from '../event.js';
import { parseBearerSecret } from './bearer-secret.js';
import type { Deps } from './deps.js';
import { enrolmentState } from './enrolment-state.js';
import { signToken, stageSession } from './issued-token.js';
import type { ContinueResult } from './login-result.js';
import { otpOutcome } from './otp-outcome.js';
import { transact } from './transact.js';
import { userView } from './user-view.js';

export interface ConfirmChallengeTotpInput {
  readonly mfaToken: unknown;
  /** The `state` of startChallengeTotpEnrolment for this very token. */
  readonly state: unknown;
  /** A code of the new seed: proves the authenticator holds it. */
  readonly otp: unknown;
  /**
   * An unused recovery code: the factor that actually authenticates. A seed handed to whoever holds the
   * password proves nothing about the user, so enrolling alone must never complete a second step.
   */
  readonly recoveryCode: unknown;
  readonly tokenTtlMs?: number;
}

/** A failed new-seed check keeps its own kind (missing, malformed, wrong) for the account's failure count. */
const asFailure = (o: OtpOutcome): OtpOutcome => (o.kind === 'absent' || o.kind === 'malformed' ? o : { kind: 'mismatch' });

/**
 * Confirms a TOTP enrolment started on a second-step token and completes that step, in one append:
 * the recovery code goes through CheckSecondFactor (lockout, failure count, single use), the challenge
 * records the attempt against its cap exactly as continueLogin does, and on success the seed is stored
 * and confirmed with the code's step as the last accepted one (RFC 6238 §5.2: that code cannot be replayed).
 */
export const confirmChallengeTotp = async (deps: Deps, input: ConfirmChallengeTotpInput, meta: EventMeta): Promise<ContinueResult> => {
  const bearer = parseBearerSecret(deps, input.mfaToken);
  if (bearer === null) return { kind: 'invalid_token', reason: 'unknown' };
  const { state: challenge } = await deps.store.load('challenge', bearer.id);
  if (challenge.status === 'none' || (challenge.status === 'pending' && !deps.digest.same(challenge.tokenHash, bearer.hash))) {
    return { kind: 'invalid_token', reason: 'unknown' };
  }
  const { state: before } = await deps.store.load('account', challenge.accountId);
  if (before.status !== 'registered') return { kind: 'invalid_token', reason: 'unknown' };

  // Slow crypto before the transaction (STYLE.md §7): the new seed's code first, then the recovery code.
  const now = deps.clock.now();
  const { algorithm, digits, periodSeconds: period } = deps.policy.totp;
  const params = { algorithm, digits, period };
  const secret = challenge.status === 'pending' ? enrolmentState.open(deps, input.state, bearer.id) : null;
  const sealedSecret = secret === null ? null : deps.box.seal(secret);
  const newCode: OtpOutcome =
    sealedSecret === null
      ? { kind: 'malformed' }
      : await otpOutcome(deps, { ...before.account, totp: { status: 'pending', sealedSecret, ...params }, recovery: [] }, input.otp, now);
  const enrolment = newCode.kind === 'match' && sealedSecret !== null ? { sealedSecret, code: newCode } : null;
  let proof: OtpOutcome = asFailure(newCode);
  if (enrolment !== null) {
    const recovery = await otpOutcome(deps, { ...before.account, totp: { status: 'none' } }, input.recoveryCode, now);
    proof = recovery.kind === 'recovery' ? recovery : asFailure(recovery);
  }
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
    // A factor that went active meanwhile (an admin confirmed one) makes this enrolment stale: a wrong code.
    const otp: OtpOutcome = acct.account.totp.status === 'active' ? { kind: 'mismatch' } : proof;
    const account = decideAccount(deps.policy);
    const events = await tx.decide('account', acct.account.id, account, { type: 'CheckSecondFactor', otp, now: tx.now });
    const success = events.find((e) => e.type === 'LoginSucceeded');
    // Only a recovery outcome can succeed, and it is only checked once the new seed's code matched.
    if (success && enrolment !== null) {
      const pending = await stageSession(deps, tx, { accountId: acct.account.id, ...success.data, dialect: meta.dialect, ttlMs });
      await tx.decide('challenge', bearer.id, decideChallenge(deps.policy), {
        type: 'RecordAttempt',
        result: 'accepted',
        sessionId: pending.sessionId,
        accountEpoch: epoch,
        now: tx.now,
      });
      await tx.decide('account', acct.account.id, account, { type: 'StartTotpEnrolment', sealedSecret: enrolment.sealedSecret, params, now: tx.now });
      await tx.decide('account', acct.account.id, account, { type: 'ConfirmTotp', otp: enrolment.code, now: tx.now });
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
  return { kind: 'authenticated', user, token, deviceToken: null };
};
