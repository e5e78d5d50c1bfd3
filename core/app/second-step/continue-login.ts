import type { EventMeta } from '../../event.js';
import { canonicalUsername } from '../../username.js';
import { newBearerSecret } from '../kernel/bearer-secret.js';
import type { Deps } from '../kernel/deps.js';
import { otpOutcome } from '../kernel/otp-outcome.js';
import { emailCodeOutcome } from '../email/email-code-outcome.js';
import { transact } from '../kernel/transact.js';
import type { ContinueResult } from '../login/login-result.js';
import { attemptSecondStep, authenticatedResult } from './attempt-second-step.js';
import { presentedChallenge } from './presented-challenge.js';
import { refusePresentation } from './refuse-presentation.js';

export interface ContinueInput {
  readonly mfaToken: unknown;
  readonly otp: unknown;
  /** A code the challenge mailed (native `email_code`, myKaarma `emailToken`): judged instead of `otp` when given. */
  readonly emailCode?: unknown;
  readonly rememberDevice?: boolean;
  /** The user the caller says this step is for (myKaarma's path): a token of another user is refused, and recorded. */
  readonly username?: string;
  readonly tokenTtlMs?: number;
}

/** The second step: a TOTP, e-mail or recovery code on a second-step token; on success, optionally a remembered device. */
export const continueLogin = async (deps: Deps, input: ContinueInput, meta: EventMeta): Promise<ContinueResult> => {
  const presented = await presentedChallenge(deps, input.mfaToken);
  if (presented === null) {
    await refusePresentation(deps, input.mfaToken, 'bad_token', meta);
    return { kind: 'invalid_token', reason: 'unknown' };
  }
  // The token decides the account, never a name in the request (docs/security.md §10).
  if (input.username !== undefined && canonicalUsername(input.username) !== presented.account.username) {
    await refusePresentation(deps, input.mfaToken, 'foreign_user', meta);
    return { kind: 'invalid_token', reason: 'unknown' };
  }
  const byEmail = input.emailCode !== undefined && input.emailCode !== null;
  const otp = presented.state.status === 'pending' && !byEmail ? await otpOutcome(deps, presented.account, input.otp, deps.clock.now()) : { kind: 'absent' as const };
  const device = input.rememberDevice === true ? newBearerSecret(deps) : null;
  const outcome = await transact(deps, meta, (tx) =>
    attemptSecondStep(deps, tx, presented, {
      dialect: meta.dialect,
      ttlMs: input.tokenTtlMs ?? deps.policy.session.ttlMs,
      otp: (_account, challenge) => (byEmail ? emailCodeOutcome(deps, presented.id, challenge, input.emailCode, tx.now) : otp),
      onSuccess: async (account, tx) => {
        if (device === null) return;
        // Tied to the credentials, not the lock: an attacker's failures must not revoke the owner's device (docs/security.md §20).
        tx.decideNew('device', device.id, {
          type: 'Remember',
          selector: device.id,
          accountId: account.id,
          validatorHash: device.hash,
          credentials: account.credentials,
          ttlMs: deps.policy.device.ttlMs,
          now: tx.now,
        });
      },
    }),
    presented.reads,
  );
  return authenticatedResult(deps, outcome, device?.token ?? null);
};
