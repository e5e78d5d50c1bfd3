import { readFileSync } from 'node:fs';
import * as assert from 'uvu/assert';
import type { CallOptions, Reply } from '../helpers/http.js';
import { oathtool } from '../helpers/oathtool.js';
import type { TestServer, TestUser } from '../helpers/test-server.js';

/**
 * Shared by the files of test/security/: the events a stream gained, codes that are certainly wrong, and the leak
 * checks (ASVS v5 16.2.5: no password, code, token or seed in answers, events or logs).
 */

export interface LoggedEvent {
  readonly seq: number;
  readonly stream: string;
  readonly version: number;
  readonly type: string;
  readonly data: any;
  readonly meta: any;
  readonly at: number;
}

export const userPath = (a: TestUser, rest = ''): string => `/v1/admin/users/${encodeURIComponent(a.username)}${rest}`;

/** The oathtool code of `a` for the instant `ms` (an independent implementation, never the engine's). */
export const codeAt = (a: TestUser, ms: number): string => oathtool(a.secret!, ms);

/** A 6-digit code that matches none of the steps T−2 … T+2 around `ms`: wrong whatever the window. */
export const wrongCodeAt = (a: TestUser, ms: number): string => {
  const near = new Set([-2, -1, 0, 1, 2].map((k) => codeAt(a, ms + k * 30_000)));
  for (let d = 0; ; d++) {
    const candidate = String((d * 142_857) % 1_000_000).padStart(6, '0');
    if (!near.has(candidate)) return candidate;
  }
};

export const wrongCodeNow = (s: TestServer, a: TestUser): string => wrongCodeAt(a, s.clock.now());

/** Every event of a stream, in order (pages through GET /v1/admin/events). */
export const streamEvents = async (s: TestServer, stream: string): Promise<LoggedEvent[]> => {
  const out: LoggedEvent[] = [];
  for (let after = 0; ; ) {
    const page = await s.admin('GET', `/v1/admin/events?stream=${encodeURIComponent(stream)}&after=${after}&limit=1000`);
    if (page.status !== 200) throw new Error(`events: ${page.status}`);
    out.push(...(page.body.events as LoggedEvent[]));
    if (page.body.events.length < 1000) return out;
    after = page.body.next as number;
  }
};

/** Every event after `seq`, all streams. */
export const eventsAfter = async (s: TestServer, seq: number): Promise<LoggedEvent[]> => {
  const out: LoggedEvent[] = [];
  for (let after = seq; ; ) {
    const page = await s.admin('GET', `/v1/admin/events?after=${after}&limit=1000`);
    if (page.status !== 200) throw new Error(`events: ${page.status}`);
    out.push(...(page.body.events as LoggedEvent[]));
    if (page.body.events.length < 1000) return out;
    after = page.body.next as number;
  }
};

/** The seq of the newest event: a mark to read what a step appended. */
export const lastSeq = async (s: TestServer): Promise<number> => {
  const all = await eventsAfter(s, 0);
  return all.length === 0 ? 0 : all[all.length - 1]!.seq;
};

/** Reads a stream's new events step by step: each `next()` gives what was appended since the previous call. */
export const watch = async (s: TestServer, stream: string) => {
  let seen = (await streamEvents(s, stream)).length;
  return {
    next: async (): Promise<LoggedEvent[]> => {
      const all = await streamEvents(s, stream);
      const fresh = all.slice(seen);
      seen = all.length;
      return fresh;
    },
  };
};

export const accountStream = (a: { id: string }): string => `account-${a.id}`;
export const typesOf = (events: readonly LoggedEvent[]): string[] => events.map((e) => e.type);

/** `sub` of an access token, as GET /v1/session tells it. */
export const sessionOf = async (s: TestServer, token: string): Promise<Reply> => s.call('GET', '/v1/session', { token });

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

/** The generic native refusal of POST /v1/login (docs/api.md: one body for every credential failure). */
export const invalidCredentialsText = JSON.stringify({ error: 'invalid_credentials', message: 'Invalid username, password or code.' });

export const assertInvalidCredentials = (r: Reply, what: string): void => {
  assert.is(r.status, 401, `${what}: 401`);
  assert.is(r.text, invalidCredentialsText, `${what}: the generic body`);
  assert.not.ok('mfa_token' in (r.body ?? {}), `${what}: no partial token`);
};

/** Headers that are per request by nature and so excluded from "identical answers". */
export const perRequestHeaders = ['date', 'x-request-id'] as const;

export const stableHeaders = (r: Reply): [string, string][] =>
  [...r.headers.entries()].filter(([k]) => !(perRequestHeaders as readonly string[]).includes(k.toLowerCase())).sort(([a], [b]) => a.localeCompare(b));

/** Status, body bytes and every header but the per-request ones. */
export const assertSameAnswer = (a: Reply, b: Reply, what: string): void => {
  assert.is(b.status, a.status, `${what}: same status`);
  assert.ok(b.text === a.text, `${what}: byte-identical body`);
  assert.equal(stableHeaders(b), stableHeaders(a), `${what}: same headers (except ${perRequestHeaders.join(', ')})`);
};

const contains = (text: string, secret: string): boolean =>
  // A code is all digits: only a standalone occurrence counts, so a timestamp that happens to contain it is not a hit.
  /^\d+$/.test(secret) ? new RegExp(`(?<![0-9])${secret}(?![0-9])`).test(text) : text.includes(secret);

/** Fails naming only where and what kind of secret, never the secret itself (test output must not hold it either). */
export const assertAbsent = (where: string, text: string, secrets: readonly string[]): void => {
  secrets.forEach((secret, i) => {
    if (secret.length === 0) return;
    assert.ok(!contains(text, secret), `${where} holds secret #${i} (${/^\d+$/.test(secret) ? 'a code' : `${secret.length} chars`})`);
  });
};

/** The server log up to and including the line of `last` (polls: the log stream writes asynchronously). */
export const serverLogThrough = async (s: TestServer, last: Reply): Promise<string> => {
  const requestId = last.headers.get('x-request-id');
  if (!requestId) throw new Error('reply without X-Request-Id');
  for (let i = 0; ; i++) {
    const text = readFileSync(s.logPath, 'utf8');
    if (text.includes(requestId) || i >= 100) return text;
    await new Promise((r) => setTimeout(r, 20));
  }
};

/**
 * ASVS v4 7.1.1 / v5 16.2.5: none of `secrets` is in the answers where they have no business (`replies`), in the
 * events of `streams`, or in the server log (read through the last of `replies`, or through a fresh request).
 */
export const assertNoLeak = async (
  s: TestServer,
  opts: { secrets: readonly string[]; replies?: readonly Reply[]; streams?: readonly string[] },
): Promise<void> => {
  const replies = opts.replies ?? [];
  replies.forEach((r, i) => assertAbsent(`answer #${i}`, r.text, opts.secrets));
  for (const stream of opts.streams ?? []) assertAbsent(`events of ${stream}`, JSON.stringify(await streamEvents(s, stream)), opts.secrets);
  const last = await s.call('GET', '/healthz');
  assertAbsent('server log', await serverLogThrough(s, last), opts.secrets);
};

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

/** An Appgate SDP admin call (peer-v22 media type). */
export const appgate = (s: TestServer, method: string, path: string, opts: CallOptions = {}): Promise<Reply> =>
  s.call(method, path, { ...opts, headers: { accept: 'application/vnd.appgate.peer-v22+json', ...(opts.headers ?? {}) } });

export const appgateLogin = (s: TestServer, a: { username: string; password: string }, username = a.username): Promise<Reply> =>
  appgate(s, 'POST', '/admin/authentication', { json: { providerName: 'local', username, password: a.password, deviceId: 'security-suite' } });

/** myKaarma `POST /manage/v2/user/:userName/validatepasswordonly`. */
export const mykaarma = (s: TestServer, userName: string, body: Record<string, unknown>): Promise<Reply> =>
  s.call('POST', `/manage/v2/user/${encodeURIComponent(userName)}/validatepasswordonly`, { json: body });

/** myKaarma's envelope carries the request id (`apiRequestId` = X-Request-Id): the one per-request part of its body. */
export const withoutRequestId = (r: Reply): string => {
  assert.is(r.body?.apiRequestId, r.headers.get('x-request-id'), 'apiRequestId is the request id');
  const { apiRequestId: _id, ...rest } = r.body as Record<string, unknown>;
  return JSON.stringify(rest);
};
