import { createHash } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import WebSocket from 'ws';
import { type TestServer, type TestUser, codeNow, createUser, startTestServer } from '../../helpers/test-server.js';

/** A small JSON-RPC 2.0 client over `ws`: answers come back in order, one per call. */
interface Rpc {
  /** Sends a call and resolves with the whole envelope of the next answer. */
  call(method: string, params?: unknown[]): Promise<any>;
  /** Sends a raw text (or binary) frame. */
  send(frame: string | Buffer): void;
  /** The next answer, parsed; `text` keeps its exact bytes. */
  next(): Promise<{ msg: any; text: string }>;
  readonly closed: Promise<{ code: number; reason: string }>;
  close(): Promise<void>;
}

const userAgent = 'truenas-test-client/1.0';

/** `localAddress`: another loopback address to connect from (a client elsewhere, for match_origin). */
const connect = (s: TestServer, path = '/api/current', headers: Record<string, string> = {}, localAddress?: string): Promise<Rpc> =>
  new Promise((resolve, reject) => {
    const ws = new WebSocket(`${s.wsUrl}${path}`, { headers: { 'user-agent': userAgent, ...headers }, ...(localAddress === undefined ? {} : { localAddress }) });
    const inbox: { msg: any; text: string }[] = [];
    const waiters: ((m: { msg: any; text: string }) => void)[] = [];
    let id = 0;
    ws.on('message', (data) => {
      const text = data.toString();
      const m = { msg: JSON.parse(text), text };
      const w = waiters.shift();
      if (w) w(m);
      else inbox.push(m);
    });
    const closed = new Promise<{ code: number; reason: string }>((r) => ws.on('close', (code, reason) => r({ code, reason: reason.toString() })));
    ws.on('error', reject);
    const next = () => new Promise<{ msg: any; text: string }>((r) => (inbox.length > 0 ? r(inbox.shift()!) : waiters.push(r)));
    ws.on('open', () =>
      resolve({
        call: async (method, params = []) => {
          const callId = ++id;
          ws.send(JSON.stringify({ jsonrpc: '2.0', id: callId, method, params }));
          const { msg } = await next();
          assert.is(msg.id, callId, 'answers come back in order');
          return msg;
        },
        send: (frame) => ws.send(frame),
        next,
        closed,
        close: async () => {
          ws.close();
          await closed;
        },
      }),
    );
  });

const loginEx = (c: Rpc, data: Record<string, unknown>) => c.call('auth.login_ex', [data]);
const password = (u: TestUser, pw = u.password) => ({ mechanism: 'PASSWORD_PLAIN', username: u.username, password: pw });
const otp = (code: unknown) => ({ mechanism: 'OTP_TOKEN', otp_token: code });
const wrong = (code: string) => (code === '000000' ? '111111' : '000000');

const accountEvents = async (s: TestServer, accountId: string): Promise<any[]> => {
  const r = await s.admin('GET', `/v1/admin/events?limit=1000&stream=${encodeURIComponent(`account-${accountId}`)}`);
  assert.is(r.status, 200);
  return r.body.events;
};

const lastSeq = async (s: TestServer): Promise<number> => {
  let after = 0;
  for (;;) {
    const r = await s.admin('GET', `/v1/admin/events?limit=1000&after=${after}`);
    if (r.body.events.length === 0) return after;
    after = r.body.next;
  }
};

const assertSuccess = (reply: any, authenticator: 'LEVEL_1' | 'LEVEL_2', u: TestUser) => {
  assert.is(reply.jsonrpc, '2.0');
  assert.is(reply.error, undefined);
  assert.equal(Object.keys(reply.result).sort(), ['authenticator', 'response_type', 'user_info']);
  assert.is(reply.result.response_type, 'SUCCESS');
  assert.is(reply.result.authenticator, authenticator);
  assert.is(reply.result.user_info.pw_name, u.username);
  assert.type(reply.result.user_info.account_id, 'string');
};

const assertCallError = (reply: any, errname: string, errno: number) => {
  assert.is(reply.jsonrpc, '2.0');
  assert.is(reply.result, undefined);
  assert.is(reply.error.code, -32001);
  assert.is(reply.error.message, 'Method call error');
  assert.is(reply.error.data.errname, errname);
  assert.is(reply.error.data.error, errno);
  assert.is(reply.error.data.trace, null);
};

const t = suite<{ s: TestServer }>('TrueNAS JSON-RPC dialect');
t.before(async (ctx) => {
  ctx.s = await startTestServer();
});
t.after(async (ctx) => ctx.s.close());

t('PASSWORD_PLAIN without 2FA → SUCCESS at LEVEL_1 on /api/current; events carry the truenas meta', async ({ s }) => {
  const u = await createUser(s, { mfa: 'exempt', totp: false, roles: ['FULL_ADMIN'] });
  // X-Forwarded-For from an untrusted peer is ignored (docs/security.md §22).
  const c = await connect(s, '/api/current', { 'x-forwarded-for': '203.0.113.9' });
  const reply = await loginEx(c, password(u));
  assert.is(reply.id, 1);
  assertSuccess(reply, 'LEVEL_1', u);
  assert.equal(reply.result.user_info.privilege, { roles: ['FULL_ADMIN'] });
  assert.equal(reply.result.user_info.attributes, {});
  assert.is(reply.result.user_info.two_factor_config.secret_configured, false);
  const me = await c.call('auth.me');
  assert.equal(me.result, reply.result.user_info);
  await c.close();

  const events = await accountEvents(s, reply.result.user_info.account_id);
  const success = events.find((e) => e.type === 'LoginSucceeded');
  assert.ok(success);
  assert.equal(success.data, { aal: 'aal1', method: 'password' });
  assert.is(success.meta.dialect, 'truenas');
  assert.is(success.meta.ip, '127.0.0.1');
  assert.is(success.meta.userAgent, userAgent);
  assert.type(success.meta.requestId, 'string');
});

t('with 2FA: OTP_REQUIRED, then login_ex_continue → SUCCESS at LEVEL_2', async ({ s }) => {
  const u = await createUser(s);
  const c = await connect(s);
  const first = await loginEx(c, password(u));
  // Exactly the product's envelope: the engine's mfa token never leaves the server.
  assert.equal(first, { jsonrpc: '2.0', id: 1, result: { response_type: 'OTP_REQUIRED', username: u.username } });
  const second = await c.call('auth.login_ex_continue', [otp(codeNow(s, u))]);
  assert.is(second.id, 2);
  assertSuccess(second, 'LEVEL_2', u);
  assert.is(second.result.user_info.two_factor_config.secret_configured, true);
  assert.is((await c.call('auth.me')).result.pw_name, u.username);
  await c.close();

  const events = await accountEvents(s, second.result.user_info.account_id);
  const accepted = events.find((e) => e.type === 'PasswordAccepted');
  const succeeded = events.find((e) => e.type === 'LoginSucceeded');
  assert.equal(succeeded.data, { aal: 'aal2', method: 'password+totp' });
  for (const e of [accepted, succeeded]) assert.is(e.meta.dialect, 'truenas');
  assert.is.not(accepted.meta.requestId, succeeded.meta.requestId, 'one request id per call');
});

t('login_options.user_info false → SUCCESS with user_info null', async ({ s }) => {
  const u = await createUser(s, { mfa: 'exempt', totp: false });
  const c = await connect(s);
  const reply = await loginEx(c, { ...password(u), login_options: { user_info: false } });
  assert.equal(reply.result, { response_type: 'SUCCESS', user_info: null, authenticator: 'LEVEL_1' });
  await c.close();
});

t('login_options.reconnect_token (API 26) → SUCCESS carries a single-use, origin-bound token for TOKEN_PLAIN; not asked, no member', async ({ s }) => {
  const u = await createUser(s);
  const a = await connect(s);
  assert.is((await loginEx(a, { ...password(u), login_options: { reconnect_token: true } })).result.response_type, 'OTP_REQUIRED');
  const done = await a.call('auth.login_ex_continue', [{ ...otp(codeNow(s, u)), login_options: { reconnect_token: true, user_info: false } }]);
  assert.equal(Object.keys(done.result).sort(), ['authenticator', 'reconnect_token', 'response_type', 'user_info']);
  const reconnect = done.result.reconnect_token as string;
  assert.type(reconnect, 'string');
  const elsewhere = await connect(s, '/api/current', {}, '127.0.0.2');
  assert.equal((await loginEx(elsewhere, { mechanism: 'TOKEN_PLAIN', token: reconnect })).result, { response_type: 'AUTH_ERR' }, 'origin-bound');
  const b = await connect(s);
  // The UI chains them: each reconnect asks for the next token.
  const again = await loginEx(b, { mechanism: 'TOKEN_PLAIN', token: reconnect, login_options: { reconnect_token: true } });
  assert.is(again.result.response_type, 'SUCCESS');
  assert.is(again.result.authenticator, 'LEVEL_2');
  assert.type(again.result.reconnect_token, 'string');
  assert.is.not(again.result.reconnect_token, reconnect);
  const c = await connect(s);
  assert.equal((await loginEx(c, { mechanism: 'TOKEN_PLAIN', token: reconnect })).result, { response_type: 'AUTH_ERR' }, 'single use');
  assertSuccess(await loginEx(c, { mechanism: 'TOKEN_PLAIN', token: again.result.reconnect_token }), 'LEVEL_2', u);
  await Promise.all([a.close(), b.close(), c.close(), elsewhere.close()]);
});

t('wrong codes → OTP_REQUIRED until the cap; the 5th is already AUTH_ERR; then nothing is pending', async ({ s }) => {
  const u = await createUser(s);
  const c = await connect(s);
  assert.is((await loginEx(c, password(u))).result.response_type, 'OTP_REQUIRED');
  const bad = wrong(codeNow(s, u));
  for (let i = 1; i <= 4; i++) {
    const r = await c.call('auth.login_ex_continue', [otp(bad)]);
    assert.equal(r.result, { response_type: 'OTP_REQUIRED', username: u.username }, `attempt ${i}`);
  }
  // A malformed code is a counted failure like any wrong one (docs/security.md §5), not a params error.
  const fifth = await c.call('auth.login_ex_continue', [otp(123456)]);
  assert.equal(fifth.result, { response_type: 'AUTH_ERR' });
  const after = await c.call('auth.login_ex_continue', [otp(codeNow(s, u))]);
  assertCallError(after, 'EINVAL', 22);
  assert.is((await c.call('auth.me')).error.data.errname, 'ENOTAUTHENTICATED');
  await c.close();
});

t('unknown user, wrong password and a locked account give byte-identical AUTH_ERR answers', async ({ s }) => {
  const u = await createUser(s, { mfa: 'exempt', totp: false });
  const answer = async (data: Record<string, unknown>) => {
    const c = await connect(s);
    c.send(JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'auth.login_ex', params: [data] }));
    const { text } = await c.next();
    await c.close();
    return text;
  };
  const unknown = await answer({ mechanism: 'PASSWORD_PLAIN', username: 'nobody-here-at-all', password: u.password });
  const badPassword = await answer(password(u, `${u.password}x`));
  for (let i = 0; i < 4; i++) await answer(password(u, 'wrong-password'));
  const locked = await answer(password(u));
  assert.equal(JSON.parse(unknown), { jsonrpc: '2.0', result: { response_type: 'AUTH_ERR' }, id: 7 });
  assert.is(badPassword, unknown);
  assert.is(locked, unknown);
});

t('a replayed code is refused, and recorded as a replay', async ({ s }) => {
  const u = await createUser(s);
  const code = codeNow(s, u);
  const a = await connect(s);
  await loginEx(a, password(u));
  const ok = await a.call('auth.login_ex_continue', [otp(code)]);
  assertSuccess(ok, 'LEVEL_2', u);
  const b = await connect(s);
  await loginEx(b, password(u));
  const replay = await b.call('auth.login_ex_continue', [otp(code)]);
  assert.equal(replay.result, { response_type: 'OTP_REQUIRED', username: u.username });
  await Promise.all([a.close(), b.close()]);
  const rejected = (await accountEvents(s, ok.result.user_info.account_id)).filter((e) => e.type === 'OtpRejected');
  assert.is(rejected.length, 1);
  assert.is(rejected[0].data.reason, 'replayed');
  assert.is(rejected[0].meta.dialect, 'truenas');
});

t('the pending step lives 5 minutes: a code at 299.999 s passes, at 300 s the answer is EXPIRED', async ({ s }) => {
  const u = await createUser(s);
  const c = await connect(s);
  await loginEx(c, password(u));
  s.clock.advance(299_999);
  assertSuccess(await c.call('auth.login_ex_continue', [otp(codeNow(s, u))]), 'LEVEL_2', u);
  await c.close();

  const v = await createUser(s);
  const d = await connect(s);
  await loginEx(d, password(v));
  s.clock.advance(300_000);
  const expired = await d.call('auth.login_ex_continue', [otp(codeNow(s, v))]);
  assert.equal(expired, { jsonrpc: '2.0', id: 2, result: { response_type: 'EXPIRED' } });
  assertCallError(await d.call('auth.login_ex_continue', [otp(codeNow(s, v))]), 'EINVAL', 22);
  await d.close();
});

t('continue with nothing pending → JSON-RPC error EINVAL', async ({ s }) => {
  const c = await connect(s);
  const r = await c.call('auth.login_ex_continue', [otp('123456')]);
  assertCallError(r, 'EINVAL', 22);
  assert.match(r.error.data.reason, /^\[EINVAL\] /);
  // auth.login_ex with OTP_TOKEN is the same step (login_ex_continue is its wrapper).
  assertCallError(await loginEx(c, otp('123456')), 'EINVAL', 22);
  await c.close();
});

t('a second connection cannot continue the first connection’s pending login', async ({ s }) => {
  const u = await createUser(s);
  const first = await connect(s);
  const other = await connect(s);
  await loginEx(first, password(u));
  const code = codeNow(s, u);
  assertCallError(await other.call('auth.login_ex_continue', [otp(code)]), 'EINVAL', 22);
  assert.is((await other.call('auth.me')).error.data.errname, 'ENOTAUTHENTICATED');
  // The code was not spent by the other connection: the owner still finishes with it.
  assertSuccess(await first.call('auth.login_ex_continue', [otp(code)]), 'LEVEL_2', u);
  await Promise.all([first.close(), other.close()]);
});

t('a new auth.login_ex replaces the pending one on the connection', async ({ s }) => {
  const u = await createUser(s);
  const v = await createUser(s, { mfa: 'exempt', totp: false });
  const c = await connect(s);
  await loginEx(c, password(u));
  assertSuccess(await loginEx(c, password(v)), 'LEVEL_1', v);
  assertCallError(await c.call('auth.login_ex_continue', [otp(codeNow(s, u))]), 'EINVAL', 22);
  assert.is((await c.call('auth.me')).result.pw_name, v.username);
  await c.close();
});

t('auth.generate_token [ttl=600, attrs={}, match_origin=true, single_use=false] as middlewared: params, defaults, a token for TOKEN_PLAIN only', async ({ s }) => {
  const u = await createUser(s);
  const a = await connect(s);
  assertCallError(await a.call('auth.generate_token', [60]), 'ENOTAUTHENTICATED', 207);
  await loginEx(a, password(u));
  await a.call('auth.login_ex_continue', [otp(codeNow(s, u))]);
  for (const params of [['60'], [60.5], [true], [60, []], [60, {}, 'yes'], [60, {}, true, 1], [60, {}, true, false, 'x']]) {
    assert.is((await a.call('auth.generate_token', params)).error.code, -32602, JSON.stringify(params));
  }
  const job = await a.call('auth.generate_token', [60, { job: 7 }]);
  assertCallError(job, 'EFAULT', 14);
  assert.match(job.error.data.reason, /7: job does not exist\./);

  // The defaults: 600 s, no attributes, this address only, many uses (several connections at once).
  const token = (await a.call('auth.generate_token', [])).result as string;
  assert.type(token, 'string');
  assert.is((await s.call('GET', '/v1/session', { token })).status, 401, 'no bearer on a session route');
  const b = await connect(s);
  const c = await connect(s);
  assertSuccess(await loginEx(b, { mechanism: 'TOKEN_PLAIN', token }), 'LEVEL_2', u);
  assertSuccess(await loginEx(c, { mechanism: 'TOKEN_PLAIN', token }), 'LEVEL_2', u);
  assert.is((await b.call('auth.me')).result.pw_name, u.username);
  const elsewhere = await connect(s, '/api/current', {}, '127.0.0.2');
  assert.equal((await loginEx(elsewhere, { mechanism: 'TOKEN_PLAIN', token })).result, { response_type: 'AUTH_ERR' }, 'match_origin by default');
  const anywhere = (await a.call('auth.generate_token', [600, {}, false])).result as string;
  assertSuccess(await loginEx(elsewhere, { mechanism: 'TOKEN_PLAIN', token: anywhere }), 'LEVEL_2', u);

  // single_use: one login. attrs: a restricted token, which the product never takes for a login ("Bad token").
  const once = (await a.call('auth.generate_token', [600, {}, true, true])).result as string;
  const d = await connect(s);
  assertSuccess(await loginEx(d, { mechanism: 'TOKEN_PLAIN', token: once }), 'LEVEL_2', u);
  assert.equal((await loginEx(d, { mechanism: 'TOKEN_PLAIN', token: once })).result, { response_type: 'AUTH_ERR' });
  const restricted = (await a.call('auth.generate_token', [600, { purpose: 'download' }])).result as string;
  assert.type(restricted, 'string');
  assert.equal((await loginEx(d, { mechanism: 'TOKEN_PLAIN', token: restricted })).result, { response_type: 'AUTH_ERR' });
  assert.equal((await loginEx(d, { mechanism: 'TOKEN_PLAIN', token: `${token.slice(0, -2)}xx` })).result, { response_type: 'AUTH_ERR' });
  await Promise.all([a.close(), b.close(), c.close(), d.close(), elsewhere.close()]);
});

t('auth.generate_token: the ttl counts from the last login with the token (Token.notify_used), at its edge and one step either side', async ({ s }) => {
  const u = await createUser(s);
  const a = await connect(s);
  await loginEx(a, password(u));
  await a.call('auth.login_ex_continue', [otp(codeNow(s, u))]);
  const token = (await a.call('auth.generate_token', [60])).result as string;
  const b = await connect(s);
  s.clock.advance(59_999);
  assertSuccess(await loginEx(b, { mechanism: 'TOKEN_PLAIN', token }), 'LEVEL_2', u);
  s.clock.advance(59_999);
  assertSuccess(await loginEx(b, { mechanism: 'TOKEN_PLAIN', token }), 'LEVEL_2', u);
  s.clock.advance(60_000);
  assert.equal((await loginEx(b, { mechanism: 'TOKEN_PLAIN', token })).result, { response_type: 'AUTH_ERR' });
  const ttlNull = (await a.call('auth.generate_token', [null])).result as string;
  s.clock.advance(599_999);
  assertSuccess(await loginEx(b, { mechanism: 'TOKEN_PLAIN', token: ttlNull }), 'LEVEL_2', u);
  await Promise.all([a.close(), b.close()]);
});

t('auth.logout → true and the connection is anonymous; a closed connection’s session is revoked', async ({ s }) => {
  const u = await createUser(s, { mfa: 'exempt', totp: false });
  const c = await connect(s);
  assert.is((await c.call('auth.logout')).error.data.errname, 'ENOTAUTHENTICATED');
  await loginEx(c, password(u));
  const out = await c.call('auth.logout');
  assert.equal(out, { jsonrpc: '2.0', result: true, id: 3 });
  assert.is((await c.call('auth.me')).error.data.errname, 'ENOTAUTHENTICATED');
  await c.close();

  const from = await lastSeq(s);
  const d = await connect(s);
  await loginEx(d, password(u));
  await d.close();
  let revoked: any;
  for (let i = 0; i < 50 && !revoked; i++) {
    const page = await s.admin('GET', `/v1/admin/events?limit=1000&after=${from}`);
    const issued = page.body.events.find((e: any) => e.type === 'SessionIssued');
    revoked = page.body.events.find((e: any) => e.type === 'SessionRevoked' && e.stream === issued?.stream);
    if (!revoked) await new Promise((r) => setTimeout(r, 20));
  }
  assert.ok(revoked, 'the connection’s session is revoked when it closes');
  assert.equal(revoked.data, { reason: 'logout' });
  assert.is(revoked.meta.dialect, 'truenas');
});

t('API_KEY_PLAIN: an admin-issued key logs in at LEVEL_1; a wrong key is a counted failure; a revoked key is refused', async ({ s }) => {
  const u = await createUser(s);
  const path = `/v1/admin/users/${encodeURIComponent(u.username)}/api-keys`;
  assert.is((await s.call('POST', path)).status, 401, 'admin only');
  const issued = await s.admin('POST', path, { json: { name: 'backup job' } });
  assert.is(issued.status, 201);
  assert.equal(Object.keys(issued.body).sort(), ['id', 'key']);
  const key = issued.body.key as string;
  const unnamed = await s.admin('POST', path);
  assert.is(unnamed.status, 201);

  const c = await connect(s);
  const ok = await loginEx(c, { mechanism: 'API_KEY_PLAIN', username: u.username.toUpperCase(), api_key: key });
  assertSuccess(ok, 'LEVEL_1', u);
  const accountId = ok.result.user_info.account_id as string;
  const tampered = `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`;
  assert.equal((await loginEx(c, { mechanism: 'API_KEY_PLAIN', username: u.username, api_key: tampered })).result, { response_type: 'AUTH_ERR' });
  assert.equal((await loginEx(c, { mechanism: 'API_KEY_PLAIN', username: 'nobody-with-a-key', api_key: key })).result, { response_type: 'AUTH_ERR' });

  let events = await accountEvents(s, accountId);
  const issuedEvent = events.find((e) => e.type === 'ApiKeyIssued');
  assert.equal(issuedEvent.data, { keyId: issued.body.id, hash: createHash('sha256').update(key).digest('base64url'), name: 'backup job' });
  assert.not.ok(JSON.stringify(events).includes(key.split('.')[1]!), 'the key is stored only as a hash');
  const success = events.find((e) => e.type === 'LoginSucceeded');
  assert.equal(success.data, { aal: 'aal1', method: 'api_key' });
  const rejected = events.filter((e) => e.type === 'ApiKeyRejected');
  assert.equal(rejected.map((e) => e.data), [{ failures: 1 }]);
  assert.is(rejected[0].meta.dialect, 'truenas');

  assert.is((await s.admin('DELETE', `${path}/${issued.body.id}`)).status, 204);
  assert.is((await s.admin('DELETE', `${path}/${issued.body.id}`)).status, 404);
  assert.equal((await loginEx(c, { mechanism: 'API_KEY_PLAIN', username: u.username, api_key: key })).result, { response_type: 'AUTH_ERR' });
  events = await accountEvents(s, accountId);
  assert.ok(events.some((e) => e.type === 'ApiKeyRevoked' && e.data.keyId === issued.body.id));
  assert.is(events.filter((e) => e.type === 'ApiKeyRejected').length, 2, 'a revoked key is a wrong key');
  await c.close();
});

t('API keys share the password lockout: five wrong keys lock the account, the right key is then refused', async ({ s }) => {
  const u = await createUser(s, { mfa: 'exempt', totp: false });
  const issued = await s.admin('POST', `/v1/admin/users/${encodeURIComponent(u.username)}/api-keys`);
  const key = issued.body.key as string;
  const c = await connect(s);
  const ok = await loginEx(c, { mechanism: 'API_KEY_PLAIN', username: u.username, api_key: key });
  for (let i = 0; i < 5; i++) await loginEx(c, { mechanism: 'API_KEY_PLAIN', username: u.username, api_key: 'not-a-key' });
  assert.equal((await loginEx(c, { mechanism: 'API_KEY_PLAIN', username: u.username, api_key: key })).result, { response_type: 'AUTH_ERR' });
  assert.equal((await loginEx(c, password(u))).result, { response_type: 'AUTH_ERR' });
  const events = await accountEvents(s, ok.result.user_info.account_id);
  assert.ok(events.some((e) => e.type === 'AccountLocked' && e.data.failures === 5));
  assert.ok(events.some((e) => e.type === 'LoginRefused' && e.data.reason === 'locked'));
  await c.close();
});

t('malformed frames: -32700 for bad JSON, -32600 for anything that is not a request object, with its id when it has a valid one', async ({ s }) => {
  const c = await connect(s);
  c.send('{"jsonrpc":"2.0","id":1,"method":');
  assert.equal((await c.next()).msg, { jsonrpc: '2.0', error: { code: -32700, message: 'Parse error' }, id: null });
  for (const [frame, id] of [
    ['{"jsonrpc":"1.0","id":2,"method":"auth.me"}', 2],
    ['{"id":"3","method":"auth.me"}', '3'],
    ['[{"jsonrpc":"2.0","id":4,"method":"auth.me"}]', null],
    ['42', null],
    ['null', null],
    ['{"jsonrpc":"2.0","id":{"a":1},"method":"auth.me"}', null],
    ['{"jsonrpc":"2.0","id":1.5,"method":"auth.me"}', null],
    ['{"jsonrpc":"2.0","id":12345678901234567890,"method":"auth.me"}', null],
    ['{"jsonrpc":"2.0","id":5,"method":"auth.me","params":{"a":1}}', 5],
    ['{"jsonrpc":"2.0","id":7,"method":""}', 7],
    ['{"jsonrpc":"2.0","id":6,"method":"auth.me","__proto__":{"polluted":true}}', 6],
  ] as const) {
    c.send(frame);
    const { msg } = await c.next();
    assert.is(msg.error.code, -32600, frame);
    assert.is(msg.id, id, frame);
  }
  assert.is(({} as any).polluted, undefined);
  await c.close();
});

t('JSON-RPC errors: -32601 and -32602 in the product’s shapes; notifications get no answer', async ({ s }) => {
  let c = await connect(s);
  // A notification (no id) is not answered, not even with an error: the next answer is the call's.
  c.send('{"jsonrpc":"2.0","method":"no.such.method"}');
  const unknown = await c.call('no.such.method', []);
  assert.equal(unknown, { jsonrpc: '2.0', error: { code: -32601, message: 'Method does not exist' }, id: 1 });
  c.send('{"jsonrpc":"2.0","id":"abc","method":"constructor","params":[]}');
  assert.equal((await c.next()).msg.error.code, -32601);
  c.send('{"jsonrpc":"2.0","id":"abc","method":"auth.me","params":[1]}');
  const extra = (await c.next()).msg;
  assert.is(extra.id, 'abc');
  assert.is(extra.error.code, -32602);
  await c.close();
  c = await connect(s);
  for (const params of [
    [],
    [{ mechanism: 'PASSWORD_PLAIN', username: 'a' }],
    [{ mechanism: 'PASSWORD_PLAIN', username: ['a'], password: 'b' }],
    [{ mechanism: 'PASSWORD_PLAIN', username: 'a', password: 'b', otp: '123456' }],
    [{ mechanism: 'PASSWORD_PLAIN', username: 'a', password: 'b', login_options: { user_info: 'yes' } }],
    [{ mechanism: 'PASSWORD_PLAIN', username: 'a', password: 'b', login_options: { reconnect_token: 1 } }],
    [{ mechanism: 'PASSWORD_PLAIN', username: 'a', password: 'b', login_options: { ttl: 60 } }],
    [{ mechanism: 'KERBEROS', username: 'a', password: 'b' }],
    [{ mechanism: 'OTP_TOKEN' }],
    ['PASSWORD_PLAIN'],
    [{ mechanism: 'PASSWORD_PLAIN', username: 'a', password: 'b' }, 1],
  ]) {
    const r = await c.call('auth.login_ex', params);
    assert.is(r.error.code, -32602, JSON.stringify(params));
    assert.is(r.error.message, 'Invalid params');
    assert.is(r.error.data.errname, 'EINVAL');
    assert.is(r.error.data.error, 22);
    assert.ok(Array.isArray(r.error.data.extra) && r.error.data.extra.length === 1);
  }
  assert.is((await c.call('auth.login_ex_continue', [{ mechanism: 'PASSWORD_PLAIN', username: 'a', password: 'b' }])).error.code, -32602);
  // Still serving after all of it.
  assert.is((await c.call('auth.me')).error.data.errname, 'ENOTAUTHENTICATED');
  await c.close();
});

t('frames over 16 KiB close with 1009; binary frames with 1003; other paths are not upgraded', async ({ s }) => {
  const big = await connect(s);
  big.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'auth.login_ex', params: [{ mechanism: 'PASSWORD_PLAIN', username: 'a', password: 'x'.repeat(17 * 1024) }] }));
  assert.is((await big.closed).code, 1009);
  const binary = await connect(s);
  binary.send(Buffer.from('{"jsonrpc":"2.0","id":1,"method":"auth.me"}'));
  assert.is((await binary.closed).code, 1003);
  let refused: unknown = null;
  await connect(s, '/api/v2.0').then((c) => c.close(), (e: unknown) => (refused = e));
  assert.match(String(refused), /404/);
  // The server is still there.
  const c = await connect(s);
  assert.is((await c.call('auth.me')).error.code, -32001);
  await c.close();
});

t('unauthenticated cooldown: 20 calls per 60 s per connection, then Rate Limit Exceeded, then closed at 40', async ({ s }) => {
  const u = await createUser(s, { mfa: 'exempt', totp: false });
  const c = await connect(s);
  for (let i = 0; i < 20; i++) assert.is((await c.call('auth.me')).error.data.errname, 'ENOTAUTHENTICATED');
  const before = await lastSeq(s);
  const refused = await loginEx(c, password(u));
  assertCallError(refused, 'EBUSY', 16);
  assert.is(refused.error.data.reason, '[EBUSY] Rate Limit Exceeded');
  assert.is(await lastSeq(s), before, 'a refused call never reaches the engine');
  s.clock.advance(60_000);
  assertSuccess(await loginEx(c, password(u)), 'LEVEL_1', u);
  // Logged in, the budget no longer applies; the cap is then on calls in flight (middlewared: 20, then -32000).
  for (let i = 0; i < 40; i++) c.send(JSON.stringify({ jsonrpc: '2.0', id: 100 + i, method: 'auth.me' }));
  const answers = await Promise.all(Array.from({ length: 40 }, () => c.next()));
  const ok = answers.filter(({ msg }) => msg.result?.pw_name === u.username).length;
  const busy = answers.filter(({ msg }) => msg.error?.code === -32000).length;
  assert.is(ok + busy, 40);
  assert.ok(ok >= 20 && busy >= 1, `${ok} answered, ${busy} refused`);
  await c.close();

  const flood = await connect(s);
  for (let i = 0; i < 45; i++) flood.send(JSON.stringify({ jsonrpc: '2.0', id: i, method: 'auth.me' }));
  assert.is((await flood.closed).code, 1008);
});

const throttled = suite<{ s: TestServer }>('TrueNAS JSON-RPC dialect under the engine throttle');
throttled.before(async (ctx) => {
  ctx.s = await startTestServer({
    env: { LATCHKEY_THROTTLE_IP_BURST: '2', LATCHKEY_THROTTLE_IP_PER_MINUTE: '1', LATCHKEY_TRUSTED_PROXIES: '127.0.0.1' },
  });
});
throttled.after(async (ctx) => ctx.s.close());

throttled('an engine refusal (throttled) is a JSON-RPC error, and the connection stays open', async ({ s }) => {
  const u = await createUser(s, { mfa: 'exempt', totp: false });
  const c = await connect(s);
  for (let i = 0; i < 2; i++) assert.equal((await loginEx(c, password(u, 'wrong-password'))).result, { response_type: 'AUTH_ERR' });
  const r = await loginEx(c, password(u));
  assertCallError(r, 'EBUSY', 16);
  assert.type(r.error.data.extra.retry_after, 'number');
  assert.ok(r.error.data.extra.retry_after > 0);
  assert.is((await c.call('auth.me')).error.data.errname, 'ENOTAUTHENTICATED');
  await c.close();
});

throttled('auth.login under the engine throttle: false while counting, then the same EBUSY CallError as auth.login_ex', async ({ s }) => {
  const u = await createUser(s, { mfa: 'exempt', totp: false });
  const c = await connect(s, '/api/current', { 'x-forwarded-for': '203.0.113.77' });
  for (let i = 0; i < 2; i++) assert.is((await c.call('auth.login', [u.username, 'wrong-password'])).result, false);
  assertCallError(await c.call('auth.login', [u.username, u.password]), 'EBUSY', 16);
  await c.close();
});

throttled('behind a trusted proxy, the client is the X-Forwarded-For address of the upgrade request', async ({ s }) => {
  const u = await createUser(s, { mfa: 'exempt', totp: false });
  const first = await connect(s, '/api/current', { 'x-forwarded-for': '203.0.113.9' });
  for (let i = 0; i < 2; i++) await loginEx(first, password(u, 'wrong-password'));
  assertCallError(await loginEx(first, password(u)), 'EBUSY', 16);
  // Another client behind the same proxy has its own budget.
  const second = await connect(s, '/api/current', { 'x-forwarded-for': '203.0.113.9, 203.0.113.10' });
  const ok = await loginEx(second, password(u));
  assertSuccess(ok, 'LEVEL_1', u);
  const events = await accountEvents(s, ok.result.user_info.account_id);
  assert.equal(events.filter((e) => e.type === 'PasswordRejected').map((e) => e.meta.ip), ['203.0.113.9', '203.0.113.9']);
  assert.is(events.find((e) => e.type === 'LoginSucceeded').meta.ip, '203.0.113.10');
  await Promise.all([first.close(), second.close()]);
});

t.run();
throttled.run();
