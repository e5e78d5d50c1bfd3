import * as assert from 'uvu/assert';
import { serverSuite } from '../helpers/server-suite.js';
import { createUser } from '../helpers/test-server.js';
import { accountStream, typesOf, watch } from './helpers/audit-events.js';
import { assertInvalidCredentials, login, loginMfa, mfaToken } from './helpers/native-api.js';
import { assertSameAnswer } from './helpers/same-answer.js';
import { assertNoLeak } from './helpers/secret-leaks.js';
import { codeAt, wrongCodeNow } from './helpers/totp-codes.js';
import { assertOracleRefusal, oracleLogin } from './helpers/vendor-dialects.js';

/**
 * RFC 6238 §5.2 ("MUST NOT accept the second attempt of the OTP after the successful validation"), NIST SP 800-63B
 * §5.1.4.2, ASVS v5 6.5.1: the last accepted step per account; only a strictly later step passes, atomically.
 */
const t = serverSuite('security: TOTP replay and window');

const stepOf = (ms: number): number => Math.floor(ms / 30_000);

t('1. an accepted code replayed in the same step → the generic error, OtpRejected "replayed"', async ({ s }) => {
  const a = await createUser(s);
  const log = await watch(s, accountStream(a));
  const now = s.clock.now();
  const code = codeAt(a, now);

  // One step (password and code in one request).
  const ok = await login(s, { username: a.username, password: a.password, otp: code });
  assert.is(ok.status, 200);
  assert.equal(typesOf(await log.next()), ['OtpAccepted', 'LoginSucceeded']);
  const replay = await login(s, { username: a.username, password: a.password, otp: code });
  assertInvalidCredentials(replay, 'replayed code');
  const replayEvents = await log.next();
  assert.equal(typesOf(replayEvents), ['OtpRejected']);
  assert.equal(replayEvents[0]!.data, { reason: 'replayed', failures: 1 });
  const wrong = await login(s, { username: a.username, password: a.password, otp: wrongCodeNow(s, a) });
  assertSameAnswer(replay, wrong, 'replayed vs wrong code');
  assert.equal((await log.next()).map((e) => e.data), [{ reason: 'invalid', failures: 2 }]);

  // Two steps: the same code on a second token, compared with a wrong code on a third one.
  const first = await mfaToken(s, a);
  const second = await mfaToken(s, a);
  const third = await mfaToken(s, a);
  const next = codeAt(a, now + 30_000);
  const done = await loginMfa(s, { mfa_token: first, otp: next });
  assert.is(done.status, 200);
  await log.next();
  const replay2 = await loginMfa(s, { mfa_token: second, otp: next });
  assert.is(replay2.status, 401);
  assert.equal(replay2.body, { error: 'invalid_otp', message: 'Invalid code.', attempts_remaining: 4 });
  const events = (await log.next()).filter((e) => e.type === 'OtpRejected');
  assert.equal(
    events.map((e) => e.data),
    [{ reason: 'replayed', failures: 1 }],
  );
  const wrong2 = await loginMfa(s, { mfa_token: third, otp: wrongCodeNow(s, a) });
  assertSameAnswer(replay2, wrong2, 'second step: replayed vs wrong code');

  await assertNoLeak(s, {
    secrets: [a.password, a.secret!, code, next, first, second, third],
    replies: [replay, wrong, replay2, wrong2],
    streams: [accountStream(a)],
  });
});

t('2. a code of step T−1 after step T was accepted → rejected as a replay; T+1 still passes', async ({ s }) => {
  const a = await createUser(s);
  // Five steps on, so that the enrolment's confirming step (T−1 at creation) is far behind.
  s.clock.advance(5 * 30_000);
  const now = s.clock.now();
  const T = stepOf(now);
  const log = await watch(s, accountStream(a));

  const atT = await login(s, { username: a.username, password: a.password, otp: codeAt(a, now) });
  assert.is(atT.status, 200);
  assert.equal(
    (await log.next()).map((e) => [e.type, e.data]),
    [
      ['OtpAccepted', { step: T }],
      ['LoginSucceeded', { aal: 'aal2', method: 'password+totp' }],
    ],
  );

  const previous = codeAt(a, now - 30_000);
  const oneStep = await login(s, { username: a.username, password: a.password, otp: previous });
  assertInvalidCredentials(oneStep, 'T−1 after T (one step)');
  assert.equal((await log.next()).map((e) => [e.type, e.data]), [['OtpRejected', { reason: 'replayed', failures: 1 }]]);
  const token = await mfaToken(s, a);
  const twoStep = await loginMfa(s, { mfa_token: token, otp: previous });
  assert.is(twoStep.status, 401);
  assert.is(twoStep.body.error, 'invalid_otp');
  assert.equal(
    (await log.next()).filter((e) => e.type === 'OtpRejected').map((e) => e.data),
    [{ reason: 'replayed', failures: 2 }],
  );

  // The window itself is intact: a strictly later step (T+1, network delay) is accepted once.
  const later = codeAt(a, now + 30_000);
  const ok = await loginMfa(s, { mfa_token: token, otp: later });
  assert.is(ok.status, 200);
  assert.equal(
    (await log.next()).filter((e) => e.type === 'OtpAccepted').map((e) => e.data),
    [{ step: T + 1 }],
  );
  const current = await login(s, { username: a.username, password: a.password, otp: codeAt(a, now) });
  assertInvalidCredentials(current, 'T after T+1');
  assert.equal((await log.next()).map((e) => e.data), [{ reason: 'replayed', failures: 1 }]);

  await assertNoLeak(s, { secrets: [a.password, a.secret!, previous, later, token], replies: [oneStep, twoStep, current], streams: [accountStream(a)] });
});

t('3. one valid code in two parallel requests → exactly one succeeds (and one of four second steps)', async ({ s }) => {
  const a = await createUser(s);
  s.clock.advance(30_000);
  const log = await watch(s, accountStream(a));
  const code = codeAt(a, s.clock.now());
  const body = { username: a.username, password: a.password, otp: code };
  const pair = await Promise.all([login(s, body), login(s, body)]);
  assert.equal(pair.map((r) => r.status).sort(), [200, 401]);
  const loser = pair.find((r) => r.status === 401)!;
  assertInvalidCredentials(loser, 'the parallel loser');
  const events = await log.next();
  assert.equal(typesOf(events).sort(), ['LoginSucceeded', 'OtpAccepted', 'OtpRejected']);
  assert.equal(events.find((e) => e.type === 'OtpRejected')!.data, { reason: 'replayed', failures: 1 });

  // Four second-step tokens, one code for the next step, all at once.
  const tokens = await Promise.all([1, 2, 3, 4].map(() => mfaToken(s, a)));
  await log.next();
  const next = codeAt(a, s.clock.now() + 30_000);
  const replies = await Promise.all(tokens.map((mfa_token) => loginMfa(s, { mfa_token, otp: next })));
  assert.equal(replies.map((r) => r.status).sort(), [200, 401, 401, 401]);
  for (const r of replies.filter((x) => x.status === 401)) assert.equal(r.body, { error: 'invalid_otp', message: 'Invalid code.', attempts_remaining: 4 });
  const after = await log.next();
  assert.is(after.filter((e) => e.type === 'OtpAccepted').length, 1, 'one accepted step');
  assert.equal(
    after.filter((e) => e.type === 'OtpRejected').map((e) => e.data),
    [
      { reason: 'replayed', failures: 1 },
      { reason: 'replayed', failures: 2 },
      { reason: 'replayed', failures: 3 },
    ],
  );
  await assertNoLeak(s, { secrets: [a.password, a.secret!, code, next, ...tokens], replies: [loser, ...replies.filter((r) => r.status === 401)], streams: [accountStream(a)] });
});

t('1–3. across dialects: a code accepted on native is a replay on Oracle mfalogin and the reverse; a race on both → one success', async ({ s }) => {
  const a = await createUser(s);
  const log = await watch(s, accountStream(a));
  const creds = { username: a.username, password: a.password };
  const now = s.clock.now();
  const c0 = codeAt(a, now);
  assert.is((await login(s, { ...creds, otp: c0 })).status, 200);
  await log.next();
  const onOracle = await oracleLogin(s, { ...creds, totp_code: c0 });
  assertOracleRefusal(onOracle, 'a native code replayed on Oracle');
  const e1 = await log.next();
  assert.equal(e1.map((e) => [e.type, e.data, e.meta.dialect]), [['OtpRejected', { reason: 'replayed', failures: 1 }, 'oracle']]);

  const c1 = codeAt(a, now + 30_000);
  assert.is((await oracleLogin(s, { ...creds, totp_code: c1 })).status, 200);
  await log.next();
  const onNative = await login(s, { ...creds, otp: c1 });
  assertInvalidCredentials(onNative, 'an Oracle code replayed on native');
  assert.equal((await log.next()).map((e) => [e.type, e.data, e.meta.dialect]), [['OtpRejected', { reason: 'replayed', failures: 1 }, 'native']]);

  // Two steps on: a fresh code, sent to both dialects at once.
  s.clock.advance(60_000);
  const c2 = codeAt(a, s.clock.now());
  const [n, o] = await Promise.all([login(s, { ...creds, otp: c2 }), oracleLogin(s, { ...creds, totp_code: c2 })]);
  assert.equal([n.status, o.status].sort(), [200, 401]);
  const raced = await log.next();
  assert.is(raced.filter((e) => e.type === 'OtpAccepted').length, 1);
  assert.equal(raced.filter((e) => e.type === 'OtpRejected').map((e) => e.data), [{ reason: 'replayed', failures: 1 }]);
  await assertNoLeak(s, { secrets: [a.password, a.secret!, c0, c1, c2], replies: [onOracle, onNative, n.status === 401 ? n : o], streams: [accountStream(a)] });
});

t('4. codes at T±1 accepted, T±2 rejected, at the step boundaries 30k−1, 30k and 30k+29 s', async ({ s }) => {
  const k = stepOf(s.clock.now()) + 20;
  const instants = [30 * k - 1, 30 * k, 30 * k + 29].map((sec) => sec * 1000);
  // One account per instant, created now: their confirming steps lie ~20 steps before every probe.
  const accounts = await Promise.all(instants.map(() => createUser(s)));
  const secrets: string[] = [];
  for (const [i, at] of instants.entries()) {
    const a = accounts[i]!;
    s.clock.set(at);
    const T = stepOf(at);
    const log = await watch(s, accountStream(a));
    const codeOf = (step: number) => codeAt(a, step * 30_000);
    const valid = new Set([T - 1, T, T + 1].map(codeOf));
    secrets.push(a.password, a.secret!, ...valid);
    // Rejected first (T−2, T+2), then accepted in increasing order (T−1, T, T+1) so no acceptance replays another.
    let failures = 0;
    for (const step of [T - 2, T + 2]) {
      const code = codeOf(step);
      if (valid.has(code)) continue; // a 1-in-10⁶ collision with a valid step's code: nothing to learn from it
      const r = await login(s, { username: a.username, password: a.password, otp: code });
      assertInvalidCredentials(r, `${at / 1000} s: step ${step - T}`);
      failures++;
      assert.equal((await log.next()).map((e) => [e.type, e.data]), [['OtpRejected', { reason: 'invalid', failures }]], `${at / 1000} s: step ${step - T}`);
    }
    for (const step of [T - 1, T, T + 1]) {
      const r = await login(s, { username: a.username, password: a.password, otp: codeOf(step) });
      assert.is(r.status, 200, `${at / 1000} s: step ${step - T} accepted`);
      assert.equal(
        (await log.next()).map((e) => [e.type, e.data]),
        [
          ['OtpAccepted', { step }],
          ['LoginSucceeded', { aal: 'aal2', method: 'password+totp' }],
        ],
        `${at / 1000} s: step ${step - T}`,
      );
    }
  }
  await assertNoLeak(s, { secrets, streams: accounts.map(accountStream) });
});

t.run();
