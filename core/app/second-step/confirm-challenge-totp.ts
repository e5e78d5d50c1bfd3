import type { OtpOutcome } from '../../account/commands.js';
import type { EventMeta } from '../../event.js';
import type { Deps } from '../kernel/deps.js';
import { otpOutcome } from '../kernel/otp-outcome.js';
import { totpParams } from '../kernel/totp-seed.js';
import { transact } from '../kernel/transact.js';
import type { ContinueResult } from '../login/login-result.js';
import { attemptSecondStep, authenticatedResult } from './attempt-second-step.js';
import { enrolmentState } from './enrolment-state.js';
import { presentedChallenge } from './presented-challenge.js';
import { refusePresentation } from './refuse-presentation.js';

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
  const presented = await presentedChallenge(deps, input.mfaToken);
  if (presented === null) {
    await refusePresentation(deps, input.mfaToken, 'bad_token', meta);
    return { kind: 'invalid_token', reason: 'unknown' };
  }

  // Slow crypto before the transaction (docs/style.md §7): the new seed's code first, then the recovery code.
  const now = deps.clock.now();
  const params = totpParams(deps.policy);
  const secret = presented.state.status === 'pending' ? enrolmentState.open(deps, input.state, presented.id) : null;
  const sealedSecret = secret === null ? null : deps.box.seal(secret);
  const newCode: OtpOutcome =
    sealedSecret === null
      ? { kind: 'malformed' }
      : await otpOutcome(deps, { ...presented.account, totp: { status: 'pending', sealedSecret, ...params }, recovery: [] }, input.otp, now);
  const enrolment = newCode.kind === 'match' && sealedSecret !== null ? { sealedSecret, code: newCode } : null;
  let proof: OtpOutcome = asFailure(newCode);
  if (enrolment !== null) {
    const recovery = await otpOutcome(deps, { ...presented.account, totp: { status: 'none' } }, input.recoveryCode, now);
    proof = recovery.kind === 'recovery' ? recovery : asFailure(recovery);
  }

  const outcome = await transact(deps, meta, (tx) =>
    attemptSecondStep(deps, tx, presented, {
      dialect: meta.dialect,
      ttlMs: input.tokenTtlMs ?? deps.policy.session.ttlMs,
      // A factor that went active meanwhile (an admin confirmed one) makes this enrolment stale: a wrong code.
      otp: (account) => (account.totp.status === 'active' ? { kind: 'mismatch' } : proof),
      // Only a recovery outcome can succeed, and it is only judged once the new seed's code matched.
      onSuccess: async (account, tx) => {
        if (enrolment === null) return;
        await tx.decide('account', account.id, { type: 'StartTotpEnrolment', sealedSecret: enrolment.sealedSecret, params, now: tx.now });
        await tx.decide('account', account.id, { type: 'ConfirmTotp', otp: enrolment.code, now: tx.now });
      },
    }),
    presented.reads,
  );
  return authenticatedResult(deps, outcome, null);
};
