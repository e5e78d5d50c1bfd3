import { request } from 'node:http';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BenchClient } from '../../bench/http-client.js';
import { loopbackAddresses } from '../../bench/flood-load.js';
import type { Reply } from '../helpers/http.js';
import { startTestServer } from '../helpers/test-server.js';
import { eventsAfter, lastSeq } from './helpers/audit-events.js';
import { countArgon2 } from './helpers/server-internals.js';
import { createCrowd, crowdLogin } from './helpers/totp-crowd.js';
import { oracleLogin } from './helpers/vendor-dialects.js';

/*
 * docs/security.md §37: a flood from one address that ignores Retry-After. Bounded floods (each of 64 keep-alive
 * clients sends a fixed number of wrong password steps, each the moment the previous answer arrives) against a small
 * per-address budget; the test clock stands still, so the budget never refills while a test runs.
 */
const budget = 5;
const env = (extra: Record<string, string> = {}) => ({
  env: { LATCHKEY_THROTTLE_IP_BURST: String(budget), LATCHKEY_THROTTLE_IP_PER_MINUTE: String(budget), LATCHKEY_ARGON2_MAX_QUEUE: '128', ...extra },
});

/** One JSON POST from a given loopback address, with extra headers; its status. */
const postFrom = (url: string, localAddress: string, path: string, json: unknown, headers: Record<string, string>): Promise<number> =>
  new Promise((resolve, reject) => {
    const body = JSON.stringify(json);
    const req = request(`${url}${path}`, { method: 'POST', localAddress, agent: false, headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    req.end(body);
  });

const tally = (statuses: readonly (number | string)[]) => statuses.reduce<Record<string, number>>((t, s) => ({ ...t, [s]: (t[s] ?? 0) + 1 }), {});

/** `clients` connections from `address`, each sending `each` wrong password steps back to back; every answer's status. */
const flood = async (url: string, address: string, clients: number, each: number): Promise<(number | string)[]> => {
  const client = new BenchClient(url, clients, address);
  const statuses: (number | string)[] = [];
  try {
    await Promise.all(
      Array.from({ length: clients }, async (_, i) => {
        for (let k = 0; k < each; k++) {
          const a = await client.call('POST', '/v1/login', { username: `flood-${i}@example.com`, password: 'flooded-password' }).then(
            (r) => r.status,
            () => 'no answer',
          );
          statuses.push(a);
        }
      }),
    );
  } finally {
    client.close();
  }
  return statuses;
};

test('34. a flood from one address ignoring Retry-After: its answers are 429 (and its budget), other addresses still log in', async () => {
  const s = await startTestServer(env());
  const good = new BenchClient(s.url, 8, loopbackAddresses(8));
  try {
    const users = await createCrowd(s, 8, 'other');
    const argon2 = countArgon2(s);
    const mark = await lastSeq(s);
    const started = performance.now();
    const [statuses, logins] = await Promise.all([
      flood(s.url, '127.0.0.1', 64, 5),
      Promise.all(users.map(async (u) => [await crowdLogin(good, u), await crowdLogin(good, u)])),
    ]);
    const seconds = (performance.now() - started) / 1000;
    assert.equal(tally(statuses), { 401: budget, 429: 64 * 5 - budget }, 'the budget is judged, everything else refused with 429');
    assert.is(logins.flat().filter((r) => r.ok).length, 16, 'every login from the other addresses completed');
    assert.is(argon2.verifies(), 16 + budget, 'no argon2 for a refused request');
    const fromFlood = (await eventsAfter(s, mark)).filter((e) => e.meta.ip === '127.0.0.1');
    assert.is(new Set(fromFlood.map((e) => e.meta.requestId)).size, budget, 'only the judged guesses appended events');
    // At most 100 early refusals a second per address (after a burst of 100): the ~250 early ones take over a second.
    assert.ok(seconds > 1, `the flood was made to wait (${seconds.toFixed(2)} s)`);

    // Every refusal is counted in the throttle's aggregated record, the early ones too (docs/security.md §21).
    const before = await lastSeq(s);
    await s.running.latchkey.recordThrottleRefusals();
    const recorded = (await eventsAfter(s, before)).filter((e) => e.type === 'ThrottleRefusals' && e.data.key === '127.0.0.1');
    assert.is(recorded.reduce((n, e) => n + (e.data.count as number), 0), 64 * 5 - budget);
  } finally {
    good.close();
    await s.close();
  }
});

/** Everything of an answer but its request id, Retry-After and date. */
const shape = (r: Reply) => ({
  status: r.status,
  text: r.text,
  headers: [...r.headers.entries()].filter(([k]) => !['x-request-id', 'retry-after', 'date', 'connection', 'keep-alive'].includes(k)),
});

test('34. a refusal answered before koa is the dialect\'s own 429, with the remaining Retry-After', async () => {
  const s = await startTestServer(env());
  try {
    const refused: Reply[] = [];
    for (let i = 0; i < budget + 4; i++) {
      const r = await oracleLogin(s, { username: `guess-${i}`, password: 'guessed-password' });
      if (r.status === 429) refused.push(r);
      else assert.is(r.status, 401);
    }
    assert.is(refused.length, 4);
    // The first 429 came from the application; the next three from the early refusals: the same bytes.
    for (const r of refused.slice(1)) assert.equal(shape(r), shape(refused[0]!));
    for (const r of refused) assert.is(r.headers.get('retry-after'), '12', '5 a minute: the next token is 12 s away');
    assert.ok(new Set(refused.map((r) => r.headers.get('x-request-id'))).size === 4, 'each answer has its own request id');
    s.clock.advance(5_000);
    assert.is((await oracleLogin(s, { username: 'guess-late', password: 'guessed-password' })).headers.get('retry-after'), '7');
    s.clock.advance(7_000);
    assert.is((await oracleLogin(s, { username: 'guess-late', password: 'guessed-password' })).status, 401, 'on time, judged again');
  } finally {
    await s.close();
  }
});

test('34. behind a trusted proxy the early refusal uses the forwarded client address, never the proxy\'s', async () => {
  const s = await startTestServer(env({ LATCHKEY_TRUSTED_PROXIES: '127.0.0.1' }));
  try {
    const wrong = (xff: string) => s.call('POST', '/v1/login', { json: { username: 'someone', password: 'guessed-password' }, headers: { 'x-forwarded-for': xff } });
    for (let i = 0; i < budget; i++) assert.is((await wrong('203.0.113.10')).status, 401);
    for (let i = 0; i < 3; i++) assert.is((await wrong('203.0.113.10')).status, 429);
    assert.is((await wrong('198.51.100.20')).status, 401, 'another client behind the same proxy is judged');
    // An untrusted peer's X-Forwarded-For is ignored: 127.0.0.2 is refused as itself, whatever it claims.
    const statuses: number[] = [];
    for (let i = 0; i < budget + 3; i++) statuses.push(await postFrom(s.url, '127.0.0.2', '/v1/login', { username: 'someone', password: 'guessed-password' }, { 'x-forwarded-for': `192.0.2.${i}` }));
    assert.equal(tally(statuses), { 401: budget, 429: 3 });
  } finally {
    await s.close();
  }
});

test.run();
