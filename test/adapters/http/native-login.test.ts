import { decodeProtectedHeader } from 'jose';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type TestServer, codeNow, createUser, startTestServer } from '../../helpers/test-server.js';

const t = suite<{ s: TestServer }>('native login API');
t.before(async (ctx) => {
  ctx.s = await startTestServer();
});
t.after(async (ctx) => ctx.s.close());

t('one-step login: password and code in one request → aal2 access token', async ({ s }) => {
  const u = await createUser(s);
  const r = await s.call('POST', '/v1/login', { json: { username: u.username, password: u.password, otp: codeNow(s, u) } });
  assert.is(r.status, 200);
  assert.is(r.body.status, 'authenticated');
  assert.is(r.body.token_type, 'Bearer');
  assert.is(r.body.aal, 'aal2');
  assert.is(r.body.expires_in, 900);
  const me = await s.call('GET', '/v1/session', { token: r.body.access_token });
  assert.is(me.status, 200);
  assert.is(me.body.username, u.username);
  assert.is(me.body.aal, 'aal2');
  assert.type(me.body.sub, 'string');
  assert.type(me.body.exp, 'number');
});

t('two-step login: password → mfa_token → code', async ({ s }) => {
  const u = await createUser(s);
  const first = await s.call('POST', '/v1/login', { json: { username: u.username, password: u.password } });
  assert.is(first.status, 200);
  assert.is(first.body.status, 'mfa_required');
  assert.equal(first.body.mfa_methods, ['totp']);
  assert.is(first.body.expires_in, 300);
  const second = await s.call('POST', '/v1/login/mfa', { json: { mfa_token: first.body.mfa_token, otp: codeNow(s, u) } });
  assert.is(second.status, 200);
  assert.is(second.body.status, 'authenticated');
  assert.is(second.body.aal, 'aal2');
  const again = await s.call('POST', '/v1/login/mfa', { json: { mfa_token: first.body.mfa_token, otp: codeNow(s, u, 1) } });
  assert.is(again.status, 401);
  assert.is(again.body.error, 'invalid_mfa_token');
});

t('unknown user, wrong password, wrong code and a locked account give byte-identical 401s', async ({ s }) => {
  const u = await createUser(s);
  const wrongCode = codeNow(s, u) === '000000' ? '111111' : '000000';
  const unknown = await s.call('POST', '/v1/login', { json: { username: 'nobody-here', password: u.password, otp: codeNow(s, u) } });
  const badPassword = await s.call('POST', '/v1/login', { json: { username: u.username, password: `${u.password}x`, otp: codeNow(s, u) } });
  const badCode = await s.call('POST', '/v1/login', { json: { username: u.username, password: u.password, otp: wrongCode } });
  for (let i = 0; i < 4; i++) await s.call('POST', '/v1/login', { json: { username: u.username, password: 'wrong-password' } });
  const locked = await s.call('POST', '/v1/login', { json: { username: u.username, password: u.password, otp: codeNow(s, u) } });
  for (const r of [unknown, badPassword, badCode, locked]) {
    assert.is(r.status, 401);
    assert.is(r.text, unknown.text);
  }
  assert.is(unknown.body.error, 'invalid_credentials');
});

t('a replayed code is refused', async ({ s }) => {
  const u = await createUser(s);
  const code = codeNow(s, u);
  const ok = await s.call('POST', '/v1/login', { json: { username: u.username, password: u.password, otp: code } });
  assert.is(ok.status, 200);
  const replay = await s.call('POST', '/v1/login', { json: { username: u.username, password: u.password, otp: code } });
  assert.is(replay.status, 401);
  const log = await s.admin('GET', `/v1/admin/events?stream=${encodeURIComponent(`account-${(await s.call('GET', '/v1/session', { token: ok.body.access_token })).body.sub}`)}`);
  const rejected = log.body.events.filter((e: { type: string }) => e.type === 'OtpRejected');
  assert.is(rejected.length, 1);
  assert.is(rejected[0].data.reason, 'replayed');
});

t('two parallel requests with one code → exactly one succeeds', async ({ s }) => {
  const u = await createUser(s);
  const code = codeNow(s, u);
  const body = { json: { username: u.username, password: u.password, otp: code } };
  const replies = await Promise.all([s.call('POST', '/v1/login', body), s.call('POST', '/v1/login', body)]);
  assert.equal(replies.map((r) => r.status).sort(), [200, 401]);
});

t('a partial token is not an access token, and the reverse', async ({ s }) => {
  const u = await createUser(s);
  const first = await s.call('POST', '/v1/login', { json: { username: u.username, password: u.password } });
  const partial = first.body.mfa_token as string;
  assert.is((await s.call('GET', '/v1/session', { token: partial })).status, 401);
  assert.is((await s.call('POST', '/v1/token/refresh', { token: partial })).status, 401);
  const full = await s.call('POST', '/v1/login/mfa', { json: { mfa_token: partial, otp: codeNow(s, u) } });
  assert.is(full.status, 200);
  const misuse = await s.call('POST', '/v1/login/mfa', { json: { mfa_token: full.body.access_token, otp: codeNow(s, u, 1) } });
  assert.is(misuse.status, 401);
  assert.is(misuse.body.error, 'invalid_mfa_token');
});

t('refresh revokes the old token; logout revokes the session', async ({ s }) => {
  const u = await createUser(s);
  const login = await s.call('POST', '/v1/login', { json: { username: u.username, password: u.password, otp: codeNow(s, u) } });
  const old = login.body.access_token as string;
  const refreshed = await s.call('POST', '/v1/token/refresh', { token: old });
  assert.is(refreshed.status, 200);
  assert.is.not(refreshed.body.access_token, old);
  assert.is((await s.call('GET', '/v1/session', { token: old })).status, 401);
  assert.is((await s.call('GET', '/v1/session', { token: refreshed.body.access_token })).status, 200);
  assert.is((await s.call('POST', '/v1/logout', { token: refreshed.body.access_token })).status, 204);
  assert.is((await s.call('GET', '/v1/session', { token: refreshed.body.access_token })).status, 401);
});

t('the access token is an EdDSA at+jwt whose kid is in the JWKS', async ({ s }) => {
  const u = await createUser(s);
  const login = await s.call('POST', '/v1/login', { json: { username: u.username, password: u.password, otp: codeNow(s, u) } });
  const header = decodeProtectedHeader(login.body.access_token);
  assert.is(header.alg, 'EdDSA');
  assert.is(header.typ, 'at+jwt');
  const jwks = await s.call('GET', '/.well-known/jwks.json');
  assert.ok(jwks.body.keys.some((k: { kid: string }) => k.kid === header.kid));
  assert.not.ok(jwks.body.keys.some((k: { d?: string }) => k.d !== undefined), 'no private part in the JWKS');
});

t('mfa exempt users log in with the password alone at aal1; required users without a factor cannot', async ({ s }) => {
  const exempt = await createUser(s, { mfa: 'exempt', totp: false });
  const r = await s.call('POST', '/v1/login', { json: { username: exempt.username, password: exempt.password } });
  assert.is(r.status, 200);
  assert.is(r.body.aal, 'aal1');
  const bare = await createUser(s, { totp: false });
  const refused = await s.call('POST', '/v1/login', { json: { username: bare.username, password: bare.password } });
  assert.is(refused.status, 401);
  assert.is(refused.body.error, 'invalid_credentials');
});

t('bad input: 415, 400, 413 in the native shape, no stack trace', async ({ s }) => {
  const wrongType = await s.call('POST', '/v1/login', { raw: 'username=a&password=b', headers: { 'content-type': 'text/plain' } });
  assert.is(wrongType.status, 415);
  assert.is(wrongType.body.error, 'unsupported_media_type');
  const noType = await s.call('POST', '/v1/login', { raw: '{}' });
  assert.is(noType.status, 415);
  const malformed = await s.call('POST', '/v1/login', { raw: '{"username":', headers: { 'content-type': 'application/json' } });
  assert.is(malformed.status, 400);
  assert.is(malformed.body.error, 'invalid_request');
  const big = await s.call('POST', '/v1/login', { json: { username: 'a', password: 'x'.repeat(17 * 1024) } });
  assert.is(big.status, 413);
  const missing = await s.call('POST', '/v1/login', { json: { username: 'a' } });
  assert.is(missing.status, 400);
  assert.is(missing.body.error, 'invalid_request');
  const illTyped = await s.call('POST', '/v1/login', { json: { username: ['a'], password: 'b' } });
  assert.is(illTyped.status, 400);
  const notObject = await s.call('POST', '/v1/login', { json: [1, 2] });
  assert.is(notObject.status, 400);
  for (const r of [wrongType, malformed, big, missing, illTyped]) assert.not.match(r.text, /at .*\.js|Error:/);
});

t('admin routes need the admin key', async ({ s }) => {
  const r = await s.call('POST', '/v1/admin/users', { json: { username: 'x', password: 'long-enough-pw' } });
  assert.is(r.status, 401);
  const wrong = await s.call('GET', '/v1/admin/events', { token: 'not-the-key' });
  assert.is(wrong.status, 401);
  const dup = await createUser(s, { totp: false });
  const again = await s.admin('POST', '/v1/admin/users', { json: { username: dup.username.toUpperCase(), password: 'another-password' } });
  assert.is(again.status, 409);
});

t('admin: a look-alike of an existing name is 409 username_lookalike, mixed scripts 400; the existing account still logs in', async ({ s }) => {
  const alice = await createUser(s, { username: 'alice', totp: false, mfa: 'exempt' });
  const create = (username: string) => s.admin('POST', '/v1/admin/users', { json: { username, password: 'another-long-password' } });
  // The issue's names: Cyrillic а (mixed with Latin), dotless ı, í, and ALİCE (stored as ali̇ce by NFKC + case fold).
  const mixed = await create('аlice');
  assert.equal([mixed.status, mixed.body.error], [400, 'username_mixed_scripts']);
  for (const name of ['alıce', 'alíce', 'ALİCE', 'ALİCE'.normalize('NFD')]) {
    const r = await create(name);
    assert.equal([r.status, r.body.error], [409, 'username_lookalike'], JSON.stringify(name));
  }
  assert.equal([(await create('ALICE')).status, (await create('ALICE')).body.error], [409, 'username_taken']);
  // A whole-script look-alike is one script, so only the skeleton catches it.
  assert.is((await create('coe')).status, 201);
  const cyrillic = await create('сое');
  assert.equal([cyrillic.status, cyrillic.body.error], [409, 'username_lookalike']);
  assert.is((await create('сергей')).status, 201, 'a Cyrillic name of its own');
  assert.is((await create('山田たろう')).status, 201, 'Han with Hiragana is within Highly Restrictive');
  const login = await s.call('POST', '/v1/login', { json: { username: 'ALICE', password: alice.password } });
  assert.is(login.status, 200);
  const events = (await s.admin('GET', '/v1/admin/events?limit=1000')).body.events as { type: string; data: { username?: string } }[];
  assert.equal(events.filter((e) => e.type === 'AccountRegistered').map((e) => e.data.username).filter((n) => n !== undefined && /^(al|co|со)/.test(n)), ['alice', 'coe']);
});

t('the audit log pages with after/next and filters by stream', async ({ s }) => {
  const all = await s.admin('GET', '/v1/admin/events?limit=3');
  assert.is(all.status, 200);
  assert.is(all.body.events.length, 3);
  const next = await s.admin('GET', `/v1/admin/events?after=${all.body.next}&limit=3`);
  assert.is(next.body.events[0].seq, all.body.events[2].seq + 1);
  for (const e of all.body.events) for (const k of ['seq', 'stream', 'version', 'type', 'data', 'meta', 'at']) assert.ok(k in e, k);
  const bad = await s.admin('GET', '/v1/admin/events?limit=-1');
  assert.is(bad.status, 400);
});

t.run();
