import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { AccountEvent } from '../../../core/account/events.js';
import { defaultPolicy } from '../../../core/policy.js';
import { activeAccount, at, givenAccount, minute, phc, t0 } from './account-fixtures.js';

/** docs/security.md §38–§39: the e-mail factor's enrolment, its codes judged by the one failure rule, its hourly limit. */
const t = suite('account decider: e-mail factor');

const registered: AccountEvent = { type: 'AccountRegistered', data: { accountId: 'acc-1', username: 'alice', passwordHash: phc, roles: [], mfa: 'required' } };
const started = (codeId = 'v-1', expiresAt = t0 + 10 * minute): AccountEvent => ({
  type: 'EmailVerificationStarted',
  data: { address: 'Alice.Smith@Example.org', codeId, codeMac: `mac-${codeId}`, expiresAt, outbox: 'node-a' },
});
const confirmed: AccountEvent = { type: 'EmailConfirmed', data: { codeId: 'v-1' } };
const withEmail = (): AccountEvent[] => [registered, started(), confirmed];

t('a verification keeps the address as given; confirming it makes it the factor and kills outstanding challenges', () => {
  givenAccount([registered])
    .when({ type: 'StartEmailVerification', address: 'Alice.Smith@Example.org', codeId: 'v-1', codeMac: 'mac-v-1', expiresAt: t0 + 10 * minute, outbox: 'node-a', now: t0 })
    .then([started()]);
  const state = givenAccount([registered, started()]).when({ type: 'ConfirmEmail', outcome: 'match', codeId: 'v-1', now: t0 }).then([confirmed]);
  assert.ok(state.status === 'registered');
  if (state.status !== 'registered') return;
  assert.is(state.account.email.address, 'Alice.Smith@Example.org');
  assert.is(state.account.email.verification, null);
  assert.is(state.account.epoch, 1);
});

t('a wrong verification code confirms nothing; an expired verification is no longer pending (edge: at expiresAt)', () => {
  givenAccount([registered, started()]).when({ type: 'ConfirmEmail', outcome: 'mismatch', codeId: 'v-1', now: t0 }).then([]);
  givenAccount([registered, started()]).when({ type: 'ConfirmEmail', outcome: 'match', codeId: 'v-1', now: t0 + 10 * minute - 1 }).then([confirmed]);
  givenAccount([registered, started()]).when({ type: 'ConfirmEmail', outcome: 'match', codeId: 'v-1', now: t0 + 10 * minute }).thenThrows('factor_not_enrolled');
  givenAccount([registered]).when({ type: 'ConfirmEmail', outcome: 'match', codeId: 'v-1', now: t0 }).thenThrows('factor_not_enrolled');
});

t('an e-mail factor alone is a second factor: the password step waits for it', () => {
  givenAccount(withEmail())
    .when({ type: 'CheckPassword', password: 'match', checkedHash: phc, otp: { kind: 'absent' }, secondFactor: 'later', trustedDevice: false, now: t0 })
    .then([{ type: 'PasswordAccepted', data: {} }]);
  givenAccount([registered])
    .when({ type: 'CheckPassword', password: 'match', checkedHash: phc, otp: { kind: 'absent' }, secondFactor: 'later', trustedDevice: false, now: t0 })
    .then([{ type: 'LoginRefused', data: { reason: 'no_factor' } }]);
});

t('a matching e-mail code completes at aal2; a wrong one is counted on the one failure counter, and locks like TOTP', () => {
  givenAccount(withEmail()).when({ type: 'CheckSecondFactor', otp: { kind: 'email' }, now: t0 }).then([{ type: 'LoginSucceeded', data: { aal: 'aal2', method: 'password+email' } }]);
  givenAccount(withEmail()).when({ type: 'CheckSecondFactor', otp: { kind: 'mismatch' }, now: t0 }).then([{ type: 'OtpRejected', data: { reason: 'invalid', failures: 1 } }]);
  const four: AccountEvent[] = [1, 2, 3, 4].map((failures) => ({ type: 'PasswordRejected', data: { failures } }));
  givenAccount([...withEmail(), ...four])
    .when({ type: 'CheckSecondFactor', otp: { kind: 'mismatch' }, now: t0 })
    .then([
      { type: 'OtpRejected', data: { reason: 'invalid', failures: 5 } },
      { type: 'AccountLocked', data: { until: t0 + defaultPolicy.lockout.baseLockMs, failures: 5 } },
    ]);
});

t('a code of an account whose address was removed is a failure', () => {
  givenAccount([...withEmail(), { type: 'EmailRemoved', data: {} }])
    .when({ type: 'CheckSecondFactor', otp: { kind: 'email' }, now: t0 })
    .then([{ type: 'OtpRejected', data: { reason: 'invalid', failures: 1 } }]);
});

t('TOTP and e-mail together: both methods stay, removing one leaves the other', () => {
  const state = givenAccount([...activeAccount(), started(), confirmed]).when({ type: 'RemoveEmail', now: t0 }).then([{ type: 'EmailRemoved', data: {} }]);
  assert.ok(state.status === 'registered' && state.account.totp.status === 'active' && state.account.email.address === null);
  givenAccount([registered]).when({ type: 'RemoveEmail', now: t0 }).then([]);
});

t('sends are limited per hour: the limit-th send is allowed, the next refused, and one an hour old no longer counts', () => {
  const limit = defaultPolicy.email.perAccountPerHour;
  const sends = Array.from({ length: limit }, (_, i) => at(t0 + i * minute, { type: 'EmailCodeRequested', data: { challengeId: `c-${i}` } } as AccountEvent));
  const next = t0 + limit * minute;
  givenAccount([...withEmail(), ...sends.slice(1)]).when({ type: 'CountEmailSend', challengeId: 'c-x', now: next }).then([{ type: 'EmailCodeRequested', data: { challengeId: 'c-x' } }]);
  givenAccount([...withEmail(), ...sends]).when({ type: 'CountEmailSend', challengeId: 'c-x', now: t0 + 3600_000 - 1 }).then([]);
  givenAccount([...withEmail(), ...sends]).when({ type: 'CountEmailSend', challengeId: 'c-x', now: t0 + 3600_000 }).then([{ type: 'EmailCodeRequested', data: { challengeId: 'c-x' } }]);
});

t('the verification mail is recorded once; an account row from before e-mail reads as none', () => {
  const delivered: AccountEvent = { type: 'EmailCodeDelivered', data: { codeId: 'v-1', attempt: 1 } };
  givenAccount([registered, started()]).when({ type: 'RecordEmailDelivery', codeId: 'v-1', outcome: { kind: 'delivered', attempt: 1 }, now: t0 }).then([delivered]);
  givenAccount([registered, started(), delivered]).when({ type: 'RecordEmailDelivery', codeId: 'v-1', outcome: { kind: 'abandoned', reason: 'restart' }, now: t0 }).then([]);
});

t.run();
