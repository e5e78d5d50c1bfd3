import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type WhatIfOptions, type WhatIfResult, WhatIf, whatIfLimits } from '../../../core/audit/what-if.js';
import type { StoredEvent } from '../../../core/event.js';
import { type Policy, defaultPolicy } from '../../../core/policy.js';
import {
  History,
  hour,
  minute,
  oneStep,
  passwordStep,
  register,
  registerWithTotp,
  rightPassword,
  second,
  secondStep,
  t0,
  unlock,
  wrongPassword,
} from './what-if-history.js';

/**
 * Issue 18: the record re-run under another lockout policy. Every history is recorded under the default policy
 * (threshold 5 in 12 h, 1 min doubling to 15 min, hard lock at 100); the answers are worked out by hand beside them.
 */
const t = suite('what-if: the recorded history under another lockout policy');

const lockout = (l: Partial<Policy['lockout']>): Policy => ({ ...defaultPolicy, lockout: { ...defaultPolicy.lockout, ...l } });
/** 3 failures within 5 minutes lock; the lock lasts 1 minute at the 3rd failure, doubling from there. */
const strict = lockout({ threshold: 3, windowMs: 5 * minute });

const whatIf = (events: readonly StoredEvent[], alternative: Policy, range: Pick<WhatIfOptions, 'since' | 'until'> = {}): WhatIfResult => {
  const w = new WhatIf({ actual: defaultPolicy, alternative, ...range });
  for (const e of events) w.push(e);
  return w.result();
};

const types = (events: readonly StoredEvent[]): string[] => events.map((e) => e.type);
const s = (n: number): number => t0 + n * second;
const success = (events: readonly StoredEvent[]) => {
  const e = events.find((x) => x.type === 'LoginSucceeded');
  if (e === undefined) throw new Error('no recorded success');
  return { seq: e.seq, at: e.at };
};

/** Alice (mfa exempt) fails three times within a minute; `more` records what follows. */
const threeFailures = (more: (h: History) => void = () => {}): History => {
  const h = new History();
  register(h, 'a1', 'alice', t0);
  for (const at of [s(10), s(40), s(70)]) assert.equal(types(wrongPassword(h, 'a1', at)), ['PasswordRejected']);
  more(h);
  return h;
};

t('the real policy as the alternative: no difference at all', () => {
  const h = threeFailures((h) => {
    for (const at of [s(90), s(110)]) wrongPassword(h, 'a1', at);
    rightPassword(h, 'a1', s(120)); // refused: locked at 110 s until 170 s
    rightPassword(h, 'a1', s(200));
  });
  assert.equal(types(h.events.slice(-3)), ['LoginRefused', 'LoginSucceeded', 'SessionIssued']);
  const r = whatIf(h.events, defaultPolicy);
  assert.equal(r.summary, { accountsLocked: 1, accountsLockedActual: 1, successesRefused: 0, failuresPrevented: 0 });
  assert.equal(r.accounts, []);
  assert.equal(r.policy, defaultPolicy.lockout);
  assert.equal(r.actual, defaultPolicy.lockout);
  assert.equal(r.limits, whatIfLimits);
});

// Alternative: 3rd failure at 70 s: 3 within 5 min → locked until 70 s + lockDuration(3) = 70 s + 1 min = 130 s.
t('threshold 3 in 5 minutes: locked at the 3rd failure; a success at until − 1 ms is refused', () => {
  let ok: StoredEvent[] = [];
  const h = threeFailures((h) => {
    ok = rightPassword(h, 'a1', s(130) - 1);
  });
  assert.equal(types(ok), ['LoginSucceeded']); // the default policy had not locked (3 < 5)
  const r = whatIf(h.events, strict);
  assert.equal(r.summary, { accountsLocked: 1, accountsLockedActual: 0, successesRefused: 1, failuresPrevented: 0 });
  assert.equal(r.accounts, [{ username: 'alice', lockedAt: [s(70)], lockedAtActual: [], successesRefused: [success(ok)], failuresPrevented: 0 }]);
  assert.equal(r.policy, strict.lockout);
});

t('threshold 3 in 5 minutes: a success at until (the lock is over) is not refused', () => {
  const h = threeFailures((h) => rightPassword(h, 'a1', s(130)));
  const r = whatIf(h.events, strict);
  assert.equal(r.summary, { accountsLocked: 1, accountsLockedActual: 0, successesRefused: 0, failuresPrevented: 0 });
  assert.equal(r.accounts, [{ username: 'alice', lockedAt: [s(70)], lockedAtActual: [], successesRefused: [], failuresPrevented: 0 }]);
});

/**
 * Five wrong passwords at 10, 40, 70, 90, 110 s, a sixth at 200 s.
 * Real: the 5th (110 s) locks until 170 s; the 6th (200 s, lock over) is failure 6 → locked for 2 min.
 * Alternative: locked at 70 s until 130 s, so 90 s and 110 s are never judged (prevented: 2); at 200 s it is failure
 * 4, with 10, 40, 70 s still inside the 5 min window → 4 ≥ 3 → locked again (lockDuration(4) = 2 min).
 */
const fiveAndOne = (): History =>
  threeFailures((h) => {
    assert.equal(types(wrongPassword(h, 'a1', s(90))), ['PasswordRejected']);
    assert.equal(types(wrongPassword(h, 'a1', s(110))), ['PasswordRejected', 'AccountLocked']);
    assert.equal(types(wrongPassword(h, 'a1', s(200))), ['PasswordRejected', 'AccountLocked']);
  });

t('failures during the alternative lock would never have been judged', () => {
  const r = whatIf(fiveAndOne().events, strict);
  assert.equal(r.summary, { accountsLocked: 1, accountsLockedActual: 1, successesRefused: 0, failuresPrevented: 2 });
  assert.equal(r.accounts, [{ username: 'alice', lockedAt: [s(70), s(200)], lockedAtActual: [s(110), s(200)], successesRefused: [], failuresPrevented: 2 }]);
});

/**
 * fiveAndOne with a base lock of 2 minutes: locked at 70 s until 190 s (90 s and 110 s still prevented); at 200 s
 * failure 4 locks for lockDuration(4) = 2 min doubled = 4 min, until 440 s. The real lock at 200 s ends at 320 s, so
 * the recorded success at 330 s is refused under the alternative; the one at 440 s (its lock just over) is not.
 */
t("the alternative's locks last what its own back-off says", () => {
  const h = fiveAndOne();
  const early = rightPassword(h, 'a1', s(330));
  assert.equal(types(early), ['LoginSucceeded']);
  rightPassword(h, 'a1', s(440));
  const r = whatIf(h.events, lockout({ threshold: 3, windowMs: 5 * minute, baseLockMs: 2 * minute }));
  assert.equal(r.accounts, [{ username: 'alice', lockedAt: [s(70), s(200)], lockedAtActual: [s(110), s(200)], successesRefused: [success(early)], failuresPrevented: 2 }]);
});

/**
 * Four wrong passwords 13 h apart: never 2 inside the 12 h window, so no timed lock under either policy; the real
 * hard stop is 100. With hard lock 4 the 4th (t0 + 40 h) hard-locks; the success at 41 h and the failure at 42 h
 * are then refused.
 */
t('a stricter hard lock: hard-locked at the 4th consecutive failure, however spread', () => {
  const h = new History();
  register(h, 'a1', 'alice', t0);
  for (const n of [1, 14, 27, 40]) assert.equal(types(wrongPassword(h, 'a1', t0 + n * hour)), ['PasswordRejected']);
  const ok = rightPassword(h, 'a1', t0 + 41 * hour);
  assert.equal(types(wrongPassword(h, 'a1', t0 + 42 * hour)), ['PasswordRejected']);
  const r = whatIf(h.events, lockout({ hardLockAfter: 4 }));
  assert.equal(r.summary, { accountsLocked: 1, accountsLockedActual: 0, successesRefused: 1, failuresPrevented: 1 });
  assert.equal(r.accounts, [{ username: 'alice', lockedAt: [t0 + 40 * hour], lockedAtActual: [], successesRefused: [success(ok)], failuresPrevented: 1 }]);
});

/**
 * Five wrong passwords 10 s apart: the real 5th (50 s) locks until 110 s; the right password at 60 s and a wrong one
 * at 70 s are refused (LoginRefused locked), a success at 120 s. Threshold 10: no lock at all. The refused attempts
 * were never judged, so the alternative cannot say what they would have done: they count nowhere.
 */
t('a laxer policy: the real lock disappears, and the attempts it refused are counted nowhere', () => {
  const h = new History();
  register(h, 'a1', 'alice', t0);
  for (const n of [10, 20, 30, 40]) wrongPassword(h, 'a1', s(n));
  assert.equal(types(wrongPassword(h, 'a1', s(50))), ['PasswordRejected', 'AccountLocked']);
  assert.equal(types(rightPassword(h, 'a1', s(60))), ['LoginRefused']);
  assert.equal(types(wrongPassword(h, 'a1', s(70))), ['LoginRefused']);
  assert.equal(types(rightPassword(h, 'a1', s(120))), ['LoginSucceeded']);
  const r = whatIf(h.events, lockout({ threshold: 10 }));
  assert.equal(r.summary, { accountsLocked: 0, accountsLockedActual: 1, successesRefused: 0, failuresPrevented: 0 });
  assert.equal(r.accounts, [{ username: 'alice', lockedAt: [], lockedAtActual: [s(50)], successesRefused: [], failuresPrevented: 0 }]);
});

// fiveAndOne under `strict`: locks at 70 s and 200 s, prevented failures at 90 s and 110 s; real locks at 110 s and 200 s.
t('since / until restrict the report, not the fold', () => {
  const events = fiveAndOne().events;
  const mid = whatIf(events, strict, { since: s(100), until: s(200) });
  assert.equal(mid.summary, { accountsLocked: 0, accountsLockedActual: 1, successesRefused: 0, failuresPrevented: 1 });
  assert.equal(mid.accounts, [{ username: 'alice', lockedAt: [], lockedAtActual: [s(110)], successesRefused: [], failuresPrevented: 1 }]);
  // The lock at 200 s needs the three failures before `since` in the state: the fold starts at event 0.
  const late = whatIf(events, strict, { since: s(200) });
  assert.equal(late.summary, { accountsLocked: 1, accountsLockedActual: 1, successesRefused: 0, failuresPrevented: 0 });
  assert.equal(late.accounts, []);
  // since is inclusive, until exclusive (at the edge and 1 ms either side).
  assert.equal(whatIf(events, strict, { since: s(70), until: s(71) }).accounts[0]?.lockedAt, [s(70)]);
  assert.equal(whatIf(events, strict, { since: s(70) + 1, until: s(100) }).summary.accountsLocked, 0);
  assert.equal(whatIf(events, strict, { since: s(60), until: s(70) }).summary.accountsLocked, 0);
  assert.equal(whatIf(events, strict, { since: s(60), until: s(70) + 1 }).summary.accountsLocked, 1);
});

t('other stream kinds and probe events are ignored', () => {
  const plain = threeFailures((h) => rightPassword(h, 'a1', s(100)));
  const noisy = new History();
  noisy.append(t0 - 1, [['probe-9f86d081', { type: 'UnknownUserAttempted', data: { attempts: 1 } }]]);
  register(noisy, 'a1', 'alice', t0);
  for (const at of [s(10), s(40), s(70)]) {
    wrongPassword(noisy, 'a1', at);
    noisy.append(at + 1, [['probe-9f86d081', { type: 'UnknownUserAttempted', data: { attempts: 2 } }]]);
    noisy.append(at + 2, [['device-d1', { type: 'DeviceRevoked', data: { reason: 'expired' } } as never]]);
  }
  noisy.append(s(80), [['session-s0', { type: 'SessionRevoked', data: { reason: 'logout' } } as never]]);
  rightPassword(noisy, 'a1', s(100));
  assert.ok(noisy.events.length > plain.events.length + 6);
  const expected = whatIf(plain.events, strict);
  assert.equal(expected.summary.successesRefused, 1);
  const r = whatIf(noisy.events, strict);
  assert.equal(r.summary, expected.summary);
  assert.equal(r.accounts.map((a) => ({ ...a, successesRefused: a.successesRefused.map((x) => x.at) })), expected.accounts.map((a) => ({ ...a, successesRefused: a.successesRefused.map((x) => x.at) })));
});

/**
 * Alternative: locked at 70 s until 130 s. The admin unlocks at 80 s (recorded: 3 failures to clear); folded as
 * recorded, it opens the alternative lock and clears the count, so the wrong passwords at 90 s and 100 s are
 * failures 1 and 2 (no lock) and the success at 110 s goes through. Without the unlock all three would be refused.
 */
t('an admin unlock resets the alternative state too', () => {
  const h = threeFailures((h) => {
    assert.equal(types(unlock(h, 'a1', s(80))), ['AccountUnlocked']);
    wrongPassword(h, 'a1', s(90));
    wrongPassword(h, 'a1', s(100));
    rightPassword(h, 'a1', s(110));
  });
  const r = whatIf(h.events, strict);
  assert.equal(r.summary, { accountsLocked: 1, accountsLockedActual: 0, successesRefused: 0, failuresPrevented: 0 });
  assert.equal(r.accounts, [{ username: 'alice', lockedAt: [s(70)], lockedAtActual: [], successesRefused: [], failuresPrevented: 0 }]);
});

/**
 * Bob (TOTP) fails his password at 10 s and 40 s, passes it at 60 s (challenge c1), and gets the code wrong on the
 * second step at 70 s: the 3rd failure on the one counter → the alternative locks at 70 s until 130 s. That lock
 * bumps the epoch, so c1 is dead under the alternative: his right code on it at 80 s, and even at 140 s (the lock
 * over, the challenge's 5 min not) is refused without judgement. A fresh two-step login at 150 s goes through.
 */
const stepAt = (ms: number): number => Math.floor(ms / 30_000);
const bob = (stepTime: number): { h: History; ok: StoredEvent[] } => {
  const h = new History();
  registerWithTotp(h, 'b1', 'bob', t0, stepAt(t0));
  wrongPassword(h, 'b1', s(10));
  wrongPassword(h, 'b1', s(40));
  assert.equal(types(passwordStep(h, 'b1', 'c1', s(60))), ['PasswordAccepted']);
  assert.equal(types(secondStep(h, 'b1', 'c1', { kind: 'mismatch' }, s(70))), ['OtpRejected']);
  const ok = secondStep(h, 'b1', 'c1', { kind: 'match', step: stepAt(stepTime) }, stepTime);
  assert.equal(types(ok), ['OtpAccepted', 'LoginSucceeded']);
  passwordStep(h, 'b1', 'c2', s(150));
  assert.equal(types(secondStep(h, 'b1', 'c2', { kind: 'match', step: stepAt(s(150)) + 1 }, s(155))), ['OtpAccepted', 'LoginSucceeded']);
  return { h, ok };
};

for (const at of [80, 140]) {
  t(`second-step failures count on the same counter; the step on the challenge the lock killed at ${at} s is refused`, () => {
    const { h, ok } = bob(s(at));
    const r = whatIf(h.events, strict);
    assert.equal(r.summary, { accountsLocked: 1, accountsLockedActual: 0, successesRefused: 1, failuresPrevented: 0 });
    assert.equal(r.accounts, [{ username: 'bob', lockedAt: [s(70)], lockedAtActual: [], successesRefused: [success(ok)], failuresPrevented: 0 }]);
    assert.equal(whatIf(h.events, defaultPolicy).accounts, []);
  });
}

/**
 * One-step logins with a code (no challenge): a missing code at 10 s, a malformed one at 20 s, a wrong one at 30 s —
 * three failures → the alternative locks at 30 s until 90 s; the right code at 60 s is refused. A replay of step
 * S at 100 s after S was accepted at 95 s is a failure under both policies (the lock is over by then).
 */
t('one-step codes: missing, malformed and wrong codes are failures, a replay stays a replay', () => {
  const h = new History();
  registerWithTotp(h, 'c1', 'carol', t0, stepAt(t0));
  assert.equal(types(oneStep(h, 'c1', { kind: 'absent' }, s(10))), ['OtpRejected']);
  assert.equal(types(oneStep(h, 'c1', { kind: 'malformed' }, s(20))), ['OtpRejected']);
  assert.equal(types(oneStep(h, 'c1', { kind: 'mismatch' }, s(30))), ['OtpRejected']);
  const refused = oneStep(h, 'c1', { kind: 'match', step: stepAt(s(60)) }, s(60));
  oneStep(h, 'c1', { kind: 'match', step: stepAt(s(95)) }, s(95));
  assert.equal(types(oneStep(h, 'c1', { kind: 'match', step: stepAt(s(95)) }, s(100))), ['OtpRejected']);
  const r = whatIf(h.events, strict);
  assert.equal(r.accounts, [{ username: 'carol', lockedAt: [s(30)], lockedAtActual: [], successesRefused: [success(refused)], failuresPrevented: 0 }]);
  assert.equal(whatIf(h.events, defaultPolicy).accounts, []);
});

t.run();
