import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type TestServer, codeNow, createUser, startTestServer } from '../../helpers/test-server.js';
import { ClientError, jsonRpcClient, legacyClient } from '../../helpers/truenas-client.js';

/**
 * Interoperability with the product's own client: the frames truenas_api_client sends (test/helpers/truenas-client.ts),
 * UUID ids, its handshake on each endpoint and its auth.login fallback (docs/dialects/truenas.md "Clients").
 */
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const accountEvents = async (s: TestServer, accountId: string): Promise<any[]> => {
  const r = await s.admin('GET', `/v1/admin/events?limit=1000&stream=${encodeURIComponent(`account-${accountId}`)}`);
  return r.body.events;
};

const t = suite<{ s: TestServer; secrets: string[] }>('TrueNAS: the product’s client, unchanged');
t.before(async (ctx) => {
  ctx.s = await startTestServer();
  ctx.secrets = [];
});
t.after(async (ctx) => {
  // Nothing secret reaches the log: no password, no code, no token.
  const log = readFileSync(ctx.s.logPath, 'utf8');
  for (const secret of ctx.secrets) assert.not.ok(log.includes(secret), 'a secret in the log');
  await ctx.s.close();
});

t('/api/current: core.set_options answers the options; every id is the client’s UUID, echoed exactly', async ({ s }) => {
  const c = await jsonRpcClient(s);
  const [sent] = c.frames;
  assert.equal(Object.keys(sent!.msg), ['jsonrpc', 'method', 'id', 'params']);
  assert.match(sent!.msg.id, uuid);
  assert.equal(c.setOptionsAnswer, {
    jsonrpc: '2.0',
    result: { legacy_jobs: false, private_methods: false, py_exceptions: false },
    id: sent!.msg.id,
  });
  assert.is(await c.ping(), 'pong');
  for (const f of c.frames.filter((f) => f.dir === 'sent')) {
    const answer = c.frames.find((g) => g.dir === 'received' && g.msg.id === f.msg.id);
    assert.ok(answer, `an answer to ${f.msg.method}`);
    assert.is(typeof answer.msg.id, 'string');
  }
  await c.close();
});

t('/api/current: login_with_password with a code, as the client does it: the core.get_jobs subscription, login_ex, login_ex_continue', async (ctx) => {
  const { s } = ctx;
  const u = await createUser(s);
  ctx.secrets.push(u.password);
  const c = await jsonRpcClient(s);
  const code = codeNow(s, u);
  ctx.secrets.push(code);
  await c.loginWithPassword(u.username, u.password, code);
  const me = await c.call('auth.me');
  assert.is(me.pw_name, u.username);
  const sent = c.frames.filter((f) => f.dir === 'sent').map((f) => f.msg);
  // Method names only in a failure's diff: the params carry the password and the code.
  assert.equal(sent.map((m) => m.method), [
    'core.set_options',
    'core.subscribe',
    'auth.login_ex',
    'core.subscribe',
    'auth.login_ex_continue',
    'core.subscribe',
    'auth.me',
  ]);
  assert.ok(JSON.stringify(sent[2].params) === JSON.stringify([{ mechanism: 'PASSWORD_PLAIN', username: u.username, password: u.password }]));
  assert.ok(JSON.stringify(sent[4].params) === JSON.stringify([{ mechanism: 'OTP_TOKEN', otp_token: code }]));
  for (const i of [1, 3, 5]) assert.equal(sent[i].params, ['core.get_jobs']);
  const received = c.frames.filter((f) => f.dir === 'received').map((f) => f.msg);
  // Until the login the subscription is refused with ENOTAUTHENTICATED (which the client ignores); then a UUID.
  for (const i of [1, 3]) {
    assert.is(received[i].error.code, -32001);
    assert.is(received[i].error.data.error, 207);
  }
  assert.match(received[5].result, uuid);
  assert.is(await c.call('core.unsubscribe', received[5].result), null);
  assert.is(await c.call('core.unsubscribe', 'no-such-subscription'), null);
  await c.close();
  const events = await accountEvents(s, me.account_id);
  assert.is(events.find((e) => e.type === 'LoginSucceeded').meta.dialect, 'truenas');
});

t('/api/current: the fallback: an unknown method is "Method does not exist", then auth.login [username, password, otp_token] → true', async (ctx) => {
  const { s } = ctx;
  const c = await jsonRpcClient(s);
  // The exact error the client tests before falling back (ClientException.error == 'Method does not exist').
  const unknown = await c.call('auth.login_ex_v2').catch((e: unknown) => e);
  assert.ok(unknown instanceof ClientError);
  assert.is(unknown.error, 'Method does not exist');

  const u = await createUser(s);
  ctx.secrets.push(u.password);
  assert.is(await c.call('auth.login', u.username, u.password, codeNow(s, u)), true);
  const me = await c.call('auth.me');
  assert.is(me.pw_name, u.username);
  const events = await accountEvents(s, me.account_id);
  const success = events.find((e) => e.type === 'LoginSucceeded');
  assert.equal(success.data, { aal: 'aal2', method: 'password+totp' });
  assert.is(success.meta.dialect, 'truenas');
  await c.close();
});

t('auth.login: false for a wrong password, an unknown user, a wrong code and a missing code; each counted like any login', async (ctx) => {
  const { s } = ctx;
  const u = await createUser(s);
  const exempt = await createUser(s, { mfa: 'exempt', totp: false });
  ctx.secrets.push(u.password, exempt.password);
  const c = await jsonRpcClient(s);
  assert.is(await c.call('auth.login', exempt.username, exempt.password), true, 'no code needed, none given');
  assert.is(await c.call('auth.login', exempt.username, exempt.password, null), true);
  assert.is(await c.call('auth.login', u.username, 'wrong-password', codeNow(s, u)), false);
  assert.is(await c.call('auth.login', 'nobody-at-all', u.password, null), false);
  const bad = codeNow(s, u) === '000000' ? '111111' : '000000';
  assert.is(await c.call('auth.login', u.username, u.password, bad), false);
  // As middlewared: a 2FA account without a code is false, and the step waits on the connection.
  assert.is(await c.call('auth.login', u.username, u.password, null), false);
  const cont = await c.call('auth.login_ex_continue', { mechanism: 'OTP_TOKEN', otp_token: codeNow(s, u) });
  assert.is(cont.response_type, 'SUCCESS');
  const events = await accountEvents(s, cont.user_info.account_id);
  assert.equal(events.filter((e) => e.type === 'PasswordRejected').length, 1);
  assert.equal(events.filter((e) => e.type === 'OtpRejected').map((e) => e.data.reason), ['invalid']);
  for (const e of events.filter((e) => e.type === 'PasswordRejected' || e.type === 'OtpRejected')) assert.is(e.meta.dialect, 'truenas');
  // Five wrong passwords through auth.login lock the account for login_ex too: one lockout.
  const v = await createUser(s, { mfa: 'exempt', totp: false });
  for (let i = 0; i < 5; i++) assert.is(await c.call('auth.login', v.username, 'wrong-password'), false);
  assert.is(await c.call('auth.login', v.username, v.password), false);
  assert.equal(await c.call('auth.login_ex', { mechanism: 'PASSWORD_PLAIN', username: v.username, password: v.password }), { response_type: 'AUTH_ERR' });
  await c.close();
});

t('/websocket: LegacyClient’s handshake, ping and login_with_password (auth.login), then the session methods', async (ctx) => {
  const { s } = ctx;
  const u = await createUser(s);
  ctx.secrets.push(u.password);
  const c = await legacyClient(s);
  assert.equal(c.frames[0]!.msg, { msg: 'connect', version: '1', support: ['1'], features: [] });
  assert.equal(Object.keys(c.handshake), ['msg', 'session']);
  assert.is(c.handshake.msg, 'connected');
  assert.match(c.handshake.session, uuid);
  const ping = c.frames.length;
  const pong = await c.ping();
  assert.equal(pong, { msg: 'pong', id: c.frames[ping]!.msg.id });
  assert.is(await c.loginWithPassword(u.username, u.password, codeNow(s, u)), true);
  const me = await c.call('auth.me');
  assert.equal(Object.keys(me).sort(), ['id', 'msg', 'result']);
  assert.is(me.msg, 'result');
  assert.match(me.id, uuid);
  assert.is(me.result.pw_name, u.username);
  const token = await c.call('auth.generate_token', 60);
  assert.type(token.result, 'string');
  ctx.secrets.push(token.result);
  assert.is((await c.call('auth.logout')).result, true);
  const after = await c.call('auth.me');
  assert.equal(after.error, { error: 207, errname: 'ENOTAUTHENTICATED', type: null, reason: '[ENOTAUTHENTICATED] Not authenticated', trace: null, extra: null });
  // The token works on the other endpoint: one session logic behind both.
  const d = await jsonRpcClient(s);
  assert.is((await d.call('auth.login_ex', { mechanism: 'TOKEN_PLAIN', token: token.result })).response_type, 'SUCCESS');
  await Promise.all([c.close(), d.close()]);
});

t('/websocket: login_ex and login_ex_continue in legacy frames; an unsupported version is "failed"', async (ctx) => {
  const { s } = ctx;
  const u = await createUser(s);
  ctx.secrets.push(u.password);
  const c = await legacyClient(s);
  const first = await c.call('auth.login_ex', { mechanism: 'PASSWORD_PLAIN', username: u.username, password: u.password });
  assert.equal(first.result, { response_type: 'OTP_REQUIRED', username: u.username });
  const second = await c.call('auth.login_ex_continue', { mechanism: 'OTP_TOKEN', otp_token: codeNow(s, u) });
  assert.is(second.result.response_type, 'SUCCESS');
  assert.is(second.result.authenticator, 'LEVEL_2');
  await c.close();

  const old = await legacyClient(s, '2');
  assert.equal(old.handshake, { msg: 'failed', version: '1' });
  await old.close();
});

t.run();
