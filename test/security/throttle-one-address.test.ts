import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BenchClient } from '../../bench/http-client.js';
import { startTestServer } from '../helpers/test-server.js';
import { eventsAfter, lastSeq } from './helpers/audit-events.js';
import { countArgon2 } from './helpers/server-internals.js';
import { createCrowd, crowdLogin } from './helpers/totp-crowd.js';

/*
 * docs/security.md §21 with 64 parallel keep-alive clients, all from 127.0.0.1 (a shift change behind one NAT): the
 * default per-address budget (30, 30 a minute) and an argon2 queue that holds 64 (so 64 at once is below its bound,
 * and any 503 would be the throttle's). The test clock stands still: no token refills while a test runs.
 */
const oneAddress = { env: { LATCHKEY_THROTTLE_IP_BURST: '30', LATCHKEY_THROTTLE_IP_PER_MINUTE: '30', LATCHKEY_ARGON2_MAX_QUEUE: '128' } };
const clients = 64;
const budget = 30;

const tally = (statuses: readonly number[]) => statuses.reduce<Record<number, number>>((t, s) => ({ ...t, [s]: (t[s] ?? 0) + 1 }), {});

test('21. 64 parallel clients behind one address, every login correct: none refused (no 429, no 503)', async () => {
  const s = await startTestServer(oneAddress);
  const client = new BenchClient(s.url, clients);
  try {
    const users = await createCrowd(s, clients, 'shift');
    const argon2 = countArgon2(s);
    // Each client logs its user in twice (the current and the next TOTP step): 128 complete two-step logins.
    const results = (await Promise.all(users.map(async (u) => [await crowdLogin(client, u), await crowdLogin(client, u)]))).flat();
    assert.equal(tally(results.map((r) => r.first)), { 200: 2 * clients }, 'every password step answered 200: none throttled or shed');
    assert.is(results.filter((r) => r.ok).length, 2 * clients, 'every login completed');
    assert.is(argon2.verifies(), 2 * clients);
  } finally {
    client.close();
    await s.close();
  }
});

test('21. 64 parallel wrong guesses from one address: the budget is judged, the rest are 429 without argon2', async () => {
  const s = await startTestServer(oneAddress);
  const client = new BenchClient(s.url, clients);
  try {
    const [victim] = await createCrowd(s, 1, 'victim');
    const argon2 = countArgon2(s);
    const mark = await lastSeq(s);
    const names = Array.from({ length: clients }, (_, i) => (i % 2 === 0 ? victim!.username : `guess-${i}@example.com`));
    const wave = await Promise.all(names.map((username) => client.call('POST', '/v1/login', { username, password: 'guessed-password' })));
    assert.equal(tally(wave.map((r) => r.status)), { 401: budget, 429: clients - budget });
    for (const r of wave.filter((a) => a.status === 429)) assert.ok(Number(r.retryAfter) >= 1, 'a 429 says when to retry');
    assert.is(argon2.verifies(), budget, 'one verify per judged guess, none for the refused');
    const appended = await eventsAfter(s, mark);
    assert.is(new Set(appended.map((e) => e.meta.requestId)).size, budget, 'only the judged guesses appended events');
  } finally {
    client.close();
    await s.close();
  }
});

test('21. correct logins behind one address keep working while its failures stay under the budget, and count exactly', async () => {
  const s = await startTestServer(oneAddress);
  const client = new BenchClient(s.url, clients + 20);
  try {
    const users = await createCrowd(s, clients, 'mixed');
    const argon2 = countArgon2(s);
    const wrong = 20;
    const [logins, guesses] = await Promise.all([
      Promise.all(users.map(async (u) => [await crowdLogin(client, u), await crowdLogin(client, u)])),
      Promise.all(Array.from({ length: wrong }, (_, i) => client.call('POST', '/v1/login', { username: users[i]!.username, password: 'guessed-password' }))),
    ]);
    assert.is(logins.flat().filter((r) => r.ok).length, 2 * clients, 'every correct login completed');
    assert.equal(tally(guesses.map((r) => r.status)), { 401: wrong }, 'failures under the budget are judged');
    assert.is(argon2.verifies(), 2 * clients + wrong);
    // The successes gave their tokens back, the failures kept theirs: exactly budget − 20 more failures are judged.
    const after = await Promise.all(Array.from({ length: 20 }, (_, i) => client.call('POST', '/v1/login', { username: `later-${i}`, password: 'guessed-password' })));
    assert.equal(tally(after.map((r) => r.status)), { 401: budget - wrong, 429: 20 - (budget - wrong) });
  } finally {
    client.close();
    await s.close();
  }
});

test.run();
