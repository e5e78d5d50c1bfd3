import { decodeJwt } from 'jose';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Context } from 'koa';
import { DomainError } from '../../../core/errors.js';
import { failureOf } from '../../../adapters/http/failure.js';
import { renderOracleFailure } from '../../../adapters/http/oracle/render-oracle-failure.js';
import { renderFailureAt } from '../../../adapters/http/render-failure-at.js';
import type { Reply } from '../../helpers/http.js';
import { type TestServer, type TestUser, codeNow, createUser, startTestServer } from '../../helpers/test-server.js';
import { assertNoLeak } from '../../security/helpers/secret-leaks.js';

const t = suite<{ s: TestServer }>('Oracle Commerce Cloud admin dialect');
t.before(async (ctx) => {
  ctx.s = await startTestServer();
});
t.after(async (ctx) => ctx.s.close());

const mfalogin = (s: TestServer, form: Record<string, string> | string) => s.call('POST', '/ccadmin/v1/mfalogin', { form });
const fields = (u: TestUser, totp_code: string) => ({ grant_type: 'password', username: u.username, password: u.password, totp_code });
const otherCode = (code: string) => (code === '000000' ? '111111' : '000000');

const accountIdOf = async (s: TestServer, accessToken: string): Promise<string> => (await s.call('GET', '/v1/session', { token: accessToken })).body.sub;
const eventsOf = async (s: TestServer, stream: string): Promise<{ type: string; data: any; meta: any }[]> =>
  (await s.admin('GET', `/v1/admin/events?limit=1000&stream=${encodeURIComponent(stream)}`)).body.events;
const accountIdByName = async (s: TestServer, username: string): Promise<string> => {
  const page = await s.admin('GET', '/v1/admin/events?limit=1000');
  return page.body.events.find((e: any) => e.type === 'AccountRegistered' && e.data.username === username).data.accountId;
};

/** The page's errorModel: every field a string, `status` the HTTP status as a string, `type` a URI. */
const assertErrorModel = (r: Reply, status: number) => {
  assert.is(r.status, status);
  assert.match(r.headers.get('content-type') ?? '', /^application\/json/, 'OCC tooling reads a body that is not JSON as a failure');
  assert.type(r.body, 'object', r.text);
  assert.type(r.body.errorCode, 'string');
  assert.match(r.body.errorCode, /^\d+$/);
  assert.type(r.body.message, 'string');
  assert.is(r.body.status, String(status));
  assert.match(r.body.type, /^https:\/\//);
  for (const k of Object.keys(r.body)) assert.ok(['errorCode', 'message', 'status', 'type', 'devMessage', 'moreInfo', 'o:errorPath', 'errors'].includes(k), k);
  assert.not.match(r.text, /at .*\.js|Error:/);
};

t('mfalogin: password and code in one form request → the page\'s {access_token, token_type:"bearer", expires_in:930}', async ({ s }) => {
  const u = await createUser(s);
  const r = await mfalogin(s, fields(u, codeNow(s, u)));
  assert.is(r.status, 200);
  assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
  assert.equal(Object.keys(r.body).sort(), ['access_token', 'expires_in', 'token_type']);
  assert.type(r.body.access_token, 'string');
  assert.is(r.body.token_type, 'bearer');
  assert.is(r.body.expires_in, 930);
  assert.is(r.headers.get('cache-control'), 'no-store');
  const me = await s.call('GET', '/v1/session', { token: r.body.access_token });
  assert.is(me.status, 200);
  assert.is(me.body.username, u.username);
  assert.is(me.body.aal, 'aal2');
  assert.is(me.body.exp, Math.floor(s.clock.now() / 1000) + 930);
  const events = await eventsOf(s, `account-${me.body.sub}`);
  const success = events.find((e) => e.type === 'LoginSucceeded');
  assert.ok(success, 'LoginSucceeded appended');
  assert.is(success!.data.method, 'password+totp');
  assert.is(success!.meta.dialect, 'oracle');
  assert.is(events.find((e) => e.type === 'OtpAccepted')?.meta.dialect, 'oracle');
});

t('unknown user, wrong password, wrong code, missing code and locked: one byte-identical 401 in the error model', async ({ s }) => {
  const u = await createUser(s);
  const code = codeNow(s, u);
  const unknown = await mfalogin(s, { grant_type: 'password', username: 'nobody-oracle', password: u.password, totp_code: code });
  const badPassword = await mfalogin(s, { ...fields(u, code), password: `${u.password}x` });
  const badCode = await mfalogin(s, fields(u, otherCode(code)));
  const noCode = await mfalogin(s, { grant_type: 'password', username: u.username, password: u.password });
  const lateCode = await mfalogin(s, fields(u, codeNow(s, u, 2)));
  const badPasswordAgain = await mfalogin(s, { ...fields(u, code), password: 'wrong-password' });
  // Five failures lock the account; the right password and code then get the same answer.
  const locked = await mfalogin(s, fields(u, code));
  for (const r of [unknown, badPassword, badCode, noCode, lateCode, badPasswordAgain, locked]) {
    assertErrorModel(r, 401);
    assert.is(r.text, unknown.text);
    assert.is(r.headers.get('www-authenticate'), null);
  }
  assert.is(unknown.body.errorCode, '83041');
  const events = await eventsOf(s, `account-${await accountIdByName(s, u.username)}`);
  const otpReasons = events.filter((e) => e.type === 'OtpRejected').map((e) => e.data.reason);
  assert.equal(otpReasons, ['invalid', 'missing', 'invalid'], 'a missing code is a counted failure (docs/security.md §13)');
  assert.ok(events.some((e) => e.type === 'AccountLocked'));
  assert.is(events.find((e) => e.type === 'LoginRefused')?.data.reason, 'locked');
  assert.ok(events.filter((e) => e.type !== 'AccountRegistered' && e.type.startsWith('Totp') === false).every((e) => e.meta.dialect === 'oracle'));
  assert.not.ok(events.some((e) => e.type === 'LoginSucceeded'));
});

t('a replayed code is refused, and the replay is recorded', async ({ s }) => {
  const u = await createUser(s);
  const code = codeNow(s, u);
  const ok = await mfalogin(s, fields(u, code));
  assert.is(ok.status, 200);
  const replay = await mfalogin(s, fields(u, code));
  assertErrorModel(replay, 401);
  assert.is(replay.body.errorCode, '83041');
  const events = await eventsOf(s, `account-${await accountIdOf(s, ok.body.access_token)}`);
  const rejected = events.filter((e) => e.type === 'OtpRejected');
  assert.is(rejected.length, 1);
  assert.is(rejected[0]!.data.reason, 'replayed');
  assert.is(rejected[0]!.meta.dialect, 'oracle');
});

t('refresh (930 s again, old token revoked), verify, logout {"result":true}', async ({ s }) => {
  const u = await createUser(s);
  const login = await mfalogin(s, fields(u, codeNow(s, u)));
  const old = login.body.access_token as string;
  assert.equal((await s.call('POST', '/ccadmin/v1/verify', { token: old })).body, { success: true });
  s.clock.advance(60_000);
  const refreshed = await s.call('POST', '/ccadmin/v1/refresh', { token: old });
  assert.is(refreshed.status, 200);
  assert.equal(Object.keys(refreshed.body).sort(), ['access_token', 'expires_in', 'token_type']);
  assert.is(refreshed.body.token_type, 'bearer');
  assert.is(refreshed.body.expires_in, 930);
  assert.is.not(refreshed.body.access_token, old);
  const me = await s.call('GET', '/v1/session', { token: refreshed.body.access_token });
  assert.is(me.body.exp, Math.floor(s.clock.now() / 1000) + 930, 'the clock restarts at refresh');
  assertErrorModel(await s.call('POST', '/ccadmin/v1/verify', { token: old }), 401);
  const fresh = refreshed.body.access_token as string;
  assert.equal((await s.call('POST', '/ccadmin/v1/verify', { token: fresh })).body, { success: true });
  const out = await s.call('POST', '/ccadmin/v1/logout', { token: fresh });
  assert.is(out.status, 200);
  assert.equal(out.body, { result: true });
  const after = await s.call('POST', '/ccadmin/v1/verify', { token: fresh });
  assertErrorModel(after, 401);
  assert.match(after.headers.get('www-authenticate') ?? '', /^Bearer error="invalid_token"/);
  assertErrorModel(await s.call('POST', '/ccadmin/v1/logout', { token: fresh }), 401);
  assertErrorModel(await s.call('POST', '/ccadmin/v1/refresh', { token: fresh }), 401);
  const sessionEvents = await eventsOf(s, `session-${decodeJwt(old).sid as string}`);
  assert.equal(sessionEvents.map((e) => e.type), ['SessionIssued', 'SessionRefreshed', 'SessionRevoked']);
  assert.is(sessionEvents[0]!.data.expiresAt - s.clock.now(), 930_000 - 60_000);
  assert.is(sessionEvents[2]!.data.reason, 'logout');
  assert.ok(sessionEvents.every((e) => e.meta.dialect === 'oracle'));
});

t('a partial (second-step) token, a missing bearer or garbage are not access tokens: 401 in the error model', async ({ s }) => {
  const u = await createUser(s);
  const first = await s.call('POST', '/v1/login', { json: { username: u.username, password: u.password } });
  const partial = first.body.mfa_token as string;
  assert.type(partial, 'string');
  for (const path of ['/ccadmin/v1/verify', '/ccadmin/v1/refresh', '/ccadmin/v1/logout']) {
    for (const token of [partial, undefined, 'not.a.token']) {
      const r = await s.call('POST', path, token === undefined ? {} : { token });
      assertErrorModel(r, 401);
      assert.is(r.body.errorCode, '401');
    }
  }
  // The partial token still works where it belongs: it was not consumed or confused.
  assert.is((await s.call('POST', '/v1/login/mfa', { json: { mfa_token: partial, otp: codeNow(s, u) } })).status, 200);
});

t('bad input: 415, 413, 400 for missing/duplicate/nested parameters or another grant_type, in the error model, never a 500', async ({ s }) => {
  const u = await createUser(s, { totp: false, mfa: 'exempt' });
  const good = { grant_type: 'password', username: u.username, password: u.password, totp_code: '123456' };
  const json = await s.call('POST', '/ccadmin/v1/mfalogin', { json: good });
  assertErrorModel(json, 415);
  const noType = await s.call('POST', '/ccadmin/v1/mfalogin', { raw: new URLSearchParams(good).toString() });
  assertErrorModel(noType, 415);
  const formType = { 'content-type': 'application/x-www-form-urlencoded' };
  const badEncoding = await s.call('POST', '/ccadmin/v1/mfalogin', { raw: 'grant_type=password', headers: { ...formType, 'content-encoding': 'bogus' } });
  assertErrorModel(badEncoding, 415);
  // A form cannot fail to parse as such; a body that does not inflate is the malformed case.
  const malformed = await s.call('POST', '/ccadmin/v1/mfalogin', { raw: 'grant_type=password', headers: { ...formType, 'content-encoding': 'gzip' } });
  assertErrorModel(malformed, 400);
  const big = await mfalogin(s, { ...good, password: 'x'.repeat(17 * 1024) });
  assertErrorModel(big, 413);
  for (const missing of ['grant_type', 'username', 'password'] as const) {
    const form: Record<string, string> = { ...good };
    delete form[missing];
    const r = await mfalogin(s, form);
    assertErrorModel(r, 400);
    assert.is(r.body['o:errorPath'], missing);
  }
  const grant = await mfalogin(s, { ...good, grant_type: 'client_credentials' });
  assertErrorModel(grant, 400);
  assert.is(grant.body['o:errorPath'], 'grant_type');
  const enc = (v: string) => encodeURIComponent(v);
  const base = `grant_type=password&username=${enc(u.username)}&password=${enc(u.password)}&totp_code=123456`;
  const cases: [string, string][] = [
    [`${base}&username=someone-else`, 'username'],
    [`${base}&password=other`, 'password'],
    [`${base}&totp_code=654321`, 'totp_code'],
    [`${base}&grant_type=password`, 'grant_type'],
    [`grant_type=password&username[x]=${enc(u.username)}&password=${enc(u.password)}`, 'username'],
    [`grant_type=password&username=${enc(u.username)}&password[]=${enc(u.password)}`, 'password'],
    [`grant_type=password&username=${enc(u.username)}&password=${enc(u.password)}&totp_code.a=1`, 'totp_code'],
  ];
  for (const [raw, field] of cases) {
    const r = await mfalogin(s, raw);
    assertErrorModel(r, 400);
    assert.is(r.body['o:errorPath'], field, raw.replace(/password=[^&]*/, 'password=…'));
  }
  // `__proto__` keys are dropped by the parser: no pollution, the request is judged on its real fields.
  const proto = await mfalogin(s, `${base}&__proto__[polluted]=1&constructor[prototype][polluted]=1`);
  assert.is(proto.status, 200);
  assert.is(({} as Record<string, unknown>).polluted, undefined);
  // A password over 1,024 bytes is the generic credentials error, without hashing (NIST SP 800-63B §5.1.1.2).
  const long = await mfalogin(s, { ...good, password: 'p'.repeat(2000) });
  assertErrorModel(long, 401);
  assert.is(long.body.errorCode, '83041');
});

/** OCC tooling's form carries more than the page's four parameters (e.g. `secret`); only the four are read. */
const extraFields = { secret: 'occ-extra-secret-Hq7', client_id: 'dcu', locale: 'en', remember: 'true' };

t('extra form fields of OCC tooling (secret, …) are ignored, never a 400: the login is judged on the four parameters', async ({ s }) => {
  const u = await createUser(s);
  const ok = await mfalogin(s, { ...fields(u, codeNow(s, u)), ...extraFields });
  assert.is(ok.status, 200, `status ${ok.status}`);
  assert.equal(Object.keys(ok.body).sort(), ['access_token', 'expires_in', 'token_type']);
  assert.is(ok.body.token_type, 'bearer');
  assert.is((await s.call('GET', '/v1/session', { token: ok.body.access_token })).body.aal, 'aal2');
  // Repeated, bracketed, dotted and empty extra fields, before and after the real ones: still ignored.
  const enc = encodeURIComponent;
  const v = await createUser(s);
  const raw = [
    'secret=a&secret=b&secret[x]=1&extra.deep.er=2&empty=&client_id=dcu',
    `grant_type=password&username=${enc(v.username)}&password=${enc(v.password)}&totp_code=${codeNow(s, v)}`,
    'locale=en&secret[]=z',
  ].join('&');
  const ok2 = await mfalogin(s, raw);
  assert.is(ok2.status, 200, `status ${ok2.status}`);
  // A failure with extra fields is the same failure, byte for byte.
  const plain = await mfalogin(s, { grant_type: 'password', username: 'nobody-extra', password: 'wrong-password', totp_code: '123456' });
  const extra = await mfalogin(s, { grant_type: 'password', username: 'nobody-extra', password: 'wrong-password', totp_code: '123456', ...extraFields });
  assertErrorModel(extra, 401);
  assert.is(extra.text, plain.text);
  // A missing real parameter is still the 400 naming it, whatever else is there.
  const missing = await mfalogin(s, { username: v.username, password: v.password, totp_code: '123456', ...extraFields });
  assertErrorModel(missing, 400);
  assert.is(missing.body['o:errorPath'], 'grant_type');
  await assertNoLeak(s, { secrets: [extraFields.secret, v.password], replies: [ok, ok2, plain, extra, missing] });
});

t('every answer under /ccadmin/ is JSON; every error is the error model with a string status (400 401 404 405 413 415)', async ({ s }) => {
  const u = await createUser(s);
  const good = fields(u, '123456');
  const formType = { 'content-type': 'application/x-www-form-urlencoded' };
  const big = 'x'.repeat(17 * 1024);
  const errors: [number, string, () => Promise<Reply>][] = [
    [400, 'a missing grant_type', () => mfalogin(s, { username: u.username, password: u.password, totp_code: '123456' })],
    [401, 'a wrong code', () => mfalogin(s, good)],
    [401, 'verify without a bearer', () => s.call('POST', '/ccadmin/v1/verify')],
    [404, 'an unknown path', () => s.call('GET', '/ccadmin/v1/nothing')],
    [404, 'an unknown path, posted a form', () => s.call('POST', '/ccadmin/v1/login', { form: good })],
    [404, 'the bare prefix', () => s.call('GET', '/ccadmin')],
    [405, 'GET of mfalogin', () => s.call('GET', '/ccadmin/v1/mfalogin')],
    [405, 'PUT of refresh', () => s.call('PUT', '/ccadmin/v1/refresh', { form: good })],
    [405, 'a method koa-router does not implement', () => s.call('PROPFIND', '/ccadmin/v1/verify')],
    [413, 'a form over 16 KiB', () => mfalogin(s, { ...good, password: big })],
    [413, 'a body over 16 KiB of another type', () => s.call('POST', '/ccadmin/v1/mfalogin', { raw: big, headers: { 'content-type': 'text/plain' } })],
    [415, 'JSON instead of a form', () => s.call('POST', '/ccadmin/v1/mfalogin', { json: good })],
    [415, 'no content type', () => s.call('POST', '/ccadmin/v1/mfalogin', { raw: new URLSearchParams(good).toString() })],
    [415, 'a charset other than UTF-8', () => s.call('POST', '/ccadmin/v1/mfalogin', { raw: 'grant_type=password', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=iso-8859-1' } })],
    [415, 'an unknown content encoding', () => s.call('POST', '/ccadmin/v1/mfalogin', { raw: 'grant_type=password', headers: { ...formType, 'content-encoding': 'bogus' } })],
  ];
  for (const [status, what, send] of errors) {
    const r = await send();
    assert.is(r.status, status, what);
    assertErrorModel(r, status);
    assert.is(typeof r.body.status, 'string', what);
    assert.is(r.body.errorCode, status === 401 && what === 'a wrong code' ? '83041' : String(status), what);
    assert.is(r.headers.get('allow'), status === 405 ? 'POST' : null, what);
  }
  // Successes never carry an `error` key (the tooling reads one as a failure).
  const login = await mfalogin(s, fields(u, codeNow(s, u)));
  const token = login.body.access_token as string;
  const successes = [login, await s.call('POST', '/ccadmin/v1/verify', { token })];
  const refreshed = await s.call('POST', '/ccadmin/v1/refresh', { token });
  successes.push(refreshed, await s.call('POST', '/ccadmin/v1/logout', { token: refreshed.body.access_token }));
  for (const r of successes) {
    // Keys only in messages: a success body holds a token.
    assert.is(r.status, 200, `status ${r.status}`);
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
    assert.type(r.body, 'object');
    assert.not.ok(Object.hasOwn(r.body, 'error'), Object.keys(r.body).join(','));
  }
});

t('a fault outside the dialect\'s routes still renders in the error model under /ccadmin/', () => {
  const ctx = { status: 0, body: undefined as unknown, set: () => undefined } as unknown as Context;
  renderFailureAt('/ccadmin/v1/anything')(ctx, failureOf(new Error('secret stack detail')));
  const r = ctx as unknown as { status: number; body: Record<string, unknown> };
  assert.is(r.status, 500);
  assert.equal(r.body, { errorCode: '500', message: 'The server could not complete the request.', status: '500', type: 'https://tools.ietf.org/html/rfc7231#section-6.6.1' });
});

t('429 from the per-IP throttle carries Retry-After and the error model', async () => {
  const s = await startTestServer({ env: { LATCHKEY_THROTTLE_IP_BURST: '1', LATCHKEY_THROTTLE_IP_PER_MINUTE: '1' } });
  try {
    const form = { grant_type: 'password', username: 'nobody-throttled', password: 'wrong-password', totp_code: '123456' };
    assertErrorModel(await mfalogin(s, form), 401);
    const r = await mfalogin(s, form);
    assertErrorModel(r, 429);
    assert.match(r.headers.get('retry-after') ?? '', /^\d+$/);
    assert.ok(Number(r.headers.get('retry-after')) >= 1);
  } finally {
    await s.close();
  }
});

t('503 (overloaded, unavailable) and an unknown fault render in the error model, nothing leaked', () => {
  const rendered = (err: unknown) => {
    const headers: Record<string, string> = {};
    const ctx = { status: 0, body: undefined as unknown, set: (k: string, v: string) => void (headers[k] = v) } as unknown as Context;
    renderOracleFailure(ctx, failureOf(err));
    return ctx as unknown as { status: number; body: Record<string, unknown> };
  };
  for (const code of ['overloaded', 'unavailable'] as const) {
    const r = rendered(new DomainError(code, 'internal detail'));
    assert.is(r.status, 503);
    assert.is(r.body.status, '503');
    assert.is(r.body.errorCode, '503');
    assert.is(r.body.type, 'https://tools.ietf.org/html/rfc7231#section-6.6.4');
    assert.not.match(String(r.body.message), /internal detail/);
  }
  const crash = rendered(new Error('secret stack detail'));
  assert.is(crash.status, 500);
  assert.is(crash.body.status, '500');
  assert.not.match(JSON.stringify(crash.body), /secret stack detail/);
});

t.run();
