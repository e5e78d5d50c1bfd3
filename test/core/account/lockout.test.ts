import { fold } from '../given-when-then.js';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { accountDecider } from '../../../core/account/decider.js';
import type { AccountEvent } from '../../../core/account/events.js';
import { lockDuration } from '../../../core/account/lock-duration.js';
import { type AccountState, lockStatusAt } from '../../../core/account/state.js';
import { defaultPolicy } from '../../../core/policy.js';
import {
  activeAccount,
  at,
  checkPassword,
  checkSecondFactor,
  consecutiveFailures,
  givenAccount,
  locked,
  loggedIn,
  match,
  minute,
  mismatch,
  passwordRejected,
  phc,
  rejections,
  stepAt,
  t0,
} from './account-fixtures.js';

/** NIST SP 800-63B §5.2.2 / RFC 4226 §7.3: lock at 5 consecutive failures, back off, hard stop at 100. */
const t = suite('account lockout (NIST SP 800-63B §5.2.2)');

const failuresOf = (s: AccountState): number => (s.status === 'registered' ? s.account.failures : Number.NaN);
const lockOf = (s: AccountState): unknown => (s.status === 'registered' ? s.account.lock : null);
const lockedAt = (until: number): AccountEvent[] => [...activeAccount(), ...rejections(4), passwordRejected(5), locked(until, 5)];

t('four consecutive failures do not lock', () => {
  givenAccount([...activeAccount(), ...rejections(3)])
    .when(checkPassword('mismatch', match(stepAt(t0)), t0))
    .then([passwordRejected(4)]);
});

t('the fifth consecutive failure locks for 1 minute, in the same decision', () => {
  const s = givenAccount([...activeAccount(), ...rejections(4)])
    .when(checkPassword('mismatch', match(stepAt(t0)), t0))
    .then([passwordRejected(5), locked(t0 + minute, 5)]);
  assert.equal(lockOf(s), { status: 'locked', until: t0 + minute });
});

t('wrong codes count toward the same lock as wrong passwords', () => {
  givenAccount([...activeAccount(), ...rejections(4)])
    .when(checkPassword('match', mismatch, t0))
    .then([{ type: 'OtpRejected', data: { reason: 'invalid', failures: 5 } }, locked(t0 + minute, 5)]);
});

t('a correct password alone (two-step login) does not reset the count; the second factor decides', () => {
  const s = givenAccount([...activeAccount(), ...rejections(4)])
    .when(checkPassword('match', { kind: 'absent' }, t0, { secondFactor: 'later' }))
    .then([{ type: 'PasswordAccepted', data: {} }]);
  assert.is(failuresOf(s), 4);
  givenAccount([...activeAccount(), ...rejections(4), { type: 'PasswordAccepted', data: {} }])
    .when(checkSecondFactor(mismatch, t0))
    .then([{ type: 'OtpRejected', data: { reason: 'invalid', failures: 5 } }, locked(t0 + minute, 5)]);
});

// Each row: the failure that comes when the previous lock has just ended, and the lock it brings.
const backoff: readonly (readonly [failures: number, lockMs: number])[] = [
  [5, 1 * minute],
  [6, 2 * minute],
  [7, 4 * minute],
  [8, 8 * minute],
  [9, 15 * minute], // 16 min would exceed the 15 min cap
  [10, 15 * minute],
  [99, 15 * minute],
];
for (const [n, lockMs] of backoff) {
  t(`failure ${n} locks for ${lockMs / minute} min (doubling from 1 min, capped at 15 min)`, () => {
    const history = [...activeAccount(), ...consecutiveFailures(n - 1)];
    givenAccount(history)
      .when(checkPassword('mismatch', match(stepAt(t0)), t0))
      .then([passwordRejected(n), locked(t0 + lockMs, n)]);
  });
}

// docs/security.md §17: failures spread outside the window do not lock; the edge is tested at window − 1 ms and window.
const window = defaultPolicy.lockout.windowMs;
t('four failures exactly a window before the fifth: no lock (they have aged out)', () => {
  givenAccount([...activeAccount(), ...rejections(4).map((e) => at(t0 - window, e))])
    .when(checkPassword('mismatch', match(stepAt(t0)), t0))
    .then([passwordRejected(5)]);
});

t('four failures a window minus 1 ms before the fifth: it locks', () => {
  givenAccount([...activeAccount(), ...rejections(4).map((e) => at(t0 - window + 1, e))])
    .when(checkPassword('mismatch', match(stepAt(t0)), t0))
    .then([passwordRejected(5), locked(t0 + minute, 5)]);
});

t('one old failure and four recent ones: the recent four and this one lock', () => {
  givenAccount([...activeAccount(), at(t0 - 2 * window, passwordRejected(1)), ...[2, 3, 4, 5].map((n) => at(t0 - minute, passwordRejected(n))), at(t0 - minute, locked(t0 - 1, 5))])
    .when(checkPassword('mismatch', match(stepAt(t0)), t0))
    .then([passwordRejected(6), locked(t0 + 2 * minute, 6)]);
});

t('the hard stop counts consecutive failures however spread (NIST SP 800-63B §5.2.2)', () => {
  const spread = Array.from({ length: 99 }, (_, i) => at(t0 - (99 - i) * window, passwordRejected(i + 1)));
  givenAccount([...activeAccount(), ...spread])
    .when(checkPassword('mismatch', match(stepAt(t0)), t0))
    .then([passwordRejected(100), { type: 'AccountHardLocked', data: { failures: 100 } }]);
});

t('lockDuration: 1 min at the threshold, doubling, 15 min cap, never negative below it', () => {
  const l = defaultPolicy.lockout;
  assert.is(lockDuration(4, l), 60_000);
  assert.is(lockDuration(5, l), 60_000);
  assert.is(lockDuration(8, l), 480_000);
  assert.is(lockDuration(9, l), 900_000);
  assert.is(lockDuration(1_000_000, l), 900_000);
});

t('the 100th consecutive failure hard-locks (no timed lock)', () => {
  const s = givenAccount([...activeAccount(), ...consecutiveFailures(99)])
    .when(checkPassword('mismatch', match(stepAt(t0)), t0))
    .then([passwordRejected(100), { type: 'AccountHardLocked', data: { failures: 100 } }]);
  assert.equal(lockOf(s), { status: 'hard_locked' });
});

t('a wrong code can be the 100th failure too', () => {
  givenAccount([...activeAccount(), ...consecutiveFailures(99)])
    .when(checkPassword('match', mismatch, t0))
    .then([{ type: 'OtpRejected', data: { reason: 'invalid', failures: 100 } }, { type: 'AccountHardLocked', data: { failures: 100 } }]);
});

const hardLocked = (): AccountEvent[] => [...activeAccount(), ...consecutiveFailures(99), passwordRejected(100), { type: 'AccountHardLocked', data: { failures: 100 } }];

t('a hard lock holds a year later, for right credentials, a second step and a trusted device', () => {
  const later = t0 + 365 * 24 * 3600_000;
  givenAccount(hardLocked()).when(checkPassword('match', match(stepAt(later)), later)).then([{ type: 'LoginRefused', data: { reason: 'hard_locked' } }]);
  givenAccount(hardLocked()).when(checkSecondFactor(match(stepAt(later)), later)).then([{ type: 'LoginRefused', data: { reason: 'hard_locked' } }]);
  givenAccount(hardLocked())
    .when(checkPassword('match', { kind: 'absent' }, later, { trustedDevice: true }))
    .then([{ type: 'LoginRefused', data: { reason: 'hard_locked' } }]);
});

t('only an admin Unlock ends a hard lock, and it resets the count', () => {
  const s = givenAccount(hardLocked()).when({ type: 'Unlock', now: t0 }).then([{ type: 'AccountUnlocked', data: {} }]);
  assert.is(failuresOf(s), 0);
  const unlocked = [...hardLocked(), { type: 'AccountUnlocked', data: {} } as AccountEvent];
  givenAccount(unlocked).when(checkPassword('match', match(stepAt(t0)), t0)).then(loggedIn(stepAt(t0)));
  givenAccount(unlocked).when(checkPassword('mismatch', match(stepAt(t0)), t0)).then([passwordRejected(1)]);
});

t('Unlock: no event for an untouched account; clears a count below the threshold', () => {
  givenAccount(activeAccount()).when({ type: 'Unlock', now: t0 }).then([]);
  givenAccount([...activeAccount(), ...rejections(2)]).when({ type: 'Unlock', now: t0 }).then([{ type: 'AccountUnlocked', data: {} }]);
});

t('a success resets the count: the failure after it is number 1', () => {
  const s = givenAccount([...activeAccount(), ...rejections(4)])
    .when(checkPassword('match', match(stepAt(t0)), t0))
    .then(loggedIn(stepAt(t0)));
  assert.is(failuresOf(s), 0);
  givenAccount([...activeAccount(), ...rejections(4), ...loggedIn(stepAt(t0))])
    .when(checkPassword('mismatch', match(stepAt(t0)), t0 + 1))
    .then([passwordRejected(1)]);
});

t('failures with a success between them never reach the lock (docs/security.md §17)', () => {
  givenAccount([...activeAccount(), ...rejections(4), ...loggedIn(stepAt(t0)), ...rejections(3)])
    .when(checkPassword('mismatch', match(stepAt(t0)), t0 + 1))
    .then([passwordRejected(4)]);
});

// The lock ends at `until`: refused at until−1 ms, open at until and at until+1 ms (docs/style.md §17).
const until = t0 + minute;

t('at until−1 ms a wrong password is refused, not counted, and the lock is not extended', () => {
  const s = givenAccount(lockedAt(until))
    .when(checkPassword('mismatch', match(stepAt(until - 1)), until - 1))
    .then([{ type: 'LoginRefused', data: { reason: 'locked' } }]);
  assert.is(failuresOf(s), 5);
  assert.equal(lockOf(s), { status: 'locked', until });
});

t('at until−1 ms right credentials are refused too (docs/security.md §16)', () => {
  givenAccount(lockedAt(until)).when(checkPassword('match', match(stepAt(until - 1)), until - 1)).then([{ type: 'LoginRefused', data: { reason: 'locked' } }]);
  givenAccount(lockedAt(until)).when(checkSecondFactor(match(stepAt(until - 1)), until - 1)).then([{ type: 'LoginRefused', data: { reason: 'locked' } }]);
});

t('at until the lock is over: right credentials log in', () => {
  givenAccount(lockedAt(until)).when(checkPassword('match', match(stepAt(until)), until)).then(loggedIn(stepAt(until)));
  givenAccount(lockedAt(until)).when(checkSecondFactor(match(stepAt(until)), until)).then(loggedIn(stepAt(until)));
});

t('at until+1 ms the lock is over: right credentials log in', () => {
  givenAccount(lockedAt(until)).when(checkPassword('match', match(stepAt(until + 1)), until + 1)).then(loggedIn(stepAt(until + 1)));
});

t('refused attempts during the lock leave the next failure at 6 and its lock measured from then', () => {
  const refused: AccountEvent = { type: 'LoginRefused', data: { reason: 'locked' } };
  givenAccount([...lockedAt(until), refused, refused, refused])
    .when(checkPassword('mismatch', match(stepAt(until)), until))
    .then([passwordRejected(6), locked(until + 2 * minute, 6)]);
});

t('lockStatusAt: locked before until, open at until and after', () => {
  const lock = { status: 'locked', until } as const;
  assert.is(lockStatusAt(lock, until - 1), 'locked');
  assert.is(lockStatusAt(lock, until), 'open');
  assert.is(lockStatusAt(lock, until + 1), 'open');
});

t('a remembered device with the right password passes a temporary lock, not with a wrong one (docs/security.md §20)', () => {
  givenAccount(lockedAt(until))
    .when(checkPassword('match', { kind: 'absent' }, until - 1, { trustedDevice: true }))
    .then([{ type: 'LoginSucceeded', data: { aal: 'aal2', method: 'password+device' } }]);
  givenAccount(lockedAt(until))
    .when(checkPassword('mismatch', { kind: 'absent' }, until - 1, { trustedDevice: true }))
    .then([{ type: 'LoginRefused', data: { reason: 'locked' } }]);
});

t('a disabled account is refused without counting; Enable reopens it with a clean count', () => {
  const disabled = [...activeAccount(), ...rejections(3), { type: 'AccountDisabled', data: {} } as AccountEvent];
  givenAccount(disabled).when(checkPassword('mismatch', match(stepAt(t0)), t0)).then([{ type: 'LoginRefused', data: { reason: 'disabled' } }]);
  givenAccount(disabled).when({ type: 'Unlock', now: t0 }).then([]);
  const s = givenAccount(disabled).when({ type: 'Enable', now: t0 }).then([{ type: 'AccountEnabled', data: {} }]);
  assert.is(failuresOf(s), 0);
});

t('errors: an unregistered account, and a password hash that changed during the check (a stale outcome)', () => {
  givenAccount([]).when(checkPassword('match', match(stepAt(t0)), t0)).thenThrows('unknown_user');
  givenAccount([...activeAccount(), { type: 'PasswordChanged', data: { passwordHash: `${phc}x` } }])
    .when(checkPassword('match', match(stepAt(t0)), t0))
    .thenThrows('stale_check');
});

t('driven for real: 100 failures, each at its lock end, give 1,2,4,8,15,15… min locks and one hard lock', () => {
  const decider = accountDecider;
  let state = fold(decider.evolve, decider.initialState(), activeAccount(), t0);
  let now = t0;
  const locks: number[] = [];
  let hardLocks = 0;
  for (let i = 1; i <= 100; i++) {
    const lock = state.status === 'registered' ? state.account.lock : null;
    if (lock?.status === 'locked') {
      // An attempt one millisecond early is refused and changes nothing.
      const early = decider.decide(checkPassword('mismatch', match(stepAt(lock.until - 1)), lock.until - 1), state, defaultPolicy);
      assert.equal(early, [{ type: 'LoginRefused', data: { reason: 'locked' } }]);
      state = fold(decider.evolve, state, early, lock.until - 1);
      now = lock.until;
    }
    const events = decider.decide(checkPassword('mismatch', match(stepAt(now)), now), state, defaultPolicy);
    assert.equal(events[0], passwordRejected(i));
    for (const e of events.slice(1)) {
      if (e.type === 'AccountLocked') locks.push(e.data.until - now);
      else if (e.type === 'AccountHardLocked') hardLocks++;
      else assert.unreachable(`unexpected ${e.type}`);
    }
    state = fold(decider.evolve, state, events, now);
  }
  assert.equal(locks.slice(0, 6), [1, 2, 4, 8, 15, 15].map((m) => m * minute));
  assert.is(locks.length, 95, 'failures 5…99 each lock once');
  assert.ok(locks.slice(4).every((ms) => ms === 15 * minute));
  assert.is(hardLocks, 1);
  assert.equal(state.status === 'registered' ? state.account.lock : null, { status: 'hard_locked' });
});

t.run();
