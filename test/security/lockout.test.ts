import * as assert from 'uvu/assert';
import type { Reply } from '../helpers/http.js';
import { serverSuite } from '../helpers/server-suite.js';
import { type TestServer, type TestUser, createUser } from '../helpers/test-server.js';
import { type AuditEvent, accountStream, eventsAfter, lastSeq, typesOf, watch } from './helpers/audit-events.js';
import { assertInvalidCredentials, login } from './helpers/native-api.js';
import { assertSameAnswer } from './helpers/same-answer.js';
import { assertNoLeak } from './helpers/secret-leaks.js';
import { codeAt, wrongCodeNow } from './helpers/totp-codes.js';
import { appgateLogin, assertOracleRefusal, mykaarma, oracleLogin } from './helpers/vendor-dialects.js';

/**
 * Lockout (RFC 4226 §7.3, NIST SP 800-63B §5.2.2; core/account/decide.ts, core/account/lock-duration.ts, policy
 * threshold 5 within 12 h, base 60 s doubling to 900 s, hard stop at 100): the counter is of *consecutive*
 * failures, password and code alike; only a success or an admin unlock resets it. A timed lock needs 5 of them
 * within the 12 h window (docs/security.md §17: failures spread wider do not lock); a lock's expiry reopens the account
 * but keeps the count, so the next failure locks again for twice as long (the back-off), up to the hard stop,
 * which counts every consecutive failure however spread. Attempts during a lock are recorded (LoginRefused) but
 * neither counted nor extending it.
 */
const t = serverSuite('security: lockout');

const wrongPassword = (s: TestServer, a: TestUser, username = a.username): Promise<Reply> =>
  login(s, { username, password: `${a.password}-wrong` });
const rightLogin = (s: TestServer, a: TestUser, username = a.username): Promise<Reply> =>
  login(s, { username, password: a.password, otp: codeAt(a, s.clock.now()) });
const appgateLoginFailed = { id: 'unauthorized', message: 'Login Failed.', failureType: 'Login' };
const shape = (events: readonly AuditEvent[]) => events.map((e) => [e.type, e.data]);
/** The events of wrong passwords counted as the failures `counts`. */
const rejected = (counts: readonly number[]) => counts.map((failures) => ['PasswordRejected', { failures }]);
/** Five wrong passwords in a row: five counted failures, the fifth locking the account until `until`. */
const lockedByFive = (until: number) => [...rejected([1, 2, 3, 4, 5]), ['AccountLocked', { until, failures: 5 }]];

t('15. wrong password + right code vs right password + wrong code → identical answers', async ({ s }) => {
  const a = await createUser(s);
  const log = await watch(s, accountStream(a));
  const code = codeAt(a, s.clock.now());
  const wrongPw = await login(s, { username: a.username, password: `${a.password}x`, otp: code });
  const wrongOtp = await login(s, { username: a.username, password: a.password, otp: wrongCodeNow(s, a) });
  assertInvalidCredentials(wrongPw, 'wrong password + right code');
  assertSameAnswer(wrongPw, wrongOtp, 'wrong password + right code vs right password + wrong code');
  assert.equal(shape(await log.next()), [
    ['PasswordRejected', { failures: 1 }],
    ['OtpRejected', { reason: 'invalid', failures: 2 }],
  ]);
  // With a wrong password the code was not even judged, so it is still good (and nothing told the caller it was right).
  assert.is((await login(s, { username: a.username, password: a.password, otp: code })).status, 200);
  assert.equal(typesOf(await log.next()), ['OtpAccepted', 'LoginSucceeded']);
  await assertNoLeak(s, { secrets: [a.password, a.secret!, code], replies: [wrongPw, wrongOtp], streams: [accountStream(a)] });
});

t('16. correct credentials during a lock → the generic refusal; the lock is not extended', async ({ s }) => {
  const a = await createUser(s);
  const log = await watch(s, accountStream(a));
  const t0 = s.clock.now();
  const replies: Reply[] = [];
  for (let i = 0; i < 5; i++) replies.push(await wrongPassword(s, a));
  assert.equal(shape(await log.next()), lockedByFive(t0 + 60_000));
  const until = t0 + 60_000;
  for (const at of [t0 + 1_000, until - 1]) {
    s.clock.set(at);
    const right = await rightLogin(s, a);
    assertSameAnswer(replies[0]!, right, `right password and code at lock end − ${until - at} ms`);
    const noCode = await login(s, { username: a.username, password: a.password });
    assertSameAnswer(replies[0]!, noCode, 'right password, no code: no partial token during a lock');
    const wrong = await wrongPassword(s, a);
    assertSameAnswer(replies[0]!, wrong, 'a wrong password during the lock');
    assert.equal(shape(await log.next()), [
      ['LoginRefused', { reason: 'locked' }],
      ['LoginRefused', { reason: 'locked' }],
      ['LoginRefused', { reason: 'locked' }],
    ]);
    replies.push(right, noCode, wrong);
  }
  // At `until` exactly the lock is over (core/account/state.ts: locked while now < until) and the codes tried during
  // the lock were never consumed.
  s.clock.set(until);
  const ok = await rightLogin(s, a);
  assert.is(ok.status, 200);
  assert.equal(typesOf(await log.next()), ['OtpAccepted', 'LoginSucceeded']);
  await assertNoLeak(s, { secrets: [a.password, a.secret!], replies, streams: [accountStream(a)] });
});

t('17. failures with a success between them → no lock (a success resets the count)', async ({ s }) => {
  const a = await createUser(s);
  const log = await watch(s, accountStream(a));
  for (let i = 0; i < 4; i++) await wrongPassword(s, a);
  assert.is((await rightLogin(s, a)).status, 200);
  for (let i = 0; i < 4; i++) assertInvalidCredentials(await wrongPassword(s, a), 'wrong password');
  const events = await log.next();
  assert.equal(shape(events), [
    ...rejected([1, 2, 3, 4]),
    ['OtpAccepted', { step: Math.floor(s.clock.now() / 30_000) }],
    ['LoginSucceeded', { aal: 'aal2', method: 'password+totp' }],
    ...rejected([1, 2, 3, 4]),
  ]);
  // The account is open: the right credentials pass.
  s.clock.advance(30_000);
  assert.is((await rightLogin(s, a)).status, 200);
  await assertNoLeak(s, { secrets: [a.password, a.secret!], streams: [accountStream(a)] });
});

t('17. failures spread outside the 12 h window do not lock; five inside it do', async ({ s }) => {
  const a = await createUser(s);
  const log = await watch(s, accountStream(a));
  // Each failure ages out of the window (12 h, Keycloak's failure reset time) before the next one.
  for (let i = 0; i < 5; i++) {
    await wrongPassword(s, a);
    s.clock.advance(12 * 3600_000);
  }
  assert.equal(shape(await log.next()), rejected([1, 2, 3, 4, 5]));
  // One millisecond inside the window: the last failure still counts, with four new ones that is five.
  s.clock.advance(-1);
  for (let i = 0; i < 3; i++) await wrongPassword(s, a);
  assert.equal(shape(await log.next()), rejected([6, 7, 8]));
  await wrongPassword(s, a);
  assert.equal(shape(await log.next()), [
    ['PasswordRejected', { failures: 9 }],
    // The back-off follows the consecutive count (NIST SP 800-63B §5.2.2): 60 s · 2^(9 − 5), capped at 900 s.
    ['AccountLocked', { until: s.clock.now() + 900_000, failures: 9 }],
  ]);
  assertInvalidCredentials(await rightLogin(s, a), 'right credentials during the lock');
  await assertNoLeak(s, { secrets: [a.password, a.secret!], streams: [accountStream(a)] });
});

t('17. after a lock expires the back-off continues', async ({ s }) => {
  const a = await createUser(s);
  const log = await watch(s, accountStream(a));
  for (let i = 0; i < 5; i++) await wrongPassword(s, a);
  const events = await log.next();
  assert.equal(shape(events.slice(-2)), [
    ['PasswordRejected', { failures: 5 }],
    ['AccountLocked', { until: s.clock.now() + 60_000, failures: 5 }],
  ]);
  // Each failure after the previous lock ended doubles the lock (60 s · 2^(failures − 5)), capped at 900 s; one
  // millisecond before the end the attempt is refused and not counted.
  let until = s.clock.now() + 60_000;
  for (const [failures, lockMs] of [
    [6, 120_000],
    [7, 240_000],
    [8, 480_000],
    [9, 900_000],
    [10, 900_000],
  ] as const) {
    s.clock.set(until - 1);
    await wrongPassword(s, a);
    s.clock.set(until);
    await wrongPassword(s, a);
    assert.equal(shape(await log.next()), [
      ['LoginRefused', { reason: 'locked' }],
      ['PasswordRejected', { failures }],
      ['AccountLocked', { until: until + lockMs, failures }],
    ]);
    until += lockMs;
  }
  await assertNoLeak(s, { secrets: [a.password, a.secret!], streams: [accountStream(a)] });
});

t('17. the back-off ends in a hard stop at 100 consecutive failures (NIST SP 800-63B §5.2.2), until an admin unlocks', async ({ s }) => {
  const a = await createUser(s);
  const log = await watch(s, accountStream(a));
  for (let failures = 1; failures <= 99; failures++) {
    await wrongPassword(s, a);
    // Past every lock (at most 900 s), so each attempt is counted.
    if (failures >= 5) s.clock.advance(900_000);
  }
  const before = await log.next();
  assert.equal(before.filter((e) => e.type === 'PasswordRejected').map((e) => e.data.failures), Array.from({ length: 99 }, (_, i) => i + 1));
  assert.is(before.filter((e) => e.type === 'AccountLocked').length, 95);
  await wrongPassword(s, a);
  assert.equal(shape(await log.next()), [
    ['PasswordRejected', { failures: 100 }],
    ['AccountHardLocked', { failures: 100 }],
  ]);
  s.clock.advance(365 * 24 * 3600_000);
  assertInvalidCredentials(await rightLogin(s, a), 'right credentials a year later');
  assert.equal(shape(await log.next()), [['LoginRefused', { reason: 'hard_locked' }]]);
  assert.is((await s.admin('POST', `/v1/admin/users/${encodeURIComponent(a.username)}/unlock`)).status, 204);
  assert.is((await rightLogin(s, a)).status, 200);
  assert.equal(typesOf(await log.next()), ['AccountUnlocked', 'OtpAccepted', 'LoginSucceeded']);
  await assertNoLeak(s, { secrets: [a.password, a.secret!], streams: [accountStream(a)] });
});

t('18. N = 8 parallel wrong passwords → each recorded once: failures 1…5 counted, one AccountLocked at 5, 3 refused', async ({ s }) => {
  // Below the threshold the counter ends at exactly N: no lost update between parallel appends.
  const b = await createUser(s);
  const logB = await watch(s, accountStream(b));
  await Promise.all([1, 2, 3, 4].map(() => wrongPassword(s, b)));
  assert.equal(shape(await logB.next()), rejected([1, 2, 3, 4]));

  const a = await createUser(s);
  const log = await watch(s, accountStream(a));
  const replies = await Promise.all(Array.from({ length: 8 }, () => wrongPassword(s, a)));
  for (const r of replies) assertSameAnswer(replies[0]!, r, 'every parallel answer');
  assertInvalidCredentials(replies[0]!, 'parallel wrong password');
  // Once the 5th failure locks, the others are attempts during a lock: refused, not counted (they cannot extend it).
  assert.equal(shape(await log.next()), [
    ...lockedByFive(s.clock.now() + 60_000),
    ['LoginRefused', { reason: 'locked' }],
    ['LoginRefused', { reason: 'locked' }],
    ['LoginRefused', { reason: 'locked' }],
  ]);
  await assertNoLeak(s, { secrets: [a.password, b.password], replies, streams: [accountStream(a), accountStream(b)] });
});

t("19. 'Alice', 'ALICE', fullwidth 'ａｌｉｃｅ', ' alice ' → one account's counter", async ({ s }) => {
  const a = await createUser(s, { username: 'alice' });
  const mark = await lastSeq(s);
  const ok = await rightLogin(s, a, 'ＡＬＩＣＥ');
  assert.is(ok.status, 200);
  assert.is((await s.call('GET', '/v1/session', { token: ok.body.access_token })).body.sub, a.id);
  const spellings = ['Alice', 'ALICE', 'ａｌｉｃｅ', ' alice ', '\u3000Ａｌｉｃｅ\t'];
  for (const name of spellings) assertInvalidCredentials(await wrongPassword(s, a, name), JSON.stringify(name));
  const events = await eventsAfter(s, mark);
  assert.ok(
    events.every((e) => e.stream === accountStream(a) || e.stream.startsWith('session-')),
    'every spelling landed on the one account (no unknown-user probe)',
  );
  const t5 = s.clock.now();
  assert.equal(shape(events.filter((e) => e.stream === accountStream(a)).slice(2)), lockedByFive(t5 + 60_000));
  // Locked for every spelling; and the admin path canonicalises too.
  const log = await watch(s, accountStream(a));
  assertInvalidCredentials(await rightLogin(s, a, ' ALICE '), 'right credentials, another spelling, during the lock');
  assert.equal(shape(await log.next()), [['LoginRefused', { reason: 'locked' }]]);
  assert.is((await s.admin('POST', `/v1/admin/users/${encodeURIComponent('ＡＬＩＣＥ')}/unlock`)).status, 204);
  assert.equal(typesOf(await log.next()), ['AccountUnlocked']);
  await assertNoLeak(s, { secrets: [a.password, a.secret!], streams: [accountStream(a)] });
});

t('19. across dialects: native, Oracle, Appgate and myKaarma, each with another spelling, feed one counter and one lock', async ({ s }) => {
  const a = await createUser(s, { username: 'bob' });
  const log = await watch(s, accountStream(a));
  const bad = `${a.password}-wrong`;
  const t0 = s.clock.now();
  const attempts: [string, () => Promise<Reply>, (r: Reply) => void][] = [
    ['native', () => login(s, { username: 'Bob', password: bad }), (r) => assertInvalidCredentials(r, 'native')],
    ['oracle', () => oracleLogin(s, { username: 'BOB', password: bad, totp_code: codeAt(a, s.clock.now()) }), (r) => assertOracleRefusal(r, 'oracle')],
    ['appgate', () => appgateLogin(s, { username: 'ｂｏｂ', password: bad }), (r) => assert.equal([r.status, r.body], [401, appgateLoginFailed])],
    ['mykaarma', () => mykaarma(s, ' bob ', { password: bad }), (r) => assert.is(r.status, 401)],
    ['native', () => login(s, { username: 'ＢＯＢ', password: bad }), (r) => assertInvalidCredentials(r, 'native')],
  ];
  for (const [, attempt, refused] of attempts) refused(await attempt());
  const events = await log.next();
  assert.equal(
    events.map((e) => [e.type, e.data, e.meta.dialect]),
    [
      ...attempts.map(([dialect], i) => ['PasswordRejected', { failures: i + 1 }, dialect]),
      ['AccountLocked', { until: t0 + 60_000, failures: 5 }, 'native'],
    ],
  );
  // During the lock the right credentials get each dialect's generic refusal, recorded, not counted.
  assertOracleRefusal(await oracleLogin(s, { username: 'bob', password: a.password, totp_code: codeAt(a, s.clock.now()) }), 'oracle, locked');
  const ag = await appgateLogin(s, a);
  assert.equal([ag.status, ag.body], [401, appgateLoginFailed], 'appgate, locked');
  assert.is((await mykaarma(s, 'bob', { password: a.password, token: codeAt(a, s.clock.now()) })).status, 401);
  assert.equal(shape(await log.next()), [
    ['LoginRefused', { reason: 'locked' }],
    ['LoginRefused', { reason: 'locked' }],
    ['LoginRefused', { reason: 'locked' }],
  ]);
  await assertNoLeak(s, { secrets: [a.password, a.secret!], streams: [accountStream(a)] });
});

t.run();
