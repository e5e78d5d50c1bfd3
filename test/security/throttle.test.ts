import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Reply } from '../helpers/http.js';
import { type TestServer, createUser, startTestServer } from '../helpers/test-server.js';
import { assertRouted } from './helpers/assert-routed.js';
import { type AuditEvent, accountIdOf, eventsAfter, lastSeq, streamEvents } from './helpers/audit-events.js';
import { assertNativeError } from './helpers/native-api.js';
import { countArgon2 } from './helpers/server-internals.js';
import { median, timed } from './helpers/timing-stats.js';
import { mykaarma } from './helpers/vendor-dialects.js';

/** Tight per-client budget for these tests; the per-account budget stays out of the way (test-server default). */
const tight = (burst: number, extra: Record<string, string> = {}) => ({
  env: { LATCHKEY_THROTTLE_IP_BURST: String(burst), LATCHKEY_THROTTLE_IP_PER_MINUTE: String(burst), ...extra },
});

const wrongLogin = (s: TestServer, username: string, headers: Record<string, string> = {}) =>
  s.call('POST', '/v1/login', { json: { username, password: 'stuffed-password' }, headers });

const assertThrottled = (r: Reply, retryAfter?: number) => {
  assertNativeError(r, 429, 'throttled');
  const header = r.headers.get('retry-after');
  assert.ok(header !== null && /^[1-9]\d*$/.test(header), `Retry-After is a positive integer (${header})`);
  if (retryAfter !== undefined) assert.is(Number(header), retryAfter);
};

/** Distinct requests that appended something: a refused request appends nothing. */
const requestsThatAppended = (events: readonly AuditEvent[]) => new Set(events.map((e) => e.meta.requestId)).size;

test('21. a stuffing wave from one IP → 429 + Retry-After before any argon2 work', async () => {
  const s = await startTestServer(tight(5));
  try {
    const known = await Promise.all([createUser(s, { totp: false }), createUser(s, { totp: false }), createUser(s, { mfa: 'exempt', totp: false })]);
    const argon2 = countArgon2(s);
    const mark = await lastSeq(s);
    // A wave of 30 parallel attempts over known and unknown names, all from 127.0.0.1.
    const names = Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? known[i % 2]!.username : `stuffed-${i}@example.com`));
    const wave = await Promise.all(names.map((n) => wrongLogin(s, n)));
    const admitted = wave.filter((r) => r.status === 401);
    const refused = wave.filter((r) => r.status === 429);
    assert.is(admitted.length, 5, 'exactly the burst is judged');
    assert.is(refused.length, 25);
    for (const r of admitted) assertNativeError(r, 401, 'invalid_credentials');
    // 5 per minute: the next token is 12 s away.
    for (const r of refused) assertThrottled(r, 12);
    assert.is(argon2.verifies(), 5, 'one argon2 verify per judged attempt, none for the refused ones');
    const appended = await eventsAfter(s, mark);
    assert.is(requestsThatAppended(appended), 5, 'the refused requests appended nothing');

    // Even the right password is refused while the client's budget is spent, and fast.
    const exempt = known[2]!;
    const timings: number[] = [];
    for (let i = 0; i < 15; i++) {
      const { value, ms } = await timed(() => s.call('POST', '/v1/login', { json: { username: exempt.username, password: exempt.password } }));
      assertThrottled(value);
      timings.push(ms);
    }
    assert.is(argon2.verifies(), 5);
    assert.ok(median(timings) < 10, `refused answers take ~no time (median ${median(timings).toFixed(1)} ms; an argon2 verify is ~30 ms)`);

    // Retry-After is honest: one second early is still refused, on time one attempt is admitted.
    s.clock.advance(11_000);
    assertThrottled(await wrongLogin(s, 'stuffed-late@example.com'));
    s.clock.advance(1_000);
    assertNativeError(await wrongLogin(s, 'stuffed-late@example.com'), 401, 'invalid_credentials');
    assert.is(argon2.verifies(), 6);
    assertThrottled(await wrongLogin(s, 'stuffed-late@example.com'));

    // A success gives its token back (an office behind one NAT is not throttled by its own logins).
    s.clock.advance(12_000);
    const ok = await s.call('POST', '/v1/login', { json: { username: exempt.username, password: exempt.password } });
    assert.is(ok.status, 200);
    const ok2 = await s.call('POST', '/v1/login', { json: { username: exempt.username, password: exempt.password } });
    assert.is(ok2.status, 200, 'the success did not spend the budget');
  } finally {
    await s.close();
  }
});

test('21. the wave is counted per client: another client address keeps its own budget', async () => {
  // 127.0.0.1 is a trusted proxy here, so two clients behind it can be told apart.
  const s = await startTestServer(tight(3, { LATCHKEY_TRUSTED_PROXIES: '127.0.0.1' }));
  try {
    const argon2 = countArgon2(s);
    const a = { 'x-forwarded-for': '203.0.113.10' };
    const b = { 'x-forwarded-for': '198.51.100.20' };
    const waveA = await Promise.all(Array.from({ length: 10 }, (_, i) => wrongLogin(s, `a${i}`, a)));
    assert.equal(waveA.map((r) => r.status).sort(), [401, 401, 401, ...Array(7).fill(429)]);
    assertNativeError(await wrongLogin(s, 'b0', b), 401, 'invalid_credentials');
    assert.is(argon2.verifies(), 4);
  } finally {
    await s.close();
  }
});

test('22. a spoofed X-Forwarded-For (or myKaarma clientIp) from an untrusted peer is ignored: events and throttle see the peer', async () => {
  const s = await startTestServer(tight(3));
  try {
    const u = await createUser(s, { totp: false });
    const accountId = await accountIdOf(s, u.username);
    const mark = await lastSeq(s);
    // Each attempt claims to come from a new address; the throttle must count them all against 127.0.0.1.
    const spoofs = ['203.0.113.1', '203.0.113.2, 198.51.100.3', '10.0.0.4'];
    for (const xff of spoofs) assertNativeError(await wrongLogin(s, u.username, { 'x-forwarded-for': xff }), 401, 'invalid_credentials');
    assertThrottled(await wrongLogin(s, u.username, { 'x-forwarded-for': '192.0.2.99' }));
    assertThrottled(await wrongLogin(s, u.username, { 'x-real-ip': '192.0.2.98', forwarded: 'for=192.0.2.97' }));
    const rejected = (await streamEvents(s, `account-${accountId}`)).filter((e) => e.seq > mark);
    assert.is(rejected.filter((e) => e.type === 'PasswordRejected').length, 3);
    for (const e of rejected) assert.is(e.meta.ip, '127.0.0.1', 'the event records the socket peer, not the claimed address');

    // myKaarma's clientIp header is believed only from a trusted caller either.
    s.clock.advance(60_000);
    const spoofed = await mykaarma(s, u.username, { password: 'stuffed-password' }, { headers: { clientIp: '203.0.113.77' } });
    assertRouted(spoofed, 'myKaarma: POST /manage/v2/user/:userName/validatepasswordonly');
    assert.is(spoofed.status, 401);
    const events = (await streamEvents(s, `account-${accountId}`)).filter((e) => e.meta.dialect === 'mykaarma');
    assert.ok(events.length > 0);
    for (const e of events) assert.is(e.meta.ip, '127.0.0.1');
  } finally {
    await s.close();
  }
});

test('22. from a configured trusted proxy, the right-most untrusted X-Forwarded-For entry is the client', async () => {
  const s = await startTestServer(tight(3, { LATCHKEY_TRUSTED_PROXIES: '127.0.0.1, 10.0.0.1' }));
  try {
    const u = await createUser(s, { totp: false });
    const accountId = await accountIdOf(s, u.username);
    const cases: [string | null, string][] = [
      ['203.0.113.7', '203.0.113.7'],
      // The client may prepend anything; the proxies append what they saw, so the right-most untrusted hop counts.
      ['6.6.6.6, 203.0.113.7', '203.0.113.7'],
      ['6.6.6.6, 203.0.113.8, 10.0.0.1', '203.0.113.8'],
      ['not-an-address', '127.0.0.1'],
      [null, '127.0.0.1'],
    ];
    for (const [xff, expected] of cases) {
      const mark = await lastSeq(s);
      assertNativeError(await wrongLogin(s, u.username, xff === null ? {} : { 'x-forwarded-for': xff }), 401, 'invalid_credentials');
      const appended = (await eventsAfter(s, mark)).filter((e) => e.stream === `account-${accountId}`);
      assert.ok(appended.length > 0);
      for (const e of appended) assert.is(e.meta.ip, expected, `X-Forwarded-For: ${xff}`);
      await s.admin('POST', `/v1/admin/users/${encodeURIComponent(u.username)}/unlock`);
    }
    // 203.0.113.7 has spent its 3 (two above, and this one); prepending a fresh address does not help it.
    assertNativeError(await wrongLogin(s, u.username, { 'x-forwarded-for': '203.0.113.7' }), 401, 'invalid_credentials');
    assertThrottled(await wrongLogin(s, u.username, { 'x-forwarded-for': '1.2.3.4, 203.0.113.7' }));
    assertThrottled(await wrongLogin(s, u.username, { 'x-forwarded-for': '203.0.113.7' }));
  } finally {
    await s.close();
  }
});

test.run();
