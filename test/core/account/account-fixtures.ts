import type { AccountCommand, OtpOutcome } from '../../../core/account/commands.js';
import { accountDecider } from '../../../core/account/decider.js';
import type { AccountEvent } from '../../../core/account/events.js';
import { defaultPolicy } from '../../../core/policy.js';
import { at, specification } from '../given-when-then.js';

export { at };

/** A frozen clock (docs/style.md §6): every command carries its own `now`; nothing here reads the real time. */
export const t0 = 1_736_154_000_000;
export const minute = 60_000;
export const stepAt = (ms: number): number => Math.floor(ms / 30_000);
/** The TOTP step accepted when the factor was confirmed, one step before t0's. */
export const confirmStep = stepAt(t0) - 1;
export const phc = '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g';

export const givenAccount = specification(accountDecider);

/** A registered account with an active TOTP factor, confirmed at `confirmStep`. */
export const activeAccount = (): AccountEvent[] => [
  { type: 'AccountRegistered', data: { accountId: 'acc-1', username: 'alice', passwordHash: phc, roles: [], mfa: 'required' } },
  { type: 'TotpEnrolmentStarted', data: { sealedSecret: 'v1.sealed', algorithm: 'SHA1', digits: 6, period: 30 } },
  { type: 'TotpConfirmed', data: { step: confirmStep } },
];

export const passwordRejected = (failures: number): AccountEvent => ({ type: 'PasswordRejected', data: { failures } });
export const locked = (until: number, failures: number): AccountEvent => ({ type: 'AccountLocked', data: { until, failures } });
/** `n` consecutive wrong passwords below the lock threshold (a history at or past it must state its locks). */
export const rejections = (n: number): AccountEvent[] => {
  if (n >= defaultPolicy.lockout.threshold) throw new Error('state the locks of a history at or past the threshold');
  return Array.from({ length: n }, (_, i) => passwordRejected(i + 1));
};
/**
 * `n` consecutive wrong passwords as a real log holds them: each at or past the threshold with the lock it
 * triggered, every lock already over at t0 (a history never compresses failures into one event: the account
 * remembers when each happened).
 */
export const consecutiveFailures = (n: number): AccountEvent[] =>
  Array.from({ length: n }, (_, i) => (i + 1 >= defaultPolicy.lockout.threshold ? [passwordRejected(i + 1), locked(t0, i + 1)] : [passwordRejected(i + 1)])).flat();
export const loggedIn = (step: number): AccountEvent[] => [
  { type: 'OtpAccepted', data: { step } },
  { type: 'LoginSucceeded', data: { aal: 'aal2', method: 'password+totp' } },
];

export const match = (step: number): OtpOutcome => ({ kind: 'match', step });
export const mismatch: OtpOutcome = { kind: 'mismatch' };
export const absent: OtpOutcome = { kind: 'absent' };
export const malformed: OtpOutcome = { kind: 'malformed' };

export const checkPassword = (
  password: 'match' | 'mismatch',
  otp: OtpOutcome,
  now: number,
  opts: { secondFactor?: 'now' | 'later'; trustedDevice?: boolean } = {},
): AccountCommand => ({
  type: 'CheckPassword',
  password,
  checkedHash: phc,
  otp,
  secondFactor: opts.secondFactor ?? 'now',
  trustedDevice: opts.trustedDevice ?? false,
  now,
});
export const checkSecondFactor = (otp: OtpOutcome, now: number): AccountCommand => ({ type: 'CheckSecondFactor', otp, now });
