import { randomUUID } from 'node:crypto';
import * as assert from 'uvu/assert';
import type { CallOptions, Reply } from '../helpers/http.js';
import { rpcClient } from '../helpers/json-rpc-client.js';
import { serverSuite } from '../helpers/server-suite.js';
import { type TestServer, codeNow, createUser, startTestServer } from '../helpers/test-server.js';
import { type AuditEvent, eventsAfter, lastSeq } from './helpers/audit-events.js';
import { wrongCodeNow } from './helpers/totp-codes.js';
import { appgate, mykaarma, oracleLogin } from './helpers/vendor-dialects.js';

/**
 * Every credential check leaves a trace (issue "the log answers an auditor"): each route of each dialect, and each
 * failure branch the security suite drives, appends at least one event, with its dialect and client address in the
 * meta, and the event that says what happened. Session-route bearer checks (GET /v1/session, Oracle verify, Appgate
 * authorization) are not login attempts and stay read-only; TrueNAS TOKEN_PLAIN is a login and is recorded.
 */
const t = serverSuite('security: every attempt is an event', { each: true });

/** Runs one attempt and asserts what it appended: at least one event, `expected` among them, all in `dialect`'s name. */
const recorded = async <T>(s: TestServer, what: string, dialect: string, expected: string, attempt: () => Promise<T>): Promise<{ result: T; events: AuditEvent[] }> => {
  const mark = await lastSeq(s);
  const result = await attempt();
  const events = await eventsAfter(s, mark);
  assert.ok(events.length > 0, `${what}: the event count grew`);
  assert.ok(
    events.some((e) => e.type === expected),
    `${what}: ${expected} among ${events.map((e) => e.type).join(', ')}`,
  );
  for (const e of events) {
    assert.is(e.meta.dialect, dialect, `${what}: ${e.type} names its dialect`);
    assert.ok(e.meta.ip === '127.0.0.1' || e.meta.ip === '::ffff:127.0.0.1', `${what}: ${e.type} names the client address (${e.meta.ip})`);
  }
  return { result, events };
};

const json = (s: TestServer, method: string, path: string, body: unknown, opts: CallOptions = {}): Promise<Reply> => s.call(method, path, { ...opts, json: body });

t('native: unknown user, wrong password, password step, wrong and malformed codes, unknown and spent tokens, one-step success', async ({ s }) => {
  const u = await createUser(s);
  await recorded(s, 'unknown user', 'native', 'UnknownUserAttempted', () => json(s, 'POST', '/v1/login', { username: `nobody-${randomUUID()}`, password: 'whatever password' }));
  await recorded(s, 'wrong password', 'native', 'PasswordRejected', () => json(s, 'POST', '/v1/login', { username: u.username, password: 'not the password' }));
  const step1 = await recorded(s, 'password step', 'native', 'PasswordAccepted', () => json(s, 'POST', '/v1/login', { username: u.username, password: u.password }));
  const mfaToken = step1.result.body.mfa_token as string;
  await recorded(s, 'wrong code', 'native', 'OtpRejected', () => json(s, 'POST', '/v1/login/mfa', { mfa_token: mfaToken, otp: wrongCodeNow(s, u) }));
  await recorded(s, 'malformed code', 'native', 'OtpRejected', () => json(s, 'POST', '/v1/login/mfa', { mfa_token: mfaToken, otp: '12 34' }));
  await recorded(s, 'unknown second-step token', 'native', 'UnknownTokenPresented', () => json(s, 'POST', '/v1/login/mfa', { mfa_token: 'garbage', otp: '123456' }));
  const done = await recorded(s, 'second step', 'native', 'LoginSucceeded', () => json(s, 'POST', '/v1/login/mfa', { mfa_token: mfaToken, otp: codeNow(s, u) }));
  assert.is(done.result.status, 200);
  await recorded(s, 'spent second-step token', 'native', 'ChallengeRefused', () => json(s, 'POST', '/v1/login/mfa', { mfa_token: mfaToken, otp: codeNow(s, u, 1) }));
  s.clock.advance(30_000);
  await recorded(s, 'one step', 'native', 'LoginSucceeded', () => json(s, 'POST', '/v1/login', { username: u.username, password: u.password, otp: codeNow(s, u) }));
});

t('Oracle: unknown user, wrong password, missing code, success', async ({ s }) => {
  const u = await createUser(s);
  await recorded(s, 'unknown user', 'oracle', 'UnknownUserAttempted', () => oracleLogin(s, { username: `nobody-${randomUUID()}`, password: 'whatever', totp_code: '123456' }));
  await recorded(s, 'wrong password', 'oracle', 'PasswordRejected', () => oracleLogin(s, { username: u.username, password: 'not the password', totp_code: codeNow(s, u) }));
  const missing = await recorded(s, 'missing code', 'oracle', 'OtpRejected', () => oracleLogin(s, { username: u.username, password: u.password }));
  assert.equal(missing.events.find((e) => e.type === 'OtpRejected')?.data.reason, 'missing');
  await recorded(s, 'success', 'oracle', 'LoginSucceeded', () => oracleLogin(s, { username: u.username, password: u.password, totp_code: codeNow(s, u) }));
});

t('Appgate: wrong password, partial token, wrong code, a full token as the partial one, success', async ({ s }) => {
  const u = await createUser(s);
  const body = (password: string) => ({ providerName: 'local', username: u.username, password, deviceId: 'walk' });
  await recorded(s, 'wrong password', 'appgate', 'PasswordRejected', () => appgate(s, 'POST', '/admin/authentication', { json: body('not the password') }));
  const partial = (await recorded(s, 'password step', 'appgate', 'PasswordAccepted', () => appgate(s, 'POST', '/admin/authentication', { json: body(u.password) }))).result.body.token as string;
  await recorded(s, 'wrong code', 'appgate', 'OtpRejected', () => appgate(s, 'POST', '/admin/authentication/otp', { json: { otp: wrongCodeNow(s, u) }, token: partial }));
  const full = await recorded(s, 'second step', 'appgate', 'LoginSucceeded', () => appgate(s, 'POST', '/admin/authentication/otp', { json: { otp: codeNow(s, u) }, token: partial }));
  await recorded(s, 'full token as partial', 'appgate', 'UnknownTokenPresented', () => appgate(s, 'POST', '/admin/authentication/otp', { json: { otp: codeNow(s, u, 1) }, token: full.result.body.token as string }));
});

t('TrueNAS: password, code, a continuation with nothing pending, TOKEN_PLAIN (good, garbage, logged out), API_KEY_PLAIN (good, wrong)', async ({ s }) => {
  const u = await createUser(s);
  const rpc = (await rpcClient(s))!;
  const other = (await rpcClient(s))!;
  try {
    await recorded(s, 'wrong password', 'truenas', 'PasswordRejected', () => rpc.call('auth.login_ex', [{ mechanism: 'PASSWORD_PLAIN', username: u.username, password: 'not the password' }]));
    await recorded(s, 'password step', 'truenas', 'PasswordAccepted', () => rpc.call('auth.login_ex', [{ mechanism: 'PASSWORD_PLAIN', username: u.username, password: u.password }]));
    await recorded(s, 'wrong code', 'truenas', 'OtpRejected', () => rpc.call('auth.login_ex_continue', [{ mechanism: 'OTP_TOKEN', otp_token: wrongCodeNow(s, u) }]));
    await recorded(s, 'second step', 'truenas', 'LoginSucceeded', () => rpc.call('auth.login_ex_continue', [{ mechanism: 'OTP_TOKEN', otp_token: codeNow(s, u) }]));
    await recorded(s, 'nothing pending', 'truenas', 'UnknownTokenPresented', () => other.call('auth.login_ex_continue', [{ mechanism: 'OTP_TOKEN', otp_token: codeNow(s, u) }]));
    const token = (await rpc.call('auth.generate_token', [600, {}, true, true])).result as string;
    const resumed = await recorded(s, 'TOKEN_PLAIN', 'truenas', 'SessionResumed', () => other.call('auth.login_ex', [{ mechanism: 'TOKEN_PLAIN', token }]));
    assert.is(resumed.result.result.response_type, 'SUCCESS');
    await recorded(s, 'TOKEN_PLAIN garbage', 'truenas', 'UnknownTokenPresented', () => other.call('auth.login_ex', [{ mechanism: 'TOKEN_PLAIN', token: 'not-a-token' }]));
    assert.is((await other.call('auth.logout', [])).result, true);
    const refused = await recorded(s, 'TOKEN_PLAIN single-use, again', 'truenas', 'SessionResumeRefused', () => other.call('auth.login_ex', [{ mechanism: 'TOKEN_PLAIN', token }]));
    assert.equal(refused.events.find((e) => e.type === 'SessionResumeRefused')?.data, { reason: 'revoked' });

    const key = (await s.admin('POST', `/v1/admin/users/${encodeURIComponent(u.username)}/api-keys`)).body.key as string;
    await recorded(s, 'API_KEY_PLAIN', 'truenas', 'LoginSucceeded', () => other.call('auth.login_ex', [{ mechanism: 'API_KEY_PLAIN', username: u.username, api_key: key }]));
    await recorded(s, 'API_KEY_PLAIN wrong', 'truenas', 'ApiKeyRejected', () => other.call('auth.login_ex', [{ mechanism: 'API_KEY_PLAIN', username: u.username, api_key: `${key.slice(0, -1)}x` }]));
  } finally {
    rpc.close();
    other.close();
  }
});

t("myKaarma: wrong password, password step, another user's sessionToken, wrong code, an expired sessionToken", async ({ s }) => {
  const a = await createUser(s);
  const b = await createUser(s);
  await recorded(s, 'wrong password', 'mykaarma', 'PasswordRejected', () => mykaarma(s, a.username, { password: 'not the password' }));
  const first = await recorded(s, 'password step', 'mykaarma', 'PasswordAccepted', () => mykaarma(s, a.username, { password: a.password }));
  const sessionToken = first.result.body.sessionToken as string;
  const foreign = await recorded(s, 'foreign sessionToken', 'mykaarma', 'ChallengeRefused', () => mykaarma(s, b.username, { password: b.password, sessionToken, token: codeNow(s, a) }));
  assert.equal(foreign.events.map((e) => e.data), [{ reason: 'foreign_user' }]);
  await recorded(s, 'wrong code', 'mykaarma', 'OtpRejected', () => mykaarma(s, a.username, { password: a.password, sessionToken, token: wrongCodeNow(s, a) }));
  s.clock.advance(300_000);
  const expired = await recorded(s, 'expired sessionToken', 'mykaarma', 'ChallengeEnded', () => mykaarma(s, a.username, { password: a.password, sessionToken, token: codeNow(s, a) }));
  assert.equal(expired.events.map((e) => e.data), [{ reason: 'expired' }]);
  await recorded(s, 'expired sessionToken again', 'mykaarma', 'ChallengeRefused', () => mykaarma(s, a.username, { password: a.password, sessionToken, token: codeNow(s, a) }));
});

t('revoking an API key ends the sessions opened with it, in the same append', async ({ s }) => {
  const u = await createUser(s);
  const path = `/v1/admin/users/${encodeURIComponent(u.username)}/api-keys`;
  const issued = (await s.admin('POST', path)).body as { id: string; key: string };
  const rpc = (await rpcClient(s))!;
  try {
    const login = await rpc.call('auth.login_ex', [{ mechanism: 'API_KEY_PLAIN', username: u.username, api_key: issued.key }]);
    assert.is(login.result.response_type, 'SUCCESS');
    const token = (await rpc.call('auth.generate_token', [600])).result as string;
    const mark = await lastSeq(s);
    assert.is((await s.admin('DELETE', `${path}/${issued.id}`)).status, 204);
    const events = await eventsAfter(s, mark);
    assert.equal(
      events.map((e) => [e.type, e.data]),
      [
        ['ApiKeyRevoked', { keyId: issued.id }],
        ['SessionRevoked', { reason: 'api_key_revoked' }],
      ],
    );
    assert.is(new Set(events.map((e) => e.seq - events[0]!.seq)).size, 2);
    // The session the key opened is gone, and the token it was granted (auth.generate_token) lives no longer than the key.
    assert.ok((await rpc.call('auth.me', [])).error, "the key's own session no longer authenticates");
    const other = (await rpcClient(s))!;
    try {
      const refused = await recorded(s, 'TOKEN_PLAIN after the key', 'truenas', 'SessionResumeRefused', () => other.call('auth.login_ex', [{ mechanism: 'TOKEN_PLAIN', token }]));
      assert.equal(refused.events.find((e) => e.type === 'SessionResumeRefused')?.data, { reason: 'api_key_revoked' });
      assert.is(refused.result.result.response_type, 'AUTH_ERR');
    } finally {
      other.close();
    }
  } finally {
    rpc.close();
  }
});

t('DELETE of a user\'s remembered devices is an event, and the device no longer stands in for the code', async ({ s }) => {
  const u = await createUser(s);
  const step1 = await json(s, 'POST', '/v1/login', { username: u.username, password: u.password });
  const step2 = await json(s, 'POST', '/v1/login/mfa', { mfa_token: step1.body.mfa_token, otp: codeNow(s, u), remember_device: true });
  const device = step2.body.device_token as string;
  assert.type(device, 'string');
  const mark = await lastSeq(s);
  assert.is((await s.admin('DELETE', `/v1/admin/users/${encodeURIComponent(u.username)}/devices`)).status, 204);
  const events = await eventsAfter(s, mark);
  assert.equal(events.map((e) => [e.type, e.meta.dialect]), [['DevicesForgotten', 'admin']]);
  const again = await recorded(s, 'forgotten device', 'native', 'DeviceRevoked', () => json(s, 'POST', '/v1/login', { username: u.username, password: u.password, device_token: device }));
  assert.is(again.result.body.status, 'mfa_required');
  assert.is((await s.admin('DELETE', `/v1/admin/users/nobody-${randomUUID()}/devices`)).status, 404);
});

t('throttle refusals are recorded aggregated: one ThrottleRefusals per key per recording, never one per request', async () => {
  const s = await startTestServer({ env: { LATCHKEY_THROTTLE_IP_BURST: '3', LATCHKEY_THROTTLE_IP_PER_MINUTE: '1' } });
  try {
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await json(s, 'POST', '/v1/login', { username: 'nobody', password: 'wrong password' })).status);
    assert.equal(statuses.filter((x) => x === 429).length, 7);
    const mark = await lastSeq(s);
    assert.is(await s.running.latchkey.recordThrottleRefusals(), 1);
    const events = await eventsAfter(s, mark);
    assert.equal(events.length, 1);
    const [e] = events;
    assert.is(e!.type, 'ThrottleRefusals');
    assert.equal({ ...e!.data, first: 0, last: 0 }, { scope: 'ip', key: '127.0.0.1', count: 7, first: 0, last: 0, dialects: ['native'] });
    assert.is(e!.stream, 'throttle-ip:127.0.0.1');
    assert.is(await s.running.latchkey.recordThrottleRefusals(), 0, 'nothing new, nothing written');
  } finally {
    await s.close();
  }
});

t.run();
