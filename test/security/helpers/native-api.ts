import * as assert from 'uvu/assert';
import type { CallOptions, Reply } from '../../helpers/http.js';
import type { TestServer, TestUser } from '../../helpers/test-server.js';
import { redact } from './secret-leaks.js';

/*
 * The native API (docs/api.md): its login routes, the admin path of a user, and the shapes of its answers.
 */

/** The admin path of a user, with `rest` after it (`/totp`, `/unlock`, …). */
export const userPath = (a: { username: string }, rest = ''): string => `/v1/admin/users/${encodeURIComponent(a.username)}${rest}`;

export const login = (s: TestServer, body: Record<string, unknown>, opts: CallOptions = {}): Promise<Reply> =>
  s.call('POST', '/v1/login', { ...opts, json: body });

export const loginMfa = (s: TestServer, body: Record<string, unknown>): Promise<Reply> => s.call('POST', '/v1/login/mfa', { json: body });

/** Step one of a two-step login; fails the test unless it answers mfa_required. */
export const mfaToken = async (s: TestServer, a: TestUser): Promise<string> => {
  const r = await login(s, { username: a.username, password: a.password });
  assert.is(r.status, 200, 'the password step answers 200');
  assert.is(r.body.status, 'mfa_required');
  return r.body.mfa_token as string;
};

/** GET /v1/session with an access token (it tells the token's `sub`). */
export const sessionOf = async (s: TestServer, token: string): Promise<Reply> => s.call('GET', '/v1/session', { token });

/** The generic native refusal of POST /v1/login (docs/api.md: one body for every credential failure). */
export const invalidCredentialsText = JSON.stringify({ error: 'invalid_credentials', message: 'Invalid username, password or code.' });

export const assertInvalidCredentials = (r: Reply, what: string): void => {
  assert.is(r.status, 401, `${what}: 401`);
  assert.is(r.text, invalidCredentialsText, `${what}: the generic body`);
  assert.not.ok('mfa_token' in (r.body ?? {}), `${what}: no partial token`);
};

/** A native error body: exactly `{error, message}` (plus the fields docs/api.md names), no stack trace, no internals. */
export const assertNativeError = (r: Reply, status: number, error?: string): void => {
  assert.is(r.status, status, `${r.status} ${redact(r.text)}`);
  assert.type(r.body, 'object', 'a JSON body');
  assert.type(r.body.error, 'string');
  assert.type(r.body.message, 'string');
  if (error !== undefined) assert.is(r.body.error, error);
  assertNoInternals(r.text);
};

/** Nothing of the implementation leaks: stack frames, error class names, file paths, SQL. */
export const assertNoInternals = (text: string): void => {
  assert.not.match(text, /\bat \S+ \(|\.js:\d+|\.ts:\d+|Error:|node_modules|SQLITE|sqlite|TypeError|ReferenceError|\/work\//);
};
