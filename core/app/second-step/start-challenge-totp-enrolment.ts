import { challengeUsability } from '../../challenge/state.js';
import { otpauthUri } from '../../otpauth-uri.js';
import type { Deps } from '../kernel/deps.js';
import { newTotpSeed, totpParams } from '../kernel/totp-seed.js';
import { enrolmentState } from './enrolment-state.js';
import { presentedChallenge } from './presented-challenge.js';

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
  const presented = await presentedChallenge(deps, token);
  if (presented === null || challengeUsability(presented.state, presented.account.epoch, deps.clock.now()) !== 'usable') return { kind: 'invalid_token' };
  if (presented.account.totp.status === 'active') return { kind: 'already_seeded' };
  const secret = newTotpSeed(deps);
  return {
    kind: 'secret',
    secret,
    otpauthUri: otpauthUri(deps.issuer, presented.account.username, secret, totpParams(deps.policy)),
    state: enrolmentState.seal(deps, presented.id, secret),
  };
};
