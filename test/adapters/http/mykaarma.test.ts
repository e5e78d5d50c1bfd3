import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Context } from 'koa';
import { DomainError } from '../../../core/errors.js';
import { failureOf } from '../../../adapters/http/failure.js';
import { renderMykaarmaFailure } from '../../../adapters/http/mykaarma/render-mykaarma-failure.js';
import { type Reply } from '../../helpers/http.js';
import { type TestServer, type TestUser, codeNow, createUser, startTestServer } from '../../helpers/test-server.js';

const t = suite<{ s: TestServer }>('myKaarma Manage dialect');
t.before(async (ctx) => {
  ctx.s = await startTestServer();
});
t.after(async (ctx) => ctx.s.close());

const pathOf = (userName: string) => `/manage/v2/user/${encodeURIComponent(userName)}/validatepasswordonly`;
const validate = (s: TestServer, userName: string, json: unknown, headers?: Record<string, string>) =>
  s.call('POST', pathOf(userName), { json, ...(headers === undefined ? {} : { headers }) });
const otherCode = (code: string) => (code === '000000' ? '111111' : '000000');
const eventsOf = async (s: TestServer, stream: string): Promise<{ type: string; data: any; meta: any }[]> =>
  (await s.admin('GET', `/v1/admin/events?limit=1000&stream=${encodeURIComponent(stream)}`)).body.events;
const selectorOf = (token: string) => token.split('.')[0]!;

const userFields = [
  'firstName', 'lastName', 'userName', 'email', 'phone', 'textNumber', 'nickName', 'uuid', 'passwordExpires', 'forcePasswordChange',
  'latestInviteStatus', 'latestInviteDate', 'latestInviteUUID', 'isValid', 'lastLoginTimestamp', 'phoneCountryCode', 'textCountryCode',
  'userRolloutStage',
].sort();
const successFields = ['apiRequestId', 'errors', 'mfaBypassReason', 'mfaBypassed', 'mfaRequired', 'mfaType', 'sessionToken', 'user', 'userMFARememberMeToken', 'warnings'];

/** The page's envelope: errors, warnings, and the request id (the same one as the X-Request-Id header). */
const assertEnvelope = (r: Reply, status: number) => {
  assert.is(r.status, status, r.text);
  assert.ok(Array.isArray(r.body.errors));
  assert.equal(r.body.warnings, []);
  assert.type(r.body.apiRequestId, 'string');
  assert.is(r.body.apiRequestId, r.headers.get('x-request-id'));
  assert.not.match(r.text, /at .*\.js|Error:/);
};
const assertError = (r: Reply, status: number, title?: string) => {
  assertEnvelope(r, status);
  assert.is(r.body.errors.length, 1);
  const [e] = r.body.errors;
  assert.equal(Object.keys(e).sort(), ['errorCode', 'errorMessage', 'errorTitle']);
  assert.ok(Number.isInteger(e.errorCode));
  assert.is(e.errorCode, status);
  assert.type(e.errorTitle, 'string');
  assert.type(e.errorMessage, 'string');
  if (title !== undefined) assert.is(e.errorTitle, title);
  assert.equal(Object.keys(r.body).sort(), ['apiRequestId', 'errors', 'warnings']);
};
/** The envelope carries a per-request apiRequestId, so bodies are compared byte for byte with that value cut out. */
const withoutRequestId = (r: Reply) => r.text.replace(r.body.apiRequestId, '');

const assertUser = (user: any, u: TestUser) => {
  assert.equal(Object.keys(user).sort(), userFields);
  assert.is(user.userName, u.username);
  assert.type(user.uuid, 'string');
  assert.is(user.isValid, true);
  for (const k of userFields.filter((f) => !['userName', 'uuid', 'isValid'].includes(f))) assert.is(user[k], null, k);
};

const passwordStep = async (s: TestServer, u: TestUser): Promise<string> => {
  const r = await validate(s, u.username, { password: u.password });
  assert.is(r.status, 200, r.text);
  assert.is(r.body.mfaRequired, true);
  return r.body.sessionToken as string;
};

t('password, then sessionToken + token: the page\'s shapes at both steps, events tagged mykaarma', async ({ s }) => {
  const u = await createUser(s);
  const first = await validate(s, u.username, { password: u.password });
  assertEnvelope(first, 200);
  assert.equal(Object.keys(first.body).sort(), successFields);
  assert.equal(first.body.errors, []);
  assert.is(first.body.mfaRequired, true);
  assert.is(first.body.mfaType, 'TOTP');
  assert.is(first.body.mfaBypassed, false);
  assert.is(first.body.mfaBypassReason, null);
  assert.is(first.body.user, null);
  assert.is(first.body.userMFARememberMeToken, null);
  assert.type(first.body.sessionToken, 'string');
  assert.is(first.headers.get('cache-control'), 'no-store');

  const second = await validate(s, u.username, { password: u.password, sessionToken: first.body.sessionToken, token: codeNow(s, u) });
  assertEnvelope(second, 200);
  assert.equal(Object.keys(second.body).sort(), successFields);
  assert.equal(second.body.errors, []);
  assert.is(second.body.mfaRequired, false);
  assert.is(second.body.mfaBypassed, false);
  assert.is(second.body.mfaBypassReason, null);
  assert.is(second.body.sessionToken, null);
  assert.is(second.body.userMFARememberMeToken, null, 'no remember-me token unless asked');
  assertUser(second.body.user, u);

  const account = await eventsOf(s, `account-${second.body.user.uuid}`);
  assert.is(account[0]!.data.username, u.username);
  const login = account.filter((e) => ['PasswordAccepted', 'OtpAccepted', 'LoginSucceeded'].includes(e.type));
  assert.equal(login.map((e) => e.type), ['PasswordAccepted', 'OtpAccepted', 'LoginSucceeded']);
  assert.ok(login.every((e) => e.meta.dialect === 'mykaarma'));
  assert.is(login[2]!.data.method, 'password+totp');
  assert.is(login[0]!.meta.requestId, first.body.apiRequestId);
  const challenge = await eventsOf(s, `challenge-${selectorOf(first.body.sessionToken)}`);
  assert.equal(challenge.map((e) => e.type), ['ChallengeIssued', 'ChallengeCompleted']);
  assert.is(challenge[0]!.data.dialect, 'mykaarma');
  // The sessionToken died on success.
  const again = await validate(s, u.username, { password: u.password, sessionToken: first.body.sessionToken, token: codeNow(s, u, 1) });
  assertError(again, 401, 'INVALID_CREDENTIALS');
});

t('unknown user, wrong password, wrong code, foreign or dead sessionToken, locked: one 401, byte-identical but for apiRequestId', async ({ s }) => {
  const u = await createUser(s);
  const v = await createUser(s);
  const code = codeNow(s, u);
  const unknown = await validate(s, 'nobody-mykaarma', { password: u.password });
  const badPassword = await validate(s, u.username, { password: `${u.password}x` });
  const session = await passwordStep(s, u);
  const badCode = await validate(s, u.username, { password: u.password, sessionToken: session, token: otherCode(code) });
  const badOneStep = await validate(s, u.username, { password: u.password, token: otherCode(code) });
  const foreignSession = await passwordStep(s, v);
  const foreign = await validate(s, u.username, { password: u.password, sessionToken: foreignSession, token: codeNow(s, v) });
  const garbage = await validate(s, u.username, { password: u.password, sessionToken: 'not-a-session-token', token: code });
  for (let i = 0; i < 2; i++) await validate(s, u.username, { password: 'wrong-password' });
  const locked = await validate(s, u.username, { password: u.password, token: code });
  const lockedStep2 = await validate(s, u.username, { password: u.password, sessionToken: session, token: code });
  for (const r of [unknown, badPassword, badCode, badOneStep, foreign, garbage, locked, lockedStep2]) {
    assertError(r, 401, 'INVALID_CREDENTIALS');
    assert.is(withoutRequestId(r), withoutRequestId(unknown));
  }
  const uuid = (await s.admin('GET', '/v1/admin/events?limit=1000')).body.events.find((e: any) => e.type === 'AccountRegistered' && e.data.username === u.username).data.accountId;
  const events = await eventsOf(s, `account-${uuid}`);
  assert.ok(events.some((e) => e.type === 'AccountLocked' && e.meta.dialect === 'mykaarma'));
  assert.not.ok(events.some((e) => e.type === 'LoginSucceeded'));
  // The foreign token was refused before use: its owner can still finish with it.
  const owner = await validate(s, v.username, { password: v.password, sessionToken: foreignSession, token: codeNow(s, v) });
  assertEnvelope(owner, 200);
  assert.is(owner.body.user.userName, v.username);
});

t('a replayed code is refused at the second step, and recorded', async ({ s }) => {
  const u = await createUser(s);
  const code = codeNow(s, u);
  const ok = await validate(s, u.username, { password: u.password, sessionToken: await passwordStep(s, u), token: code });
  assertEnvelope(ok, 200);
  const replay = await validate(s, u.username, { password: u.password, sessionToken: await passwordStep(s, u), token: code });
  assertError(replay, 401, 'INVALID_CREDENTIALS');
  const rejected = (await eventsOf(s, `account-${ok.body.user.uuid}`)).filter((e) => e.type === 'OtpRejected');
  assert.is(rejected.length, 1);
  assert.is(rejected[0]!.data.reason, 'replayed');
  assert.is(rejected[0]!.meta.dialect, 'mykaarma');
});

t('a sessionToken is not an access token, and an access token is not a sessionToken', async ({ s }) => {
  const u = await createUser(s);
  const session = await passwordStep(s, u);
  assert.is((await s.call('GET', '/v1/session', { token: session })).status, 401);
  const verify = await s.call('POST', '/ccadmin/v1/verify', { token: session });
  assert.is(verify.status, 401);
  const full = await s.call('POST', '/v1/login', { json: { username: u.username, password: u.password, otp: codeNow(s, u) } });
  assert.is(full.status, 200);
  const misuse = await validate(s, u.username, { password: u.password, sessionToken: full.body.access_token, token: codeNow(s, u, 1) });
  assertError(misuse, 401, 'INVALID_CREDENTIALS');
  // A code that is not a string is judged by the engine like any bad code (docs/security.md §5): the generic 401, counted.
  const numeric = await validate(s, u.username, { password: u.password, sessionToken: session, token: 123456 });
  assertError(numeric, 401, 'INVALID_CREDENTIALS');
});

t('remember-me: issued on request, rotated on use; the old one is refused and its reuse revokes the series', async ({ s }) => {
  const u = await createUser(s);
  const remembered = await validate(s, u.username, { password: u.password, sessionToken: await passwordStep(s, u), token: codeNow(s, u), mfaRememberDevice: true });
  assertEnvelope(remembered, 200);
  const t1 = remembered.body.userMFARememberMeToken as string;
  assert.type(t1, 'string');
  const device = `device-${selectorOf(t1)}`;

  // A remembered device never stands in for the password.
  const wrongPassword = await validate(s, u.username, { password: 'wrong-password', userMFARememberMeToken: t1 });
  assertError(wrongPassword, 401, 'INVALID_CREDENTIALS');

  const r1 = await validate(s, u.username, { password: u.password, userMFARememberMeToken: t1 });
  assertEnvelope(r1, 200);
  assert.equal(Object.keys(r1.body).sort(), successFields);
  assert.is(r1.body.mfaRequired, false);
  assert.is(r1.body.mfaBypassed, true);
  assert.is(r1.body.mfaBypassReason, 'REMEMBERED_DEVICE');
  assert.is(r1.body.sessionToken, null);
  assertUser(r1.body.user, u);
  const t2 = r1.body.userMFARememberMeToken as string;
  assert.type(t2, 'string');
  assert.is.not(t2, t1);
  assert.is(selectorOf(t2), selectorOf(t1), 'same series');

  const r2 = await validate(s, u.username, { password: u.password, userMFARememberMeToken: t2 });
  assert.is(r2.body.mfaBypassReason, 'REMEMBERED_DEVICE', 'the new token works');
  const t3 = r2.body.userMFARememberMeToken as string;

  const reuse = await validate(s, u.username, { password: u.password, userMFARememberMeToken: t1 });
  assertEnvelope(reuse, 200);
  assert.is(reuse.body.mfaRequired, true, 'a rotated-out token is treated as absent');
  assert.is(reuse.body.mfaBypassed, false);
  assert.is(reuse.body.userMFARememberMeToken, null);
  assert.type(reuse.body.sessionToken, 'string');

  const after = await validate(s, u.username, { password: u.password, userMFARememberMeToken: t3 });
  assert.is(after.body.mfaRequired, true, 'the reuse revoked the whole series');

  const events = await eventsOf(s, device);
  assert.equal(events.map((e) => e.type), ['DeviceRemembered', 'DeviceRotated', 'DeviceRotated', 'DeviceReuseDetected', 'DeviceRevoked']);
  assert.is(events[4]!.data.reason, 'reuse');
  assert.ok(events.every((e) => e.meta.dialect === 'mykaarma'));
  const logins = (await eventsOf(s, `account-${r1.body.user.uuid}`)).filter((e) => e.type === 'LoginSucceeded').map((e) => e.data.method);
  assert.equal(logins, ['password+totp', 'password+device', 'password+device']);
});

t('an MFA-exempt user: mfaBypassed with reason EXEMPT', async ({ s }) => {
  const u = await createUser(s, { mfa: 'exempt', totp: false });
  const r = await validate(s, u.username, { password: u.password });
  assertEnvelope(r, 200);
  assert.equal(Object.keys(r.body).sort(), successFields);
  assert.is(r.body.mfaRequired, false);
  assert.is(r.body.mfaBypassed, true);
  assert.is(r.body.mfaBypassReason, 'EXEMPT');
  assert.is(r.body.userMFARememberMeToken, null);
  assertUser(r.body.user, u);
  const success = (await eventsOf(s, `account-${r.body.user.uuid}`)).find((e) => e.type === 'LoginSucceeded');
  assert.equal(success?.data, { aal: 'aal1', method: 'password' });
  assert.is(success?.meta.dialect, 'mykaarma');
});

t('emailToken without a sessionToken: 400 naming the field, the same for every account, nothing counted', async ({ s }) => {
  const u = await createUser(s);
  const uuid = (await validate(s, u.username, { password: u.password, sessionToken: await passwordStep(s, u), token: codeNow(s, u) })).body.user.uuid;
  const before = (await eventsOf(s, `account-${uuid}`)).length;
  const known = await validate(s, u.username, { password: u.password, emailToken: '123456' });
  const unknown = await validate(s, 'nobody-email', { password: 'whatever-password', emailToken: '123456' });
  for (const r of [known, unknown]) assertError(r, 400, 'INVALID_REQUEST');
  assert.is(withoutRequestId(known), withoutRequestId(unknown));
  assert.is((await eventsOf(s, `account-${uuid}`)).length, before);
});

t('clientIp is the audited address only when the peer is a trusted proxy', async ({ s }) => {
  const untrusted = await createUser(s, { mfa: 'exempt', totp: false });
  const direct = await validate(s, untrusted.username, { password: untrusted.password }, { clientIp: '203.0.113.7' });
  assertEnvelope(direct, 200);
  const directEvent = (await eventsOf(s, `account-${direct.body.user.uuid}`)).find((e) => e.type === 'LoginSucceeded');
  assert.is(directEvent?.meta.ip, '127.0.0.1');

  const proxied = await startTestServer({ env: { LATCHKEY_TRUSTED_PROXIES: '127.0.0.1' } });
  try {
    const u = await createUser(proxied, { mfa: 'exempt', totp: false });
    const r = await validate(proxied, u.username, { password: u.password }, { clientIp: '203.0.113.7' });
    assertEnvelope(r, 200);
    const withHeader = await validate(proxied, u.username, { password: u.password });
    const events = (await eventsOf(proxied, `account-${r.body.user.uuid}`)).filter((e) => e.type === 'LoginSucceeded');
    assert.equal(events.map((e) => e.meta.ip), ['203.0.113.7', '127.0.0.1']);
    assert.is(events[1]!.meta.requestId, withHeader.body.apiRequestId);
    assert.ok(events.every((e) => e.meta.dialect === 'mykaarma'));
  } finally {
    await proxied.close();
  }
});

t('bad input in the envelope: 415, 400 malformed, 413, missing or ill-typed fields; JSON null means absent; never a 500', async ({ s }) => {
  const path = pathOf('someone');
  const form = await s.call('POST', path, { form: { password: 'x' } });
  assertError(form, 415, 'UNSUPPORTED_MEDIA_TYPE');
  assertError(await s.call('POST', path, { raw: '{"password":"x"}' }), 415);
  const json = { 'content-type': 'application/json' };
  assertError(await s.call('POST', path, { raw: '{"password":', headers: json }), 400, 'MALFORMED_BODY');
  assertError(await s.call('POST', path, { raw: '{"password":"x"}', headers: { ...json, 'content-encoding': 'gzip' } }), 400, 'MALFORMED_BODY');
  assertError(await s.call('POST', path, { json: { password: 'x'.repeat(17 * 1024) } }), 413, 'PAYLOAD_TOO_LARGE');
  const illTyped: unknown[] = [
    {},
    [1, 2],
    { password: ['x'] },
    { password: { x: 1 } },
    { password: 12345678 },
    { password: null },
    { password: 'x', sessionToken: 5 },
    { password: 'x', sessionToken: ['a'] },
    { password: 'x', userMFARememberMeToken: { a: 1 } },
    { password: 'x', mfaRememberDevice: 'true' },
    { password: 'x', emailToken: 123456 },
  ];
  // A bare JSON string is not even an object (strict JSON parsing): malformed.
  assertError(await validate(s, 'someone', 'password'), 400, 'MALFORMED_BODY');
  for (const body of illTyped) assertError(await validate(s, 'someone', body), 400, 'INVALID_REQUEST');
  const u = await createUser(s);
  const nulls = await validate(s, u.username, {
    password: u.password, token: null, emailToken: null, sessionToken: null, userMFARememberMeToken: null, mfaRememberDevice: null,
  });
  assertEnvelope(nulls, 200);
  assert.is(nulls.body.mfaRequired, true);
  // A password over 1,024 bytes is the generic credentials error, without hashing (NIST SP 800-63B §5.1.1.2).
  assertError(await validate(s, u.username, { password: 'p'.repeat(2000) }), 401, 'INVALID_CREDENTIALS');
  const proto = await s.call('POST', pathOf(u.username), { raw: `{"password":"x","__proto__":{"polluted":1}}`, headers: json });
  // docs/security.md §27: the JSON parser refuses `__proto__` keys outright (400), so nothing is polluted.
  assertError(proto, 400, 'MALFORMED_BODY');
  assert.is(({} as Record<string, unknown>).polluted, undefined);
});

t('server faults and overload render in the envelope, nothing leaked', () => {
  const rendered = (err: unknown) => {
    const ctx = { status: 0, body: undefined as unknown, state: { requestId: 'req-1' }, set: () => undefined } as unknown as Context;
    renderMykaarmaFailure(ctx, failureOf(err));
    return ctx as unknown as { status: number; body: any };
  };
  const crash = rendered(new Error('secret stack detail'));
  assert.is(crash.status, 500);
  assert.equal(crash.body, {
    errors: [{ errorCode: 500, errorTitle: 'SERVER_ERROR', errorMessage: 'The server could not complete the request.' }],
    warnings: [],
    apiRequestId: 'req-1',
  });
  const busy = rendered(new DomainError('overloaded', 'internal detail'));
  assert.is(busy.status, 503);
  assert.is(busy.body.errors[0].errorCode, 503);
  assert.not.match(JSON.stringify(busy.body), /internal detail/);
});

t.run();
