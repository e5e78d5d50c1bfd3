import { request } from 'node:http';
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import * as assert from 'uvu/assert';
import { call } from '../helpers/http.js';
import { serverSuite } from '../helpers/server-suite.js';
import { type TestServer, codeNow, createUser } from '../helpers/test-server.js';
import { verifyChain } from '../../adapters/sqlite/verify-chain.js';
import { assertRouted } from './helpers/assert-routed.js';
import { accountIdOf, eventsAfter, lastSeq, streamEvents, typesOf } from './helpers/audit-events.js';
import { assertNativeError, assertNoInternals } from './helpers/native-api.js';
import { redact } from './helpers/secret-leaks.js';
import { countArgon2, storeOf } from './helpers/server-internals.js';
import { logLines, settleLog } from './helpers/server-log.js';
import { median, timed } from './helpers/timing-stats.js';

const t = serverSuite('input', { setUp: async (s) => ({ alice: await createUser(s), argon2: countArgon2(s) }) });

const login = (s: TestServer, body: unknown, headers: Record<string, string> = {}) => s.call('POST', '/v1/login', { json: body, headers });
const raw = (s: TestServer, path: string, body: string | Uint8Array, contentType?: string, headers: Record<string, string> = {}) =>
  s.call('POST', path, { raw: body, headers: { ...(contentType === undefined ? {} : { 'content-type': contentType }), ...headers } });

/** A request whose body is streamed (chunked), so no Content-Length announces its size. */
const chunked = (s: TestServer, path: string, chunks: readonly string[]): Promise<{ status: number; text: string }> =>
  new Promise((resolve, reject) => {
    const req = request(`${s.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    const write = (i: number): void => {
      if (i === chunks.length) return void req.end();
      if (!req.write(chunks[i]!)) req.once('drain', () => write(i + 1));
      else write(i + 1);
    };
    write(0);
  });

/** Raw bytes over a socket: what fetch refuses to send (CR in a header). Returns the status line. */
const rawHttp = (s: TestServer, text: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const { port } = new URL(s.url);
    const socket = connect(Number(port), '127.0.0.1', () => socket.write(text));
    let out = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (out += d));
    socket.on('end', () => resolve(out.split('\r\n')[0] ?? ''));
    socket.on('error', reject);
    socket.setTimeout(5000, () => socket.destroy(new Error('timeout')));
  });

/** True when no object prototype in this process (the server's) was polluted. */
const unpolluted = () => {
  const probe = {} as Record<string, unknown>;
  return probe.polluted === undefined && probe.isAdmin === undefined && !('polluted' in Object.prototype) && (([] as unknown as Record<string, unknown>).polluted === undefined);
};

// ---------------------------------------------------------------------------------------------------- 25

t('25. a 1 MB password → 413 before parsing, no hashing, nothing appended', async ({ s, alice, argon2 }) => {
  const before = argon2.verifies();
  const mark = await lastSeq(s);
  const r = await login(s, { username: alice.username, password: 'p'.repeat(1024 * 1024) });
  assertNativeError(r, 413, 'payload_too_large');
  assert.is(argon2.verifies(), before);
  assert.equal(await eventsAfter(s, mark), []);
});

t('25. a password over 1,024 bytes but inside the body limit → the generic 401 without hashing, counted as a failure', async ({ s, argon2 }) => {
  const u = await createUser(s, { totp: false, mfa: 'exempt' });
  const accountId = await accountIdOf(s, u.username);
  const generic = await login(s, { username: u.username, password: 'wrong-password' });
  assertNativeError(generic, 401, 'invalid_credentials');
  const before = argon2.verifies();
  // 1,025 ASCII bytes, and 513 two-byte characters (1,026 bytes: under 1,024 *characters*, over 1,024 bytes).
  const tooLong = ['x'.repeat(1025), 'é'.repeat(513), `${u.password}${'y'.repeat(1025 - u.password.length)}`];
  const timings: number[] = [];
  for (const password of tooLong) {
    const { value, ms } = await timed(() => login(s, { username: u.username, password }));
    assert.is(value.status, 401);
    assert.is(value.text, generic.text, 'byte-identical to a wrong password');
    timings.push(ms);
  }
  assert.is(argon2.verifies(), before, 'no argon2 work for an over-long password');
  const rejected = (await streamEvents(s, `account-${accountId}`)).filter((e) => e.type === 'PasswordRejected');
  assert.is(rejected.length, 1 + tooLong.length, 'each over-long password is a counted failure');
  await s.admin('POST', `/v1/admin/users/${encodeURIComponent(u.username)}/unlock`);

  // The boundary: exactly 1,024 bytes is hashed like any password (NIST SP 800-63B §5.1.1.2: no truncation).
  const boundary: number[] = [];
  for (const password of ['é'.repeat(512), 'z'.repeat(1024)]) {
    const { value, ms } = await timed(() => login(s, { username: u.username, password }));
    assert.is(value.text, generic.text);
    boundary.push(ms);
  }
  assert.is(argon2.verifies(), before + 2, 'a 1,024-byte password is verified');
  assert.ok(median(timings) * 2 < Math.min(...boundary), `refused without hashing: ${median(timings).toFixed(1)} ms vs ${Math.min(...boundary).toFixed(1)} ms`);
});

t('25. 1,000 concurrent logins → a bounded queue: 503 + Retry-After beyond it, no crash, bounded memory, the server answers after', async ({ s, alice }) => {
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 20);
  const mark = await lastSeq(s);
  const started = performance.now();
  const replies = await Promise.all(
    Array.from({ length: 1000 }, (_, i) => call(s.url, 'POST', '/v1/login', { json: { username: `crowd-${i}`, password: `crowd-password-${i}` } })),
  );
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const byStatus = new Map<number, number>();
  for (const r of replies) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
  assert.equal([...byStatus.keys()].sort(), [401, 503], `statuses: ${JSON.stringify([...byStatus])}`);
  const shed = replies.filter((r) => r.status === 503);
  assert.ok(shed.length > 0, 'the queue is bounded: some are shed');
  for (const r of shed) {
    assertNativeError(r, 503, 'overloaded');
    assert.ok(/^[1-9]\d*$/.test(r.headers.get('retry-after') ?? ''), 'Retry-After on every 503');
  }
  for (const r of replies.filter((x) => x.status === 401)) assert.is(r.body.error, 'invalid_credentials');
  // A shed request was never judged: it appended nothing; each judged one appended its probe event.
  const appended = await eventsAfter(s, mark);
  assert.is(new Set(appended.map((e) => e.meta.requestId)).size, byStatus.get(401));
  assert.ok(seconds < 30, `the crowd was answered in ${seconds.toFixed(1)} s`);
  const growthMiB = (rssPeak - rssBefore) / 2 ** 20;
  console.log(`  1,000 logins: ${JSON.stringify(Object.fromEntries(byStatus))} in ${seconds.toFixed(1)} s, rss peak +${growthMiB.toFixed(0)} MiB`);
  assert.ok(growthMiB < 400, `memory bounded: peak growth ${growthMiB.toFixed(0)} MiB for 1,000 requests`);

  assert.is((await s.call('GET', '/healthz')).status, 200);
  const ok = await login(s, { username: alice.username, password: alice.password, otp: codeNow(s, alice) });
  assert.is(ok.status, 200, 'a real login still works');
});

// ---------------------------------------------------------------------------------------------------- 26

const nativeJsonRoutes = ['/v1/login', '/v1/login/mfa'];

t('26. oversized bodies → 413 in the native shape, announced or streamed', async ({ s }) => {
  const big = JSON.stringify({ username: 'a', password: 'x'.repeat(17 * 1024) });
  for (const path of nativeJsonRoutes) {
    assertNativeError(await raw(s, path, big, 'application/json'), 413, 'payload_too_large');
    assertNativeError(await raw(s, path, big, 'text/plain'), 413, 'payload_too_large');
    const streamed = await chunked(s, path, ['{"username":"a","password":"', ...Array(40).fill('y'.repeat(1024)), '"}']);
    assert.is(streamed.status, 413);
    assertNoInternals(streamed.text);
    assert.is(JSON.parse(streamed.text).error, 'payload_too_large');
  }
  assertNativeError(await s.admin('POST', '/v1/admin/users', { json: { username: 'big', password: 'x'.repeat(20 * 1024) } }), 413, 'payload_too_large');
});

t('26. malformed JSON → 400; wrong, missing or odd content types and charsets → 415; all in the native shape', async ({ s }) => {
  for (const path of nativeJsonRoutes) {
    for (const body of ['{"username":', '{username:"a"}', "{'a':1}", '{"a":1}}', '[', '"just a string"', 'null', '1', 'true', '\u0000', '{"a":"\ud800"', '\ufeff{']) {
      const r = await raw(s, path, body, 'application/json');
      assertNativeError(r, 400, 'invalid_request');
    }
    for (const type of ['text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'application/jsonx', 'json']) {
      assertNativeError(await raw(s, path, '{"username":"a","password":"b"}', type), 415, 'unsupported_media_type');
    }
    assertNativeError(await raw(s, path, '{"username":"a","password":"b"}'), 415, 'unsupported_media_type');
    for (const charset of ['latin-9', 'x-unknown', 'utf-16', 'ISO-8859-1']) {
      assertNativeError(await raw(s, path, '{"username":"a","password":"b"}', `application/json; charset=${charset}`), 415, 'unsupported_media_type');
    }
    // A compressed body that does not inflate is malformed input, not a server fault.
    assertNativeError(await raw(s, path, 'not gzip at all', 'application/json', { 'content-encoding': 'gzip' }), 400, 'invalid_request');
    // A well-formed one is just a body.
    const inflated = await raw(s, path, gzipSync('{"username":"a"}'), 'application/json', { 'content-encoding': 'gzip' });
    assertNativeError(inflated, 400, 'invalid_request');
  }
  await settleLog(s);
  assert.not.ok(logLines(s).some((l) => l.msg === 'unhandled error'), 'no bad input reached the 500 path');
});

// ---------------------------------------------------------------------------------------------------- 27

t('27. arrays and objects where strings belong → 400 (or judged as a malformed code), never a 500', async ({ s, alice }) => {
  for (const bad of [['a'], { a: 1 }, 1, true, null, ['a', 'b']]) {
    assertNativeError(await login(s, { username: bad, password: 'some-password' }), 400, 'invalid_request');
    assertNativeError(await login(s, { username: alice.username, password: bad }), 400, 'invalid_request');
    assertNativeError(await s.call('POST', '/v1/login/mfa', { json: { mfa_token: bad, otp: '123456' } }), 400, 'invalid_request');
    assertNativeError(await s.admin('POST', '/v1/admin/users', { json: { username: bad, password: 'long-enough-password' } }), 400, 'invalid_request');
  }
  assertNativeError(await s.call('POST', '/v1/login/mfa', { json: { mfa_token: 'x', otp: '1', remember_device: 'yes' } }), 400, 'invalid_request');
  assertNativeError(await s.admin('POST', '/v1/admin/users', { json: { username: 'roles-x', password: 'long-enough-password', roles: 'admin' } }), 400, 'invalid_request');
  assertNativeError(await s.admin('POST', '/v1/admin/users', { json: { username: 'roles-y', password: 'long-enough-password', roles: [{ admin: true }] } }), 400, 'invalid_request');
  // A code is judged by the engine: an ill-typed one is a malformed code, the generic answer, and a counted failure.
  const accountId = await accountIdOf(s, alice.username);
  const mark = await lastSeq(s);
  for (const otp of [[codeNow(s, alice)], { code: codeNow(s, alice) }, Number(codeNow(s, alice))]) {
    assertNativeError(await login(s, { username: alice.username, password: alice.password, otp }), 401, 'invalid_credentials');
  }
  const rejected = (await streamEvents(s, `account-${accountId}`)).filter((e) => e.seq > mark && e.type === 'OtpRejected');
  assert.equal(rejected.map((e) => e.data.reason), ['malformed', 'malformed', 'malformed']);
  await s.admin('POST', `/v1/admin/users/${encodeURIComponent(alice.username)}/unlock`);
});

t('27. __proto__ and constructor keys in JSON bodies are inert: no pollution, no inherited fields', async ({ s, alice }) => {
  const generic = await login(s, { username: 'nobody-27', password: 'wrong-password' });
  const bodies = [
    '{"__proto__":{"polluted":"yes","isAdmin":true},"username":"nobody-27","password":"wrong-password"}',
    '{"constructor":{"prototype":{"polluted":"yes"}},"username":"nobody-27","password":"wrong-password"}',
    '{"username":"nobody-27","password":"wrong-password","__proto__":{"otp":"123456"}}',
    '{"__proto__":[],"username":"nobody-27","password":"wrong-password"}',
  ];
  for (const body of bodies) {
    // Refused as poisoned (co-body/bourne: 400) or parsed as an inert own key (the generic 401); never more.
    const r = await raw(s, '/v1/login', body, 'application/json');
    if (r.status === 400) assertNativeError(r, 400, 'invalid_request');
    else assert.is(r.text, generic.text, body);
  }
  // Fields cannot be inherited through __proto__: the body below has no password of its own.
  assertNativeError(await raw(s, '/v1/login', `{"username":"${alice.username}","__proto__":{"password":"${alice.password}"}}`, 'application/json'), 400, 'invalid_request');
  // Nor can an admin body smuggle roles or an MFA exemption.
  const smuggled = await raw(s, '/v1/admin/users', '{"username":"proto-user","password":"long-enough-password","__proto__":{"roles":["admin"],"mfa":"exempt"}}', 'application/json', {
    authorization: `Bearer ${s.adminKey}`,
  });
  assertNativeError(smuggled, 400, 'invalid_request');
  const created = await raw(s, '/v1/admin/users', '{"username":"proto-user","password":"long-enough-password","constructor":{"prototype":{"roles":["root"],"mfa":"exempt"}}}', 'application/json', {
    authorization: `Bearer ${s.adminKey}`,
  });
  assert.is(created.status, 201, redact(created.text));
  const registered = (await streamEvents(s, `account-${created.body.id}`)).find((e) => e.type === 'AccountRegistered')!;
  assert.equal(registered.data.roles, []);
  assert.is(registered.data.mfa, 'required');
  // JSON duplicate keys: the last one wins, deterministically (JSON.parse); nothing odd happens.
  const dup = await raw(s, '/v1/login', `{"username":"${alice.username}","username":"nobody-27","password":"${alice.password}"}`, 'application/json');
  assert.is(dup.text, generic.text);
  assert.ok(unpolluted(), 'Object.prototype is untouched in the server process');
});

t('27. form dialects (Oracle): __proto__[x] keys and duplicate keys → 400 or ignored, no pollution', async ({ s }) => {
  assertRouted(await s.call('POST', '/ccadmin/v1/mfalogin', { form: 'grant_type=password' }), 'Oracle: POST /ccadmin/v1/mfalogin');
  for (const form of [
    '__proto__[polluted]=yes&grant_type=password&username=nobody-27&password=wrong-password',
    'constructor[prototype][polluted]=yes&grant_type=password&username=nobody-27&password=wrong-password',
    '__proto__=x&grant_type=password&username=nobody-27&password=wrong-password',
  ]) {
    const r = await s.call('POST', '/ccadmin/v1/mfalogin', { form });
    assert.ok(r.status === 401 || r.status === 400, `${r.status} ${redact(r.text)}`);
    assertNoInternals(r.text);
  }
  for (const form of ['grant_type=password&username=a&username=b&password=wrong-password', 'grant_type=password&username=a&password=x&password=y', 'grant_type=password&grant_type=password&username=a&password=x']) {
    const r = await s.call('POST', '/ccadmin/v1/mfalogin', { form });
    assert.is(r.status, 400, `duplicate key: ${form}`);
    assert.is(r.body.status, '400');
    assertNoInternals(r.text);
  }
  assert.ok(unpolluted());
});

// ---------------------------------------------------------------------------------------------------- 28

t('28. CRLF, SQL metacharacters and NUL bytes in every native field are inert: the generic answer, no match', async ({ s, alice }) => {
  const generic = await login(s, { username: 'nobody-28', password: 'wrong-password' });
  const nasty = [
    `${alice.username}\r\n{"level":60,"msg":"forged"}`,
    `${alice.username}\u0000`,
    `\u0000${alice.username}`,
    `${alice.username}' OR 1=1 --`,
    `' OR '1'='1`,
    `"; DROP TABLE events; --`,
    `${alice.username}%00`,
    `${alice.username}\u2028{"msg":"forged"}`,
  ];
  const mark = await lastSeq(s);
  for (const username of nasty) {
    // Even with alice's right password and a fresh code: the name is not alice's, so nothing matches.
    const r = await login(s, { username, password: alice.password, otp: codeNow(s, alice) });
    assert.is(r.status, 401, JSON.stringify(username));
    assert.is(r.text, generic.text);
  }
  for (const password of [`${alice.password}\u0000`, `${alice.password}\r\n`, `' OR 1=1 --`, `${alice.password.slice(0, 4)}\u0000${alice.password.slice(4)}`]) {
    const r = await login(s, { username: alice.username, password, otp: codeNow(s, alice) });
    assert.is(r.text, generic.text, 'no truncation at a NUL, no SQL');
  }
  for (const otp of [`${codeNow(s, alice)}\u0000`, `12345\u00006`, `' OR 1=1 --`, `${codeNow(s, alice)}\r\n`]) {
    const r = await login(s, { username: alice.username, password: alice.password, otp });
    assert.is(r.text, generic.text);
  }
  const first = await login(s, { username: alice.username, password: alice.password });
  for (const token of [`${first.body.mfa_token}\u0000`, `${first.body.mfa_token}' OR 1=1 --`, `${first.body.mfa_token}\r\nx`]) {
    assertNativeError(await s.call('POST', '/v1/login/mfa', { json: { mfa_token: token, otp: codeNow(s, alice) } }), 401, 'invalid_mfa_token');
  }
  assertNativeError(await login(s, { username: alice.username, password: 'wrong-password', device_token: "x' OR 1=1 --\u0000\r\n" }), 401, 'invalid_credentials');
  // Admin paths: a name that is SQL or NUL is just an unknown user.
  // (Trailing whitespace, CR/LF included, is trimmed by the canonical form of docs/api.md: `alice\r\n` *is* alice.)
  for (const name of [`' OR 1=1 --`, `${alice.username}\u0000`, `${alice.username}\r\nx`]) {
    const r = await s.admin('POST', `/v1/admin/users/${encodeURIComponent(name)}/unlock`);
    assert.is(r.status, 404);
    assertNoInternals(r.text);
  }
  for (const name of [`bad\u0000name`, `bad\r\nname`, `bad\u202ename`]) {
    assertNativeError(await s.admin('POST', '/v1/admin/users', { json: { username: name, password: 'long-enough-password' } }), 400, 'invalid_request');
  }
  // The log and the store are intact: the chain verifies and no event names the nasty strings.
  assert.ok(verifyChain(storeOf(s).db).ok);
  const appended = await eventsAfter(s, mark);
  assert.ok(appended.length > 0);
  assert.not.ok(typesOf(appended).includes('LoginSucceeded'), 'nothing matched');
  assert.not.ok(JSON.stringify(appended).includes('forged'));
  // The attempts with alice's own name were counted failures (and locked her); an unlock, and she is unharmed.
  assert.is((await s.admin('POST', `/v1/admin/users/${encodeURIComponent(alice.username)}/unlock`)).status, 204);
  const ok = await login(s, { username: alice.username, password: alice.password, otp: codeNow(s, alice, 1) });
  assert.is(ok.status, 200, 'the account is unharmed');
});

t('28. a user agent with control characters is recorded printable; a CR in a header is refused by the HTTP parser', async ({ s }) => {
  const mark = await lastSeq(s);
  const r = await login(s, { username: 'nobody-28-ua', password: 'wrong-password' }, { 'user-agent': 'evil\u0085agent\u00a0\u009b31m' });
  assert.is(r.status, 401);
  const appended = await eventsAfter(s, mark);
  assert.ok(appended.length > 0);
  for (const e of appended) {
    assert.type(e.meta.userAgent, 'string');
    assert.not.match(e.meta.userAgent!, /[\u0000-\u001f\u007f-\u009f]/, 'no control characters in the recorded user agent');
  }
  const body = '{"username":"nobody-28-raw","password":"wrong-password"}';
  for (const ua of ['a\rb', 'a\u0000b', 'a\u001b[31mb']) {
    const status = await rawHttp(s, `POST /v1/login HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: ${ua}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
    assert.match(status, /^HTTP\/1\.1 (400|401) /, JSON.stringify(ua));
  }
  // A CRLF-injected header line is just another header; a username with CRLF in the request line is refused.
  const injected = await rawHttp(s, `POST /v1/login?x=1\r\nX-Forged: 1 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
  assert.match(injected, /^HTTP\/1\.1 4\d\d /);
  assert.is((await s.call('GET', '/healthz')).status, 200);
});

t('28. every line of the server log is one JSON object; no forged line', async ({ s }) => {
  await settleLog(s);
  const lines = logLines(s);
  assert.ok(lines.length > 50);
  assert.not.ok(lines.some((l) => l.msg === 'forged' || l.level === 60), 'no injected log line');
});

t('27. after everything: no prototype was polluted', () => {
  assert.ok(unpolluted());
});

t.run();
