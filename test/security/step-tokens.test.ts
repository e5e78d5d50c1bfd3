import { randomBytes, randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import * as assert from 'uvu/assert';
import type { Reply } from '../helpers/http.js';
import { serverSuite } from '../helpers/server-suite.js';
import { type TestServer, type TestUser, createUser } from '../helpers/test-server.js';
import { accountStream, eventsAfter, lastSeq, streamEvents, typesOf, watch } from './helpers/audit-events.js';
import { assertInvalidCredentials, login, loginMfa, mfaToken, sessionOf, userPath } from './helpers/native-api.js';
import { assertNoLeak } from './helpers/secret-leaks.js';
import { codeAt, wrongCodeNow } from './helpers/totp-codes.js';
import { appgate, appgateLogin, assertOracleRefusal, mykaarma, oracleLogin } from './helpers/vendor-dialects.js';

/**
 * Second-step tokens (docs/security.md §8–11, §13, §14; RFC 8725 §3.11: partial and access tokens mutually unusable): the
 * token alone decides the account, it lives 300 s, once, and only while the account's credentials stay the same.
 */
const t = serverSuite('security: second-step tokens');

const invalidMfaToken = { error: 'invalid_mfa_token', message: 'The second-step token is not valid.' };
const invalidToken = { error: 'invalid_token', message: 'The access token is not valid.' };
const challengeStream = (token: string): string => `challenge-${token.split('.')[0]}`;

const assertDeadMfaToken = (r: Reply, what: string): void => {
  assert.is(r.status, 401, what);
  assert.equal(r.body, invalidMfaToken, what);
};

const assertInvalidAccessToken = (r: Reply, what: string): void => {
  assert.is(r.status, 401, what);
  assert.equal(r.body, invalidToken, what);
  assert.is(r.headers.get('www-authenticate'), 'Bearer error="invalid_token"', what);
};

t('8. a partial token where a full one is needed, and the reverse → 401; only the login attempt is recorded', async ({ s }) => {
  const a = await createUser(s);
  const partial = await mfaToken(s, a);
  const mark = await lastSeq(s);
  assertInvalidAccessToken(await sessionOf(s, partial), 'GET /v1/session with the partial token');
  assertInvalidAccessToken(await s.call('POST', '/v1/token/refresh', { token: partial }), 'refresh with the partial token');
  assertInvalidAccessToken(await s.call('POST', '/v1/logout', { token: partial }), 'logout with the partial token');
  assert.is((await s.call('GET', '/v1/admin/events', { token: partial })).status, 401, 'admin with the partial token');
  assert.equal(await eventsAfter(s, mark), [], 'misuse appends nothing');

  // The misuse did not spend it: it still completes the login.
  const full = await loginMfa(s, { mfa_token: partial, otp: codeAt(a, s.clock.now()) });
  assert.is(full.status, 200);
  const access = full.body.access_token as string;
  const mark2 = await lastSeq(s);
  assertDeadMfaToken(await loginMfa(s, { mfa_token: access, otp: codeAt(a, s.clock.now() + 30_000) }), 'the access token as mfa_token');
  assert.is((await s.call('GET', '/v1/admin/events', { token: access })).status, 401, 'admin with the access token');
  // A second step with a token that names no challenge is a login attempt: recorded under the token's HMAC only.
  assert.equal(typesOf(await eventsAfter(s, mark2)), ['UnknownTokenPresented'], 'the attempt, and nothing on the account or session');
  assert.match((await eventsAfter(s, mark2))[0]!.stream, /^probe-/);
  assert.is((await sessionOf(s, access)).status, 200, 'the access token is unharmed');
  await assertNoLeak(s, { secrets: [a.password, a.secret!, partial, access], streams: [accountStream(a), challengeStream(partial)] });
});

t('9. a partial token reused after success → invalid_mfa_token, nothing judged, each refusal recorded on the challenge', async ({ s }) => {
  const a = await createUser(s);
  const token = await mfaToken(s, a);
  const account = await watch(s, accountStream(a));
  assert.is((await loginMfa(s, { mfa_token: token, otp: codeAt(a, s.clock.now()) })).status, 200);
  assert.equal(typesOf(await account.next()), ['OtpAccepted', 'LoginSucceeded']);
  const challenge = await watch(s, challengeStream(token));
  // A strictly later, valid code: only the token's state can refuse it.
  const reuse = await loginMfa(s, { mfa_token: token, otp: codeAt(a, s.clock.now() + 30_000) });
  assertDeadMfaToken(reuse, 'reuse after success');
  const wrong = await loginMfa(s, { mfa_token: token, otp: wrongCodeNow(s, a) });
  assertDeadMfaToken(wrong, 'a wrong code after success');
  assert.equal(await account.next(), [], 'no OtpAccepted, no OtpRejected');
  assert.equal(
    (await challenge.next()).map((e) => [e.type, e.data]),
    [
      ['ChallengeRefused', { reason: 'finished' }],
      ['ChallengeRefused', { reason: 'finished' }],
    ],
  );
  assert.equal(typesOf(await streamEvents(s, challengeStream(token))), ['ChallengeIssued', 'ChallengeCompleted', 'ChallengeRefused', 'ChallengeRefused']);
  await assertNoLeak(s, { secrets: [a.password, a.secret!, token], replies: [reuse, wrong], streams: [accountStream(a)] });
});

t('9. a partial token expires at its TTL: usable at 299 s, dead at 300 s and 301 s (core/challenge/state.ts)', async ({ s }) => {
  const a = await createUser(s);
  const t0 = s.clock.now();
  const [atEdge, atTtl, after] = [await mfaToken(s, a), await mfaToken(s, a), await mfaToken(s, a)];
  const issued = (await streamEvents(s, challengeStream(atTtl)))[0]!;
  assert.is(issued.data.expiresAt, t0 + 300_000);
  const account = await watch(s, accountStream(a));

  s.clock.set(t0 + 299_000);
  const ok = await loginMfa(s, { mfa_token: atEdge, otp: codeAt(a, s.clock.now()) });
  assert.is(ok.status, 200, 'usable at 299 s');
  const acceptedStep = (await account.next()).find((e) => e.type === 'OtpAccepted')!.data.step as number;

  for (const [token, at] of [
    [atTtl, 300_000],
    [after, 301_000],
  ] as const) {
    s.clock.set(t0 + at);
    // The next step's code is later than any accepted one and inside the window: it would pass on a live token.
    const nextCode = codeAt(a, s.clock.now() + 30_000);
    assert.ok(Math.floor((s.clock.now() + 30_000) / 30_000) > acceptedStep);
    const r = await loginMfa(s, { mfa_token: token, otp: nextCode });
    assertDeadMfaToken(r, `at ${at / 1000} s`);
    assert.equal(
      (await streamEvents(s, challengeStream(token))).slice(1).map((e) => [e.type, e.data]),
      [['ChallengeEnded', { reason: 'expired' }]],
      `at ${at / 1000} s`,
    );
    assert.equal(await account.next(), [], `at ${at / 1000} s: the code was not judged`);
  }
  await assertNoLeak(s, { secrets: [a.password, a.secret!, atEdge, atTtl, after], streams: [accountStream(a)] });
});

t("10. user A's partial token with user B's name in the body → the token decides: A, never B", async ({ s }) => {
  const a = await createUser(s);
  const b = await createUser(s);
  const logA = await watch(s, accountStream(a));
  const logB = await watch(s, accountStream(b));
  const token = await mfaToken(s, a);
  await logA.next();
  // B's valid code, B's name: judged against A (a wrong code for A), B untouched.
  const withB = await loginMfa(s, { mfa_token: token, otp: codeAt(b, s.clock.now()), username: b.username });
  assert.is(withB.status, 401);
  assert.equal(withB.body, { error: 'invalid_otp', message: 'Invalid code.', attempts_remaining: 4 });
  assert.equal((await logA.next()).map((e) => [e.type, e.data]), [['OtpRejected', { reason: 'invalid', failures: 1 }]]);
  assert.equal(await logB.next(), [], "nothing on B's stream");
  // A's code with B's name (and B's id) in the body: the session is A's.
  const asA = await loginMfa(s, { mfa_token: token, otp: codeAt(a, s.clock.now()), username: b.username, user_id: b.id, sub: b.id });
  assert.is(asA.status, 200);
  const me = await sessionOf(s, asA.body.access_token);
  assert.is(me.body.sub, a.id);
  assert.is(me.body.username, a.username);
  assert.equal(typesOf(await logA.next()), ['OtpAccepted', 'LoginSucceeded']);
  assert.equal(await logB.next(), []);
  // B's own code is still unused.
  assert.is((await login(s, { username: b.username, password: b.password, otp: codeAt(b, s.clock.now()) })).status, 200);
  await assertNoLeak(s, { secrets: [a.password, b.password, a.secret!, b.secret!, token], replies: [withB], streams: [accountStream(a), accountStream(b)] });
});

t('8. across dialects: partial tokens of native and Appgate are refused wherever a full token is needed', async ({ s }) => {
  const a = await createUser(s);
  const fromAppgate = await appgateLogin(s, a);
  assert.is(fromAppgate.status, 200);
  assert.is(fromAppgate.body.user.needTwoFactorAuth, true);
  const appgatePartial = fromAppgate.body.token as string;
  const nativePartial = await mfaToken(s, a);
  const mark = await lastSeq(s);
  for (const [what, partial] of [
    ['Appgate partial', appgatePartial],
    ['native partial', nativePartial],
  ] as const) {
    assertInvalidAccessToken(await sessionOf(s, partial), `${what} on GET /v1/session`);
    const verify = await s.call('POST', '/ccadmin/v1/verify', { token: partial });
    assert.is(verify.status, 401, `${what} on Oracle verify`);
    assert.not.ok('success' in verify.body, what);
    // Appgate sees it for what it is: partial (412 otpRequired), never the full login's 200.
    const authz = await appgate(s, 'GET', '/admin/authorization', { token: partial });
    assert.is(authz.status, 412, `${what} on Appgate authorization`);
    assert.is(authz.body.otpRequired, true);
  }
  assert.equal(await eventsAfter(s, mark), [], 'misuse appends nothing');
  // The reverse: a full token as Appgate's partial bearer of the OTP step.
  const full = await loginMfa(s, { mfa_token: nativePartial, otp: codeAt(a, s.clock.now()) });
  assert.is(full.status, 200);
  const mark2 = await lastSeq(s);
  const reverse = await appgate(s, 'POST', '/admin/authentication/otp', { token: full.body.access_token, json: { otp: codeAt(a, s.clock.now() + 30_000) } });
  assert.is(reverse.status, 401);
  assert.equal(reverse.body, { id: 'unauthorized', message: 'The token is not valid for this call.', failureType: 'Token' });
  const reverseEvents = await eventsAfter(s, mark2);
  assert.equal(typesOf(reverseEvents), ['UnknownTokenPresented'], 'the attempt, under the token HMAC: nothing on the account');
  assert.is(reverseEvents[0]!.meta.dialect, 'appgate');
  await assertNoLeak(s, { secrets: [a.password, a.secret!, appgatePartial, nativePartial, full.body.access_token], streams: [accountStream(a)] });
});

t("10. across dialects: A's myKaarma sessionToken under B's userName in the path → refused, nothing judged, the refusal recorded", async ({ s }) => {
  const a = await createUser(s);
  const b = await createUser(s);
  const first = await mykaarma(s, a.username, { password: a.password });
  assert.is(first.status, 200);
  assert.is(first.body.mfaRequired, true);
  const sessionToken = first.body.sessionToken as string;
  const mark = await lastSeq(s);
  const code = codeAt(a, s.clock.now());
  const crossed = await mykaarma(s, b.username, { password: b.password, sessionToken, token: code });
  assert.is(crossed.status, 401);
  assert.equal(crossed.body.errors.map((e: { errorTitle: string }) => e.errorTitle), ['INVALID_CREDENTIALS']);
  assert.is(crossed.body.user ?? null, null);
  const crossedEvents = await eventsAfter(s, mark);
  assert.equal(
    crossedEvents.map((e) => [e.stream, e.type, e.data]),
    [[challengeStream(sessionToken), 'ChallengeRefused', { reason: 'foreign_user' }]],
    "only the challenge's refusal: nothing on A's or B's stream, the code was not judged, nor B's password",
  );
  assert.is(crossedEvents[0]!.meta.dialect, 'mykaarma');
  // The token is A's alone: with A's name it completes A's login, with the same code.
  const own = await mykaarma(s, a.username, { password: a.password, sessionToken, token: code });
  assert.is(own.status, 200);
  assert.is(own.body.mfaRequired, false);
  await assertNoLeak(s, { secrets: [a.password, b.password, a.secret!, code, sessionToken], replies: [crossed], streams: [accountStream(a), accountStream(b)] });
});

/** Mints a partial token, does `change`, then shows the token refuses a valid code and records why. */
const diesOn = async (s: TestServer, a: TestUser, change: () => Promise<void>, otp: () => string): Promise<void> => {
  const token = await mfaToken(s, a);
  const log = await watch(s, accountStream(a));
  await change();
  await log.next();
  const r = await loginMfa(s, { mfa_token: token, otp: otp() });
  assertDeadMfaToken(r, 'after the change');
  assert.equal(
    (await streamEvents(s, challengeStream(token))).slice(1).map((e) => [e.type, e.data]),
    [['ChallengeEnded', { reason: 'credentials_changed' }]],
  );
  assert.equal(await log.next(), [], 'the code was not judged');
  await assertNoLeak(s, { secrets: [a.password, token], replies: [r] });
};

t('11. a password change while a partial token is outstanding kills it', async ({ s }) => {
  const a = await createUser(s);
  const newPassword = `new-${randomBytes(12).toString('base64url')}`;
  await diesOn(
    s,
    a,
    async () => assert.is((await s.admin('POST', userPath(a, '/password'), { json: { password: newPassword } })).status, 204),
    () => codeAt(a, s.clock.now()),
  );
  assert.is((await login(s, { username: a.username, password: newPassword, otp: codeAt(a, s.clock.now()) })).status, 200);
  await assertNoLeak(s, { secrets: [newPassword], streams: [accountStream(a)] });
});

t('11. a factor reset (DELETE …/totp) while a partial token is outstanding kills it', async ({ s }) => {
  const a = await createUser(s);
  await diesOn(s, a, async () => assert.is((await s.admin('DELETE', userPath(a, '/totp'))).status, 204), () => codeAt(a, s.clock.now()));
  assertInvalidCredentials(await login(s, { username: a.username, password: a.password }), 'no factor left: fail closed');
});

t('11. a new TOTP enrolment while a partial token is outstanding kills it (recovery-code login)', async ({ s }) => {
  const a = await createUser(s, { totp: false });
  const codes = (await s.admin('POST', userPath(a, '/recovery-codes'))).body.codes as string[];
  assert.is(codes.length, 10);
  await diesOn(s, a, async () => assert.is((await s.admin('POST', userPath(a, '/totp'))).status, 201), () => codes[0]!);
  // The recovery code was not consumed by the dead token.
  const token = await mfaToken(s, a);
  assert.is((await loginMfa(s, { mfa_token: token, otp: codes[0] })).status, 200);
  await assertNoLeak(s, { secrets: codes, streams: [accountStream(a)] });
});

t('11. a lock (and a disable) while a partial token is outstanding kills it, also after the lock expires', async ({ s }) => {
  const a = await createUser(s);
  await diesOn(
    s,
    a,
    async () => {
      for (let i = 0; i < 5; i++) assertInvalidCredentials(await login(s, { username: a.username, password: `${a.password}-wrong` }), 'wrong password');
      assert.ok(typesOf(await streamEvents(s, accountStream(a))).includes('AccountLocked'));
      s.clock.advance(60_000);
    },
    () => codeAt(a, s.clock.now()),
  );
  const b = await createUser(s);
  await diesOn(s, b, async () => assert.is((await s.admin('POST', userPath(b, '/disable'))).status, 204), () => codeAt(b, s.clock.now()));
});

t('13. skipping a step: POST /v1/login/mfa with no pending state → invalid_mfa_token, each attempt recorded under its HMAC', async ({ s }) => {
  const mark = await lastSeq(s);
  const neverIssued = `${randomUUID()}.${randomBytes(32).toString('base64url')}`;
  const replies: Reply[] = [];
  for (const [what, mfa_token] of [
    ['a well-formed token never issued', neverIssued],
    ['garbage', 'x'],
    ['an empty string', ''],
    ['the admin key', s.adminKey],
  ] as const) {
    const r = await loginMfa(s, { mfa_token, otp: '123456' });
    assertDeadMfaToken(r, what);
    replies.push(r);
  }
  const missing = await loginMfa(s, { otp: '123456' });
  assert.is(missing.status, 400);
  assert.is(missing.body.error, 'invalid_request');
  // Four attempts, one probe event each; the request without any token is refused before it is an attempt.
  const recorded = await eventsAfter(s, mark);
  assert.equal(typesOf(recorded), ['UnknownTokenPresented', 'UnknownTokenPresented', 'UnknownTokenPresented', 'UnknownTokenPresented']);
  assert.ok(recorded.every((e) => e.stream.startsWith('probe-')));
  await assertNoLeak(s, { secrets: [neverIssued, s.adminKey], replies: [...replies, missing] });
});

t('13. skipping a step: a one-step login without a code (Oracle mfalogin) → refused, counted as "missing"', async ({ s }) => {
  const a = await createUser(s);
  const mark = await lastSeq(s);
  const r = await oracleLogin(s, { username: a.username, password: a.password });
  assertOracleRefusal(r, 'no totp_code');
  assert.not.ok('access_token' in r.body, 'no token of any kind');
  // Only the failure: no PasswordAccepted, no ChallengeIssued (nothing to continue from).
  assert.equal(
    (await eventsAfter(s, mark)).map((e) => [e.stream, e.type, e.data]),
    [[accountStream(a), 'OtpRejected', { reason: 'missing', failures: 1 }]],
  );
  await assertNoLeak(s, { secrets: [a.password, a.secret!], replies: [r] });
});

t('14. session fixation: the final step mints a fresh session and jti; the mfa token is no access token', async ({ s }) => {
  const a = await createUser(s);
  const earlier = await login(s, { username: a.username, password: a.password, otp: codeAt(a, s.clock.now()) });
  assert.is(earlier.status, 200);
  const old = decodeJwt(earlier.body.access_token);
  const partial = await mfaToken(s, a);
  const mark = await lastSeq(s);
  // The earlier token rides along as a bearer, as a fixation attempt would: it must not be adopted.
  const final = await s.call('POST', '/v1/login/mfa', {
    json: { mfa_token: partial, otp: codeAt(a, s.clock.now() + 30_000) },
    token: earlier.body.access_token,
  });
  assert.is(final.status, 200);
  const fresh = decodeJwt(final.body.access_token);
  assert.is.not(fresh.jti, old.jti);
  assert.is.not(fresh.sid, old.sid);
  assert.is.not(final.body.access_token, partial);
  assert.not.ok(String(final.body.access_token).includes(partial.split('.')[1]!), 'nothing of the mfa token in the access token');
  assertInvalidAccessToken(await sessionOf(s, partial), 'the mfa token as an access token');
  const issued = (await eventsAfter(s, mark)).filter((e) => e.type === 'SessionIssued');
  assert.is(issued.length, 1);
  assert.is(issued[0]!.stream, `session-${fresh.sid}`);
  assert.is(issued[0]!.version, 1, 'a new session stream, not a continued one');
  assert.is(issued[0]!.data.jti, fresh.jti);
  // The earlier session is untouched (neither upgraded nor revoked).
  assert.equal(typesOf(await streamEvents(s, `session-${old.sid}`)), ['SessionIssued']);
  assert.is((await sessionOf(s, earlier.body.access_token)).status, 200);
  await assertNoLeak(s, { secrets: [a.password, a.secret!, partial, earlier.body.access_token, final.body.access_token], streams: [accountStream(a)] });
});

t.run();
