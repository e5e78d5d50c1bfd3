import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { AccountEvent } from '../../../core/account/events.js';
import type { AccountState } from '../../../core/account/state.js';
import {
  absent,
  activeAccount,
  checkPassword,
  checkSecondFactor,
  confirmStep,
  givenAccount,
  locked,
  loggedIn,
  malformed,
  match,
  minute,
  mismatch,
  phc,
  rejections,
  stepAt,
  t0,
} from './account-fixtures.js';

/** RFC 6238 §5.2: "the verifier MUST NOT accept the second attempt of the OTP after the successful validation". */
const t = suite('TOTP replay protection (RFC 6238 §5.2)');

const lastStepOf = (s: AccountState): number | null => (s.status === 'registered' ? s.account.lastTotpStep : null);
const otpRejected = (reason: 'invalid' | 'replayed' | 'missing' | 'malformed', failures: number): AccountEvent => ({
  type: 'OtpRejected',
  data: { reason, failures },
});
const accepted = stepAt(t0);
const afterLogin = (): AccountEvent[] => [...activeAccount(), ...loggedIn(accepted)];

t('a step equal to the last accepted one is a replay, counted as a failure', () => {
  const s = givenAccount(afterLogin()).when(checkPassword('match', match(accepted), t0 + 1)).then([otpRejected('replayed', 1)]);
  assert.is(lastStepOf(s), accepted);
});

t('a step before the last accepted one is a replay (docs/security.md §2)', () => {
  givenAccount(afterLogin()).when(checkPassword('match', match(accepted - 1), t0 + 1)).then([otpRejected('replayed', 1)]);
  givenAccount(afterLogin()).when(checkSecondFactor(match(accepted - 1), t0 + 1)).then([otpRejected('replayed', 1)]);
});

t('the next step (last + 1) is accepted and becomes the last', () => {
  const s = givenAccount(afterLogin()).when(checkPassword('match', match(accepted + 1), t0 + 30_000)).then(loggedIn(accepted + 1));
  assert.is(lastStepOf(s), accepted + 1);
  givenAccount([...afterLogin(), ...loggedIn(accepted + 1)]).when(checkSecondFactor(match(accepted + 1), t0 + 30_001)).then([otpRejected('replayed', 1)]);
});

t('the second step of a two-step login applies the same rule', () => {
  givenAccount(afterLogin()).when(checkSecondFactor(match(accepted), t0 + 1)).then([otpRejected('replayed', 1)]);
  givenAccount(afterLogin()).when(checkSecondFactor(match(accepted + 1), t0 + 30_000)).then(loggedIn(accepted + 1));
});

t('the step that confirmed the factor counts as accepted: it cannot log in, the next one can', () => {
  givenAccount(activeAccount()).when(checkPassword('match', match(confirmStep), t0)).then([otpRejected('replayed', 1)]);
  givenAccount(activeAccount()).when(checkPassword('match', match(confirmStep + 1), t0)).then(loggedIn(confirmStep + 1));
});

t('ConfirmTotp records the matched step; a wrong code confirms nothing; no pending factor is an error', () => {
  const pending = activeAccount().slice(0, 2);
  const s = givenAccount(pending).when({ type: 'ConfirmTotp', otp: match(accepted), now: t0 }).then([{ type: 'TotpConfirmed', data: { step: accepted } }]);
  assert.is(lastStepOf(s), accepted);
  givenAccount(pending).when({ type: 'ConfirmTotp', otp: mismatch, now: t0 }).then([]);
  givenAccount(activeAccount()).when({ type: 'ConfirmTotp', otp: match(accepted), now: t0 }).thenThrows('factor_not_enrolled');
});

t('a matching code for a factor that is still pending is not a second factor', () => {
  const pendingWithRecovery: AccountEvent[] = [...activeAccount().slice(0, 2), { type: 'RecoveryCodesGenerated', data: { hashes: ['h0', 'h1'] } }];
  givenAccount(pendingWithRecovery).when(checkPassword('match', match(accepted), t0)).then([otpRejected('invalid', 1)]);
  givenAccount(activeAccount().slice(0, 2)).when(checkPassword('match', match(accepted), t0)).then([{ type: 'LoginRefused', data: { reason: 'no_factor' } }]);
});

t('a recovery code is single use', () => {
  const withCodes: AccountEvent[] = [...activeAccount(), { type: 'RecoveryCodesGenerated', data: { hashes: ['h0', 'h1'] } }];
  givenAccount(withCodes)
    .when(checkPassword('match', { kind: 'recovery', index: 1, hash: 'h1' }, t0))
    .then([
      { type: 'RecoveryCodeUsed', data: { index: 1 } },
      { type: 'LoginSucceeded', data: { aal: 'aal2', method: 'password+recovery' } },
    ]);
  givenAccount([...withCodes, { type: 'RecoveryCodeUsed', data: { index: 1 } }])
    .when(checkPassword('match', { kind: 'recovery', index: 1, hash: 'h1' }, t0))
    .then([otpRejected('invalid', 1)]);
});

t('a recovery code of a regenerated set does not pass as the new code at the same index', () => {
  const regenerated: AccountEvent[] = [...activeAccount(), { type: 'RecoveryCodesGenerated', data: { hashes: ['h0', 'h1'] } }, { type: 'RecoveryCodesGenerated', data: { hashes: ['n0', 'n1'] } }];
  givenAccount(regenerated).when(checkPassword('match', { kind: 'recovery', index: 1, hash: 'h1' }, t0)).then([otpRejected('invalid', 1)]);
  givenAccount(regenerated)
    .when(checkPassword('match', { kind: 'recovery', index: 1, hash: 'n1' }, t0))
    .then([
      { type: 'RecoveryCodeUsed', data: { index: 1 } },
      { type: 'LoginSucceeded', data: { aal: 'aal2', method: 'password+recovery' } },
    ]);
});

// docs/security.md §5 and §13: a one-step login without a usable code is a failed login, not a free password check.
t('one-step login with no code: a failure (missing)', () => {
  givenAccount(afterLogin()).when(checkPassword('match', absent, t0 + 30_000)).then([otpRejected('missing', 1)]);
});

t('one-step login with a malformed code: a failure (malformed)', () => {
  givenAccount(afterLogin()).when(checkPassword('match', malformed, t0 + 30_000)).then([otpRejected('malformed', 1)]);
});

t('a malformed code is a failure even when a second step could follow', () => {
  givenAccount(afterLogin()).when(checkPassword('match', malformed, t0 + 30_000, { secondFactor: 'later' })).then([otpRejected('malformed', 1)]);
  givenAccount(afterLogin()).when(checkPassword('match', absent, t0 + 30_000, { secondFactor: 'later' })).then([{ type: 'PasswordAccepted', data: {} }]);
});

t('missing and malformed codes reach the lock like wrong ones', () => {
  givenAccount([...afterLogin(), ...rejections(4)]).when(checkPassword('match', absent, t0 + 30_000)).then([otpRejected('missing', 5), locked(t0 + 30_000 + minute, 5)]);
  givenAccount([...afterLogin(), ...rejections(4)]).when(checkSecondFactor(malformed, t0 + 30_000)).then([otpRejected('malformed', 5), locked(t0 + 30_000 + minute, 5)]);
});

t('an mfa-exempt account logs in with the password alone (aal1)', () => {
  givenAccount([{ type: 'AccountRegistered', data: { accountId: 'acc-2', username: 'svc', passwordHash: phc, roles: [], mfa: 'exempt' } }])
    .when(checkPassword('match', absent, t0))
    .then([{ type: 'LoginSucceeded', data: { aal: 'aal1', method: 'password' } }]);
});

t.run();
