import * as assert from 'uvu/assert';
import type { CallOptions, Reply } from '../../helpers/http.js';
import type { TestServer } from '../../helpers/test-server.js';

/*
 * The vendor dialects, for the attacks that are about crossing them (docs/api.md: "no dialect has its own lockout,
 * replay or token logic").
 */

/** Oracle Commerce Cloud `POST /ccadmin/v1/mfalogin` (form): one step; `totp_code` omitted when undefined. */
export const oracleLogin = (s: TestServer, f: { username: string; password: string; totp_code?: string }): Promise<Reply> =>
  s.call('POST', '/ccadmin/v1/mfalogin', {
    form: { grant_type: 'password', username: f.username, password: f.password, ...(f.totp_code === undefined ? {} : { totp_code: f.totp_code }) },
  });

/** Oracle's one credentials refusal (adapters/http/oracle/render-oracle-failure.ts). */
export const assertOracleRefusal = (r: Reply, what: string): void => {
  assert.is(r.status, 401, `${what}: 401`);
  assert.equal(
    r.body,
    { errorCode: '83041', message: 'Invalid username, password or passcode.', status: '401', type: 'https://tools.ietf.org/html/rfc7235#section-3.1' },
    `${what}: Oracle's generic body`,
  );
};

/** The Appgate SDP media type these tests speak. */
export const appgateAccept = 'application/vnd.appgate.peer-v22+json';

/** An Appgate SDP admin call (peer-v22 media type). */
export const appgate = (s: TestServer, method: string, path: string, opts: CallOptions = {}): Promise<Reply> =>
  s.call(method, path, { ...opts, headers: { accept: appgateAccept, ...(opts.headers ?? {}) } });

export const appgateLogin = (s: TestServer, a: { username: string; password: string }, username = a.username): Promise<Reply> =>
  appgate(s, 'POST', '/admin/authentication', { json: { providerName: 'local', username, password: a.password, deviceId: 'security-suite' } });

/** myKaarma `POST /manage/v2/user/:userName/validatepasswordonly`. */
export const mykaarmaPath = (userName: string): string => `/manage/v2/user/${encodeURIComponent(userName)}/validatepasswordonly`;

export const mykaarma = (s: TestServer, userName: string, body: Record<string, unknown>, opts: CallOptions = {}): Promise<Reply> =>
  s.call('POST', mykaarmaPath(userName), { ...opts, json: body });

/** myKaarma's envelope carries the request id (`apiRequestId` = X-Request-Id): the one per-request part of its body. */
export const withoutRequestId = (r: Reply): string => {
  assert.is(r.body?.apiRequestId, r.headers.get('x-request-id'), 'apiRequestId is the request id');
  const { apiRequestId: _id, ...rest } = r.body as Record<string, unknown>;
  return JSON.stringify(rest);
};
