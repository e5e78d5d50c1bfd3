import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { maxSupportedVersion, peerMediaType } from '../../../adapters/http/appgate/peer-version.js';
import type { Reply } from '../../helpers/http.js';
import { type TestServer, startTestServer } from '../../helpers/test-server.js';
import { assertNoLeak } from '../../security/helpers/secret-leaks.js';

/**
 * docs/api.md, "Unknown paths and methods": an unknown path is 404 and a known path with another method 405 with
 * `Allow`, both in the error shape of the path's prefix. koa answers 200 when a body is assigned to an unset status:
 * every case asserts the status first.
 */
const t = suite<{ s: TestServer }>('unknown paths and methods, per prefix');
t.before(async (ctx) => {
  ctx.s = await startTestServer();
});
t.after(async (ctx) => ctx.s.close());

const json = 'application/json; charset=utf-8';
const appgateType = (version = maxSupportedVersion) => peerMediaType(version);

const native404 = { error: 'not_found', message: 'Not found.' };
const native405 = { error: 'method_not_allowed', message: 'Method not allowed.' };
const oracle404 = { errorCode: '404', message: 'Not found.', status: '404', type: 'https://tools.ietf.org/html/rfc7231#section-6.5.4' };
const oracle405 = { errorCode: '405', message: 'Method not allowed.', status: '405', type: 'https://tools.ietf.org/html/rfc7231#section-6.5.5' };
const appgate404 = { id: 'not found', message: 'Not found.' };
const appgate405 = { id: 'method not allowed', message: 'Method not allowed.' };
/** The envelope carries the request's id, which is also the X-Request-Id header. */
const mykaarma = (status: number, title: string, message: string) => (requestId: string) => ({
  errors: [{ errorCode: status, errorTitle: title, errorMessage: message }],
  warnings: [],
  apiRequestId: requestId,
});
const mykaarma404 = mykaarma(404, 'NOT_FOUND', 'Not found.');
const mykaarma405 = mykaarma(405, 'METHOD_NOT_ALLOWED', 'Method not allowed.');

interface Case {
  readonly method: string;
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly status: 404 | 405;
  /** The exact `Allow` on a 405; no header at all on a 404. */
  readonly allow?: string;
  readonly type: string;
  readonly body: object | ((requestId: string) => object);
}

const appgateV20 = { accept: 'application/vnd.appgate.peer-v20+json' };

const cases: readonly Case[] = [
  // Native (and whatever has no dialect prefix).
  { method: 'GET', path: '/v1/nonexistent', status: 404, type: json, body: native404 },
  { method: 'GET', path: '/', status: 404, type: json, body: native404 },
  { method: 'POST', path: '/v1/login/nothing', status: 404, type: json, body: native404 },
  { method: 'DELETE', path: '/v1/admin/nothing', status: 404, type: json, body: native404 },
  { method: 'OPTIONS', path: '/v1/nonexistent', status: 404, type: json, body: native404 },
  { method: 'PROPFIND', path: '/v1/nonexistent', status: 404, type: json, body: native404 },
  { method: 'GET', path: '/administrator', status: 404, type: json, body: native404 },
  { method: 'GET', path: '/v1/login', status: 405, allow: 'POST', type: json, body: native405 },
  { method: 'DELETE', path: '/v1/login', status: 405, allow: 'POST', type: json, body: native405 },
  { method: 'POST', path: '/v1/session', status: 405, allow: 'HEAD, GET', type: json, body: native405 },
  { method: 'PUT', path: '/.well-known/jwks.json', status: 405, allow: 'HEAD, GET', type: json, body: native405 },
  { method: 'POST', path: '/healthz', status: 405, allow: 'HEAD, GET', type: json, body: native405 },
  { method: 'GET', path: '/v1/admin/users/someone/devices', status: 405, allow: 'DELETE', type: json, body: native405 },
  { method: 'PROPFIND', path: '/v1/logout', status: 405, allow: 'POST', type: json, body: native405 },
  // TrueNAS: its paths are WebSocket upgrades; a plain HTTP request there is not JSON-RPC, and answers natively.
  { method: 'GET', path: '/api/current', status: 404, type: json, body: native404 },
  { method: 'POST', path: '/api/current', status: 404, type: json, body: native404 },
  { method: 'GET', path: '/websocket', status: 404, type: json, body: native404 },
  { method: 'GET', path: '/api/v2.0/system/info', status: 404, type: json, body: native404 },
  // Oracle Commerce Cloud: the errorModel, `status` a string.
  { method: 'GET', path: '/ccadmin/v1/nothing', status: 404, type: json, body: oracle404 },
  { method: 'POST', path: '/ccadmin/v1/nothing', status: 404, type: json, body: oracle404 },
  { method: 'GET', path: '/ccadmin', status: 404, type: json, body: oracle404 },
  { method: 'GET', path: '/CCADMIN/v1/Nothing', status: 404, type: json, body: oracle404 },
  { method: 'PROPFIND', path: '/ccadmin/v1/nothing', status: 404, type: json, body: oracle404 },
  { method: 'GET', path: '/ccadmin/v1/mfalogin', status: 405, allow: 'POST', type: json, body: oracle405 },
  { method: 'PUT', path: '/ccadmin/v1/refresh', status: 405, allow: 'POST', type: json, body: oracle405 },
  { method: 'DELETE', path: '/ccadmin/v1/logout', status: 405, allow: 'POST', type: json, body: oracle405 },
  { method: 'PATCH', path: '/ccadmin/v1/verify', status: 405, allow: 'POST', type: json, body: oracle405 },
  { method: 'PROPFIND', path: '/ccadmin/v1/mfalogin', status: 405, allow: 'POST', type: json, body: oracle405 },
  { method: 'GET', path: '/CCADMIN/v1/MFALOGIN', status: 405, allow: 'POST', type: json, body: oracle405 },
  // Appgate: {id, message} in the peer media type; no route, so no version check: 404/405 whatever the Accept.
  { method: 'GET', path: '/admin/nothing', status: 404, type: appgateType(), body: appgate404 },
  { method: 'GET', path: '/admin/nothing', headers: appgateV20, status: 404, type: appgateType(20), body: appgate404 },
  { method: 'POST', path: '/admin/v1/nothing', headers: { accept: 'application/vnd.appgate.peer-v5+json' }, status: 404, type: appgateType(), body: appgate404 },
  { method: 'GET', path: '/admin', headers: { accept: 'application/json' }, status: 404, type: appgateType(), body: appgate404 },
  { method: 'GET', path: '/admin/authentication', status: 405, allow: 'POST', type: appgateType(), body: appgate405 },
  { method: 'DELETE', path: '/admin/authorization', headers: appgateV20, status: 405, allow: 'HEAD, GET', type: appgateType(20), body: appgate405 },
  { method: 'PUT', path: '/admin/authentication/otp', status: 405, allow: 'POST', type: appgateType(), body: appgate405 },
  // myKaarma: the envelope.
  { method: 'GET', path: '/manage/v2/nothing', status: 404, type: json, body: mykaarma404 },
  { method: 'POST', path: '/manage/v2/user/someone/nothing', status: 404, type: json, body: mykaarma404 },
  { method: 'GET', path: '/manage', status: 404, type: json, body: mykaarma404 },
  { method: 'GET', path: '/manage/v2/user/someone/validatepasswordonly', status: 405, allow: 'POST', type: json, body: mykaarma405 },
  { method: 'DELETE', path: '/manage/v2/user/someone/validatepasswordonly', status: 405, allow: 'POST', type: json, body: mykaarma405 },
];

const label = (c: Case) => `${c.method} ${c.path}${c.headers?.accept ? ` (Accept ${c.headers.accept})` : ''}`;

t('every unknown path is 404 and every wrong method 405 with Allow, in the prefix\'s shape, byte for byte', async ({ s }) => {
  for (const c of cases) {
    const r = await s.call(c.method, c.path, c.headers ? { headers: c.headers } : {});
    assert.is(r.status, c.status, label(c));
    assert.is(r.headers.get('allow'), c.allow ?? null, `${label(c)}: Allow`);
    assert.is(r.headers.get('content-type'), c.type, `${label(c)}: content type`);
    const requestId = r.headers.get('x-request-id')!;
    const body = typeof c.body === 'function' ? c.body(requestId) : c.body;
    assert.is(r.text, JSON.stringify(body), `${label(c)}: body`);
    assert.is(r.headers.get('x-content-type-options'), 'nosniff');
    assert.is(r.headers.get('cache-control'), 'no-store');
  }
});

t('HEAD of an unknown path is a 404 without a body; OPTIONS of a known path lists its methods', async ({ s }) => {
  for (const path of ['/v1/nonexistent', '/ccadmin/v1/nothing', '/admin/nothing', '/manage/v2/nothing']) {
    const r = await s.call('HEAD', path);
    assert.is(r.status, 404, path);
    assert.is(r.text, '');
  }
  const options = await s.call('OPTIONS', '/ccadmin/v1/mfalogin');
  assert.is(options.status, 200);
  assert.is(options.headers.get('allow'), 'POST');
});

t('the known routes still answer as before', async ({ s }) => {
  assert.equal((await s.call('GET', '/healthz')).body.status, 'ok');
  const login = await s.call('POST', '/v1/login', { json: { username: 'nobody-unknown-paths', password: 'wrong-password' } });
  assert.is(login.status, 401);
  assert.is(login.body.error, 'invalid_credentials');
  const verify = await s.call('POST', '/ccadmin/v1/verify');
  assert.is(verify.status, 401);
  assert.is(verify.body.status, '401');
  const authorization = await s.call('GET', '/admin/authorization');
  assert.is(authorization.status, 406, 'the Appgate routes keep their Accept check');
  assert.is(authorization.body.id, 'not acceptable');
  const mk = await s.call('POST', '/manage/v2/user/nobody-unknown-paths/validatepasswordonly', { json: {} });
  assert.is(mk.status, 400);
  assert.is(mk.body.errors[0].errorCode, 400);
});

t('an unknown path is not logged: people type secrets into URLs (docs/security.md §29)', async ({ s }) => {
  const canary = 'canary-pw-Zq8vX3';
  const replies: Reply[] = [];
  for (const path of [`/v1/${canary}`, `/ccadmin/v1/${canary}`, `/admin/${canary}`, `/manage/v2/user/${canary}/nothing`, `/manage/v2/user/${canary}/validatepasswordonly`, `/${canary}`]) {
    for (const method of ['GET', 'POST', 'PROPFIND']) replies.push(await s.call(method, path));
  }
  assert.ok(replies.every((r) => r.status >= 400 && r.status < 500), 'a 4xx each, never a crash');
  await assertNoLeak(s, { secrets: [canary] });
});

t.run();
