import { randomBytes, randomInt } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Reply } from '../helpers/http.js';
import { type RpcClient, rpcClient } from '../helpers/json-rpc-client.js';
import { oathtool } from '../helpers/oathtool.js';
import { type TestServer, type TestUser, codeNow, createUser, startTestServer } from '../helpers/test-server.js';
import type { Dialect } from '../../core/event.js';
import { verifyChain } from '../../adapters/sqlite/verify-chain.js';
import { assertRouted } from './helpers/assert-routed.js';
import { eventsAfter, lastSeq, streamEvents, typesOf } from './helpers/audit-events.js';
import { jwtClaims } from './helpers/jwt-claims.js';
import { assertNativeError } from './helpers/native-api.js';
import { redact } from './helpers/secret-leaks.js';
import { storeOf } from './helpers/server-internals.js';
import { settleLog } from './helpers/server-log.js';

/** Everything secret that went over the wire, to be looked for at rest. */
class Canaries {
  readonly secrets = new Set<string>();
  readonly codes = new Set<string>();
  /** Where each secret came from, for a failure message that does not print the secret itself. */
  readonly labels = new Map<string, string>();
  private where = 'setup';

  at(where: string): void {
    this.where = where;
  }

  private add(secret: string, kind: string): void {
    this.secrets.add(secret);
    this.labels.set(secret, `${kind} @ ${this.where}`);
  }

  /** A fresh password-like canary (never printed). */
  password(): string {
    const p = `Cy-${randomBytes(12).toString('base64url')}`;
    this.add(p, 'password');
    return p;
  }

  /** A 6-digit code that is not the current one (a wrong code is a secret guess too). */
  wrongCode(right: string): string {
    let c: string;
    do c = String(randomInt(0, 1_000_000)).padStart(6, '0');
    while (c === right);
    this.codes.add(c);
    return c;
  }

  code(c: string): string {
    this.codes.add(c);
    return c;
  }

  /** A token, and its secret part: the validator of `<id>.<secret>`, the signature of a JWT. */
  token(t: unknown): void {
    if (typeof t !== 'string' || t.length < 16) return;
    this.add(t, 'token');
    const parts = t.split('.');
    if (parts.length >= 2 && parts[parts.length - 1]!.length >= 16) this.add(parts[parts.length - 1]!, 'token secret part');
  }

  /** Every string under a key that names a token, secret, key or code, anywhere in a response body. */
  harvest(body: unknown): void {
    const walk = (v: unknown, key: string): void => {
      if (typeof v === 'string' && /token|secret|key|otp|code|barcode|url|uri/i.test(key) && !/^(token_type|errorCode|mfaType|type)$/i.test(key)) {
        if (/^otpauth:/.test(v)) this.add(new URL(v).searchParams.get('secret') ?? v, `seed in ${key}`);
        else this.token(v);
      } else if (Array.isArray(v)) v.forEach((x) => walk(x, key));
      else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k);
    };
    walk(body, '');
  }
}

const scan = (s: TestServer, canaries: Canaries, where: string): void => {
  const files = ['latchkey.db', 'latchkey.db-wal'].map((f) => join(s.dataDir, f)).filter(existsSync);
  assert.ok(files.length >= 1);
  const bytes = Buffer.concat([...files.map((f) => readFileSync(f)), readFileSync(s.logPath)]);
  const found = (needle: string) => bytes.indexOf(Buffer.from(needle, 'utf8')) >= 0;
  const leaks = [...canaries.secrets].filter(found).map((c) => canaries.labels.get(c) ?? 'secret');
  assert.equal(leaks, [], `${leaks.length} of ${canaries.secrets.size} secrets found at rest (${where})`);
  let codes = 0;
  for (const c of canaries.codes) if (found(`"${c}"`)) codes++;
  assert.is(codes, 0, `${codes} of ${canaries.codes.size} codes found at rest (${where})`);
};

const nativeFlows = async (s: TestServer, c: Canaries): Promise<void> => {
  // Admin: users created with canary passwords, a TOTP seed, recovery codes, a password change, an API key.
  const alice = await createUser(s, { password: c.password() });
  c.secrets.add(alice.secret!);
  const exempt = await createUser(s, { password: c.password(), mfa: 'exempt', totp: false });
  const bob = await createUser(s, { password: c.password(), totp: false });
  const enrol = await s.admin('POST', `/v1/admin/users/${bob.username}/totp`);
  c.harvest(enrol.body);
  assertNativeError(await s.admin('POST', `/v1/admin/users/${bob.username}/totp/confirm`, { json: { otp: c.wrongCode('') } }), 400, 'invalid_otp');
  const bobSecret = enrol.body.secret as string;
  assert.is((await s.admin('POST', `/v1/admin/users/${bob.username}/totp/confirm`, { json: { otp: c.code(oathtool(bobSecret, s.clock.now() - 30_000)) } })).status, 204);
  const recovery = await s.admin('POST', `/v1/admin/users/${alice.username}/recovery-codes`);
  assert.is(recovery.status, 201);
  for (const code of recovery.body.codes as string[]) { c.secrets.add(code); c.secrets.add(code.replace('-', '')); }
  const newPassword = c.password();
  assert.is((await s.admin('POST', `/v1/admin/users/${exempt.username}/password`, { json: { password: newPassword } })).status, 204);
  const apiKey = await s.admin('POST', `/v1/admin/users/${exempt.username}/api-keys`, { json: { name: 'ci' } });
  assert.is(apiKey.status, 201, 'POST /v1/admin/users/:username/api-keys is served');
  c.harvest(apiKey.body);
  await s.admin('POST', '/v1/admin/users', { json: { username: `weak-${randomBytes(3).toString('hex')}`, password: 'short' } });
  assertNativeError(await s.call('GET', '/v1/admin/events', { token: c.password() }), 401, 'invalid_token');

  // Logins: wrong passwords, a password typed as a username, wrong and right codes, one and two steps.
  await s.call('POST', '/v1/login', { json: { username: alice.username, password: c.password() } });
  await s.call('POST', '/v1/login', { json: { username: c.password(), password: c.password() } });
  await s.call('POST', '/v1/login', { json: { username: alice.username, password: alice.password, otp: c.wrongCode(codeNow(s, alice)) } });
  await s.call('POST', '/v1/login', { json: { username: alice.username, password: `${c.password()}${'x'.repeat(1100)}` } });
  const one = await s.call('POST', '/v1/login', { json: { username: alice.username, password: alice.password, otp: c.code(codeNow(s, alice)) } });
  assert.is(one.status, 200);
  c.harvest(one.body);
  const first = await s.call('POST', '/v1/login', { json: { username: bob.username, password: bob.password } });
  c.harvest(first.body);
  await s.call('POST', '/v1/login/mfa', { json: { mfa_token: first.body.mfa_token, otp: c.wrongCode(codeNow(s, { ...bob, secret: bobSecret })) } });
  const second = await s.call('POST', '/v1/login/mfa', { json: { mfa_token: first.body.mfa_token, otp: c.code(oathtool(bobSecret, s.clock.now())), remember_device: true } });
  assert.is(second.status, 200);
  c.harvest(second.body);
  const byDevice = await s.call('POST', '/v1/login', { json: { username: bob.username, password: bob.password, device_token: second.body.device_token } });
  assert.is(byDevice.body.status, 'authenticated');
  c.harvest(byDevice.body);
  // The rotated-out device token again (reuse detection), and made-up tokens everywhere a token goes.
  await s.call('POST', '/v1/login', { json: { username: bob.username, password: bob.password, device_token: second.body.device_token } });
  const fake = `${crypto.randomUUID()}.${randomBytes(32).toString('base64url')}`;
  c.token(fake);
  await s.call('POST', '/v1/login/mfa', { json: { mfa_token: fake, otp: c.wrongCode('') } });
  await s.call('POST', '/v1/login', { json: { username: bob.username, password: bob.password, device_token: fake } });
  const bogusBearer = c.password();
  for (const [m, p] of [['GET', '/v1/session'], ['POST', '/v1/token/refresh'], ['POST', '/v1/logout']] as const) await s.call(m, p, { token: bogusBearer });
  // A recovery code as the second factor.
  s.clock.advance(30_000);
  const rc = (recovery.body.codes as string[])[0]!;
  const byRecovery = await s.call('POST', '/v1/login', { json: { username: alice.username, password: alice.password, otp: rc } });
  assert.is(byRecovery.status, 200);
  c.harvest(byRecovery.body);
  // Sessions: refresh, look, log out.
  const refreshed = await s.call('POST', '/v1/token/refresh', { token: byRecovery.body.access_token });
  c.harvest(refreshed.body);
  assert.is((await s.call('GET', '/v1/session', { token: refreshed.body.access_token })).status, 200);
  assert.is((await s.call('POST', '/v1/logout', { token: refreshed.body.access_token })).status, 204);
  // Errors with secrets inside: malformed JSON, an oversized body, a wrong content type.
  await s.call('POST', '/v1/login', { raw: `{"username":"${alice.username}","password":"${c.password()}"`, headers: { 'content-type': 'application/json' } });
  await s.call('POST', '/v1/login', { raw: `{"username":"x","password":"${c.password()}","pad":"${'p'.repeat(17 * 1024)}"}`, headers: { 'content-type': 'application/json' } });
  await s.call('POST', '/v1/login', { raw: `username=x&password=${c.password()}`, headers: { 'content-type': 'text/plain' } });
  await s.call('POST', '/v1/login', { json: { username: alice.username, password: c.password() }, headers: { 'user-agent': 'ua-without-secrets' } });
  const exemptLogin = await s.call('POST', '/v1/login', { json: { username: exempt.username, password: newPassword } });
  assert.is(exemptLogin.status, 200);
  c.harvest(exemptLogin.body);
};

/**
 * The vendor dialects of docs/api.md, every one of them part of the product: each flow runs against a server whose
 * every answer must come from a route (`routed`), so a dialect or a route the router does not serve fails the test.
 */
type VendorDialect = Exclude<Dialect, 'native' | 'admin' | 'cli' | 'system'>;
type Flow = (s: TestServer, c: Canaries, u: TestUser) => Promise<void>;

/** The path with its username segment masked: a myKaarma path holds a username, where people type passwords. */
const routeOf = (path: string): string => path.replace(/^(\/manage\/v2\/[^/]+\/)[^/]*/, '$1:userName');

/** `s`, with every HTTP call asserted to reach a route (no 404, not the router's answer to a missing route). */
const routed = (s: TestServer, dialect: Dialect): TestServer => ({
  ...s,
  call: async (method, path, opts) => {
    const r = await s.call(method, path, opts);
    assertRouted(r, `${dialect}: ${method} ${routeOf(path)}`);
    return r;
  },
});

/** A TrueNAS JSON-RPC call that must be answered by a method the server has (not -32601, not a closed socket). */
const rpc = async (ws: RpcClient, method: string, params?: unknown[]): Promise<any> => {
  const reply = await ws.call(method, params);
  assert.ok(reply !== null, `truenas: ${method} is answered`);
  assert.is.not(reply.error?.code, -32601, `truenas: ${method} exists`);
  return reply;
};

/** A TrueNAS socket, which the server must serve. */
const truenasSocket = async (s: TestServer): Promise<RpcClient> => {
  const ws = await rpcClient(s);
  assert.ok(ws, 'truenas: the JSON-RPC socket at /api/current is served');
  return ws;
};

const oracleFlows: Flow = async (s, c, u) => {
  await s.call('POST', '/ccadmin/v1/mfalogin', { form: { grant_type: 'password' } });
  await s.call('POST', '/ccadmin/v1/mfalogin', { form: { grant_type: 'password', username: u.username, password: c.password(), totp_code: c.wrongCode('') } });
  await s.call('POST', '/ccadmin/v1/mfalogin', { form: { grant_type: 'password', username: c.password(), password: c.password() } });
  await s.call('POST', '/ccadmin/v1/mfalogin', { form: { grant_type: 'password', username: u.username, password: u.password, totp_code: c.wrongCode(codeNow(s, u)) } });
  await s.call('POST', '/ccadmin/v1/mfalogin', { form: `grant_type=password&username=${u.username}&password=${c.password()}&password=${c.password()}` });
  const ok = await s.call('POST', '/ccadmin/v1/mfalogin', { form: { grant_type: 'password', username: u.username, password: u.password, totp_code: c.code(codeNow(s, u)) } });
  assert.is(ok.status, 200, redact(ok.text));
  c.harvest(ok.body);
  const refreshed = await s.call('POST', '/ccadmin/v1/refresh', { token: ok.body.access_token });
  c.harvest(refreshed.body);
  await s.call('POST', '/ccadmin/v1/verify', { token: refreshed.body.access_token ?? ok.body.access_token });
  await s.call('POST', '/ccadmin/v1/verify', { token: c.password() });
  await s.call('POST', '/ccadmin/v1/logout', { token: refreshed.body.access_token ?? ok.body.access_token });
};

const appgateFlows: Flow = async (s, c, u) => {
  const headers = { accept: 'application/vnd.appgate.peer-v20+json' };
  const auth = (body: unknown): Promise<Reply> => s.call('POST', '/admin/authentication', { json: body, headers });
  await auth({});
  await auth({ providerName: 'local', username: u.username, password: c.password(), deviceId: crypto.randomUUID() });
  await auth({ providerName: 'local', username: c.password(), password: c.password(), deviceId: crypto.randomUUID() });
  const partial = await auth({ providerName: 'local', username: u.username, password: u.password, deviceId: crypto.randomUUID() });
  assert.is(partial.status, 200, redact(partial.text));
  c.harvest(partial.body);
  const token = partial.body.token as string;
  await s.call('GET', '/admin/authorization', { token, headers });
  const init = await s.call('POST', '/admin/authentication/otp/initialize', { token, headers, json: { userPassword: u.password } });
  c.harvest(init.body);
  await s.call('POST', '/admin/authentication/otp', { token, headers, json: { otp: c.wrongCode(codeNow(s, u)) } });
  const full = await s.call('POST', '/admin/authentication/otp', { token, headers, json: { otp: c.code(codeNow(s, u)) } });
  assert.is(full.status, 200, redact(full.text));
  c.harvest(full.body);
  const authz = await s.call('GET', '/admin/authorization', { token: full.body.token, headers });
  c.harvest(authz.body);
  await s.call('POST', '/admin/authentication/otp', { token: c.password(), headers, json: { otp: c.wrongCode('') } });
  await s.call('POST', '/admin/authentication/logout', { token: full.body.token, headers });
};

const mykaarmaFlows: Flow = async (s, c, u) => {
  const at = (name: string) => `/manage/v2/user/${encodeURIComponent(name)}/validatepasswordonly`;
  await s.call('POST', at(u.username), { json: {} });
  await s.call('POST', at(u.username), { json: { password: c.password() } });
  // People type passwords into the username field: here the field is in the URL path.
  await s.call('POST', at(c.password()), { json: { password: c.password() } });
  const step1 = await s.call('POST', at(u.username), { json: { password: u.password } });
  assert.is(step1.status, 200, redact(step1.text));
  c.harvest(step1.body);
  await s.call('POST', at(u.username), { json: { password: u.password, sessionToken: step1.body.sessionToken, token: c.wrongCode(codeNow(s, u)) } });
  const step2 = await s.call('POST', at(u.username), {
    json: { password: u.password, sessionToken: step1.body.sessionToken, token: c.code(codeNow(s, u)), mfaRememberDevice: true },
  });
  assert.is(step2.status, 200, redact(step2.text));
  c.harvest(step2.body);
  const step3 = await s.call('POST', at(u.username), { json: { password: u.password, userMFARememberMeToken: step2.body.userMFARememberMeToken } });
  c.harvest(step3.body);
  await s.call('POST', at(u.username), { json: { password: u.password, userMFARememberMeToken: c.password(), emailToken: c.wrongCode('') } });
};

const truenasFlows: Flow = async (s, c, u) => {
  const ws = await truenasSocket(s);
  try {
    await rpc(ws, 'auth.login_ex', [{ mechanism: 'PASSWORD_PLAIN', username: u.username, password: c.password() }]);
    await rpc(ws, 'auth.login_ex', [{ mechanism: 'PASSWORD_PLAIN', username: c.password(), password: c.password() }]);
    const step1 = await rpc(ws, 'auth.login_ex', [{ mechanism: 'PASSWORD_PLAIN', username: u.username, password: u.password }]);
    assert.is(step1?.result?.response_type, 'OTP_REQUIRED', redact(step1));
    await rpc(ws, 'auth.login_ex_continue', [{ mechanism: 'OTP_TOKEN', otp_token: c.wrongCode(codeNow(s, u)) }]);
    const done = await rpc(ws, 'auth.login_ex_continue', [{ mechanism: 'OTP_TOKEN', otp_token: c.code(codeNow(s, u)) }]);
    assert.is(done?.result?.response_type, 'SUCCESS', redact(done));
    const token = await rpc(ws, 'auth.generate_token', [300]);
    c.harvest({ token: token?.result });
    await rpc(ws, 'auth.me');
    const other = await truenasSocket(s);
    try {
      c.harvest(await rpc(other, 'auth.login_ex', [{ mechanism: 'TOKEN_PLAIN', token: token?.result }]));
      await rpc(other, 'auth.login_ex', [{ mechanism: 'TOKEN_PLAIN', token: c.password() }]);
      await rpc(other, 'auth.login_ex', [{ mechanism: 'API_KEY_PLAIN', username: u.username, api_key: c.password() }]);
      await other.raw(`{"jsonrpc":"2.0","id":99,"method":"auth.login_ex","params":[{"mechanism":"PASSWORD_PLAIN","username":"${u.username}","password":"${c.password()}"`, 500);
    } finally {
      other.close();
    }
    await rpc(ws, 'auth.logout');
  } finally {
    ws.close();
  }
};

/** One flow per vendor dialect: typed over the Dialect union, so a dialect without a flow does not compile. */
const vendorFlows: Record<VendorDialect, Flow> = { oracle: oracleFlows, appgate: appgateFlows, mykaarma: mykaarmaFlows, truenas: truenasFlows };

test('29. canary passwords, codes, tokens and seeds sent through every path (errors included) are absent from the db, its WAL and the log', async () => {
  const s = await startTestServer();
  const c = new Canaries();
  try {
    c.at('native');
    await nativeFlows(routed(s, 'native'), c);
    for (const [name, flow] of Object.entries(vendorFlows) as [VendorDialect, Flow][]) {
      c.at(name);
      const u = await createUser(s, { password: c.password() });
      c.secrets.add(u.secret!);
      await flow(routed(s, name), c, u);
    }
    console.log(`  dialects exercised: native, ${Object.keys(vendorFlows).join(', ')}; ${c.secrets.size} secrets, ${c.codes.size} codes`);
    assert.ok(c.secrets.size > 40);
    await settleLog(s);
    scan(s, c, 'while running');
    await s.close({ keepData: true });
    scan(s, c, 'after a clean shutdown (WAL checkpointed)');
  } finally {
    await s.close();
  }
});

test('31. UPDATE, DELETE and REPLACE on the events table are refused, from any connection', async () => {
  const s = await startTestServer();
  try {
    const u = await createUser(s, { mfa: 'exempt', totp: false });
    await s.call('POST', '/v1/login', { json: { username: u.username, password: 'wrong-password' } });
    const before = await eventsAfter(s);
    const own = storeOf(s).db;
    const other = new Database(join(s.dataDir, 'latchkey.db'));
    try {
      for (const db of [own, other]) {
        const row = db.prepare('SELECT * FROM events ORDER BY seq DESC LIMIT 1').get() as Record<string, unknown>;
        const attempts = [
          () => db.prepare("UPDATE events SET type = 'LoginSucceeded' WHERE type = 'PasswordRejected'").run(),
          () => db.prepare("UPDATE events SET data = '{}'").run(),
          () => db.prepare('DELETE FROM events WHERE seq = ?').run(row.seq),
          () => db.prepare('DELETE FROM events').run(),
          // REPLACE deletes the conflicting row without firing DELETE triggers (unless recursive_triggers is on).
          () => db.prepare('INSERT OR REPLACE INTO events (seq, id, stream, version, type, schema, data, meta, at, hash) VALUES (@seq, @id, @stream, @version, @type, @schema, \'{}\', @meta, @at, @hash)').run(row),
          () => db.prepare('REPLACE INTO events (seq, id, stream, version, type, schema, data, meta, at, hash) VALUES (@seq + 1000, @id, @stream, @version, \'Forged\', @schema, @data, @meta, @at, @hash)').run(row),
          () => db.prepare("INSERT INTO events (seq, id, stream, version, type, schema, data, meta, at, hash) VALUES (@seq, @id, @stream, @version, @type, @schema, @data, @meta, @at, @hash) ON CONFLICT (seq) DO UPDATE SET type = 'Forged'").run(row),
        ];
        for (const attempt of attempts) assert.throws(attempt, /append-only|constraint/i);
      }
    } finally {
      other.close();
    }
    assert.equal(await eventsAfter(s), before, 'the log is unchanged');
    assert.ok(verifyChain(own).ok);
    // And the server still appends.
    assert.is((await s.call('POST', '/v1/login', { json: { username: u.username, password: u.password } })).status, 200);
    assert.ok(verifyChain(own).ok);
  } finally {
    await s.close();
  }
});

/** Every 200 login carries a token whose session has its SessionIssued event, with the same jti. */
const assertCommitted = async (s: TestServer, replies: readonly Reply[]) => {
  for (const r of replies.filter((x) => x.status === 200)) {
    const { sid, jti } = jwtClaims(r.body.access_token);
    const issued = (await streamEvents(s, `session-${sid}`)).find((e) => e.type === 'SessionIssued');
    assert.ok(issued, 'a token without its committed SessionIssued event');
    assert.is(issued!.data.jti, jti);
  }
};

const assertUnavailable = (r: Reply) => {
  assertNativeError(r, 503, 'unavailable');
  assert.ok(/^[1-9]\d*$/.test(r.headers.get('retry-after') ?? ''), 'Retry-After on a 503');
  assert.is(r.body.access_token, undefined);
  assert.is(r.body.mfa_token, undefined);
};

test('32. disk full → 503 + Retry-After, fail closed: every answer matches its committed events; service resumes after', async () => {
  const env = { LATCHKEY_ARGON2_MEMORY_KIB: '1024', LATCHKEY_ARGON2_ITERATIONS: '1' };
  const first = await startTestServer({ env });
  const { dataDir, clock, adminKey } = first;
  const users = await Promise.all(Array.from({ length: 3 }, () => createUser(first, { mfa: 'exempt', totp: false })));
  const totp = await createUser(first);
  const pages = storeOf(first).db.pragma('page_count', { simple: true }) as number;
  await first.close({ keepData: true });
  // The writer thread's connection may add no page from now on (LATCHKEY_DB_MAX_PAGES): appends that fit in free
  // space still succeed, the others fail as a full disk would.
  let s = await startTestServer({ dataDir, clock, adminKey, env: { ...env, LATCHKEY_DB_MAX_PAGES: String(pages) } });
  try {
    const code = codeNow(s, totp);
    const mark = await lastSeq(s);
    const replies: Reply[] = [];
    const totpStatuses: number[] = [];
    let run = 0;
    for (let i = 0; i < 400 && run < 9; i++) {
      const u = users[i % users.length]!;
      const kind = i % 3;
      const r =
        kind === 0
          ? await s.call('POST', '/v1/login', { json: { username: u.username, password: u.password } })
          : kind === 1
            ? await s.call('POST', '/v1/login', { json: { username: `nobody-32-${i}`, password: 'wrong-password' } })
            : await s.call('POST', '/v1/login', { json: { username: totp.username, password: totp.password, otp: code } });
      replies.push(r);
      if (kind === 2) totpStatuses.push(r.status);
      run = r.status === 503 ? run + 1 : 0;
    }
    assert.is(run, 9, 'the database filled up');
    // Every answer agrees with the log: a 503 appended nothing; a 200 or 401 appended its events.
    const byRequest = new Map<string, string[]>();
    for (const e of await eventsAfter(s, mark)) byRequest.set(e.meta.requestId, [...(byRequest.get(e.meta.requestId) ?? []), e.type]);
    for (const r of replies) {
      const appended = byRequest.get(r.headers.get('x-request-id') ?? '') ?? [];
      if (r.status === 503) {
        assertUnavailable(r);
        assert.equal(appended, [], 'a 503 left no event behind');
      } else {
        assert.ok(r.status === 200 || r.status === 401, `${r.status} ${redact(r.text)}`);
        assert.ok(appended.length > 0, 'an answered login has its events');
        if (r.status === 200) assert.ok(appended.includes('SessionIssued'));
      }
    }
    await assertCommitted(s, replies);
    // A failed append never spends the code: with one code, refusals for want of space come only before the success.
    const firstOk = totpStatuses.indexOf(200);
    assert.ok(totpStatuses.slice(0, firstOk < 0 ? undefined : firstOk).every((x) => x === 503), `TOTP statuses: ${totpStatuses.join(',')}`);

    // Space again (the cap lifted): the service resumes on the same log.
    await s.close({ keepData: true });
    s = await startTestServer({ dataDir, clock, adminKey, env });
    const after = await s.call('POST', '/v1/login', { json: { username: totp.username, password: totp.password, otp: firstOk < 0 ? code : codeNow(s, totp, 1) } });
    assert.is(after.status, 200, redact(after.text));
    await assertCommitted(s, [after]);
    assert.ok(verifyChain(storeOf(s).db).ok);
  } finally {
    await s.close();
  }
});

test('32. database busy (another connection holds the write lock) → 503 + Retry-After after the busy timeout; no token without its event', async () => {
  const s = await startTestServer({ env: { LATCHKEY_BUSY_TIMEOUT_MS: '150', LATCHKEY_ARGON2_MEMORY_KIB: '1024', LATCHKEY_ARGON2_ITERATIONS: '1' } });
  const other = new Database(join(s.dataDir, 'latchkey.db'));
  try {
    const exempt = await createUser(s, { mfa: 'exempt', totp: false });
    const totp = await createUser(s);
    const first = await s.call('POST', '/v1/login', { json: { username: totp.username, password: totp.password } });
    const mark = await lastSeq(s);
    other.exec('BEGIN IMMEDIATE');
    const code = codeNow(s, totp);
    const started = performance.now();
    const busy = await s.call('POST', '/v1/login', { json: { username: exempt.username, password: exempt.password } });
    const waited = performance.now() - started;
    assertUnavailable(busy);
    assert.ok(waited >= 140 && waited < 4000, `failed after the configured busy timeout (${waited.toFixed(0)} ms)`);
    assertUnavailable(await s.call('POST', '/v1/login/mfa', { json: { mfa_token: first.body.mfa_token, otp: code } }));
    assertUnavailable(await s.call('POST', '/v1/login', { json: { username: totp.username, password: totp.password, otp: code } }));
    // Reads still work (WAL readers are not blocked): the audit log answers.
    assert.is(await lastSeq(s), mark, 'nothing was appended while busy');
    other.exec('ROLLBACK');

    // Once the lock is gone: the same second step and code succeed (neither was spent by the failed attempts).
    const done = await s.call('POST', '/v1/login/mfa', { json: { mfa_token: first.body.mfa_token, otp: code } });
    assert.is(done.status, 200, redact(done.text));
    const ok = await s.call('POST', '/v1/login', { json: { username: exempt.username, password: exempt.password } });
    assert.is(ok.status, 200);
    await assertCommitted(s, [done, ok]);
    const appended = await eventsAfter(s, mark);
    assert.is(typesOf(appended).filter((t) => t === 'SessionIssued').length, 2, 'exactly the two successes issued sessions');
  } finally {
    other.close();
    await s.close();
  }
});

test.run();
