import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type Reply, replyOf } from '../helpers/http.js';
import { rpcClient } from '../helpers/json-rpc-client.js';
import { type TestServer, type TestUser, codeNow, createUser, startTestServer } from '../helpers/test-server.js';
import { isRouterNotFound } from './helpers/assert-routed.js';
import { assertNoInternals } from './helpers/native-api.js';
import { redact } from './helpers/secret-leaks.js';
import { type Prng, prng, seedFrom } from './helpers/seeded-prng.js';
import { logLines, settleLog } from './helpers/server-log.js';

/**
 * A fuzz pass over every endpoint of every dialect the router serves (docs/api.md): random and boundary inputs, wrong
 * types, wrong content types, random bytes, huge strings, unicode. No answer may be a 500 (or a JSON-RPC -32603),
 * the server must keep answering, and every error must be in its dialect's shape. Seeded: repeat a failing run
 * with LATCHKEY_FUZZ_SEED=<printed seed>. Bounded: LATCHKEY_FUZZ_REQUESTS requests, at most 45 s.
 */

type Body = 'json' | 'form' | 'none' | 'optional-json';
type Auth = 'none' | 'bearer' | 'partial' | 'admin';

interface Endpoint {
  readonly dialect: 'native' | 'admin' | 'oracle' | 'appgate' | 'mykaarma' | 'health';
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly path: string;
  readonly body: Body;
  readonly auth: Auth;
  /** Fields the handler reads, so random bodies often reach past the parser. */
  readonly fields: readonly string[];
}

/** Every HTTP endpoint of docs/api.md, of every dialect: each is part of the product, so each must be served. */
const endpoints: readonly Endpoint[] = [
  { dialect: 'health', method: 'GET', path: '/healthz', body: 'none', auth: 'none', fields: [] },
  { dialect: 'health', method: 'GET', path: '/metrics', body: 'none', auth: 'none', fields: [] },
  { dialect: 'native', method: 'GET', path: '/.well-known/jwks.json', body: 'none', auth: 'none', fields: [] },
  { dialect: 'native', method: 'POST', path: '/v1/login', body: 'json', auth: 'none', fields: ['username', 'password', 'otp', 'device_token'] },
  { dialect: 'native', method: 'POST', path: '/v1/login/mfa', body: 'json', auth: 'none', fields: ['mfa_token', 'otp', 'remember_device'] },
  { dialect: 'native', method: 'POST', path: '/v1/token/refresh', body: 'none', auth: 'bearer', fields: [] },
  { dialect: 'native', method: 'POST', path: '/v1/logout', body: 'none', auth: 'bearer', fields: [] },
  { dialect: 'native', method: 'GET', path: '/v1/session', body: 'none', auth: 'bearer', fields: [] },
  { dialect: 'admin', method: 'POST', path: '/v1/admin/users', body: 'json', auth: 'admin', fields: ['username', 'password', 'password_hash', 'roles', 'mfa'] },
  { dialect: 'admin', method: 'POST', path: '/v1/admin/users/:u/totp', body: 'none', auth: 'admin', fields: [] },
  { dialect: 'admin', method: 'DELETE', path: '/v1/admin/users/:u/totp', body: 'none', auth: 'admin', fields: [] },
  { dialect: 'admin', method: 'POST', path: '/v1/admin/users/:u/totp/confirm', body: 'json', auth: 'admin', fields: ['otp'] },
  { dialect: 'admin', method: 'POST', path: '/v1/admin/users/:u/recovery-codes', body: 'none', auth: 'admin', fields: [] },
  { dialect: 'admin', method: 'POST', path: '/v1/admin/users/:u/password', body: 'json', auth: 'admin', fields: ['password'] },
  { dialect: 'admin', method: 'POST', path: '/v1/admin/users/:u/unlock', body: 'none', auth: 'admin', fields: [] },
  { dialect: 'admin', method: 'POST', path: '/v1/admin/users/:u/disable', body: 'none', auth: 'admin', fields: [] },
  { dialect: 'admin', method: 'POST', path: '/v1/admin/users/:u/enable', body: 'none', auth: 'admin', fields: [] },
  { dialect: 'admin', method: 'POST', path: '/v1/admin/users/:u/api-keys', body: 'optional-json', auth: 'admin', fields: ['name'] },
  { dialect: 'admin', method: 'DELETE', path: '/v1/admin/users/:u/api-keys/:id', body: 'none', auth: 'admin', fields: [] },
  { dialect: 'admin', method: 'GET', path: '/v1/admin/events', body: 'none', auth: 'admin', fields: [] },
  { dialect: 'oracle', method: 'POST', path: '/ccadmin/v1/mfalogin', body: 'form', auth: 'none', fields: ['grant_type', 'username', 'password', 'totp_code'] },
  { dialect: 'oracle', method: 'POST', path: '/ccadmin/v1/refresh', body: 'none', auth: 'bearer', fields: [] },
  { dialect: 'oracle', method: 'POST', path: '/ccadmin/v1/logout', body: 'none', auth: 'bearer', fields: [] },
  { dialect: 'oracle', method: 'POST', path: '/ccadmin/v1/verify', body: 'none', auth: 'bearer', fields: [] },
  { dialect: 'appgate', method: 'POST', path: '/admin/authentication', body: 'json', auth: 'none', fields: ['providerName', 'username', 'password', 'deviceId'] },
  { dialect: 'appgate', method: 'GET', path: '/admin/authorization', body: 'none', auth: 'partial', fields: [] },
  { dialect: 'appgate', method: 'POST', path: '/admin/authentication/otp/initialize', body: 'optional-json', auth: 'partial', fields: ['userPassword'] },
  { dialect: 'appgate', method: 'POST', path: '/admin/authentication/otp', body: 'json', auth: 'partial', fields: ['otp', 'state'] },
  { dialect: 'appgate', method: 'POST', path: '/admin/authentication/logout', body: 'none', auth: 'bearer', fields: [] },
  {
    dialect: 'mykaarma',
    method: 'POST',
    path: '/manage/v2/user/:u/validatepasswordonly',
    body: 'json',
    auth: 'none',
    fields: ['password', 'token', 'emailToken', 'userMFARememberMeToken', 'sessionToken', 'mfaRememberDevice'],
  },
];

/**
 * One request to each endpoint, with no credentials (so it changes nothing the fuzz relies on): a route that
 * is not served fails the test, whichever dialect it belongs to.
 */
const assertEveryEndpointServed = async (s: TestServer): Promise<void> => {
  for (const e of endpoints) {
    const path = e.path.replace(':u', 'fuzz-route-probe').replace(':id', 'no-such-key');
    const headers: Record<string, string> = e.dialect === 'appgate' ? { accept: accepts[0]! } : {};
    const reply = await s.call(e.method, path, { headers, ...(e.body === 'none' || e.method === 'GET' ? {} : { json: {} }) });
    assert.not.ok(isRouterNotFound(reply), `${e.dialect}: ${e.method} ${e.path} is served`);
  }
};

// ------------------------------------------------------------------------------------------ random inputs

const unicode = ['é', 'ß', 'İ', 'ﬀ', 'Ω', '😀', '\u0301', '\u200b', '\u202e', '\u2028', '\ufeff', '\u0000', '\r\n', '\t', '"', '\\', '%00', "'", '١٢٣', '𝟙', '\ud800', '\udc00'];
const boundaryLengths = [0, 1, 5, 6, 7, 8, 63, 64, 79, 80, 81, 255, 256, 257, 1023, 1024, 1025, 4096, 4097, 16 * 1024 - 40, 16 * 1024 + 1, 20_000];

const randomString = (r: Prng, known: readonly string[]): string => {
  const roll = r.next();
  if (roll < 0.2 && known.length > 0) return r.pick(known);
  if (roll < 0.3) return 'x'.repeat(r.pick(boundaryLengths));
  if (roll < 0.45) return Array.from({ length: r.int(1, 12) }, () => r.pick(unicode)).join('');
  if (roll < 0.55) return String(r.int(0, 99_999_999)).padStart(r.pick([5, 6, 7, 8, 10]), '0');
  if (roll < 0.65) return r.pick(["' OR 1=1 --", '<script>', '${jndi:ldap://x}', '../../etc/passwd', '__proto__', 'constructor', 'null', 'true', '{}', '[]', '%s%n', 'Bearer ']);
  if (roll < 0.75) return `${crypto.randomUUID()}.${randomBytes(32).toString('base64url')}`;
  return randomBytes(r.int(0, 40)).toString(r.pick(['hex', 'base64', 'latin1'] as const));
};

const randomValue = (r: Prng, known: readonly string[], depth = 0): unknown => {
  const roll = r.next();
  if (roll < 0.45) return randomString(r, known);
  if (roll < 0.55) return r.pick([0, -1, 1.5, 1e308, -1e308, 123456, 2 ** 53, -0]);
  if (roll < 0.62) return r.pick([true, false, null]);
  if (depth > 2) return null;
  if (roll < 0.8) return Array.from({ length: r.int(0, 4) }, () => randomValue(r, known, depth + 1));
  const o: Record<string, unknown> = {};
  for (let i = r.int(0, 4); i > 0; i--) o[r.pick(['a', 'username', '__proto__', 'constructor', 'prototype', '', 'polluted'])] = randomValue(r, known, depth + 1);
  return o;
};

/** A JSON text: a body with the endpoint's fields, random JSON, a poisoned or broken document. */
const randomJsonText = (r: Prng, e: Endpoint, known: readonly string[]): string => {
  const roll = r.next();
  if (roll < 0.65) {
    const o: Record<string, unknown> = {};
    for (const f of e.fields) if (r.chance(0.8)) o[f] = r.chance(0.6) ? randomString(r, known) : randomValue(r, known);
    if (r.chance(0.1)) o[randomString(r, [])] = randomValue(r, known);
    let text = JSON.stringify(o);
    if (r.chance(0.05)) text = text.replace('{', '{"__proto__":{"polluted":1},');
    if (r.chance(0.05) && text.length > 2) text = text.slice(0, r.int(1, text.length - 1));
    return text;
  }
  if (roll < 0.85) return JSON.stringify(randomValue(r, known)) ?? 'null';
  return r.pick(['', '{', '}', '{"a":}', '[1,', 'nul', '\u0000', '{"a":1}{"b":2}', '{"a":"\\ud800"}', '\ufeff{}', ' '.repeat(r.int(0, 100)), '{"a":1e999999}']);
};

const randomForm = (r: Prng, e: Endpoint, known: readonly string[]): string => {
  const pairs: string[] = [];
  for (const f of e.fields) {
    if (!r.chance(0.8)) continue;
    const v = f === 'grant_type' && r.chance(0.7) ? 'password' : randomString(r, known);
    pairs.push(`${r.chance(0.05) ? `${f}[x]` : f}=${r.chance(0.9) ? enc(v) : v}`);
    if (r.chance(0.05)) pairs.push(`${f}=${enc(randomString(r, known))}`);
  }
  if (r.chance(0.1)) pairs.push(r.pick(['__proto__[polluted]=1', 'constructor[prototype][polluted]=1', '%E0%A4%A=1', '=&&=', 'a[b][c][d][e][f][g]=1']));
  return pairs.join('&');
};

/** encodeURIComponent, with lone surrogates (which it refuses) made U+FFFD: the server then sees their UTF-8. */
const enc = (v: string): string => encodeURIComponent(v.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));

/** A header value from any string: its UTF-8 bytes as latin-1 (what goes on the wire), minus what HTTP forbids. */
const hdr = (v: string): string => Buffer.from(v, 'utf8').toString('latin1').replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, '?');

// ------------------------------------------------------------------------------------------ shapes

const parsesAs = (r: Reply): unknown => {
  assert.ok(r.body !== undefined, `a JSON body (${r.status}: ${redact(r.text)})`);
  return r.body;
};

/** The error shape of each dialect (docs/api.md), for any status ≥ 400. */
const assertErrorShape = (dialect: Endpoint['dialect'], r: Reply): void => {
  const b = parsesAs(r) as Record<string, any>;
  switch (dialect) {
    case 'native':
    case 'admin':
    case 'health':
      assert.type(b.error, 'string');
      assert.type(b.message, 'string');
      return;
    case 'oracle':
      assert.type(b.errorCode, 'string');
      assert.type(b.message, 'string');
      assert.is(b.status, String(r.status), 'Oracle status is the HTTP status as a string');
      assert.type(b.type, 'string');
      return;
    case 'appgate':
      assert.type(b.id, 'string');
      assert.type(b.message, 'string');
      return;
    case 'mykaarma':
      assert.ok(Array.isArray(b.errors) && b.errors.length > 0, 'myKaarma errors array');
      for (const e of b.errors) assert.type(e.errorMessage, 'string');
      assert.ok(Array.isArray(b.warnings));
      return;
    default: {
      const _exhaustive: never = dialect;
      return _exhaustive;
    }
  }
};

const contentTypes = ['application/json', 'application/x-www-form-urlencoded', 'text/plain', 'application/json; charset=utf-8', 'application/json; charset=latin-9', 'multipart/form-data; boundary=x', 'application/xml', ''];
const accepts = ['application/vnd.appgate.peer-v18+json', 'application/vnd.appgate.peer-v22+json', 'application/vnd.appgate.peer-v17+json', '*/*', 'application/json', ''];

interface Known {
  readonly strings: string[];
  readonly bearers: string[];
  readonly partials: string[];
  readonly users: TestUser[];
}

const fuzzOne = async (s: TestServer, r: Prng, e: Endpoint, known: Known): Promise<void> => {
  const headers: Record<string, string> = {};
  let path = e.path.replace(':u', enc(r.chance(0.6) ? r.pick(known.users).username : randomString(r, []).slice(0, 300) || 'x')).replace(':id', enc(randomString(r, []).slice(0, 100) || 'x'));
  if (e.path === '/v1/admin/events' && r.chance(0.8)) path += `?${r.pick(['after', 'limit', 'stream', 'x'])}=${enc(randomString(r, []).slice(0, 300))}&limit=${r.pick(['1', '1000', '1001', '-1', 'x', ''])}`;
  if (e.dialect === 'appgate') headers.accept = r.chance(0.85) ? accepts[0]! : r.pick(accepts);
  switch (r.chance(0.85) ? e.auth : r.pick(['none', 'bearer', 'partial', 'admin'] as const)) {
    case 'admin':
      if (r.chance(0.9)) headers.authorization = `Bearer ${s.adminKey}`;
      break;
    case 'bearer':
      if (r.chance(0.8)) headers.authorization = `Bearer ${known.bearers.length > 0 && r.chance(0.6) ? r.pick(known.bearers) : randomString(r, [])}`;
      break;
    case 'partial':
      if (r.chance(0.8)) headers.authorization = `Bearer ${known.partials.length > 0 && r.chance(0.6) ? r.pick(known.partials) : randomString(r, [])}`;
      break;
    case 'none':
      break;
  }
  if (r.chance(0.05)) headers.authorization = r.pick(['Basic YTpi', 'Bearer', 'bearer  x', `Bearer ${'a'.repeat(5000)}`, '\u00e9']);
  if (r.chance(0.1)) headers['x-forwarded-for'] = r.pick(['1.2.3.4', 'garbage', '::1, 2.2.2.2', ' , ,']);
  if (r.chance(0.1)) headers.clientIp = r.pick(['1.2.3.4', 'x', '']);
  if (r.chance(0.05)) headers['user-agent'] = randomString(r, []).slice(0, 500);
  for (const k of Object.keys(headers)) headers[k] = hdr(headers[k]!);
  let body: string | Uint8Array | undefined;
  const bodyKind = e.body === 'none' ? (r.chance(0.1) ? 'json' : 'none') : e.body === 'optional-json' ? r.pick(['json', 'none'] as const) : e.body;
  if (bodyKind === 'json' || bodyKind === 'form') {
    const roll = r.next();
    body = roll < 0.8 ? (bodyKind === 'json' ? randomJsonText(r, e, known.strings) : randomForm(r, e, known.strings)) : roll < 0.9 ? randomBytes(r.int(0, 2000)) : 'x'.repeat(r.pick([16 * 1024, 16 * 1024 + 1, 40_000]));
    headers['content-type'] = r.chance(0.85) ? (bodyKind === 'json' ? 'application/json' : 'application/x-www-form-urlencoded') : r.pick(contentTypes);
    if (headers['content-type'] === '') delete headers['content-type'];
    if (r.chance(0.03)) {
      headers['content-encoding'] = r.pick(['gzip', 'deflate', 'br', 'x-unknown']);
      if (r.chance(0.5)) body = gzipSync(typeof body === 'string' ? body : Buffer.from(body));
    }
  }
  const method = r.chance(0.03) ? r.pick(['PUT', 'PATCH', 'GET', 'DELETE', 'OPTIONS']) : e.method;
  let res: Response;
  try {
    res = await fetch(`${s.url}${path}`, { method, headers, ...(body === undefined || method === 'GET' ? {} : { body: body as BodyInit }) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    // Header names only: values may be real tokens, which are never printed (nor is the fetch error, as a cause).
    // eslint-disable-next-line preserve-caught-error
    throw new Error(`${method} ${e.path} (${body === undefined ? 0 : body.length} bytes; headers ${Object.keys(headers).join(', ')}): ${cause?.code ?? ''} ${cause?.message ?? err}`);
  }
  const reply = await replyOf(res);
  const { text } = reply;
  const what = `${method} ${e.path} → ${res.status} ${redact(text)}`;
  if (process.env.LATCHKEY_FUZZ_DEBUG && res.status >= 500) (await import('node:fs')).writeFileSync(process.env.LATCHKEY_FUZZ_DEBUG, JSON.stringify({ path, method, headers, body: typeof body === 'string' ? body : body && Buffer.from(body).toString('base64') }));
  assert.ok(res.status !== 500 && (res.status < 500 || res.status === 503), what);
  if (res.status === 503) assert.ok(res.headers.get('retry-after'), `${what}: Retry-After`);
  assertNoInternals(text);
  // Node's HTTP parser answers a request line and headers over its 16 KiB limit itself, before any dialect runs.
  if (res.status === 431) return assert.ok(JSON.stringify(headers).length + path.length > 8 * 1024, what);
  if (method !== e.method) {
    assert.ok([404, 405, 200, 204, 401, 406].includes(res.status), what);
    return;
  }
  if (res.status === 204) return assert.is(text, '', what);
  if (e.path === '/metrics' && res.status === 200) return assert.match(text, /^\w+/m);
  const dialect = res.status === 404 && e.dialect === 'admin' ? 'admin' : e.dialect;
  if (res.status >= 400) assertErrorShape(dialect, reply);
  else assert.type(parsesAs(reply), 'object', what);
  // Harvest what the server gave, to go deeper next time.
  const b = reply.body as Record<string, any> | undefined;
  for (const k of ['access_token', 'token']) if (typeof b?.[k] === 'string') known.bearers.push(b[k]);
  for (const k of ['mfa_token', 'sessionToken']) if (typeof b?.[k] === 'string') { known.partials.push(b[k]); known.strings.push(b[k]); }
  if (typeof b?.device_token === 'string') known.strings.push(b.device_token);
};

const rpcMethods = ['auth.login_ex', 'auth.login_ex_continue', 'auth.me', 'auth.logout', 'auth.generate_token', 'auth.mechanism_choices', 'core.ping', 'system.info', 'x'];
const mechanisms = ['PASSWORD_PLAIN', 'OTP_TOKEN', 'TOKEN_PLAIN', 'API_KEY_PLAIN', 'AUTH_TOKEN_PLAIN', 'x', ''];

/** JSON-RPC frames over the TrueNAS socket, which must be served: every answer is JSON-RPC 2.0, never an internal error (-32603). */
const fuzzSocket = async (s: TestServer, r: Prng, known: Known, frames: number, deadline: number): Promise<number> => {
  let ws = await rpcClient(s);
  assert.ok(ws, 'truenas: the JSON-RPC socket at /api/current is served');
  let sent = 0;
  try {
    for (; sent < frames && performance.now() < deadline; sent++) {
      if (ws.closed) {
        ws = (await rpcClient(s))!;
        assert.ok(ws, 'the socket reconnects');
      }
      const u = r.pick(known.users);
      const roll = r.next();
      let reply: any;
      if (roll < 0.7) {
        const params = r.chance(0.8)
          ? [
              {
                mechanism: r.pick(mechanisms),
                username: r.chance(0.7) ? u.username : randomValue(r, known.strings),
                password: r.chance(0.5) ? u.password : randomValue(r, known.strings),
                otp_token: r.chance(0.5) && u.secret ? codeNow(s, u) : randomValue(r, known.strings),
                token: r.chance(0.5) && known.bearers.length > 0 ? r.pick(known.bearers) : randomValue(r, known.strings),
                api_key: randomValue(r, known.strings),
                ...(r.chance(0.2) ? { login_options: randomValue(r, known.strings) } : {}),
              },
            ]
          : (randomValue(r, known.strings) as unknown[]);
        reply = await ws.call(r.pick(rpcMethods), Array.isArray(params) ? params : [params]);
      } else if (roll < 0.9) {
        reply = await ws.raw(r.pick([randomJsonText(r, endpoints[3]!, known.strings), '{"jsonrpc":"2.0","id":1}', '{"jsonrpc":"1.0","id":2,"method":"auth.me"}', '[]', '{"jsonrpc":"2.0","id":{},"method":"auth.me"}']), 500);
      } else {
        reply = await ws.raw(r.chance(0.5) ? randomBytes(r.int(1, 300)) : 'x'.repeat(r.pick([100, 16 * 1024, 17 * 1024])), 500);
      }
      if (reply === null) continue; // a notification, an invalid frame left unanswered, or a closed connection
      assert.ok(reply.unparsable === undefined, 'every frame the server sends is JSON');
      if (reply.msg !== undefined) continue; // a DDP-style message of the product
      assert.is(reply.jsonrpc, '2.0', redact(reply));
      if (reply.error !== undefined) {
        assert.type(reply.error.code, 'number');
        assert.type(reply.error.message, 'string');
        assert.is.not(reply.error.code, -32603, `an internal error: ${redact(reply)}`);
        assertNoInternals(JSON.stringify(reply.error));
      }
    }
  } finally {
    ws.close();
  }
  return sent;
};

test('fuzz: every endpoint of every dialect, random and boundary inputs → no 500, no crash, each error in its dialect shape', async () => {
  const seed = seedFrom('LATCHKEY_FUZZ_SEED');
  const total = Number(process.env.LATCHKEY_FUZZ_REQUESTS || 3000);
  const deadline = performance.now() + 45_000;
  // Real argon2id at a low cost: thousands of logins must fit in the time bound.
  const s = await startTestServer({ env: { LATCHKEY_ARGON2_MEMORY_KIB: '256', LATCHKEY_ARGON2_ITERATIONS: '1' } });
  const r = prng(seed);
  try {
    const users = [await createUser(s), await createUser(s, { mfa: 'exempt', totp: false }), await createUser(s)];
    const known: Known = { strings: users.flatMap((u) => [u.username, u.password]), bearers: [], partials: [], users };
    const login = await s.call('POST', '/v1/login', { json: { username: users[1]!.username, password: users[1]!.password } });
    known.bearers.push(login.body.access_token);
    const partial = await s.call('POST', '/v1/login', { json: { username: users[0]!.username, password: users[0]!.password } });
    known.partials.push(partial.body.mfa_token);

    await assertEveryEndpointServed(s);
    let sent = 0;
    // Six clients, each with its own PRNG (from the seed) and its own harvest, so a client's inputs do not depend
    // on how the others' requests interleave.
    const worker = async (n: number) => {
      const wr = prng(seed + 7919 * (n + 1));
      const mine: Known = { strings: [...known.strings], bearers: [...known.bearers], partials: [...known.partials], users };
      for (let i = 0; i < total / 6 && performance.now() < deadline; i++) {
        sent++;
        await fuzzOne(s, wr, wr.pick(endpoints), mine);
      }
    };
    await Promise.all(Array.from({ length: 6 }, (_, n) => worker(n)));
    const frames = await fuzzSocket(s, r, known, Math.floor(total / 6), deadline + 10_000);
    console.log(`  dialects: ${[...new Set(endpoints.map((e) => e.dialect))].join(', ')}, truenas; ${sent} requests over ${endpoints.length} endpoints, ${frames} socket frames`);
    assert.ok(sent >= Math.min(total, 1000), `enough requests in the time bound (${sent})`);

    // Still alive and well: health, and a real login.
    assert.is((await s.call('GET', '/healthz')).status, 200);
    const ok = await s.call('POST', '/v1/login', { json: { username: users[2]!.username, password: users[2]!.password, otp: codeNow(s, users[2]!, 1) } });
    assert.ok(ok.status === 200 || ok.status === 401, `${ok.status}`);
    assert.is(({} as Record<string, unknown>).polluted, undefined, 'no prototype pollution');
    await settleLog(s);
    const unhandled = logLines(s).filter((l) => l.msg === 'unhandled error' || (typeof l.level === 'number' && l.level >= 50));
    assert.equal(unhandled.map((l) => (l.err as { message?: string } | undefined)?.message ?? l.msg), [], 'no unhandled error was logged');
  } finally {
    await s.close();
  }
});

test.run();
