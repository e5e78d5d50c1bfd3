import { request } from 'node:http';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type AppgateSpec, loadAppgateSpec } from '../../helpers/appgate-spec.js';
import type { CallOptions, Reply } from '../../helpers/http.js';
import { oathtool } from '../../helpers/oathtool.js';
import { type TestServer, type TestUser, codeNow, createUser, startTestServer } from '../../helpers/test-server.js';

const peer = (n: number) => `application/vnd.appgate.peer-v${n}+json`;
const motd = 'Maintenance window: Sunday 02:00 UTC';
/** The spec's `deviceId` is a UUID (format: uuid). */
const deviceId = '4c07bc67-57ea-42dd-b702-c2d6c45419fc';

interface StoredEvent {
  readonly stream: string;
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly meta: { dialect: string; requestId: string };
}

/** Every answer of this file is checked against the vendor's spec (test/helpers/appgate-spec.ts). */
let spec: AppgateSpec;

const t = suite<{ s: TestServer }>('Appgate SDP admin login dialect');
t.before(async (ctx) => {
  spec = await loadAppgateSpec();
  // The dialect reads its settings once, when its router is created.
  process.env.LATCHKEY_APPGATE_MOTD = motd;
  ctx.s = await startTestServer();
  delete process.env.LATCHKEY_APPGATE_MOTD;
});
t.after(async (ctx) => ctx.s.close());

/** Any call to an Appgate route, its answer validated against the spec. */
const checked = async (s: TestServer, method: string, path: string, opts: CallOptions = {}): Promise<Reply> => {
  const r = await s.call(method, path, opts);
  spec.response(method, path, r);
  return r;
};

/** A call as an Appgate client makes it: the peer media type in Accept (v22 unless told). */
const ag = (s: TestServer, method: string, path: string, opts: CallOptions & { version?: number } = {}): Promise<Reply> =>
  checked(s, method, path, { ...opts, headers: { accept: peer(opts.version ?? 22), ...(opts.headers ?? {}) } });

const authenticate = (s: TestServer, u: { username: string; password: string }, version = 22) =>
  ag(s, 'POST', '/admin/authentication', { version, json: { providerName: 'local', username: u.username, password: u.password, deviceId } });

const events = async (s: TestServer, stream: string): Promise<StoredEvent[]> => {
  const r = await s.admin('GET', `/v1/admin/events?limit=1000&stream=${encodeURIComponent(stream)}`);
  assert.is(r.status, 200);
  return r.body.events;
};

const accountId = async (s: TestServer, token: string): Promise<string> => {
  const me = await s.call('GET', '/v1/session', { token });
  assert.is(me.status, 200);
  return me.body.sub as string;
};

/** The challenge stream behind a partial token (`<challenge id>.<secret>`). */
const challengeStream = (partial: string) => `challenge-${partial.split('.')[0]}`;

const wrongCodeFor = (s: TestServer, u: TestUser): string => {
  const near = [codeNow(s, u, -1), codeNow(s, u), codeNow(s, u, 1)];
  return ['000000', '111111', '222222', '333333'].find((c) => !near.includes(c))!;
};

const isoSeconds = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString();

/** Node's http client sends no Accept header unless asked (fetch always adds one). */
const withoutAccept = (s: TestServer, path: string, body: string): Promise<{ status: number; text: string }> =>
  new Promise((resolve, reject) => {
    const req = request(`${s.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        const reply = { status: res.statusCode ?? 0, text, body: undefined as unknown, headers: new Headers({ 'content-type': res.headers['content-type'] ?? '' }) };
        try {
          reply.body = JSON.parse(text);
          spec.response('POST', path, reply);
          resolve(reply);
        } catch (err) {
          reject(err as Error);
        }
      });
    });
    req.on('error', reject);
    req.end(body);
  });

/** Every Appgate route, as the spec lists them. */
const routes = [
  ['GET', '/admin/identity-providers/names'],
  ['POST', '/admin/login'],
  ['POST', '/admin/authentication'],
  ['GET', '/admin/authorization'],
  ['POST', '/admin/authentication/otp'],
  ['POST', '/admin/authentication/otp/initialize'],
  ['POST', '/admin/authentication/logout'],
] as const;

t('Accept: anything but peer-v18…v23 → 406 in the product shape, on every route, before the body is read', async ({ s }) => {
  const body = { providerName: 'local', username: 'nobody', password: 'irrelevant-pw', deviceId };
  const expected = { id: 'not acceptable', minSupportedVersion: 18, maxSupportedVersion: 23 };
  // sdpctl's discovery: a bare {deviceId} (and the Go client's wire form of it) as peer-v5, read for min and max.
  const bodies: CallOptions[] = [{ json: body }, { json: { deviceId } }, { json: { deviceId, providerName: '' } }, { raw: '{"deviceId":', headers: { 'content-type': 'application/json' } }, { raw: 'x', headers: { 'content-type': 'text/plain' } }, {}];
  for (const accept of ['*/*', 'application/json', peer(5), peer(17), peer(24), 'application/vnd.appgate.peer-v23+xml', 'text/html']) {
    for (const [method, path] of routes) {
      for (const opts of method === 'POST' ? bodies : [{}]) {
        const r = await checked(s, method, path, { ...opts, headers: { ...(opts.headers ?? {}), accept } });
        assert.is(r.status, 406, `${accept} ${path}`);
        const { message, ...rest } = r.body;
        assert.equal(rest, expected);
        assert.type(message, 'string');
      }
    }
  }
  const missing = await withoutAccept(s, '/admin/authentication', JSON.stringify(body));
  assert.is(missing.status, 406);
  assert.is(JSON.parse(missing.text).id, 'not acceptable');
  // Nothing was judged: no attempt reached the engine for any of the refused calls.
  const probes = (await s.admin('GET', '/v1/admin/events?limit=1000')).body.events.filter((e: StoredEvent) => e.meta.dialect === 'appgate');
  assert.is(probes.length, 0);

  for (const version of [18, 22, 23]) {
    const r = await ag(s, 'POST', '/admin/authentication', { version, json: body });
    assert.is(r.status, 401);
    assert.is(r.headers.get('content-type')?.split(';')[0], peer(version));
  }
  const listed = await ag(s, 'GET', '/admin/identity-providers/names', { version: 23 });
  assert.is(listed.status, 200);
  assert.equal(listed.body, { data: [{ name: 'local', type: 'Credentials' }] });
});

t('POST /admin/login: an exempt user gets the full login response; a user with MFA due is refused, never given a token', async ({ s }) => {
  const exempt = await createUser(s, { mfa: 'exempt', totp: false, roles: ['admin'] });
  const login = (u: { username: string; password: string }) =>
    ag(s, 'POST', '/admin/login', { version: 23, json: { providerName: 'local', username: u.username, password: u.password, deviceId } });
  const ok = await login(exempt);
  assert.is(ok.status, 200);
  assert.is(ok.body.user.needTwoFactorAuth, false);
  assert.is(ok.body.expires, isoSeconds(s.clock.now() + 900_000));
  assert.match(ok.body.token, /^eyJ/);
  assert.is((await ag(s, 'GET', '/admin/authorization', { token: ok.body.token })).status, 200);
  const id = await accountId(s, ok.body.token);
  assert.equal((await events(s, `account-${id}`)).filter((e) => e.meta.dialect === 'appgate').map((e) => e.type), ['LoginSucceeded']);

  const mfa = await createUser(s, { roles: ['admin'] });
  const refused = await login(mfa);
  assert.is(refused.status, 401);
  assert.equal(refused.body, { id: 'unauthorized', message: 'Login Failed.', reason: refused.body.reason, failureType: 'Mfa' });
  assert.type(refused.body.reason, 'string');
  assert.not.match(refused.text, /token|eyJ/);
  // A wrong password says nothing about MFA: the one Login body, byte for byte as at /admin/authentication.
  const wrong = await login({ username: mfa.username, password: `${mfa.password}x` });
  const unknown = await login({ username: 'nobody-here', password: 'x' });
  const viaAuthentication = await authenticate(s, { username: 'nobody-here', password: 'x' });
  for (const r of [wrong, unknown]) {
    assert.is(r.status, 401);
    assert.is(r.text, viaAuthentication.text);
  }
  // The same engine: with four more wrong passwords (five in a row) the account is locked, whichever call they come through.
  for (let i = 0; i < 4; i++) await login({ username: mfa.username, password: 'wrong-password' });
  const locked = await authenticate(s, mfa);
  assert.is(locked.status, 401);
  assert.is(locked.body.failureType, 'Login');
  assert.is((await login(mfa)).text, viaAuthentication.text, 'locked: the one Login body, no MFA hint');
});

t('POST /admin/login: bad input is 400 / 415 / 422 in the Appgate shape, as at /admin/authentication', async ({ s }) => {
  const valid = { providerName: 'local', username: 'someone', password: 'some-password', deviceId };
  assert.is((await ag(s, 'POST', '/admin/login', { raw: '{', headers: { 'content-type': 'application/json' } })).status, 400);
  assert.is((await ag(s, 'POST', '/admin/login', { raw: JSON.stringify(valid) })).status, 415);
  for (const [json, field] of [[{ ...valid, deviceId: '' }, 'deviceId'], [{ ...valid, providerName: 'ldap' }, 'providerName'], [{ ...valid, password: 1 }, 'password']] as const) {
    const r = await ag(s, 'POST', '/admin/login', { json });
    assert.is(r.status, 422);
    assert.is(r.body.errors[0].field, field);
  }
});

t('MFA user: partial token → 412 at authorization → AlreadySeeded → code → full token, in the page shapes', async ({ s }) => {
  const u = await createUser(s, { roles: ['admin'] });
  const first = await authenticate(s, u, 20);
  assert.is(first.status, 200);
  assert.is(first.headers.get('content-type')?.split(';')[0], peer(20));
  assert.equal(Object.keys(first.body).sort(), ['crlEnabled', 'expires', 'messageOfTheDay', 'token', 'user']);
  assert.equal(first.body.user, {
    name: u.username,
    needTwoFactorAuth: true,
    canAccessAuditLogs: true,
    privileges: [{ type: 'All', target: 'All', scope: { all: true, ids: [], tags: [] } }],
  });
  assert.is(first.body.expires, isoSeconds(s.clock.now() + 300_000));
  assert.is(first.body.messageOfTheDay, motd);
  assert.is(first.body.crlEnabled, false);
  const partial = first.body.token as string;
  assert.not.match(partial, /^eyJ/, 'the partial token is not an access token');

  const pending = await ag(s, 'GET', '/admin/authorization', { token: partial });
  assert.is(pending.status, 412);
  assert.equal(pending.body, { id: 'precondition failed', message: pending.body.message, otpRequired: true, username: u.username });
  assert.type(pending.body.message, 'string');

  const init = await ag(s, 'POST', '/admin/authentication/otp/initialize', { token: partial, json: { userPassword: u.password } });
  assert.is(init.status, 200);
  assert.equal(init.body, { type: 'AlreadySeeded' });

  const second = await ag(s, 'POST', '/admin/authentication/otp', { token: partial, json: { otp: codeNow(s, u) } });
  assert.is(second.status, 200);
  assert.equal(Object.keys(second.body).sort(), ['crlEnabled', 'expires', 'messageOfTheDay', 'token', 'user']);
  assert.is(second.body.user.name, u.username);
  assert.is(second.body.user.needTwoFactorAuth, false);
  assert.is(second.body.user.canAccessAuditLogs, true);
  assert.equal(second.body.user.privileges, first.body.user.privileges);
  assert.is(second.body.expires, isoSeconds(s.clock.now() + 900_000));
  const full = second.body.token as string;
  assert.match(full, /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);

  const session = await s.call('GET', '/v1/session', { token: full });
  assert.is(session.body.aal, 'aal2');

  const authorized = await ag(s, 'GET', '/admin/authorization', { token: full });
  assert.is(authorized.status, 200);
  assert.is(authorized.body.token, full);
  assert.is(authorized.body.expires, new Date(session.body.exp * 1000).toISOString());
  assert.is(authorized.body.user.name, u.username);

  // The partial token died with its success, and each kind of token is refused where the other is needed.
  const reused = await ag(s, 'POST', '/admin/authentication/otp', { token: partial, json: { otp: codeNow(s, u, 1) } });
  assert.is(reused.status, 401);
  assert.is(reused.body.failureType, 'Token');
  const fullAtOtp = await ag(s, 'POST', '/admin/authentication/otp', { token: full, json: { otp: codeNow(s, u, 1) } });
  assert.is(fullAtOtp.status, 401);
  assert.is(fullAtOtp.body.failureType, 'Token');
  const fullAtInit = await ag(s, 'POST', '/admin/authentication/otp/initialize', { token: full });
  assert.is(fullAtInit.status, 401);

  const id = await accountId(s, full);
  const log = await events(s, `account-${id}`);
  const appgate = log.filter((e) => e.meta.dialect === 'appgate').map((e) => e.type);
  assert.equal(appgate, ['PasswordAccepted', 'OtpAccepted', 'LoginSucceeded']);
  const ch = await events(s, challengeStream(partial));
  // The reuse after success is refused and recorded on the challenge.
  assert.equal(ch.map((e) => e.type), ['ChallengeIssued', 'ChallengeCompleted', 'ChallengeRefused']);
  assert.equal(ch.at(-1)!.data, { reason: 'finished' });
  assert.is(ch[0]!.data.dialect, 'appgate');

  assert.is((await ag(s, 'POST', '/admin/authentication/logout', { token: full })).status, 204);
  const after = await ag(s, 'GET', '/admin/authorization', { token: full });
  assert.is(after.status, 401);
  assert.is(after.body.failureType, 'Token');
});

t('a wrong code → 401 failureType Mfa, recorded under the appgate dialect; a replayed code is refused', async ({ s }) => {
  const u = await createUser(s);
  const partial = (await authenticate(s, u)).body.token as string;
  const wrong = await ag(s, 'POST', '/admin/authentication/otp', { token: partial, json: { otp: wrongCodeFor(s, u) } });
  assert.is(wrong.status, 401);
  assert.equal(wrong.body, { id: 'unauthorized', message: wrong.body.message, failureType: 'Mfa' });
  assert.is(wrong.headers.get('content-type')?.split(';')[0], peer(22));
  const code = codeNow(s, u);
  const ok = await ag(s, 'POST', '/admin/authentication/otp', { token: partial, json: { otp: code } });
  assert.is(ok.status, 200);

  const again = (await authenticate(s, u)).body.token as string;
  const replay = await ag(s, 'POST', '/admin/authentication/otp', { token: again, json: { otp: code } });
  assert.is(replay.status, 401);
  assert.is(replay.text, wrong.text, 'a replay answers exactly as a wrong code');

  const log = await events(s, `account-${await accountId(s, ok.body.token)}`);
  const rejected = log.filter((e) => e.type === 'OtpRejected');
  assert.equal(rejected.map((e) => e.data.reason), ['invalid', 'replayed']);
  for (const e of rejected) assert.is(e.meta.dialect, 'appgate');
  assert.is(rejected[0]!.meta.requestId, wrong.headers.get('x-request-id'));
});

t('malformed codes are counted failures (401 Mfa), not validation errors', async ({ s }) => {
  const u = await createUser(s);
  const partial = (await authenticate(s, u)).body.token as string;
  for (const otp of [123456, null, ['123456'], '12345', '١٢٣٤٥٦']) {
    const r = await ag(s, 'POST', '/admin/authentication/otp', { token: partial, json: { otp } });
    assert.is(r.status, 401, JSON.stringify(otp));
    assert.is(r.body.failureType, 'Mfa');
  }
  const ch = await events(s, challengeStream(partial));
  assert.equal(ch.map((e) => e.type), ['ChallengeIssued', 'ChallengeOtpRejected', 'ChallengeOtpRejected', 'ChallengeOtpRejected', 'ChallengeOtpRejected', 'ChallengeOtpRejected', 'ChallengeEnded']);
});

t('the partial token survives 4 wrong codes and dies at the 5th', async ({ s }) => {
  const u = await createUser(s);
  const survivor = (await authenticate(s, u)).body.token as string;
  for (let i = 0; i < 4; i++) assert.is((await ag(s, 'POST', '/admin/authentication/otp', { token: survivor, json: { otp: wrongCodeFor(s, u) } })).status, 401);
  const ok = await ag(s, 'POST', '/admin/authentication/otp', { token: survivor, json: { otp: codeNow(s, u) } });
  assert.is(ok.status, 200);

  const doomed = (await authenticate(s, u)).body.token as string;
  for (let i = 0; i < 5; i++) {
    const r = await ag(s, 'POST', '/admin/authentication/otp', { token: doomed, json: { otp: wrongCodeFor(s, u) } });
    assert.is(r.body.failureType, 'Mfa', `attempt ${i + 1}`);
  }
  const dead = await ag(s, 'POST', '/admin/authentication/otp', { token: doomed, json: { otp: codeNow(s, u, 1) } });
  assert.is(dead.status, 401);
  assert.is(dead.body.failureType, 'Token');
  assert.is((await ag(s, 'GET', '/admin/authorization', { token: doomed })).status, 401);
  const ch = await events(s, challengeStream(doomed));
  assert.equal(ch.filter((e) => e.type === 'ChallengeEnded').map((e) => e.data), [{ reason: 'exhausted' }]);
  assert.equal(ch.at(-1)!.type, 'ChallengeRefused', 'a presentation after the end is recorded');
  assert.equal(ch.at(-1)!.data, { reason: 'exhausted' });
  assert.is(ch.filter((e) => e.type === 'ChallengeOtpRejected').length, 5);
});

t('the partial token dies after 5 minutes (at the TTL exactly; alive 1 s before)', async ({ s }) => {
  const u = await createUser(s);
  const early = (await authenticate(s, u)).body.token as string;
  const late = (await authenticate(s, u)).body.token as string;
  s.clock.advance(299_000);
  assert.is((await ag(s, 'GET', '/admin/authorization', { token: early })).status, 412);
  s.clock.advance(1_000);
  assert.is((await ag(s, 'GET', '/admin/authorization', { token: late })).status, 401);
  const expired = await ag(s, 'POST', '/admin/authentication/otp', { token: late, json: { otp: codeNow(s, u) } });
  assert.is(expired.status, 401);
  assert.is(expired.body.failureType, 'Token');
  assert.equal((await events(s, challengeStream(late))).at(-1)!.data, { reason: 'expired' });
});

t('unknown user, wrong password, locked and disabled accounts: one status, byte-identical bodies', async ({ s }) => {
  const u = await createUser(s);
  const disabled = await createUser(s);
  await s.admin('POST', `/v1/admin/users/${disabled.username}/disable`);
  const unknown = await authenticate(s, { username: 'nobody-here', password: u.password });
  const badPassword = await authenticate(s, { username: u.username, password: `${u.password}x` });
  for (let i = 0; i < 4; i++) await authenticate(s, { username: u.username, password: 'wrong-password' });
  const locked = await authenticate(s, u);
  const off = await authenticate(s, disabled);
  assert.equal(unknown.body, { id: 'unauthorized', message: unknown.body.message, failureType: 'Login' });
  for (const r of [unknown, badPassword, locked, off]) {
    assert.is(r.status, 401);
    assert.is(r.text, unknown.text);
    assert.is(r.headers.get('content-type'), unknown.headers.get('content-type'));
    assert.is(r.headers.get('www-authenticate'), unknown.headers.get('www-authenticate'));
  }
});

t('a partial token is refused at logout; a full token at /otp; nothing valid at authorization → 401', async ({ s }) => {
  const u = await createUser(s);
  const partial = (await authenticate(s, u)).body.token as string;
  const logout = await ag(s, 'POST', '/admin/authentication/logout', { token: partial });
  assert.is(logout.status, 401);
  assert.equal(logout.body, { id: 'unauthorized', message: logout.body.message, failureType: 'Token' });
  assert.is((await ag(s, 'GET', '/admin/authorization', { token: partial })).status, 412, 'still pending');
  const forged = `${partial.slice(0, -1)}${partial.endsWith('A') ? 'B' : 'A'}`;
  for (const token of [undefined, 'garbage', forged]) {
    const r = await ag(s, 'GET', '/admin/authorization', token === undefined ? {} : { token });
    assert.is(r.status, 401);
    assert.is(r.body.failureType, 'Token');
  }
  assert.is((await ag(s, 'POST', '/admin/authentication/logout')).status, 401);
});

t('exempt users get a full token at once; roles map to privileges', async ({ s }) => {
  const auditor = await createUser(s, { mfa: 'exempt', totp: false, roles: ['auditor'] });
  const r = await authenticate(s, auditor);
  assert.is(r.status, 200);
  assert.equal(r.body.user, {
    name: auditor.username,
    needTwoFactorAuth: false,
    canAccessAuditLogs: true,
    privileges: [{ type: 'View', target: 'All', scope: { all: true, ids: [], tags: [] } }],
  });
  assert.is(r.body.expires, isoSeconds(s.clock.now() + 900_000));
  assert.is((await s.call('GET', '/v1/session', { token: r.body.token })).body.aal, 'aal1');
  assert.is((await ag(s, 'GET', '/admin/authorization', { token: r.body.token })).status, 200);

  const operator = await createUser(s, { mfa: 'exempt', totp: false, roles: ['operator', 'auditor', 'no-such-role'] });
  const op = (await authenticate(s, operator)).body.user;
  assert.is(op.canAccessAuditLogs, true);
  assert.equal(
    op.privileges.map((p: { type: string; target: string }) => `${p.type}/${p.target}`),
    ['View/All', 'CheckStatus/Appliance', 'Backup/Appliance', 'Reboot/Appliance'],
  );
  const nobody = await createUser(s, { mfa: 'exempt', totp: false, roles: ['no-such-role'] });
  const none = (await authenticate(s, nobody)).body.user;
  assert.equal([none.privileges, none.canAccessAuditLogs], [[], false]);
});

t('bad input: 400 / 415 / 413 / 422 in the Appgate shape, never a 500', async ({ s }) => {
  const path = '/admin/authentication';
  const valid = { providerName: 'local', username: 'someone', password: 'some-password', deviceId };
  const malformed = await ag(s, 'POST', path, { raw: '{"username":', headers: { 'content-type': 'application/json' } });
  assert.is(malformed.status, 400);
  assert.equal(malformed.body, { id: 'bad request', message: malformed.body.message });
  const wrongType = await ag(s, 'POST', path, { raw: 'username=a', headers: { 'content-type': 'text/plain' } });
  assert.is(wrongType.status, 415);
  assert.is(wrongType.body.id, 'unsupported media type');
  const noType = await ag(s, 'POST', path, { raw: JSON.stringify(valid) });
  assert.is(noType.status, 415);
  const big = await ag(s, 'POST', path, { json: { ...valid, password: 'x'.repeat(17 * 1024) } });
  assert.is(big.status, 413);
  assert.is(big.body.id, 'payload too large');

  const cases: [unknown, string][] = [
    [{ ...valid, password: undefined }, 'password'],
    [{ ...valid, username: ['a'] }, 'username'],
    [{ ...valid, deviceId: undefined }, 'deviceId'],
    [{ ...valid, deviceId: 7 }, 'deviceId'],
    [{ ...valid, deviceId: '' }, 'deviceId'],
    [{ ...valid, providerName: 'ldap' }, 'providerName'],
    [{ ...valid, providerName: undefined }, 'providerName'],
    [[1, 2], 'body'],
  ];
  for (const [json, field] of cases) {
    const r = await ag(s, 'POST', path, { json });
    assert.is(r.status, 422, field);
    assert.is(r.body.id, 'unprocessable entity');
    assert.type(r.body.message, 'string');
    assert.is(r.body.errors.length, 1);
    assert.is(r.body.errors[0].field, field);
    assert.type(r.body.errors[0].message, 'string');
  }
  const u = await createUser(s);
  const partial = (await authenticate(s, u)).body.token as string;
  const badState = await ag(s, 'POST', '/admin/authentication/otp', { token: partial, json: { otp: '123456', state: 5 } });
  assert.is(badState.status, 422);
  assert.is(badState.body.errors[0].field, 'state');
  const badInit = await ag(s, 'POST', '/admin/authentication/otp/initialize', { token: partial, json: { userPassword: 5 } });
  assert.is(badInit.status, 422);
  assert.is(badInit.body.errors[0].field, 'userPassword');
  const badInitJson = await ag(s, 'POST', '/admin/authentication/otp/initialize', { token: partial, raw: '{', headers: { 'content-type': 'application/json' } });
  assert.is(badInitJson.status, 400);
  const otpNoType = await ag(s, 'POST', '/admin/authentication/otp', { token: partial, raw: '{}' });
  assert.is(otpNoType.status, 415);

  const all = [malformed, wrongType, noType, big, badState, badInit, badInitJson, otpNoType];
  for (const r of all) {
    assert.ok(r.status >= 400 && r.status < 500);
    assert.is(r.headers.get('content-type')?.split(';')[0], peer(22));
    assert.not.match(r.text, /at .*\.js|Error:/);
  }
  // None of it was a judged attempt: the partial token is still pending with no attempt used.
  assert.equal((await events(s, challengeStream(partial))).map((e) => e.type), ['ChallengeIssued']);
});

t('Secret path: enrol a TOTP factor on a partial token, proven by a recovery code, in one step', async ({ s }) => {
  const u = await createUser(s, { totp: false });
  const issued = await s.admin('POST', `/v1/admin/users/${u.username}/recovery-codes`);
  assert.is(issued.status, 201);
  const [recovery, spare] = issued.body.codes as string[];

  const first = await authenticate(s, u);
  assert.is(first.status, 200);
  assert.is(first.body.user.needTwoFactorAuth, true);
  const partial = first.body.token as string;
  // No body at all is allowed (userPassword is optional).
  const init = await ag(s, 'POST', '/admin/authentication/otp/initialize', { token: partial });
  assert.is(init.status, 200);
  assert.equal(Object.keys(init.body).sort(), ['barcode', 'otpAuthUrl', 'secret', 'state', 'type']);
  assert.is(init.body.type, 'Secret');
  const secret = init.body.secret as string;
  assert.match(secret, /^[A-Z2-7]{32}$/);
  assert.ok((init.body.otpAuthUrl as string).startsWith(`otpauth://totp/Latchkey:${u.username}?secret=${secret}&`));
  const png = Buffer.from(init.body.barcode as string, 'base64');
  assert.equal([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG');
  const state = init.body.state as string;
  assert.not.ok(state.includes(secret), 'the state is not the seed');
  assert.is((await ag(s, 'GET', '/admin/authorization', { token: partial })).status, 412, 'initialising changes nothing');

  // A second partial token gets its own seed and state; a state only works on its own token.
  const other = (await authenticate(s, u)).body.token as string;
  const otherInit = (await ag(s, 'POST', '/admin/authentication/otp/initialize', { token: other, json: {} })).body;
  assert.is.not(otherInit.secret, secret);
  const crossed = await ag(s, 'POST', '/admin/authentication/otp', {
    token: other,
    json: { otp: oathtool(secret, s.clock.now()), state, recoveryCode: recovery },
  });
  assert.is(crossed.status, 401);
  assert.is(crossed.body.failureType, 'Mfa');

  // The new seed's code alone proves nothing about the user: without a recovery code it is a failure.
  const code = oathtool(secret, s.clock.now());
  const alone = await ag(s, 'POST', '/admin/authentication/otp', { token: partial, json: { otp: code, state } });
  assert.is(alone.status, 401);
  assert.is(alone.body.failureType, 'Mfa');
  const tampered = `${state.slice(0, -2)}${state.endsWith('AA') ? 'BB' : 'AA'}`;
  const bent = await ag(s, 'POST', '/admin/authentication/otp', { token: partial, json: { otp: code, state: tampered, recoveryCode: recovery } });
  assert.is(bent.status, 401);
  assert.is(bent.body.failureType, 'Mfa');

  const done = await ag(s, 'POST', '/admin/authentication/otp', { token: partial, json: { otp: code, state, recoveryCode: recovery } });
  assert.is(done.status, 200);
  assert.is(done.body.user.needTwoFactorAuth, false);
  assert.match(done.body.token, /^eyJ/);
  assert.is((await ag(s, 'GET', '/admin/authorization', { token: done.body.token })).status, 200);

  const id = await accountId(s, done.body.token);
  const log = await events(s, `account-${id}`);
  const tail = log.slice(-4);
  assert.equal(tail.map((e) => e.type), ['RecoveryCodeUsed', 'LoginSucceeded', 'TotpEnrolmentStarted', 'TotpConfirmed']);
  assert.equal(tail[1]!.data, { aal: 'aal2', method: 'password+recovery' });
  for (const e of tail) assert.is(e.meta.dialect, 'appgate');
  assert.not.ok(JSON.stringify(log).includes(secret), 'the seed is stored sealed only');
  assert.equal(
    log.filter((e) => e.type === 'OtpRejected').map((e) => e.data.reason),
    ['malformed', 'missing', 'malformed'],
  );
  assert.equal((await events(s, challengeStream(partial))).map((e) => e.type), ['ChallengeIssued', 'ChallengeOtpRejected', 'ChallengeOtpRejected', 'ChallengeCompleted']);

  // The factor is active now: AlreadySeeded; the enrolment code was an accepted step and cannot be replayed;
  // the used recovery code is spent, the spare one still works.
  const next = (await authenticate(s, u)).body.token as string;
  assert.equal((await ag(s, 'POST', '/admin/authentication/otp/initialize', { token: next })).body, { type: 'AlreadySeeded' });
  const replay = await ag(s, 'POST', '/admin/authentication/otp', { token: next, json: { otp: code } });
  assert.is(replay.status, 401);
  const spent = await ag(s, 'POST', '/admin/authentication/otp', { token: next, json: { otp: recovery } });
  assert.is(spent.status, 401);
  const fresh = await ag(s, 'POST', '/admin/authentication/otp', { token: next, json: { otp: oathtool(secret, s.clock.now() + 30_000) } });
  assert.is(fresh.status, 200);
  const last = await events(s, `account-${id}`);
  assert.equal(
    last.filter((e) => e.type === 'OtpRejected').slice(-2).map((e) => e.data.reason),
    ['replayed', 'invalid'],
  );
  assert.ok(spare !== recovery);
});

t.run();
