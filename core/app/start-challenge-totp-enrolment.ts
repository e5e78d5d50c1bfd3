import { challengeUsability } from '../challenge/state.js';
import { base32 } from '../base32.js';
import { otpauthUri } from '../otpauth-uri.js';
import { parseBearerSecret } from './bearer-secret.js';
import type { Deps } from './deps.js';
import { enrolmentState } from './enrolment-state.js';

export type ChallengeEnrolment =
  | { readonly kind: 'already_seeded' }
  | { readonly kind: 'secret'; readonly secret: string; readonly otpauthUri: string; readonly state: string }
  | { readonly kind: 'invalid_token' };

/**
 * Appgate's `otp/initialize` on a usable second-step token: an account with an active TOTP factor is
 * already seeded; any other gets a fresh seed and a `state` that only this challenge can confirm
 * (confirmChallengeTotp). Nothing is appended here: the enrolment exists once it is proven.
 */
export const startChallengeTotpEnrolment = async (deps: Deps, token: unknown): Promise<ChallengeEnrolment> => {
  const bearer = parseBearerSecret(deps, token);
  if (bearer === null) return { kind: 'invalid_token' };
  const { state: challenge } = await deps.store.load('challenge', bearer.id);
  if (challenge.status !== 'pending' || !deps.digest.same(challenge.tokenHash, bearer.hash)) return { kind: 'invalid_token' };
  const { state: account } = await deps.store.load('account', challenge.accountId);
  if (account.status !== 'registered' || challengeUsability(challenge, account.account.epoch, deps.clock.now()) !== 'usable') {
    return { kind: 'invalid_token' };
  }
  if (account.account.totp.status === 'active') return { kind: 'already_seeded' };
  const secret = base32(deps.random.bytes(20));
  const { algorithm, digits, periodSeconds: period } = deps.policy.totp;
  return {
    kind: 'secret',
    secret,
    otpauthUri: otpauthUri(deps.issuer, account.account.username, secret, { algorithm, digits, period }),
    state: enrolmentState.seal(deps, bearer.id, secret),
  };
};
