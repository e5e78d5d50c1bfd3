import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { rpcClient } from '../../helpers/json-rpc-client.js';
import { oathtool } from '../../helpers/oathtool.js';
import { type TestServer, type TestUser, codeNow, createUser, startTestServer } from '../../helpers/test-server.js';

/**
 * docs/api.md: every dialect maps onto the same core commands. Failures through different dialects count on one
 * account; a token issued through one dialect is the engine's token, so logging out anywhere revokes it.
 */
const t = suite<{ s: TestServer }>('cross-dialect');
t.before(async (ctx) => {
  ctx.s = await startTestServer();
});
t.after(async (ctx) => ctx.s.close());

const appgateAccept = { accept: 'application/vnd.appgate.peer-v22+json' };

/** A six-digit code that is wrong in every step of the ±1 window. */
const wrongCode = (s: TestServer, u: TestUser): string => {
  const valid = [-1, 0, 1].map((k) => oathtool(u.secret!, s.clock.now() + k * 30_000));
  return ['000000', '111111', '222222', '333333'].find((c) => !valid.includes(c))!;
};

const accountId = async (s: TestServer, username: string): Promise<string> => {
  const page = await s.admin('GET', '/v1/admin/events?limit=1000');
  const registered = page.body.events.find((e: { type: string; data: { username?: string } }) => e.type === 'AccountRegistered' && e.data.username === username);
  return registered.data.accountId as string;
};

const accountEvents = async (s: TestServer, id: string) => (await s.admin('GET', `/v1/admin/events?stream=account-${id}&limit=1000`)).body.events as { type: string; data: any; meta: any }[];

const oracleLogin = (s: TestServer, u: TestUser, code: string) =>
  s.call('POST', '/ccadmin/v1/mfalogin', { form: { grant_type: 'password', username: u.username, password: u.password, totp_code: code } });

const appgateLogin = async (s: TestServer, u: TestUser, code: string) => {
  const first = await s.call('POST', '/admin/authentication', {
    json: { providerName: 'local', username: u.username, password: u.password, deviceId: 'cross-dialect' },
    headers: appgateAccept,
  });
  return s.call('POST', '/admin/authentication/otp', { json: { otp: code }, token: first.body.token, headers: appgateAccept });
};

const mykaarmaLogin = async (s: TestServer, u: TestUser, code: string) => {
  const path = `/manage/v2/user/${encodeURIComponent(u.username)}/validatepasswordonly`;
  const first = await s.call('POST', path, { json: { password: u.password } });
  return s.call('POST', path, { json: { password: u.password, sessionToken: first.body.sessionToken, token: code } });
};

const nativeLogin = async (s: TestServer, u: TestUser, code: string) => {
  const first = await s.call('POST', '/v1/login', { json: { username: u.username, password: u.password } });
  return s.call('POST', '/v1/login/mfa', { json: { mfa_token: first.body.mfa_token, otp: code } });
};

t('five wrong codes through five dialects lock the one account, in the order they came, each event naming its dialect', async ({ s }) => {
  const u = await createUser(s);
  const bad = wrongCode(s, u);
  assert.is((await nativeLogin(s, u, bad)).status, 401);
  assert.is((await oracleLogin(s, u, bad)).status, 401);
  assert.is((await appgateLogin(s, u, bad)).status, 401);
  const rpc = (await rpcClient(s))!;
  try {
    assert.is((await rpc.call('auth.login_ex', [{ mechanism: 'PASSWORD_PLAIN', username: u.username, password: u.password }])).result.response_type, 'OTP_REQUIRED');
    assert.is((await rpc.call('auth.login_ex_continue', [{ mechanism: 'OTP_TOKEN', otp_token: bad }])).result.response_type, 'OTP_REQUIRED');
  } finally {
    rpc.close();
  }
  assert.is((await mykaarmaLogin(s, u, bad)).status, 401);

  const events = await accountEvents(s, await accountId(s, u.username));
  const rejected = events.filter((e) => e.type === 'OtpRejected');
  assert.equal(
    rejected.map((e) => [e.data.failures, e.meta.dialect]),
    [
      [1, 'native'],
      [2, 'oracle'],
      [3, 'appgate'],
      [4, 'truenas'],
      [5, 'mykaarma'],
    ],
  );
  const locked = events.filter((e) => e.type === 'AccountLocked');
  assert.is(locked.length, 1);
  assert.is(locked[0]!.data.failures, 5);
  assert.is(locked[0]!.meta.dialect, 'mykaarma');

  // Locked everywhere: the right code is refused by every dialect.
  const good = codeNow(s, u);
  assert.is((await oracleLogin(s, u, good)).status, 401);
  const native = await s.call('POST', '/v1/login', { json: { username: u.username, password: u.password, otp: good } });
  assert.equal([native.status, native.body.error], [401, 'invalid_credentials']);
});

t('a token issued through Oracle or Appgate is revoked by the native logout, a native one by the Oracle logout; a TrueNAS generate_token token is no bearer', async ({ s }) => {
  const [oracleUser, appgateUser, truenasUser, nativeUser] = await Promise.all([createUser(s), createUser(s), createUser(s), createUser(s)]);
  const before = (await s.admin('GET', '/v1/admin/events?limit=1000')).body.next as number;

  const oracle = await oracleLogin(s, oracleUser, codeNow(s, oracleUser));
  assert.is(oracle.status, 200);
  assert.is((await s.call('POST', '/ccadmin/v1/verify', { token: oracle.body.access_token })).status, 200);
  assert.is((await s.call('POST', '/v1/logout', { token: oracle.body.access_token })).status, 204);
  assert.is((await s.call('POST', '/ccadmin/v1/verify', { token: oracle.body.access_token })).status, 401);

  const appgate = await appgateLogin(s, appgateUser, codeNow(s, appgateUser));
  assert.is(appgate.status, 200);
  assert.is((await s.call('GET', '/admin/authorization', { token: appgate.body.token, headers: appgateAccept })).status, 200);
  assert.is((await s.call('POST', '/v1/logout', { token: appgate.body.token })).status, 204);
  assert.is((await s.call('GET', '/admin/authorization', { token: appgate.body.token, headers: appgateAccept })).status, 401);

  const rpc = (await rpcClient(s))!;
  let generated: string;
  try {
    await rpc.call('auth.login_ex', [{ mechanism: 'PASSWORD_PLAIN', username: truenasUser.username, password: truenasUser.password }]);
    const done = await rpc.call('auth.login_ex_continue', [{ mechanism: 'OTP_TOKEN', otp_token: codeNow(s, truenasUser) }]);
    assert.is(done.result.response_type, 'SUCCESS');
    generated = (await rpc.call('auth.generate_token', [600])).result as string;
  } finally {
    rpc.close();
  }
  // A token of auth.generate_token is for TOKEN_PLAIN only, as in the product: no dialect's session route takes it.
  assert.is((await s.call('GET', '/v1/session', { token: generated })).status, 401);
  assert.is((await s.call('POST', '/ccadmin/v1/verify', { token: generated })).status, 401);
  assert.is((await s.call('GET', '/admin/authorization', { token: generated, headers: appgateAccept })).status, 401);
  assert.is((await s.call('POST', '/v1/logout', { token: generated })).status, 401);
  assert.is((await s.call('POST', '/v1/token/refresh', { token: generated })).status, 401);
  const again = (await rpcClient(s))!;
  try {
    assert.is((await again.call('auth.login_ex', [{ mechanism: 'TOKEN_PLAIN', token: generated }])).result.response_type, 'SUCCESS', 'still good for TOKEN_PLAIN');
  } finally {
    again.close();
  }

  const native = await nativeLogin(s, nativeUser, codeNow(s, nativeUser));
  assert.is(native.status, 200);
  const foreign = (await rpcClient(s))!;
  try {
    // … and an access token of another dialect is no TOKEN_PLAIN token.
    assert.is((await foreign.call('auth.login_ex', [{ mechanism: 'TOKEN_PLAIN', token: native.body.access_token }])).result.response_type, 'AUTH_ERR');
  } finally {
    foreign.close();
  }
  assert.equal((await s.call('POST', '/ccadmin/v1/logout', { token: native.body.access_token })).body, { result: true });
  assert.is((await s.call('GET', '/v1/session', { token: native.body.access_token })).status, 401);

  // Each logout is a SessionRevoked event, recorded by the dialect that asked for it (closing the TrueNAS socket
  // also ends that connection's own session, as the product does: counted apart).
  const since = (await s.admin('GET', `/v1/admin/events?after=${before}&limit=1000`)).body.events as { type: string; meta: { dialect: string } }[];
  const revokedBy = since.filter((e) => e.type === 'SessionRevoked').map((e) => e.meta.dialect);
  assert.is(revokedBy.filter((d) => d === 'native').length, 2);
  assert.is(revokedBy.filter((d) => d === 'oracle').length, 1);
});

t.run();
