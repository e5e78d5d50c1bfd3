import { DomainError } from '../../errors.js';
import type { EventMeta } from '../../event.js';
import { otpauthUri } from '../../otpauth-uri.js';
import type { Deps } from '../kernel/deps.js';
import { otpOutcome } from '../kernel/otp-outcome.js';
import { accountNamed } from '../kernel/registered-account.js';
import { newTotpSeed, totpParams } from '../kernel/totp-seed.js';
import { decideOnAccount } from './decide-on-account.js';

/** Starts (or restarts) TOTP enrolment; the factor is pending until a first code confirms it. */
export const enrolTotp = async (deps: Deps, username: string, meta: EventMeta): Promise<{ secret: string; otpauthUri: string }> => {
  const account = await accountNamed(deps, username);
  const secret = newTotpSeed(deps);
  const params = totpParams(deps.policy);
  await decideOnAccount(deps, username, meta, (now) => ({ type: 'StartTotpEnrolment', sealedSecret: deps.box.seal(secret), params, now }));
  return { secret, otpauthUri: otpauthUri(deps.issuer, account.username, secret, params) };
};

/** True when the code matched and the factor is now active. */
export const confirmTotp = async (deps: Deps, username: string, otp: unknown, meta: EventMeta): Promise<boolean> => {
  const account = await accountNamed(deps, username);
  if (account.totp.status !== 'pending') throw new DomainError('factor_not_enrolled', 'no pending TOTP enrolment');
  const outcome = await otpOutcome(deps, account, otp, deps.clock.now());
  if (outcome.kind !== 'match') return false;
  const events = await decideOnAccount(deps, username, meta, (now) => ({ type: 'ConfirmTotp', otp: outcome, now }));
  return events.length > 0;
};

export const removeTotp = async (deps: Deps, username: string, meta: EventMeta): Promise<void> => {
  await decideOnAccount(deps, username, meta, (now) => ({ type: 'RemoveTotp', now }));
};
